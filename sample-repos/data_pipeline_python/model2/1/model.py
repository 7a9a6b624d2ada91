"""model2 of the Data Pipelines example: prints each tensor it receives and
passes it on unchanged (model_2_input_X -> model_2_output_X). numpy only."""
import json

import numpy as np
import triton_python_backend_utils as pb_utils

SUFFIXES = ("string", "UINT8_array", "INT8_array", "FP32_image", "bool")


def preview(name, array):
    head = array.reshape(-1)[:8].tolist()
    more = ", ..." if array.size > 8 else ""
    return "%s %s %s: %s%s" % (name, array.dtype, list(array.shape), head, more)


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        # The output dtypes the config declares, to check what flows through.
        self.dtypes = {
            suffix: pb_utils.triton_string_to_numpy(
                pb_utils.get_output_config_by_name(config, "model_2_output_" + suffix)["data_type"]
            )
            for suffix in SUFFIXES
        }

    def execute(self, requests):
        responses = []
        for request in requests:
            print("Model 2 received", flush=True)
            outputs = []
            for suffix in SUFFIXES:
                array = pb_utils.get_input_tensor_by_name(request, "model_2_input_" + suffix).as_numpy()
                print(preview("model_2_input_" + suffix, array), flush=True)
                if array.dtype != np.dtype(self.dtypes[suffix]):
                    raise pb_utils.TritonModelException(
                        "model_2_input_%s arrived as %s, expected %s" % (suffix, array.dtype, np.dtype(self.dtypes[suffix]))
                    )
                outputs.append(pb_utils.Tensor("model_2_output_" + suffix, array))
            responses.append(pb_utils.InferenceResponse(output_tensors=outputs))
        return responses
