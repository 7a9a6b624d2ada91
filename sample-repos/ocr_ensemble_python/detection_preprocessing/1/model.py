"""Step 1 of the OCR ensemble: encoded image bytes -> the detector's input.

The Python twin of ocr_ensemble's script model of the same name: the same
tensors, the same pixels to within a level of rounding, so the pipeline reads
the same text. numpy and the standard library only (OpenCV decodes when it
is importable); Triton's documented Python backend API only.
"""
import numpy as np
import triton_python_backend_utils as pb_utils

import det_preprocess
import image_decode


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            data = pb_utils.get_input_tensor_by_name(request, "input_image").as_numpy()
            # A batch of several images would need them all to have the same byte length; one at a time is what clients send.
            if data.ndim != 2 or data.shape[0] != 1:
                message = "send one image per request (input_image of shape [1, N]), got shape [%s]" % ", ".join(str(d) for d in data.shape)
                responses.append(pb_utils.InferenceResponse(error=pb_utils.TritonError(message)))
                continue
            try:
                image = image_decode.decode_rgb(data[0].tobytes())
            except Exception as exc:  # hostile bytes: whatever breaks, this request fails and the model goes on
                responses.append(pb_utils.InferenceResponse(error=pb_utils.TritonError("image_decode: %s" % exc)))
                continue
            responses.append(
                pb_utils.InferenceResponse(
                    output_tensors=[
                        pb_utils.Tensor("detection_input", det_preprocess.detection_input(image)),
                        # The decoded pixels travel on, so later steps crop at full resolution without decoding again.
                        pb_utils.Tensor("original_image", image[None]),
                    ]
                )
            )
        return responses
