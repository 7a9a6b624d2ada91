# async execute(): CMD is a JSON list of calls (as bls.py); they run concurrently with async_exec().
# A call with "decoupled" gives the list of its responses.
import asyncio
import json

import numpy as np
import triton_python_backend_utils as pb_utils
from bls_helpers import build, describe


class TritonPythonModel:
    async def execute(self, requests):
        responses = []
        for request in requests:
            cmds = json.loads(pb_utils.get_input_tensor_by_name(request, "CMD").as_numpy()[0])
            done = await asyncio.gather(*[build(c).async_exec(decoupled=bool(c.get("decoupled"))) for c in cmds])
            results = [[describe(r) for r in d] if c.get("decoupled") else describe(d) for c, d in zip(cmds, done)]
            responses.append(pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("RESULT", np.array([json.dumps(results)], dtype=np.object_))]))
        return responses
