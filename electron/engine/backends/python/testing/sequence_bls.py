"""Calls sequence_probe through BLS with the correlation id and flags it is given: CID "u<digits>"
is a uint64 id, anything else a string id."""
import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            cid = pb_utils.get_input_tensor_by_name(request, "CID").as_numpy()[0].decode()
            flags = int(pb_utils.get_input_tensor_by_name(request, "FLAGS").as_numpy()[0])
            cid = int(cid[1:]) if cid.startswith("u") else cid
            call = pb_utils.InferenceRequest(
                model_name="sequence_probe", inputs=[pb_utils.Tensor("IN", np.array([1], dtype=np.int32))],
                requested_output_names=["CID", "KIND", "FLAGS"], correlation_id=cid, flags=flags,
            )
            answer = call.exec()
            if answer.has_error():
                responses.append(pb_utils.InferenceResponse(error=answer.error()))
            else:
                responses.append(pb_utils.InferenceResponse(answer.output_tensors()))
        return responses
