"""Triton's simple_dyna_sequence example, answered as its model answers:
OUTPUT = INPUT + START, plus CORRID where END is 1, in the batch slots where READY is 1."""
import numpy as np
import triton_python_backend_utils as pb_utils


def tensor(request, name):
    return pb_utils.get_input_tensor_by_name(request, name).as_numpy().astype(np.int64)


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            value, start, end, ready, corrid = (tensor(request, n) for n in ("INPUT", "START", "END", "READY", "CORRID"))
            out = np.where(ready == 1, value + start + np.where(end == 1, corrid, 0), 0).astype(np.int32)
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("OUTPUT", out)]))
        return responses
