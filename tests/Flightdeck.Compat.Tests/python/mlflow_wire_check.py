"""Imitates the MLflow Python client's wire habits (those the npm client lacks) against a tracking server.

Usage: python3 mlflow_wire_check.py <tracking-url> <summary-file>

The Python client serialises requests with protobuf's JSON printer: int64 fields (timestamps, steps) travel as
strings, NaN and +/-Infinity metric values as the strings "NaN", "Infinity", "-Infinity". Older clients sent only
run_uuid. GET requests repeat a key for each list element (order_by, run_ids). Artifacts go through the proxied
mlflow-artifacts routes. Only `requests` is needed. The summary is written to <summary-file> as JSON.
Exits 0 when every step passed, 1 when a step failed, 2 on bad usage.
"""

import json
import math
import sys
import time
import traceback
import uuid

import requests


class StepFailed(Exception):
    pass


class WireCheck:
    def __init__(self, tracking_url):
        self.base = tracking_url.rstrip("/")
        self.api = self.base + "/api/2.0/mlflow/"
        self.session = requests.Session()
        self.summary = {"endpoint": self.base, "requests": requests.__version__, "steps": []}

    def post(self, route, body):
        # The Python client sends a JSON text it built itself, never a form.
        response = self.session.post(self.api + route, data=json.dumps(body), headers={"Content-Type": "application/json"}, timeout=30)
        return self.expect_ok("POST " + route, response)

    def get(self, route, params):
        return self.expect_ok("GET " + route, self.session.get(self.api + route, params=params, timeout=30))

    @staticmethod
    def expect_ok(what, response):
        if response.status_code != 200:
            raise StepFailed(f"{what} answered {response.status_code}: {response.text[:2000]}")
        return response.json()

    def step(self, name, action):
        try:
            result = action()
            self.summary["steps"].append({"name": name, "ok": True})
            return result
        except Exception as error:  # noqa: BLE001 - every failure is reported in the summary
            self.summary["steps"].append({"name": name, "ok": False, "error": f"{type(error).__name__}: {error}"})
            raise


def check(condition, message):
    if not condition:
        raise StepFailed(message)


