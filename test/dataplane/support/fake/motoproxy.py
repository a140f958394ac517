#!/usr/bin/env python3
"""The lab's EC2 and Auto Scaling endpoint when the lab runs on the AWS API emulator (moto).

The boot script, the watcher and the loader call the real AWS CLI (fake/aws hands every call
to it, with the endpoint the lab's name table gives); the CLI talks to this proxy, which
forwards each request unchanged to moto on the internet side and returns moto's answer. It
adds only what moto cannot do, each named here and in the tests:

  faults   <lab>/proxy-faults.json, {"Action": [fault, ...]}: the next requests of that action
           get these in order. A fault is {"code": "RequestLimitExceeded"} (answered here in
           the service's error format and HTTP status, never reaching moto), {"status": 502}
           (an HTML page, as a load balancer in front of the service answers) or
           {"stallMs": N} (held N ms, then forwarded).
  in use   moto attaches an ENI that is already attached (it moves it). EC2 refuses with
           InvalidParameterValue "Interface: [eni-...] in use."; so does this proxy, after
           asking moto.
  MACs     moto's MAC addresses are not addresses ("02:00:00:21902x:..."), and every
           instance's primary interface has the same one. Answers carry the lab's MAC for
           each interface instead (<lab>/moto-macs.json: interface ID -> MAC).
  physics  after moto accepted a call that moves an interface or an address (attach, detach,
           associate, disassociate, terminate), the lab is made to match what moto now says:
           each ENI's link is in the namespace of the instance it is attached to, or parked;
           the IGW maps each EIP to the private address moto associates it with. state.json
           mirrors moto's attachments for the lab's IMDS.

POST /lab/reconcile/REGION does the physics alone, for the lab's own acts on moto.

Every request is appended to <lab>/proxy-calls.jsonl: service, action, the caller's address,
the HTTP status and whether a fault answered it.

Usage: motoproxy.py <lab> --upstream HOST:PORT --listen ADDR:PORT [--listen [V6]:PORT] --ready FILE
"""
import fcntl
import http.client
import json
import os
import re
import socket
import socketserver
import sys
import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import ec2api  # noqa: E402  (the lab's physics: moving links, the IGW's maps)

# HTTP statuses the real services answer these codes with.
STATUS = {"RequestLimitExceeded": 503, "InternalError": 500, "InternalFailure": 500, "ServiceUnavailable": 503,
          "Unavailable": 503, "Throttling": 400}
MOVES = {"AttachNetworkInterface", "DetachNetworkInterface", "AssociateAddress", "DisassociateAddress", "TerminateInstances"}
CALLS_LOCK = threading.Lock()
PHYSICS_LOCK = threading.Lock()


