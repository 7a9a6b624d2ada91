# Test model: custom metrics and BLS model control, one JSON command per request (CMD), the
# outcome as JSON in RESULT: {"ok": value} or {"error": "<Type>: <message>"}.
import json

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def initialize(self, args):
        self.families = {}
        self.metrics = {}
        # Commands to run in initialize() (config parameter INIT_COMMANDS, a JSON list); "init_results" reads what they gave.
        params = json.loads(args["model_config"]).get("parameters", {})
        commands = json.loads(params.get("INIT_COMMANDS", {}).get("string_value", "[]"))
        self.init_results = [self.attempt(cmd) for cmd in commands]

    def attempt(self, cmd):
        try:
            return {"ok": self.run(cmd)}
        except Exception as exc:  # noqa: BLE001 - the test reads what was raised
            return {"error": "%s: %s" % (type(exc).__name__, exc)}

    def run(self, cmd):
        op = cmd["op"]
        if op == "ready":
            return pb_utils.is_model_ready(cmd["model"], cmd.get("version", ""))
        if op == "load":
            files = {k: v.encode("utf-8") for k, v in cmd["files"].items()} if "files" in cmd else None
            return pb_utils.load_model(cmd["model"], config=cmd.get("config", ""), files=files)
        if op == "unload":
            return pb_utils.unload_model(cmd["model"], unload_dependents=cmd.get("dependents", False))
        if op == "family":
            kind = getattr(pb_utils.MetricFamily, cmd["kind"])
            self.families[cmd["name"]] = pb_utils.MetricFamily(name=cmd["name"], description=cmd.get("description", "test family"), kind=kind)
            return None
        if op == "metric":
            family = self.families[cmd["family"]]
            args = {k: cmd[k] for k in ("labels", "buckets") if k in cmd}
            self.metrics[cmd["key"]] = family.Metric(**args)
            return None
        if op in ("increment", "set", "observe"):
            getattr(self.metrics[cmd["key"]], op)(cmd["value"])
            return None
        if op == "value":
            return self.metrics[cmd["key"]].value()
        if op == "drop_family":
            del self.families[cmd["name"]]
            return None
        if op == "init_results":
            return self.init_results
        if op == "drop_metric":
            del self.metrics[cmd["key"]]
            return None
        raise ValueError("unknown op %s" % op)

    def execute(self, requests):
        out = []
        for r in requests:
            cmd = json.loads(pb_utils.get_input_tensor_by_name(r, "CMD").as_numpy().reshape(-1)[0])
            result = self.attempt(cmd)
            out.append(pb_utils.InferenceResponse([pb_utils.Tensor("RESULT", np.array([json.dumps(result)], dtype=np.object_))]))
        return out