def wire_value(value):
    """How the summary records a metric value: JSON has no NaN/Infinity, so those stay as the strings the server sent."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return repr(value)
    return value


def run(check_, summary):
    suffix = uuid.uuid4().hex[:8]
    t0 = 1700000000000

    experiment_id = check_.step("experiments/create", lambda: check_.post(
        "experiments/create", {"name": f"pywire-b-{suffix}", "tags": [{"key": "origin", "value": "python"}]})["experiment_id"])
    summary["experiment_id"] = experiment_id
    for letter in ("a", "c"):
        check_.post("experiments/create", {"name": f"pywire-{letter}-{suffix}"})

    def search_experiments():
        # requests turns a list value into repeated keys: order_by=name+DESC&order_by=creation_time+ASC
        common = {"filter": f"name LIKE 'pywire-%-{suffix}'", "max_results": "10", "view_type": "ACTIVE_ONLY"}
        descending = check_.get("experiments/search", {**common, "order_by": ["name DESC", "creation_time ASC"]})
        ascending = check_.get("experiments/search", {**common, "order_by": ["name ASC", "creation_time DESC"]})
        summary["experiments_desc"] = [e["name"] for e in descending.get("experiments", [])]
        summary["experiments_asc"] = [e["name"] for e in ascending.get("experiments", [])]
        expected = [f"pywire-{letter}-{suffix}" for letter in ("a", "b", "c")]
        check(summary["experiments_asc"] == expected, f"ascending {summary['experiments_asc']}")
        check(summary["experiments_desc"] == expected[::-1], f"descending {summary['experiments_desc']}")

    check_.step("experiments/search GET repeated order_by", search_experiments)

    def create_run(name, start):
        run_ = check_.post("runs/create", {
            "experiment_id": experiment_id,
            "start_time": str(start),
            "run_name": name,
            "tags": [{"key": "mlflow.user", "value": "pywire"}, {"key": "mlflow.source.type", "value": "LOCAL"}],
        })["run"]
        check(run_["info"]["start_time"] in (start, str(start)), f"start_time came back as {run_['info']['start_time']!r}")
        return run_["info"]["run_id"]

    run_id = check_.step("runs/create int64 as string", lambda: create_run("py-run", t0))
    other_run_id = check_.step("runs/create second", lambda: create_run("py-run-2", t0 + 1))
    summary["run_id"] = run_id
    summary["other_run_id"] = other_run_id

    def log_with_run_uuid_only():
        check_.post("runs/log-metric", {"run_uuid": run_id, "key": "loss", "value": 0.5, "timestamp": str(t0 + 1), "step": "1"})
        check_.post("runs/log-metric", {"run_uuid": run_id, "key": "loss", "value": "NaN", "timestamp": str(t0 + 2), "step": "2"})
        check_.post("runs/log-metric", {"run_uuid": run_id, "key": "loss", "value": "Infinity", "timestamp": str(t0 + 3), "step": "3"})
        check_.post("runs/log-metric", {"run_uuid": run_id, "key": "floor", "value": "-Infinity", "timestamp": str(t0 + 4)})
        check_.post("runs/log-parameter", {"run_uuid": run_id, "key": "alpha", "value": "0.5"})
        check_.post("runs/set-tag", {"run_uuid": run_id, "key": "wire", "value": "python"})

    check_.step("runs/log-* run_uuid only, NaN/Infinity as strings", log_with_run_uuid_only)

    def log_batches():
        for rid, scale in ((run_id, 1.0), (other_run_id, 2.0)):
            metrics = [{"key": "acc", "value": scale * step / 10, "timestamp": str(t0 + 100 + step), "step": str(step)} for step in range(10)]
            check_.post("runs/log-batch", {"run_id": rid, "metrics": metrics, "params": [{"key": "scale", "value": str(scale)}], "tags": []})

    check_.step("runs/log-batch int64 as strings", log_batches)

    def get_run():
        answer = check_.get("runs/get", {"run_uuid": run_id})["run"]
        metrics = {m["key"]: wire_value(m["value"]) for m in answer["data"].get("metrics", [])}
        summary["run_metrics"] = metrics
        summary["run_params"] = {p["key"]: p["value"] for p in answer["data"].get("params", [])}
        summary["run_user_id"] = answer["info"].get("user_id")
        check(summary["run_params"] == {"alpha": "0.5", "scale": "1.0"}, f"params {summary['run_params']}")

    check_.step("runs/get run_uuid only", get_run)

    def history():
        metrics = check_.get("metrics/get-history", {"run_uuid": run_id, "metric_key": "loss"})["metrics"]
        summary["loss_history"] = [{"step": int(m.get("step", 0)), "value": wire_value(m["value"]), "timestamp": int(m["timestamp"])} for m in metrics]
        floor = check_.get("metrics/get-history", {"run_uuid": run_id, "metric_key": "floor"})["metrics"]
        summary["floor_history"] = [{"step": int(m.get("step", 0)), "value": wire_value(m["value"])} for m in floor]
        check(len(summary["loss_history"]) == 3, f"loss history {summary['loss_history']}")

    check_.step("metrics/get-history run_uuid only", history)

    def bulk_interval():
        every = check_.get("metrics/get-history-bulk-interval", {"run_ids": [other_run_id, run_id], "metric_key": "acc", "max_results": "5"})
        window = check_.get("metrics/get-history-bulk-interval",
                            {"run_ids": [run_id], "metric_key": "acc", "start_step": "2", "end_step": "6", "max_results": "2500"})
        summary["bulk_sampled"] = [{"run_id": m["run_id"], "step": int(m.get("step", 0)), "value": m["value"]} for m in every["metrics"]]
        summary["bulk_window"] = [{"run_id": m["run_id"], "step": int(m.get("step", 0)), "value": m["value"]} for m in window["metrics"]]
        check(len(summary["bulk_sampled"]) > 0, "bulk interval returned nothing")

    check_.step("metrics/get-history-bulk-interval repeated run_ids", bulk_interval)

    def finish():
        info = check_.post("runs/update", {"run_uuid": run_id, "status": "FINISHED", "end_time": str(t0 + 9999)})["run_info"]
        summary["updated_status"] = info["status"]
        summary["updated_end_time"] = int(info["end_time"])
        check(info["status"] == "FINISHED", f"status {info['status']}")

    check_.step("runs/update run_uuid only, end_time as string", finish)

    payload = bytes(range(256)) * 64 + "ünïcode ✓".encode("utf-8")
    summary["artifact_size"] = len(payload)

    def artifacts():
        artifact_uri = check_.get("runs/get", {"run_id": run_id})["run"]["info"]["artifact_uri"]
        summary["artifact_uri"] = artifact_uri
        check(artifact_uri.startswith("mlflow-artifacts:/"), f"artifact_uri {artifact_uri}")
        # The Python client maps mlflow-artifacts:/<path> onto <tracking>/api/2.0/mlflow-artifacts/artifacts/<path>.
        root = artifact_uri[len("mlflow-artifacts:"):].lstrip("/")
        url = f"{check_.base}/api/2.0/mlflow-artifacts/artifacts/{root}/data/weights.bin"
        put = check_.session.put(url, data=payload, timeout=30)
        check(put.status_code == 200, f"PUT {url} answered {put.status_code}: {put.text[:500]}")
        got = check_.session.get(url, timeout=30)
        check(got.status_code == 200, f"GET {url} answered {got.status_code}")
        summary["artifact_download_matches"] = got.content == payload
        listed = check_.session.get(f"{check_.base}/api/2.0/mlflow-artifacts/artifacts", params={"path": f"{root}/data"}, timeout=30)
        check(listed.status_code == 200, f"proxied list answered {listed.status_code}: {listed.text[:500]}")
        summary["proxied_listing"] = listed.json().get("files", [])
        run_listing = check_.get("artifacts/list", {"run_id": run_id, "path": "data"})
        summary["run_listing"] = run_listing.get("files", [])
        check(summary["artifact_download_matches"], "downloaded bytes differ from the uploaded ones")

    check_.step("mlflow-artifacts PUT, GET and list", artifacts)

    def more_python_habits():
        # SearchExperiments.max_results is int64, so the Python client sends it as a string in the POST body.
        found = check_.post("experiments/search", {"max_results": "1000", "filter": f"name = 'pywire-b-{suffix}'", "order_by": ["name ASC"]})
        summary["post_search_ids"] = [e["experiment_id"] for e in found.get("experiments", [])]
        check(summary["post_search_ids"] == [experiment_id], f"POST experiments/search {summary['post_search_ids']}")
        check_.post("runs/log-batch", {"run_id": other_run_id, "metrics": [
            {"key": "odd", "value": "NaN", "timestamp": str(t0), "step": "0"},
            {"key": "odd", "value": "-Infinity", "timestamp": str(t0 + 1), "step": "1"}]})
        check_.post("runs/delete", {"run_uuid": other_run_id})
        deleted = check_.get("runs/get", {"run_id": other_run_id, "run_uuid": other_run_id})["run"]["info"]["lifecycle_stage"]
        check_.post("runs/restore", {"run_uuid": other_run_id})
        restored = check_.get("runs/get", {"run_id": other_run_id, "run_uuid": other_run_id})["run"]["info"]["lifecycle_stage"]
        summary["other_run_stages"] = [deleted, restored]
        check(summary["other_run_stages"] == ["deleted", "active"], f"stages {summary['other_run_stages']}")
        # requests percent-encodes the space and the non-ASCII letter, as the Python client's HTTP artifact repository does.
        root = summary["artifact_uri"][len("mlflow-artifacts:"):].lstrip("/")
        url = f"{check_.base}/api/2.0/mlflow-artifacts/artifacts/{root}/dir a/empty ü.txt"
        put = check_.session.put(url, data=b"", timeout=30)
        got = check_.session.get(url, timeout=30)
        summary["odd_name_artifact"] = {"put": put.status_code, "get": got.status_code, "size": len(got.content)}
        check(put.status_code == 200 and got.status_code == 200 and got.content == b"", f"odd name artifact {summary['odd_name_artifact']}")

    check_.step("more Python client habits", more_python_habits)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    tracking_url, summary_file = sys.argv[1:]
    wire = WireCheck(tracking_url)
    summary = wire.summary
    code = 0
    try:
        run(wire, summary)
    except Exception:  # noqa: BLE001 - the summary carries the failure
        summary["failure"] = traceback.format_exc(limit=-3)
        code = 1
    summary["ok"] = code == 0
    summary["finished_at"] = int(time.time() * 1000)
    with open(summary_file, "w", encoding="utf-8") as out:
        json.dump(summary, out)
    print(json.dumps(summary))
    return code


if __name__ == "__main__":
    sys.exit(main())