class Proxy:
    def __init__(self, lab, upstream):
        self.lab = lab
        self.host, port = upstream.rsplit(":", 1)
        self.port = int(port)

    # --- upstream -------------------------------------------------------------------------
    def forward(self, method, path, headers, body):
        conn = http.client.HTTPConnection(self.host.strip("[]"), self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            return r.status, [(k, v) for k, v in r.getheaders() if k.lower() not in ("transfer-encoding", "connection")], r.read()
        finally:
            conn.close()

    def ec2(self, region, action, **params):
        """One EC2 query call of the proxy's own; the parsed answer."""
        body = urlencode({"Action": action, "Version": "2016-11-15", **params})
        status, _, data = self.forward("POST", "/", {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Authorization": f"AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/ec2/aws4_request, SignedHeaders=host, Signature=0",
        }, body.encode())
        if status != 200:
            raise RuntimeError(f"moto answered {status} to the proxy's {action}: {data[:300]!r}")
        root = ET.fromstring(data)
        for el in root.iter():  # moto's answers use several API versions' namespaces
            el.tag = el.tag.split("}", 1)[-1]
        return root

    # --- what moto gets wrong ---------------------------------------------------------------
    def in_use(self, region, params):
        eni = (params.get("NetworkInterfaceId") or [""])[0]
        root = self.ec2(region, "DescribeNetworkInterfaces", **{"NetworkInterfaceId.1": eni})
        for item in root.iter("attachment"):
            status = item.findtext("status")
            if item.findtext("instanceId") and status in ("attached", "attaching", None):
                return eni
        return None

    def macs(self, data):
        """moto's MAC addresses replaced with the lab's, per interface ID."""
        try:
            with open(os.path.join(self.lab, "moto-macs.json")) as f:
                macs = json.load(f)
        except OSError:
            return data
        if b"macAddress" not in data:
            return data
        root = ET.fromstring(data)
        ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
        ET.register_namespace("", ns)
        q = f"{{{ns}}}" if ns else ""
        for parent in root.iter():
            eni = parent.findtext(f"{q}networkInterfaceId")
            mac = parent.find(f"{q}macAddress")
            if eni in macs and mac is not None:
                mac.text = macs[eni]
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)

    # --- physics ----------------------------------------------------------------------------
    def reconcile(self, region):
        """The lab made to match moto's attachments and associations."""
        enis = self.ec2(region, "DescribeNetworkInterfaces")
        addrs = self.ec2(region, "DescribeAddresses")
        attached = {}
        for item in enis.find("networkInterfaceSet"):
            att = item.find("attachment")
            if att is not None and att.findtext("instanceId"):
                attached[item.findtext("networkInterfaceId")] = (att.findtext("instanceId"), int(att.findtext("deviceIndex")), att.findtext("attachmentId"))
        associated = {}
        for item in addrs.find("addressesSet"):
            associated[item.findtext("allocationId")] = (item.findtext("privateIpAddress") or None, item.findtext("networkInterfaceId") or None)
        with PHYSICS_LOCK, ec2api.Locked(self.lab):
            state = ec2api.load(self.lab)
            for eni_id, eni in state["enis"].items():
                want = attached.get(eni_id)
                att = eni.get("attachment")
                have = (att["instanceId"], att["deviceIndex"], att["id"]) if att else None
                if have == want:
                    continue
                if att:
                    ec2api.move_to_park(state, eni)
                    eni["attachment"] = None
                inst = want and state["instances"].get(want[0])
                if want and inst and inst.get("live"):
                    name = f"ens{5 + want[1]}"
                    ec2api.sh("ip", "-n", state["ns"]["park"], "link", "set", "dev", eni["park"], "netns", inst["ns"])
                    ec2api.sh("ip", "-n", inst["ns"], "link", "set", "dev", eni["park"], "name", name)
                    eni["attachment"] = {"instanceId": want[0], "deviceIndex": want[1], "delivered": True, "id": want[2]}
                elif want:
                    eni["attachment"] = {"instanceId": want[0], "deviceIndex": want[1], "delivered": False, "id": want[2]}
            igw = {}
            for a in state["addresses"]:
                private, eni = associated.get(a["allocationId"], (None, None))
                a.update(privateIp=private, eni=eni)
                if private:
                    igw[private] = a["publicIp"]
            # Running instances' own public IPv4 addresses (not EIPs) stay, unless an EIP took their address.
            dead = {i["primaryIp"] for i in state["instances"].values() if not i.get("live")}
            eips = {a["publicIp"] for a in state["addresses"]}
            for private, public in state["igw"].items():
                if private not in dead and private not in igw and public not in eips:
                    igw[private] = public
            state["igw"] = igw
            ec2api.sync_igw(state)
            ec2api.save(self.lab, state)

    # --- faults and the record --------------------------------------------------------------
    def next_fault(self, action):
        path = os.path.join(self.lab, "proxy-faults.json")
        with ec2api.Locked(self.lab):
            try:
                with open(path) as f:
                    faults = json.load(f)
            except OSError:
                return None
            queue = faults.get(action) or []
            if not queue:
                return None
            fault = queue.pop(0)
            tmp = f"{path}.{threading.get_ident()}"
            with open(tmp, "w") as f:
                json.dump(faults, f)
            os.replace(tmp, path)
            return fault

    def record(self, entry):
        with CALLS_LOCK, open(os.path.join(self.lab, "proxy-calls.jsonl"), "a") as f:
            f.write(json.dumps(entry) + "\n")


