#!/usr/bin/env python3
"""Fake EC2 + Auto Scaling API for the data-plane lab.

Serves exactly the calls nat-boot.sh makes (sent by the fake `aws` CLI as JSON over
HTTP) and keeps the lab's cloud state in <lab>/state.json:

  ec2 describe-network-interfaces  ENIs by tag, one fixed --query
  ec2 attach-network-interface     moves the ENI's veth end from the park namespace into
                                   the instance's namespace (renamed like AL2023: ens<5+N>)
  ec2 detach-network-interface     moves the veth end back to the park namespace
  ec2 describe-instances           state, launch time and NAT tag, one fixed --query
  ec2 describe-addresses           the EIP by tag, one fixed --query
  ec2 associate-address            remaps the EIP in the IGW's 1:1 NAT
  autoscaling set-instance-health  recorded
  autoscaling describe-auto-scaling-instances, complete-lifecycle-action
                                   the simulated group's view (support/asg.ts); completions recorded
  cloudwatch put-metric-data       checked and recorded in state["metrics"] (cloudwatch.py)

Faults, from state.json "faults": attachFailures (fail the next N attach calls as if the
old instance still held the ENI), deliver (false: attach succeeds but the interface
never shows up; deliverFailures: the same for the next N attaches only) and errors ({operation: [code, ...]}: the next calls of that operation
fail with these codes in order, e.g. RequestLimitExceeded, InternalError,
UnauthorizedOperation). Every call is appended to state["calls"] with the peer address it
came from, so tests can tell IPv4 from IPv6.

state.json is shared with the lab, which changes it while boot scripts run: every
read-modify-write holds an flock on <lab>/state.lock.

Usage:
  ec2api.py serve <lab> --listen ADDR:PORT [--listen [V6]:PORT ...] --ready FILE
  ec2api.py sync-igw <lab>           (apply state["igw"] to the IGW namespace's nft maps)
  ec2api.py patch <lab>              (deep-merge the JSON object on stdin into state.json)
  ec2api.py terminate <lab> <id>     (EC2 ending an instance: ENIs detached, public IPs released)
"""
import fcntl
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
import socket
import socketserver

from cloudwatch import CloudWatchError, put_metric_data

ENI_QUERY = (
    "NetworkInterfaces[].[TagSet[?Key=='cdktf-egress:device-index'].Value|[0],"
    "NetworkInterfaceId,MacAddress,Attachment.InstanceId,Attachment.AttachmentId]"
)
INSTANCE_QUERY = "Reservations[].Instances[].[InstanceId,State.Name,LaunchTime,Tags[?Key=='cdktf-egress:nat'].Value|[0]]"
ASG_INSTANCE_QUERY = "AutoScalingInstances[0].[AutoScalingGroupName,LifecycleState]"
# Codes the real APIs answer with for throttling and server faults (HTTP 5xx).
SERVER_CODES = {"InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable"}
EIP_QUERY = "Addresses[0].AllocationId"
NAT_TAG = "cdktf-egress:nat"
LOCK = threading.Lock()


class ApiError(Exception):
    def __init__(self, code, message, exit_code=254):
        super().__init__(message)
        self.code, self.message, self.exit_code = code, message, exit_code


class Locked:
    """flock on <lab>/state.lock around a read-modify-write of state.json."""

    def __init__(self, lab):
        self.path = os.path.join(lab, "state.lock")

    def __enter__(self):
        self.f = open(self.path, "a")
        fcntl.flock(self.f, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.f, fcntl.LOCK_UN)
        self.f.close()


def load(lab):
    with open(os.path.join(lab, "state.json")) as f:
        return json.load(f)


def save(lab, state):
    path = os.path.join(lab, "state.json")
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}"
    with open(tmp, "w") as f:
        json.dump(state, f, indent=1)
    os.replace(tmp, path)


def sh(*argv):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    if r.returncode != 0:
        raise ApiError("InternalError", f"lab command {' '.join(argv)} failed: {r.stderr.strip()}", 255)
    return r.stdout


def sync_igw(state):
    """Rewrites the IGW's private<->public maps in one nft transaction."""
    pairs = state["igw"]
    lines = ["flush map ip igw pub2priv", "flush map ip igw priv2pub", "flush set ip igw mapped"]
    for priv, pub in pairs.items():
        lines += [
            f"add element ip igw pub2priv {{ {pub} : {priv} }}",
            f"add element ip igw priv2pub {{ {priv} : {pub} }}",
            f"add element ip igw mapped {{ {priv} }}",
        ]
    r = subprocess.run(
        ["ip", "netns", "exec", state["ns"]["igw"], "nft", "-f", "-"],
        input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=20,
    )
    if r.returncode != 0:
        raise ApiError("InternalError", f"igw sync failed: {r.stderr.strip()}", 255)


