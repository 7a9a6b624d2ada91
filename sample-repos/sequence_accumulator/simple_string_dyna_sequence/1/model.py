"""A running sum per sequence keyed by a string correlation id that holds a number:
the first request gives INPUT, each later one adds its INPUT, and the last one also
adds the id's number (the answers Triton's sequence client examples expect in --dyna mode)."""
import numpy as np
import triton_python_backend_utils as pb_utils


def tensor(request, name):
    return pb_utils.get_input_tensor_by_name(request, name).as_numpy().reshape(-1)


class TritonPythonModel:
    def initialize(self, args):
        self.sums = {}

    def execute(self, requests):
        responses = []
        for request in requests:
            value, start, end, ready = (tensor(request, n) for n in ("INPUT", "START", "END", "READY"))
            corrid = tensor(request, "CORRID")
            out = np.zeros(len(value), dtype=np.int32)
            for i in range(len(value)):
                if not ready[i]:
                    continue
                key = corrid[i].decode() if isinstance(corrid[i], bytes) else str(corrid[i])
                total = (0 if start[i] else self.sums.get(key, 0)) + int(value[i])
                if end[i]:
                    self.sums.pop(key, None)
                    total += int(key) if key.lstrip("-").isdigit() else 0
                else:
                    self.sums[key] = total
                out[i] = total
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("OUTPUT", out.reshape(-1, 1))]))
        return responses
