# Decoupled: repeats IN as OUT every DELAY ms until the request is cancelled (then a CANCELLED error
# with the final flag) or COUNT responses went out (the last with the final flag). IGNORE true: never
# looks at cancellation.
import time

import numpy as np
import triton_python_backend_utils as pb_utils

FINAL = pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL


class TritonPythonModel:
    def execute(self, requests):
        request = requests[0]
        value = int(pb_utils.get_input_tensor_by_name(request, "IN").as_numpy().flat[0])
        count = int(pb_utils.get_input_tensor_by_name(request, "COUNT").as_numpy().flat[0])
        delay = int(pb_utils.get_input_tensor_by_name(request, "DELAY").as_numpy().flat[0]) / 1000
        ignore = bool(pb_utils.get_input_tensor_by_name(request, "IGNORE").as_numpy().flat[0])
        sender = request.get_response_sender()
        sent = 0
        while True:
            if not ignore and request.is_cancelled():
                sender.send(pb_utils.InferenceResponse(error=pb_utils.TritonError("stopped: cancelled", pb_utils.TritonError.CANCELLED)), flags=FINAL)
                return None
            response = pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("OUT", np.array([value], dtype=np.int32))])
            sent += 1
            if sent == count:
                sender.send(response, flags=FINAL)
                return None
            sender.send(response)
            time.sleep(delay)
