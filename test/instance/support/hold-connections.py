#!/usr/bin/env python3
"""Opens COUNT TCP connections to HOST:PORT, one after another, and holds them open.

    hold-connections.py HOST PORT COUNT [TIMEOUT]

Prints one JSON line once every attempt is done: {"opened": n, "failed": m, "errors":
{"<errno name>": k}, "seconds": s}; then holds the connections until its stdin closes (the
caller's signal), closes them and exits. Each connect is bounded by TIMEOUT (default 3 s).
"""
import collections
import errno
import json
import resource
import socket
import sys
import time


def main(host, port, count, timeout=3.0):
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    held, errors = [], collections.Counter()
    t0 = time.monotonic()
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect((host, port))
            held.append(s)
        except OSError as e:
            errors[errno.errorcode.get(e.errno, type(e).__name__) if e.errno else type(e).__name__] += 1
            s.close()
    took = round(time.monotonic() - t0, 2)
    print(json.dumps({"opened": len(held), "failed": count - len(held), "errors": errors, "seconds": took}), flush=True)
    sys.stdin.read()
    for s in held:
        s.close()


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0], int(a[1]), int(a[2]), float(a[3]) if len(a) > 3 else 3.0)
