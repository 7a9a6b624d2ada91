# Cancellation probe. DELAY[0] seconds of work in 50 ms steps; each step asks whether the request was
# cancelled (request.is_cancelled() when MODE[0] is 0, the response sender's is_cancelled() when 1)
# and, once it was, answers with a CANCELLED error. Logs "probe: not cancelled at <s>" and
# "probe: cancelled at <s>". Not cancelled: OUT = [steps taken]. Decoupled configs answer from a
# thread after execute() returned (MODE is then the sender's), with the final flag on that answer.
import json
import threading
import time

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def initialize(self, args):
        self.decoupled = pb_utils.using_decoupled_model_transaction_policy(json.loads(args["model_config"]))

    def execute(self, requests):
        if self.decoupled:
            for request in requests:
                sender = request.get_response_sender()
                threading.Thread(target=lambda r=request, s=sender: s.send(self.work(r, s), flags=pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL)).start()
            return None
        return [self.work(r, None) for r in requests]

    def work(self, request, sender):
        delay = float(pb_utils.get_input_tensor_by_name(request, "DELAY").as_numpy().flat[0])
        mode = int(pb_utils.get_input_tensor_by_name(request, "MODE").as_numpy().flat[0])
        probe = request if mode == 0 else (sender or request.get_response_sender())
        steps = 0
        while steps < round(delay / 0.05):
            time.sleep(0.05)
            steps += 1
            if probe.is_cancelled():
                pb_utils.Logger.log_info("probe: cancelled at %.2f" % (steps * 0.05))
                return pb_utils.InferenceResponse(error=pb_utils.TritonError("probe cancelled", pb_utils.TritonError.CANCELLED))
            if steps == 1:
                pb_utils.Logger.log_info("probe: not cancelled at 0.05")
        return pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("OUT", np.array([steps], dtype=np.int32))])
