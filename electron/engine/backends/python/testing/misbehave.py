# Echo IN to OUT, unless IN[0] asks it to hang (1), die (2), or die later from a thread (3).
import os
import threading
import time

import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        v = int(pb_utils.get_input_tensor_by_name(requests[0], "IN").as_numpy()[0])
        if v == 1:
            while True:
                time.sleep(0.01)
        if v == 2:
            os._exit(3)
        if v == 3:
            threading.Timer(0.05, lambda: os._exit(4)).start()
        return [pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("OUT", pb_utils.get_input_tensor_by_name(r, "IN").as_numpy())]) for r in requests]