def text(value):
    if value is None:
        return "None"
    if isinstance(value, list):
        return "\n".join("\t".join(text(v) for v in row) if isinstance(row, list) else text(row) for row in value)
    return str(value)


def tag_filter(params, state):
    want = f"Name=tag:{NAT_TAG},Values={state['natId']}"
    got = params.get("filters")
    if got != want:
        raise ApiError("FakeUnsupported", f"fake aws: expected --filters {want!r}, got {got!r}", 253)
    return state["natId"]


def require_query(params, query):
    if params.get("query") != query:
        raise ApiError("FakeUnsupported", f"fake aws: unsupported --query {params.get('query')!r}", 253)


def describe_enis(state, params):
    require_query(params, ENI_QUERY)
    nat = tag_filter(params, state)
    rows = []
    for eni_id, eni in sorted(state["enis"].items()):
        if eni["tags"].get(NAT_TAG) != nat:
            continue
        att = eni.get("attachment")
        rows.append([eni["tags"].get("cdktf-egress:device-index"), eni_id, eni["mac"], att and att["instanceId"],
                     att and att.get("id")])
    # The launch template tags each instance's primary interface with the NAT tag too (no device index).
    for inst_id, inst in sorted(state["instances"].items()):
        if inst["live"]:
            rows.append([None, inst["primaryEni"], inst["primaryMac"], inst_id, f"eni-attach-p{inst_id[2:]}"])
    return text(rows)


def move_to_park(state, eni):
    """The ENI's veth leaves its instance (if it was delivered there) for the park namespace."""
    att = eni.get("attachment")
    if not att or not att.get("delivered"):
        return
    inst = state["instances"].get(att["instanceId"])
    links = subprocess.run(["ip", "-n", inst["ns"], "-br", "link", "show"], capture_output=True, text=True, timeout=20)
    for line in links.stdout.splitlines():
        f = line.split()
        if len(f) >= 3 and f[2] == eni["mac"]:
            dev = f[0].split("@")[0]
            sh("ip", "-n", inst["ns"], "link", "set", "dev", dev, "netns", state["ns"]["park"])
            sh("ip", "-n", state["ns"]["park"], "link", "set", "dev", dev, "name", eni["park"])


def detach(state, params):
    att_id = params.get("attachment-id")
    found = [(i, e) for i, e in state["enis"].items() if (e.get("attachment") or {}).get("id") == att_id]
    if not found:
        raise ApiError("InvalidAttachmentID.NotFound", f"The attachment ID '{att_id}' does not exist")
    _, eni = found[0]
    move_to_park(state, eni)
    eni["attachment"] = None
    return ""


def describe_instances(state, params):
    require_query(params, INSTANCE_QUERY)
    rows = []
    for inst_id in params.get("instance-ids", "").split():
        inst = state["instances"].get(inst_id)
        if inst is None:
            raise ApiError("InvalidInstanceID.NotFound", f"The instance ID '{inst_id}' does not exist")
        rows.append([inst_id, inst.get("state", "running" if inst["live"] else "terminated"),
                     inst.get("launchTime"), inst.get("natTag", state["natId"])])
    return text(rows)


def describe_asg_instances(state, params):
    require_query(params, ASG_INSTANCE_QUERY)
    inst = state["instances"].get(params.get("instance-ids"))
    asg = state.get("asg")
    if inst is None or asg is None or not inst.get("lifecycleState"):
        return text([[None, None]])
    return text([[asg["name"], inst["lifecycleState"]]])


def complete_lifecycle(state, params):
    inst_id, hook = params.get("instance-id"), params.get("lifecycle-hook-name")
    inst, asg = state["instances"].get(inst_id), state.get("asg")
    result = params.get("lifecycle-action-result")
    if asg is None or params.get("auto-scaling-group-name") != asg["name"] or result not in ("CONTINUE", "ABANDON"):
        raise ApiError("ValidationError", "Unknown group or result")
    waiting = {"Pending:Wait": asg.get("launchHook"), "Terminating:Wait": asg.get("terminateHook")}
    if inst is None or waiting.get(inst.get("lifecycleState")) != hook:
        raise ApiError("ValidationError", f"No active Lifecycle Action found with instance ID {inst_id}")
    state["lifecycle"].append({"instanceId": inst_id, "hook": hook, "result": result, "t": time.time()})
    inst["lifecycleState"] = inst["lifecycleState"].split(":")[0] + ":Proceed"
    return ""


