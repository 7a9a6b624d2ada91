"""Triton's simple_sequence example, answered as its ONNX model answers:
OUTPUT = INPUT + START in the batch slots where READY is 1, and 0 in the others."""
import numpy as np
import triton_python_backend_utils as pb_utils


def tensor(request, name):
    return pb_utils.get_input_tensor_by_name(request, name).as_numpy().astype(np.int32)


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            value, start, ready = (tensor(request, n) for n in ("INPUT", "START", "READY"))
            out = np.where(ready == 1, value + start, 0).astype(np.int32)
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("OUTPUT", out)]))
        return responses
