# BLS callers read the called models' response parameters, as Triton's QA model does: CMD is JSON
# {"plain": {...}, "decoupled": [{...}, ...]}; "params" (not decoupled) and "params_decoupled" are
# called with them, and every response's parameters must be among those sent. Answers "True" or
# what differed.
import json

import numpy as np
import triton_python_backend_utils as pb_utils


def call(model, text, decoupled):
    request = pb_utils.InferenceRequest(
        model_name=model,
        inputs=[pb_utils.Tensor("CMD", np.array([[text]], dtype=np.object_))],
        requested_output_names=["OUT"],
    )
    return request.exec(decoupled=decoupled)


def params_of(response):
    text = response.parameters()
    return json.loads(text) if text != "" else {}


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            cmd = json.loads(pb_utils.get_input_tensor_by_name(request, "CMD").as_numpy()[0][0])
            problems = []
            plain = call("params", json.dumps(cmd["plain"]), False)
            if plain.has_error() or params_of(plain) != cmd["plain"]:
                problems.append("plain: %s" % (plain.error().message() if plain.has_error() else plain.parameters()))
            expected = list(cmd["decoupled"])
            for r in call("params_decoupled", json.dumps(cmd["decoupled"]), True):
                if len(r.output_tensors()) == 0:
                    break
                expected.remove(params_of(r))
            if expected:
                problems.append("not received: %s" % json.dumps(expected))
            text = "True" if not problems else "; ".join(problems)
            responses.append(pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("OUT", np.array([[text]], dtype=np.object_))]))
        return responses