def error_body(service, code, message):
    rid = f"{int(time.time() * 1e6):032x}"
    if service == "ec2":
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
                f"<Message>{message}</Message></Error></Errors><RequestID>{rid}</RequestID></Response>").encode()
    return (f'<ErrorResponse><Error><Type>{"Receiver" if STATUS.get(code, 400) >= 500 else "Sender"}</Type>'
            f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>").encode()


def describe(headers, body):
    """The service (from the signature's credential scope), the region and the action of a query request."""
    m = re.search(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/", headers.get("Authorization", ""))
    region, service = (m.group(1), m.group(2)) if m else ("us-east-1", "unknown")
    params = parse_qs(body.decode("utf-8", "replace")) if body else {}
    return service, region, (params.get("Action") or [headers.get("X-Amz-Target", "?")])[0], params


class Handler(BaseHTTPRequestHandler):
    proxy = None
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.handle_one("POST")

    def do_GET(self):
        self.handle_one("GET")

    def handle_one(self, method):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path.startswith("/lab/reconcile/"):
            # The lab's own acts (a terminate, say) went to moto directly: make the lab match.
            try:
                self.proxy.reconcile(self.path.rsplit("/", 1)[1])
                status, data = 200, b"ok"
            except Exception as e:  # noqa: BLE001
                status, data = 500, str(e).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        service, region, action, params = describe(self.headers, body)
        entry = {"service": service, "action": action, "peer": self.client_address[0], "t": time.time()}
        fault = self.proxy.next_fault(action)
        if fault and "stallMs" in fault:
            entry["stalledMs"] = fault["stallMs"]
            time.sleep(fault["stallMs"] / 1000)
            fault = None
        try:
            if fault and "status" in fault:
                # A front end's answer, not the service's: no error document the CLI can read.
                status, headers = fault["status"], [("Content-Type", "text/html")]
                data = fault.get("body", f"<html><body><h1>{fault['status']}</h1></body></html>").encode()
                entry["fault"] = str(fault["status"])
            elif fault:
                code = fault["code"]
                message = fault.get("message") or ("Rate exceeded" if "Throttl" in code or code == "RequestLimitExceeded"
                                                   else "An internal error has occurred" if STATUS.get(code, 400) >= 500
                                                   else f"injected {code}")
                status, headers, data = STATUS.get(code, 400), [("Content-Type", "text/xml")], error_body(service, code, message)
                entry["fault"] = code
            elif action == "AttachNetworkInterface" and (busy := self.proxy.in_use(region, params)):
                status, headers = 400, [("Content-Type", "text/xml")]
                data = error_body(service, "InvalidParameterValue", f"Interface: [{busy}] in use.")
                entry["refused"] = "InvalidParameterValue"
            else:
                headers_in = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
                status, headers, data = self.proxy.forward(method, self.path, headers_in, body)
                if service == "ec2" and status == 200:
                    data = self.proxy.macs(data)
                    if action in MOVES:
                        self.proxy.reconcile(region)
        except Exception as e:  # noqa: BLE001 - a lab failure must reach the caller and the record, not kill the server
            status, headers, data = 500, [("Content-Type", "text/xml")], error_body(service, "InternalError", f"lab proxy: {e}")
            entry["labError"] = str(e)
        entry["status"] = status
        self.proxy.record(entry)
        self.send_response(status)
        for k, v in headers:
            if k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        pass


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True

    def server_bind(self):
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "api", self.server_address[1]


class V6Server(Server):
    address_family = socket.AF_INET6


def main(argv):
    lab, upstream, listens, ready, i = argv[0], None, [], None, 1
    while i < len(argv):
        if argv[i] == "--upstream":
            upstream = argv[i + 1]
        elif argv[i] == "--listen":
            listens.append(argv[i + 1])
        elif argv[i] == "--ready":
            ready = argv[i + 1]
        else:
            print(__doc__, file=sys.stderr)
            return 2
        i += 2
    Handler.proxy = Proxy(lab, upstream)
    servers = []
    for listen in listens:
        host, port = listen.rsplit(":", 1)
        cls = V6Server if host.startswith("[") else Server
        servers.append(cls((host.strip("[]"), int(port)), Handler))
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    with open(ready, "w") as f:
        f.write(str(os.getpid()))
    servers[0].serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
