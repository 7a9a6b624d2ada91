# Response sender rules, as Triton's QA model for them exercises: CMD is JSON with "before" (responses
# sent before execute() returns), "final_before" (then the final flag), "return" (execute() returns a
# response), "after" and "final_after" (the same from a thread, after execute() returned). Responses
# carry INDEX: 1000 + i before, 0 returned, 2000 + i after. Exceptions after the return are logged.
import json
import threading
import time

import numpy as np
import triton_python_backend_utils as pb_utils

FINAL = pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL


def response(index):
    return pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("INDEX", np.array([[index]], dtype=np.uint16))])


def send(sender, count, offset, final):
    for i in range(count):
        sender.send(response(offset + i))
    if final:
        sender.send(flags=FINAL)


class TritonPythonModel:
    def execute(self, requests):
        returned = []
        for request in requests:
            cmd = json.loads(pb_utils.get_input_tensor_by_name(request, "CMD").as_numpy()[0][0])
            sender = request.get_response_sender()
            send(sender, cmd.get("before", 0), 1000, cmd.get("final_before", False))
            threading.Thread(target=self.later, args=(sender, cmd)).start()
            returned.append(response(0) if cmd.get("return") else None)
        return None if all(r is None for r in returned) else returned

    def later(self, sender, cmd):
        time.sleep(0.1)
        try:
            send(sender, cmd.get("after", 0), 2000, cmd.get("final_after", False))
        except pb_utils.TritonModelException as e:
            pb_utils.Logger.log_info("after return: %s" % e)
