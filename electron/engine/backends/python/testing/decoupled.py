# Decoupled: execute() returns None; N = IN[0] responses (OUT = 0, 10, 20, ...) follow from a thread,
# then the final flag alone. N = 0 sends only the final flag; N = -1 sends an error response with the
# final flag; N = -2 sends OUT=1, an error response, OUT=2, then the final flag with OUT=3;
# N = 99 never sends the final flag; N >= 200 sends N - 200 responses 100 ms apart.
import threading
import time

import numpy as np
import triton_python_backend_utils as pb_utils

FINAL = pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL


def out(value):
    return pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("OUT", np.array([value], dtype=np.int32))])


class TritonPythonModel:
    def execute(self, requests):
        for request in requests:
            threading.Thread(target=self.answer, args=(request,)).start()
        return None

    def answer(self, request):
        sender = request.get_response_sender()
        n = int(pb_utils.get_input_tensor_by_name(request, "IN").as_numpy()[0])
        if n == 99:
            sender.send(out(99))
            return
        if n == -1:
            sender.send(pb_utils.InferenceResponse(error=pb_utils.TritonError("negative", pb_utils.TritonError.INVALID_ARG)), flags=FINAL)
            return
        if n == -2:
            sender.send(out(1))
            sender.send(pb_utils.InferenceResponse(error=pb_utils.TritonError("halfway", pb_utils.TritonError.UNAVAILABLE)))
            sender.send(out(2))
            sender.send(out(3), flags=FINAL)
            return
        delay = 0.1 if n >= 200 else 0
        for i in range(n % 200):
            if delay and i:
                time.sleep(delay)
            sender.send(out(i * 10))
        sender.send(flags=FINAL)
        try:
            sender.send(flags=FINAL)
        except pb_utils.TritonModelException as e:
            pb_utils.Logger.log_info("second final: %s" % e)
