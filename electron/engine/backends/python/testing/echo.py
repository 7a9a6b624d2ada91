# Echoes every input to the output named by OUTPUT_OF (IN -> OUT, IN_<x> -> OUT_<x>) and records what it saw.
import json

import numpy as np
import triton_python_backend_utils as pb_utils


def output_of(name):
    return "OUT" + name[2:]


class TritonPythonModel:
    def initialize(self, args):
        self.args = args
        self.config = json.loads(args["model_config"])
        print("initialized", args["model_name"], args["model_instance_name"])

    def execute(self, requests):
        responses = []
        for request in requests:
            outputs = []
            for t in request.inputs():
                arr = t.as_numpy()
                print("got", t.name(), arr.dtype, list(arr.shape))
                outputs.append(pb_utils.Tensor(output_of(t.name()), arr))
            responses.append(pb_utils.InferenceResponse(output_tensors=outputs))
        return responses
