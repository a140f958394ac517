"""Fake CloudWatch PutMetricData for the data-plane lab, served by ec2api.py.

Checks a call the way CloudWatch would (namespace, metric names, units, values, dimensions,
request limits) and appends each accepted datum to state["metrics"] with the namespace and
the time it arrived, so tests can assert on what the watchdog sends.
"""
import json
import time

UNITS = {
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
    "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
    "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
    "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
}


class CloudWatchError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


def _datum(d):
    if not isinstance(d, dict) or not isinstance(d.get("MetricName"), str) or not 1 <= len(d["MetricName"]) <= 255:
        raise CloudWatchError("InvalidParameterValue", f"MetricName missing or invalid in {d!r}")
    if d.get("Unit", "None") not in UNITS:
        raise CloudWatchError("InvalidParameterValue", f"Unit {d.get('Unit')!r} is not a CloudWatch unit")
    v = d.get("Value")
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise CloudWatchError("InvalidParameterValue", f"Value of {d['MetricName']} must be a number, got {v!r}")
    dims = d.get("Dimensions", [])
    if len(dims) > 30 or any(not isinstance(x, dict) or set(x) != {"Name", "Value"} or not x["Value"] for x in dims):
        raise CloudWatchError("InvalidParameterValue", f"bad Dimensions on {d['MetricName']}: {dims!r}")
    if len({x["Name"] for x in dims}) != len(dims):
        raise CloudWatchError("InvalidParameterCombination", f"duplicate dimension names on {d['MetricName']}")
    return {"MetricName": d["MetricName"], "Unit": d.get("Unit", "None"), "Value": v,
            "Dimensions": {x["Name"]: x["Value"] for x in dims}}


def put_metric_data(state, params):
    ns = params.get("namespace")
    if not ns or ns.startswith("AWS/"):
        raise CloudWatchError("InvalidParameterValue", f"The value {ns!r} for parameter Namespace is invalid")
    raw = params.get("metric-data")
    try:
        data = json.loads(raw or "")
    except ValueError as e:
        raise CloudWatchError("ParamValidation", f"Invalid JSON for --metric-data: {e}") from None
    if not isinstance(data, list) or not 1 <= len(data) <= 1000:
        raise CloudWatchError("InvalidParameterValue", "MetricData must hold 1 to 1000 items")
    now = time.time()
    state.setdefault("metrics", []).extend({"namespace": ns, "t": now, **_datum(d)} for d in data)
    return ""
