"""Says what the model sees of a request's sequence: request.correlation_id() (as text, with its
Python type) and request.flags(), as python_backend's sequence_py QA model reads them."""
import numpy as np
import triton_python_backend_utils as pb_utils


def text(name, value):
    return pb_utils.Tensor(name, np.array([str(value).encode()], dtype=np.object_))


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            cid = request.correlation_id()
            responses.append(pb_utils.InferenceResponse([
                text("CID", cid),
                text("KIND", type(cid).__name__),
                pb_utils.Tensor("FLAGS", np.array([request.flags()], dtype=np.int32)),
            ]))
        return responses
