"""A running sum per sequence (numpy only).

The sequence batcher adds four control inputs to every request of a sequence:
START (1 on its first request), END (1 on its last), READY (1 where a batch slot
holds a request) and CORRID (its correlation id). The sums are kept by
correlation id, so any number of sequences can be interleaved."""
import numpy as np
import triton_python_backend_utils as pb_utils


def tensor(request, name):
    return pb_utils.get_input_tensor_by_name(request, name).as_numpy().reshape(-1)


class TritonPythonModel:
    def initialize(self, args):
        # correlation id -> running sum
        self.sums = {}

    def execute(self, requests):
        responses = []
        for request in requests:
            values = tensor(request, "INPUT").astype(np.int64)
            start, end, ready = (tensor(request, n) for n in ("START", "END", "READY"))
            corrids = tensor(request, "CORRID")
            out = np.zeros(len(values), dtype=np.int32)
            for i, value in enumerate(values):
                if not ready[i]:
                    continue
                key = int(corrids[i])
                total = (0 if start[i] else self.sums.get(key, 0)) + int(value)
                out[i] = total
                if end[i]:
                    self.sums.pop(key, None)
                    print("sequence %d ended at %d" % (key, total), flush=True)
                else:
                    self.sums[key] = total
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("OUTPUT", out.reshape(-1, 1))]))
        return responses
