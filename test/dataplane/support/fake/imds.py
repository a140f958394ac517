#!/usr/bin/env python3
"""Fake EC2 instance metadata service (IMDSv2 only) for one lab instance.

Runs inside the instance's namespace on 169.254.169.254:80, as on EC2. A token from
PUT /latest/api/token is required for every GET (401 otherwise, and the refusal is
logged). The interfaces listed are the instance's primary interface plus every ENI that
state.json says is attached to it and delivered. From the instance's entry in state.json
it also serves spot/instance-action (spotAction), events/recommendations/rebalance
(rebalance) and autoscaling/target-lifecycle-state (targetLifecycleState); 404 when unset.
Fault: <lab>/imds-faults-<id>.json {"emptyTokens": N} answers the next N token requests
200 with an empty body (this server is the file's only writer once it exists).

Usage: imds.py <lab> <instance-id> <ready-file>
"""
import json
import os
import secrets
import socketserver
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

LAB, INSTANCE, READY = sys.argv[1], sys.argv[2], sys.argv[3]
TOKENS = set()
LOG = os.path.join(LAB, f"imds-{INSTANCE}.log")


def interfaces(state):
    inst = state["instances"][INSTANCE]
    found = {inst["primaryMac"]: {"interface-id": inst["primaryEni"], "device-number": "0",
                                  "local-ipv4s": inst["primaryIp"], "subnet-ipv4-cidr-block": inst["subnet"],
                                  "vpc-ipv4-cidr-blocks": "\n".join(inst["vpcCidrs"])}}
    if inst.get("primaryIpv6"):
        found[inst["primaryMac"]].update({"ipv6s": inst["primaryIpv6"], "subnet-ipv6-cidr-blocks": inst["subnetIpv6"]})
    for eni_id, eni in state["enis"].items():
        att = eni.get("attachment")
        if att and att["instanceId"] == INSTANCE and att["delivered"]:
            found[eni["mac"]] = {"interface-id": eni_id, "device-number": str(att["deviceIndex"]),
                                 "local-ipv4s": eni["ip"], "subnet-ipv4-cidr-block": eni["subnet"],
                                 "vpc-ipv4-cidr-blocks": "\n".join(eni["vpcCidrs"])}
    return found


def lookup(path):
    with open(os.path.join(LAB, "state.json")) as f:
        state = json.load(f)
    inst = state["instances"][INSTANCE]
    fixed = {"instance-id": INSTANCE, "placement/region": state["region"], "mac": inst["primaryMac"],
             "spot/instance-action": inst.get("spotAction"), "events/recommendations/rebalance": inst.get("rebalance"),
             "autoscaling/target-lifecycle-state": inst.get("targetLifecycleState")}
    if path in fixed:
        value = fixed[path]
        return json.dumps(value) if isinstance(value, dict) else value
    macs = interfaces(state)
    prefix = "network/interfaces/macs/"
    if path in (prefix, prefix[:-1]):
        return "\n".join(f"{m}/" for m in macs)
    if path.startswith(prefix):
        parts = path[len(prefix):].rstrip("/").split("/")
        if len(parts) == 2 and parts[0] in macs:
            return macs[parts[0]].get(parts[1])
    return None


class Handler(BaseHTTPRequestHandler):
    def reply(self, code, body=""):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def note(self, what):
        with open(LOG, "a") as f:
            f.write(f"{self.command} {self.path} {what}\n")

    def do_PUT(self):
        if self.path != "/latest/api/token" or not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            self.note("400")
            return self.reply(400)
        faults_path = os.path.join(LAB, f"imds-faults-{INSTANCE}.json")
        if os.path.exists(faults_path):
            with open(faults_path) as f:
                faults = json.load(f)
            if faults.get("emptyTokens", 0) > 0:
                faults["emptyTokens"] -= 1
                with open(faults_path + ".tmp", "w") as f:
                    json.dump(faults, f)
                os.replace(faults_path + ".tmp", faults_path)
                self.note("200 empty")
                return self.reply(200, "")
        token = secrets.token_urlsafe(24)
        TOKENS.add(token)
        self.note("200")
        self.reply(200, token)

    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") not in TOKENS:
            self.note("401")
            return self.reply(401)
        path = self.path.split("?")[0]
        value = lookup(path[len("/latest/meta-data/"):]) if path.startswith("/latest/meta-data/") else None
        self.note("200" if value is not None else "404")
        self.reply(200, value) if value is not None else self.reply(404, "Not Found")

    def log_message(self, fmt, *args):
        pass


class Server(HTTPServer):
    def server_bind(self):
        # HTTPServer.server_bind resolves the host name: no name lookups leave the lab.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "imds", 80


if __name__ == "__main__":
    server = Server(("169.254.169.254", 80), Handler)
    with open(READY, "w") as f:
        f.write(str(os.getpid()))
    server.serve_forever()
