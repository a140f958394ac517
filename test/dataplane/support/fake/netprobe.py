#!/usr/bin/env python3
"""Traffic ends for the data-plane lab: servers on lab hosts and the probes that talk to them.

Servers (one process, one thread per listener):
  netprobe.py serve [--tcp-whoami A:P]... [--udp-whoami A:P]... [--tcp-sink A:P]...
                    [--icmp-log FILE] --ready FILE
    tcp-whoami  answers "<peer ip> <peer port>" and closes
    udp-whoami  answers each datagram with "<peer ip> <peer port>"
    tcp-sink    reads to EOF, answers JSON {peer, port, bytes, sha256}
    tcp-accept  accepts and closes only after the peer does (never TIME_WAIT on this side)
    icmp-log    appends "<source> <payload>" for every echo request seen

Probes (print one JSON object, exit 0 whatever happened; every wait is bounded):
  netprobe.py tcp-whoami HOST PORT [--src IP] [--timeout S]
  netprobe.py udp-whoami HOST PORT [--timeout S]
  netprobe.py icmp HOST --token T [--timeout S]
  netprobe.py tcp-send HOST PORT --bytes N --seed S [--sport P] [--seconds D] [--timeout S]
  netprobe.py connect-rate HOST PORT --count N --seconds MAX [--timeout S]   (connect, then reset;
      slowestMs is the slowest connect: a lost SYN is retried after 1 s, so --timeout 3 rides it out)
  netprobe.py first-connect HOST PORT --timeout S     (when a connect first succeeds; atMs is epoch ms)
  netprobe.py gap HOST PORT --stop FILE --seconds MAX [--interval S] [--timeout S]
      a TCP whoami every --interval (default 0.05 s), each a new connection, until FILE
      exists or MAX seconds pass; reports the longest time between two answers (maxGapMs),
      when that gap began and ended, the first and last answer and the end (epoch ms; an
      outage still going at the end is endMs - lastMs), and every source address seen
"""
import hashlib
import json
import os
import selectors
import socket
import struct
import sys
import threading
import time


def opts(argv):
    pos, kw, i = [], {}, 0
    while i < len(argv):
        if argv[i].startswith("--"):
            kw.setdefault(argv[i][2:], []).append(argv[i + 1])
            i += 2
        else:
            pos.append(argv[i])
            i += 1
    return pos, kw


