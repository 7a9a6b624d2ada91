# Response parameters, as Triton's QA models set them: CMD is JSON. Not decoupled: an object becomes
# the response's parameters (digit keys turned into ints, to try a key that is not a str); a model
# error comes back as an INVALID_ARG response. Decoupled: a list, one response per entry, then the
# final flag. "request" answers with request.parameters() instead.
import json

import numpy as np
import triton_python_backend_utils as pb_utils

FINAL = pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL


def out(text):
    return [pb_utils.Tensor("OUT", np.array([[text]], dtype=np.object_))]


def keyed(params):
    if not isinstance(params, dict):
        return params
    return {(int(k) if k.isdigit() else k): v for k, v in params.items()}


class TritonPythonModel:
    def initialize(self, args):
        self.decoupled = pb_utils.using_decoupled_model_transaction_policy(json.loads(args["model_config"]))

    def execute(self, requests):
        if self.decoupled:
            for request in requests:
                self.stream(request)
            return None
        return [self.answer(request) for request in requests]

    def answer(self, request):
        text = pb_utils.get_input_tensor_by_name(request, "CMD").as_numpy()[0][0].decode("utf-8")
        if text == "request":
            return pb_utils.InferenceResponse(output_tensors=out(request.parameters()))
        try:
            params = keyed(json.loads(text))
            response = pb_utils.InferenceResponse(output_tensors=out(text), parameters=params)
            if json.loads(response.parameters()) != params:
                raise Exception("Response parameters set differ from provided")
            return response
        except Exception as e:
            return pb_utils.InferenceResponse(error=pb_utils.TritonError(str(e), pb_utils.TritonError.INVALID_ARG))

    def stream(self, request):
        sender = request.get_response_sender()
        text = pb_utils.get_input_tensor_by_name(request, "CMD").as_numpy()[0][0].decode("utf-8")
        try:
            for params in json.loads(text):
                sender.send(pb_utils.InferenceResponse(output_tensors=out(json.dumps(params)), parameters=params))
        except Exception as e:
            sender.send(pb_utils.InferenceResponse(error=pb_utils.TritonError(str(e), pb_utils.TritonError.INVALID_ARG)))
        sender.send(flags=FINAL)