def attach(state, params):
    eni_id, inst_id = params.get("network-interface-id"), params.get("instance-id")
    idx = int(params.get("device-index", "-1"))
    eni = state["enis"].get(eni_id)
    if eni is None:
        raise ApiError("InvalidNetworkInterfaceID.NotFound", f"The networkInterface ID '{eni_id}' does not exist")
    inst = state["instances"].get(inst_id)
    if inst is None or not inst["live"]:
        raise ApiError("InvalidInstanceID.NotFound", f"The instance ID '{inst_id}' does not exist")
    faults = state["faults"]
    if faults.get("attachFailures", 0) > 0:
        faults["attachFailures"] -= 1
        raise ApiError("InvalidParameterValue", f"Interface: [{eni_id}] in use.")
    att = eni.get("attachment")
    if att:
        raise ApiError("InvalidParameterValue", f"Interface: [{eni_id}] in use.")
    for other in state["enis"].values():
        a = other.get("attachment")
        if a and a["instanceId"] == inst_id and a["deviceIndex"] == idx:
            raise ApiError("InvalidParameterValue", f"Instance '{inst_id}' already has an interface attached at device index '{idx}'.")
    deliver = faults.get("deliver", True)
    if faults.get("deliverFailures", 0) > 0:
        faults["deliverFailures"] -= 1
        deliver = False
    if deliver:
        name = f"ens{5 + idx}"
        sh("ip", "-n", state["ns"]["park"], "link", "set", "dev", eni["park"], "netns", inst["ns"])
        sh("ip", "-n", inst["ns"], "link", "set", "dev", eni["park"], "name", name)
    state["attachSeq"] = state.get("attachSeq", 0) + 1
    att_id = f"eni-attach-{eni_id[4:]}{state['attachSeq']:04d}"
    eni["attachment"] = {"instanceId": inst_id, "deviceIndex": idx, "delivered": deliver, "id": att_id}
    return att_id


def describe_addresses(state, params):
    require_query(params, EIP_QUERY)
    nat = tag_filter(params, state)
    found = [a for a in state["addresses"] if a["tags"].get(NAT_TAG) == nat]
    return text(found[0]["allocationId"] if found else None)


def associate(state, params):
    alloc, eni_id = params.get("allocation-id"), params.get("network-interface-id")
    if params.get("query") != "AssociationId":
        raise ApiError("FakeUnsupported", f"fake aws: unsupported --query {params.get('query')!r}", 253)
    addr = next((a for a in state["addresses"] if a["allocationId"] == alloc), None)
    if addr is None:
        raise ApiError("InvalidAllocationID.NotFound", f"The allocation ID '{alloc}' does not exist")
    private = None
    if eni_id in state["enis"]:
        private = state["enis"][eni_id]["ip"]
    for inst in state["instances"].values():
        if inst["primaryEni"] == eni_id and inst["live"]:
            private = inst["primaryIp"]
    if private is None:
        raise ApiError("InvalidNetworkInterfaceID.NotFound", f"The networkInterface ID '{eni_id}' does not exist")
    if addr.get("privateIp") and addr["privateIp"] != private and "allow-reassociation" not in params:
        raise ApiError("Resource.AlreadyAssociated", f"resource {alloc} is already associated")
    igw = state["igw"]
    for priv in [p for p, pub in igw.items() if pub == addr["publicIp"] or p == private]:
        del igw[priv]  # the EIP leaves its old holder; the interface's own public IP is released
    igw[private] = addr["publicIp"]
    addr["privateIp"], addr["eni"] = private, eni_id
    sync_igw(state)
    return f"eipassoc-{alloc[9:]}"


def set_health(state, params):
    if params.get("health-status") not in ("Healthy", "Unhealthy"):
        raise ApiError("ValidationError", "HealthStatus must be Healthy or Unhealthy")
    state["health"].append({"instanceId": params.get("instance-id"), "status": params["health-status"],
                            "respectGrace": "no-should-respect-grace-period" not in params})
    return ""


OPS = {
    ("ec2", "describe-network-interfaces"): describe_enis,
    ("ec2", "attach-network-interface"): attach,
    ("ec2", "detach-network-interface"): detach,
    ("ec2", "describe-instances"): describe_instances,
    ("ec2", "describe-addresses"): describe_addresses,
    ("ec2", "associate-address"): associate,
    ("autoscaling", "set-instance-health"): set_health,
    ("autoscaling", "describe-auto-scaling-instances"): describe_asg_instances,
    ("autoscaling", "complete-lifecycle-action"): complete_lifecycle,
    ("cloudwatch", "put-metric-data"): put_metric_data,
}


