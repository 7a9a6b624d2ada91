# The cancellation probe as an async execute (not decoupled): DELAY[0] seconds in 50 ms
# `await asyncio.sleep` steps, asking request.is_cancelled() from the event loop after each; logs
# "aprobe: cancelled at <s>" and answers with a CANCELLED error once it is. OUT = [steps] otherwise.
import asyncio

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    async def execute(self, requests):
        return [await self.work(r) for r in requests]

    async def work(self, request):
        delay = float(pb_utils.get_input_tensor_by_name(request, "DELAY").as_numpy().flat[0])
        steps = 0
        while steps < round(delay / 0.05):
            await asyncio.sleep(0.05)
            steps += 1
            if request.is_cancelled():
                pb_utils.Logger.log_info("aprobe: cancelled at %.2f" % (steps * 0.05))
                return pb_utils.InferenceResponse(error=pb_utils.TritonError("aprobe cancelled", pb_utils.TritonError.CANCELLED))
        return pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("OUT", np.array([steps], dtype=np.int32))])
