# Exercises pb_utils: CMD (STRING [1]) names a check, RESULT (STRING [1]) is its JSON outcome.
# Some commands answer with tensors or errors instead (see execute).
import json
import sys

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def initialize(self, args):
        self.args = args
        self.config = json.loads(args["model_config"])
        # BLS outside execute() is refused with Triton's message.
        response = pb_utils.InferenceRequest(model_name="anything", inputs=[], requested_output_names=[]).exec()
        self.init_bls = response.error().message() if response.has_error() else "no error"

    def execute(self, requests):
        responses = []
        for request in requests:
            cmd = pb_utils.get_input_tensor_by_name(request, "CMD").as_numpy()[0].decode("utf-8")
            if cmd == "raise":
                self.explode()
            if cmd == "short":
                return []
            if cmd == "not-a-list":
                return "nope"
            if cmd == "wrong-type":
                return [42 for _ in requests]
            responses.append(self.run(cmd, request))
        return responses

    def explode(self):
        raise ValueError("bad input on purpose")

    def result(self, value):
        return pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("RESULT", np.array([json.dumps(value)], dtype=np.object_))])

    def run(self, cmd, request):
        if cmd == "args":
            return self.result({"keys": sorted(self.args), "args": {k: v for k, v in self.args.items() if k != "model_config"}, "config_name": self.config["name"], "init_bls": self.init_bls})
        if cmd == "config":
            return self.result({
                "input": pb_utils.get_input_config_by_name(self.args["model_config"], "CMD"),
                "output": pb_utils.get_output_config_by_name(self.config, "RESULT"),
                "missing": pb_utils.get_input_config_by_name(self.config, "NOPE"),
                "decoupled": pb_utils.using_decoupled_model_transaction_policy(self.config),
            })
        if cmd == "dtypes":
            names = ["TYPE_BOOL", "TYPE_UINT8", "TYPE_INT8", "TYPE_INT16", "TYPE_INT32", "TYPE_INT64", "TYPE_UINT16", "TYPE_UINT32", "TYPE_UINT64", "TYPE_FP16", "TYPE_FP32", "TYPE_FP64", "TYPE_STRING"]
            return self.result({
                "string_to_numpy": {n: np.dtype(pb_utils.triton_string_to_numpy(n)).name for n in names},
                "numpy_to_triton": {d: pb_utils.numpy_to_triton_type(np.dtype(d)) for d in ["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64", "object"]},
                "triton_to_numpy": {str(c): np.dtype(pb_utils.triton_to_numpy_type(c)).name for c in range(1, 14)},
                "unknown": pb_utils.triton_to_numpy_type(99),
            })
        if cmd == "errors":
            codes = {n: getattr(pb_utils.TritonError, n) for n in ["UNKNOWN", "INTERNAL", "NOT_FOUND", "INVALID_ARG", "UNAVAILABLE", "UNSUPPORTED", "ALREADY_EXISTS", "CANCELLED"]}
            e = pb_utils.TritonError("msg")
            return self.result({"codes": codes, "default": e.code(), "message": e.message(), "exception": issubclass(pb_utils.TritonModelException, Exception)})
        if cmd == "logger":
            pb_utils.Logger.log_info("info line")
            pb_utils.Logger.log_warn("warn line")
            pb_utils.Logger.log_error("error line")
            pb_utils.Logger.log_verbose("verbose line")
            pb_utils.Logger.log("warning via log()", pb_utils.Logger.LogLevel.WARNING)
            print("printed line")
            print("stderr line", file=sys.stderr)
            return self.result("logged")
        if cmd == "tensor":
            arr = np.arange(6, dtype=np.int32).reshape(2, 3)
            t = pb_utils.Tensor("T", arr)
            back = pb_utils.Tensor.from_dlpack("B", arr)
            capsule = type(t.to_dlpack()).__name__
            out = pb_utils.get_output_tensor_by_name(pb_utils.InferenceResponse(output_tensors=[t]), "T")
            none = pb_utils.get_output_tensor_by_name(pb_utils.InferenceResponse(output_tensors=[t]), "U")
            missing_in = pb_utils.get_input_tensor_by_name(request, "NOPE")
            return self.result({
                "name": t.name(), "shape": t.shape(), "dtype": t.triton_dtype(), "cpu": t.is_cpu(),
                "dlpack": back.as_numpy().tolist(), "capsule": capsule, "by_name": out.name(), "none": none, "missing_input": missing_in,
                "request_id": request.request_id(), "requested": request.requested_output_names(),
            })
        if cmd == "serialize":
            arr = np.array([b"a", "\u00e9t\u00e9", 7], dtype=np.object_)
            raw = pb_utils.serialize_byte_tensor(arr)
            back = pb_utils.deserialize_bytes_tensor(raw.tobytes())
            return self.result({"raw": raw.tolist(), "back": [b.decode("utf-8") for b in back]})
        if cmd == "strings":
            # bytes pass as they are, anything else becomes its UTF-8 str().
            out = np.array([[b"raw\xff", "\u00fcber"], [3, 2.5]], dtype=np.object_)
            return pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("RESULT", out)])
        if cmd == "error-response":
            return pb_utils.InferenceResponse(error=pb_utils.TritonError("no such thing here", pb_utils.TritonError.NOT_FOUND))
        if cmd == "error-string":
            return pb_utils.InferenceResponse(output_tensors=[], error="plain message")
        if cmd == "many-outputs":
            return pb_utils.InferenceResponse(output_tensors=[
                pb_utils.Tensor("RESULT", np.array(["kept"], dtype=np.object_)),
                pb_utils.Tensor("EXTRA", np.zeros(3, dtype=np.float32)),
            ])
        return self.result({"unknown": cmd})