def injected(state, service, operation):
    """The next injected error for this operation, if any (faults.errors)."""
    queue = state["faults"].get("errors", {}).get(operation) or []
    if not queue:
        return None
    code = queue.pop(0)
    throttled = "Throttl" in code or code == "RequestLimitExceeded"
    if throttled or code in SERVER_CODES:
        return ApiError(code, "Rate exceeded" if throttled else "An internal error has occurred")
    return ApiError(code, f"injected {code} for {service} {operation}")


def handle(lab, req, peer):
    with LOCK, Locked(lab):
        state = load(lab)
        key = (req.get("service"), req.get("operation"))
        params = req.get("params", {})
        call = {"service": key[0], "operation": key[1], "params": params, "peer": peer,
                "endpointUrl": req.get("endpointUrl"), "t": time.time()}
        try:
            if params.get("region") != state["region"]:
                raise ApiError("AuthFailure", f"wrong region {params.get('region')!r}", 253)
            op = OPS.get(key)
            if op is None:
                raise ApiError("FakeUnsupported", f"fake aws: unsupported call {key[0]} {key[1]}", 253)
            fault = injected(state, key[0], key[1])
            if fault:
                raise fault
            try:
                out = op(state, params)
            except CloudWatchError as e:
                raise ApiError(e.code, e.message) from None
            call["ok"] = True
            result = {"code": 0, "stdout": out + ("\n" if out else ""), "stderr": ""}
        except ApiError as e:
            call["ok"], call["error"] = False, e.code
            op_name = "".join(w.capitalize() for w in (key[1] or "").split("-"))
            result = {"code": e.exit_code, "stdout": "",
                      "stderr": f"\nAn error occurred ({e.code}) when calling the {op_name} operation: {e.message}\n"}
        state["calls"].append(call)
        save(lab, state)
        return result


class Handler(BaseHTTPRequestHandler):
    lab = ""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        result = handle(self.lab, json.loads(body), self.client_address[0])
        data = json.dumps(result).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        pass


class Server(HTTPServer):
    def server_bind(self):
        # HTTPServer.server_bind resolves the host name: no name lookups leave the lab.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "ec2", self.server_address[1]


class V6Server(Server):
    address_family = socket.AF_INET6


def serve(lab, listens, ready):
    Handler.lab = lab
    servers = []
    for listen in listens:
        host, port = listen.rsplit(":", 1)
        if host.startswith("["):
            servers.append(V6Server((host[1:-1], int(port)), Handler))
        else:
            servers.append(Server((host, int(port)), Handler))
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    with open(ready, "w") as f:
        f.write(str(os.getpid()))
    servers[0].serve_forever()


def deep_merge(into, patch):
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            deep_merge(into[k], v)
        else:
            into[k] = v


def terminate(lab, inst_id):
    with Locked(lab):
        state = load(lab)
        inst = state["instances"][inst_id]
        for eni in state["enis"].values():
            if (eni.get("attachment") or {}).get("instanceId") == inst_id:
                move_to_park(state, eni)
                eni["attachment"] = None
        inst.update(live=False, state="terminated", terminatedAt=time.time())
        if inst.get("lifecycleState"):
            inst["lifecycleState"] = "Terminated"
        state["igw"].pop(inst["primaryIp"], None)
        for a in state["addresses"]:
            if a["privateIp"] == inst["primaryIp"]:
                a.update(privateIp=None, eni=None)
        sync_igw(state)
        save(lab, state)


def main(argv):
    if argv[:1] == ["sync-igw"]:
        with Locked(argv[1]):
            sync_igw(load(argv[1]))
        return 0
    if argv[:1] == ["patch"]:
        with Locked(argv[1]):
            state = load(argv[1])
            deep_merge(state, json.load(sys.stdin))
            save(argv[1], state)
        return 0
    if argv[:1] == ["terminate"]:
        terminate(argv[1], argv[2])
        return 0
    if argv[:1] == ["serve"]:
        lab, listens, ready, i = argv[1], [], None, 2
        while i < len(argv):
            if argv[i] == "--listen":
                listens.append(argv[i + 1])
            elif argv[i] == "--ready":
                ready = argv[i + 1]
            i += 2
        serve(lab, listens, ready)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
