"""Step 5 of the OCR ensemble: the recognizer's per-step class probabilities
-> text, one string per line that was read with confidence.

The Python twin of ocr_ensemble's script model of the same name (numpy only).
"""
import os

import numpy as np
import triton_python_backend_utils as pb_utils

import ctc_decode


class TritonPythonModel:
    def initialize(self, args):
        # PaddleOCR's character list, next to this file (scripts/prepare-samples.mjs copies it here).
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ppocr_keys_v1.txt")
        with open(path, encoding="utf-8") as keys:
            self.charset = ctc_decode.parse_charset(keys.read())

    def execute(self, requests):
        responses = []
        for request in requests:
            probs = pb_utils.get_input_tensor_by_name(request, "recognition_output").as_numpy()
            try:
                lines = ctc_decode.confident_lines(ctc_decode.ctc_decode(probs, self.charset))
            except ValueError as exc:
                responses.append(pb_utils.InferenceResponse(error=pb_utils.TritonError(str(exc))))
                continue
            texts = np.array([text.encode("utf-8") for text, _ in lines], dtype=np.object_)
            responses.append(pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("recognized_text", texts)]))
        return responses