def addr(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


# --- servers -------------------------------------------------------------------
def tcp_whoami(a):
    srv = socket.create_server(addr(a), reuse_port=False)
    while True:
        c, peer = srv.accept()
        try:
            c.sendall(f"{peer[0]} {peer[1]}\n".encode())
        except OSError:
            pass
        c.close()


def udp_whoami(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(addr(a))
    while True:
        _, peer = s.recvfrom(2048)
        s.sendto(f"{peer[0]} {peer[1]}\n".encode(), peer)


def sink_one(c, peer):
    h, n = hashlib.sha256(), 0
    c.settimeout(30)
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            h.update(b)
            n += len(b)
        c.sendall(json.dumps({"peer": peer[0], "port": peer[1], "bytes": n, "sha256": h.hexdigest()}).encode())
    except OSError:
        pass
    c.close()


def tcp_sink(a):
    srv = socket.create_server(addr(a))
    while True:
        c, peer = srv.accept()
        threading.Thread(target=sink_one, args=(c, peer), daemon=True).start()


def tcp_accept(a):
    srv = socket.create_server(addr(a), backlog=4096)
    srv.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            if key.fileobj is srv:
                try:
                    c, _ = srv.accept()
                except OSError:
                    continue
                c.setblocking(False)
                sel.register(c, selectors.EVENT_READ)
            else:
                try:
                    data = key.fileobj.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(key.fileobj)
                    key.fileobj.close()


def icmp_log(path):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    while True:
        pkt, peer = s.recvfrom(4096)
        ihl = (pkt[0] & 0x0F) * 4
        if pkt[ihl] == 8:  # echo request
            with open(path, "a") as f:
                f.write(f"{peer[0]} {pkt[ihl + 8:].decode(errors='replace')}\n")


def serve(kw):
    jobs = [(tcp_whoami, a) for a in kw.get("tcp-whoami", [])] + [(udp_whoami, a) for a in kw.get("udp-whoami", [])]
    jobs += [(tcp_sink, a) for a in kw.get("tcp-sink", [])] + [(tcp_accept, a) for a in kw.get("tcp-accept", [])] + [(icmp_log, a) for a in kw.get("icmp-log", [])]
    started = []
    for fn, a in jobs:
        t = threading.Thread(target=fn, args=(a,), daemon=True)
        t.start()
        started.append(t)
    time.sleep(0.2)  # listeners are bound well before this; a failed bind has ended its thread
    if not all(t.is_alive() for t in started):
        sys.exit("netprobe: a listener failed to start")
    with open(kw["ready"][0], "w") as f:
        f.write(str(os.getpid()))
    while True:
        time.sleep(3600)


# --- probes --------------------------------------------------------------------
def err(e):
    if isinstance(e, socket.timeout):
        return "timeout"
    if isinstance(e, ConnectionRefusedError):
        return "refused"
    return type(e).__name__ + ": " + str(e)


def probe_tcp_whoami(host, port, kw):
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(float(kw.get("timeout", ["3"])[0]))
        if "src" in kw:
            s.bind((kw["src"][0], 0))
        s.connect((host, port))
        data = s.recv(256).decode().strip()
        s.close()
        return {"ok": True, "seen": data}
    except OSError as e:
        return {"ok": False, "error": err(e)}


def probe_udp_whoami(host, port, kw):
    timeout = float(kw.get("timeout", ["3"])[0])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout / 3)
    for _ in range(3):
        try:
            s.sendto(b"who", (host, port))
            data, _ = s.recvfrom(256)
            return {"ok": True, "seen": data.decode().strip()}
        except OSError as e:
            last = err(e)
    return {"ok": False, "error": last}


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def probe_icmp(host, kw):
    token = kw["token"][0].encode()
    ident = os.getpid() & 0xFFFF
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, 1)
    pkt = struct.pack("!BBHHH", 8, 0, checksum(hdr + token), ident, 1) + token
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    deadline = time.monotonic() + float(kw.get("timeout", ["3"])[0])
    t0 = time.monotonic()
    # Like ping, one echo a second until the deadline: a single packet lost while a link
    # settles must not fail the probe when TCP (SYN retransmits) would get through.
    s.sendto(pkt, (host, 0))
    resend = t0 + 1.0
    while (left := deadline - time.monotonic()) > 0:
        s.settimeout(max(0.01, min(left, resend - time.monotonic())))
        try:
            data, peer = s.recvfrom(4096)
        except socket.timeout:
            if time.monotonic() >= resend:
                s.sendto(pkt, (host, 0))
                resend += 1.0
            continue
        except OSError as e:
            return {"ok": False, "error": err(e)}
        ihl = (data[0] & 0x0F) * 4
        typ, _, _, rid, _ = struct.unpack("!BBHHH", data[ihl:ihl + 8])
        if typ == 0 and rid == ident and peer[0] == host:
            return {"ok": True, "rtt_ms": round((time.monotonic() - t0) * 1000, 2)}
    return {"ok": False, "error": "timeout"}


def stream(seed, n):
    out, block, i = bytearray(), b"", 0
    while len(out) < n:
        block = hashlib.sha256(f"{seed}:{i}".encode()).digest() * 256
        out += block
        i += 1
    return bytes(out[:n])


