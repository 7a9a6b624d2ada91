"""Step 3 of the OCR ensemble: text probability map -> one upright crop per
text line, packed into the recognizer's batch. The batch size changes here
(one image in, N lines out), which is why this model and the ones after it
have max_batch_size 0.

The Python twin of ocr_ensemble's script model of the same name (numpy only).
"""
import numpy as np
import triton_python_backend_utils as pb_utils

import crop
import db_postprocess


def _last_image(array, rank):
    """The tensor without leading size-1 dimensions beyond `rank` (a batch of one, as an ensemble may pass it)."""
    while array.ndim > rank and array.shape[0] == 1:
        array = array[0]
    return array


class TritonPythonModel:
    @staticmethod
    def _crops(request):
        prob = pb_utils.get_input_tensor_by_name(request, "probability_map").as_numpy()
        pixels = _last_image(pb_utils.get_input_tensor_by_name(request, "original_image").as_numpy(), 3)
        if prob.ndim < 2 or pixels.ndim != 3 or pixels.shape[2] != 3:
            raise ValueError("expected a probability map [..., H, W] and an image [H, W, 3], got %s and %s" % (list(prob.shape), list(pixels.shape)))
        prob = prob.reshape((-1,) + prob.shape[-2:])[0]
        height, width = pixels.shape[:2]
        boxes = db_postprocess.find_text_boxes(prob, width, height)
        crops = [crop.crop_text(pixels, box.points) for box in boxes]
        # The recognizer cannot run on an empty batch, and an ensemble step cannot be skipped: with no
        # text, send one blank crop, which reads as nothing and is dropped by recognition_postprocessing.
        if not crops:
            crops.append(np.full((48, 320, 3), 255, np.uint8))
        return crop.recognition_batch(crops)

    def execute(self, requests):
        responses = []
        for request in requests:
            try:
                batch = self._crops(request)
            except Exception as exc:  # a malformed request fails alone; the model goes on
                responses.append(pb_utils.InferenceResponse(error=pb_utils.TritonError("detection_postprocessing: %s" % exc)))
                continue
            responses.append(pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("text_crops", batch)]))
        return responses
