# BLS caller. CMD is JSON: {"model", "inputs": {name: [values]}, "dtype", "shape", "outputs", "async", "decoupled"};
# RESULT is JSON: the outputs (name -> {shape, values}) or the error (message, code) of the call.
import asyncio
import json

import numpy as np
import triton_python_backend_utils as pb_utils


def describe(response):
    if response.has_error():
        return {"error": response.error().message(), "code": response.error().code()}
    out = {}
    for t in response.output_tensors():
        arr = t.as_numpy()
        values = [v.decode("utf-8") for v in arr.reshape(-1)] if arr.dtype == np.object_ else arr.reshape(-1).tolist()
        out[t.name()] = {"shape": list(arr.shape), "values": values}
    return {"outputs": out}


def build(cmd):
    inputs = []
    for name, values in cmd.get("inputs", {}).items():
        dtype = np.object_ if cmd.get("dtype") == "BYTES" else np.dtype(cmd.get("dtype", "float32"))
        arr = np.array([v.encode("utf-8") for v in values] if dtype == np.object_ else values, dtype=dtype)
        inputs.append(pb_utils.Tensor(name, arr.reshape(cmd.get("shape", [1, len(values)]))))
    return pb_utils.InferenceRequest(model_name=cmd["model"], inputs=inputs, requested_output_names=cmd.get("outputs", []))


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            cmd = json.loads(pb_utils.get_input_tensor_by_name(request, "CMD").as_numpy()[0])
            if cmd.get("decoupled"):
                results = [describe(r) for r in build(cmd).exec(decoupled=True)]
            else:
                results = describe(build(cmd).exec())
            responses.append(pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("RESULT", np.array([json.dumps(results)], dtype=np.object_))]))
        return responses