def probe_tcp_send(host, port, kw):
    n, seed = int(kw["bytes"][0]), kw["seed"][0]
    seconds = float(kw.get("seconds", ["0"])[0])
    data = stream(seed, n)
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(float(kw.get("timeout", ["10"])[0]))
        if "sport" in kw:
            s.bind(("0.0.0.0", int(kw["sport"][0])))
        s.connect((host, port))
        local = s.getsockname()
        chunks = 20
        size = -(-n // chunks)
        for i in range(chunks):
            s.sendall(data[i * size:(i + 1) * size])
            if seconds:
                time.sleep(seconds / chunks)
        s.shutdown(socket.SHUT_WR)
        reply = b""
        while (b := s.recv(4096)):
            reply += b
        s.close()
        r = json.loads(reply)
        return {"ok": True, "local": f"{local[0]} {local[1]}", "peer": r["peer"], "peerPort": r["port"],
                "bytes": r["bytes"], "match": r["sha256"] == hashlib.sha256(data).hexdigest()}
    except (OSError, ValueError) as e:
        return {"ok": False, "error": err(e)}


def probe_connect_rate(host, port, kw):
    count, seconds = int(kw["count"][0]), float(kw["seconds"][0])
    timeout = float(kw.get("timeout", ["1"])[0])
    t0 = time.monotonic()
    end, n, failed, slowest = t0 + seconds, 0, 0, 0.0
    while n + failed < count and time.monotonic() < end:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = reset
        s.settimeout(timeout)
        started = time.monotonic()
        try:
            s.connect((host, port))
            n += 1
        except OSError:
            failed += 1
        slowest = max(slowest, time.monotonic() - started)
        s.close()
    took = time.monotonic() - t0
    return {"ok": failed == 0 and n == count, "connections": n, "failed": failed, "seconds": took, "perSecond": n / took,
            "slowestMs": round(slowest * 1000, 1)}


def probe_first_connect(host, port, kw):
    t0 = time.monotonic()
    deadline = t0 + float(kw["timeout"][0])
    tries = 0
    while time.monotonic() < deadline:
        tries += 1
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(0.05)
        try:
            s.connect((host, port))
            s.close()
            return {"ok": True, "ms": round((time.monotonic() - t0) * 1000, 1), "atMs": time.time() * 1000, "tries": tries}
        except OSError:
            s.close()
            time.sleep(0.005)
    return {"ok": False, "error": "timeout", "tries": tries}


def probe_gap(host, port, kw):
    interval = float(kw.get("interval", ["0.05"])[0])
    timeout = float(kw.get("timeout", ["0.2"])[0])
    stop, deadline = kw["stop"][0], time.monotonic() + float(kw["seconds"][0])
    answers, seen, attempts = [], {}, 0
    while time.monotonic() < deadline and not os.path.exists(stop):
        started = time.monotonic()
        attempts += 1
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect((host, port))
            src = s.recv(64).decode().split(" ")[0]
            answers.append(time.time() * 1000)
            seen[src] = seen.get(src, 0) + 1
        except OSError:
            pass
        s.close()
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
    gaps = [(b - a, a, b) for a, b in zip(answers, answers[1:])]
    worst = max(gaps) if gaps else (None, None, None)
    return {"ok": len(answers) > 1, "attempts": attempts, "answers": len(answers), "maxGapMs": worst[0],
            "gapFromMs": worst[1], "gapToMs": worst[2], "firstMs": answers[0] if answers else None,
            "lastMs": answers[-1] if answers else None, "endMs": time.time() * 1000, "seen": seen}


def main(argv):
    pos, kw = opts(argv[1:])
    cmd = argv[0]
    if cmd == "serve":
        serve(kw)
        return 0
    host = pos[0]
    port = int(pos[1]) if len(pos) > 1 else 0
    result = {
        "tcp-whoami": lambda: probe_tcp_whoami(host, port, kw),
        "udp-whoami": lambda: probe_udp_whoami(host, port, kw),
        "icmp": lambda: probe_icmp(host, kw),
        "tcp-send": lambda: probe_tcp_send(host, port, kw),
        "connect-rate": lambda: probe_connect_rate(host, port, kw),
        "first-connect": lambda: probe_first_connect(host, port, kw),
        "gap": lambda: probe_gap(host, port, kw),
    }[cmd]()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
