"""The whole OCR pipeline in one Python model that calls the ONNX models of
this repository through BLS (business logic scripting): detection, crops,
text direction, recognition (the flow is in ocr.py). Unlike an ensemble, the
model decides what to do from what it has seen: it turns upside-down lines,
reads an upside-down page from the other end, and sends the crops in chunks
the models accept.

The Python twin of ocr_bls's script model of the same name: the same tensors
and the same text. numpy and the standard library only (OpenCV decodes when
it is importable); Triton's documented Python backend API only.
"""
import os

import numpy as np
import triton_python_backend_utils as pb_utils

import ctc_decode
import ocr


def infer(model, array, output):
    """One model call through BLS; an error from the called model fails this request."""
    request = pb_utils.InferenceRequest(
        model_name=model,
        inputs=[pb_utils.Tensor("x", array)],
        requested_output_names=[output],
    )
    response = request.exec()
    if response.has_error():
        raise pb_utils.TritonModelException("%s: %s" % (model, response.error().message()))
    return pb_utils.get_output_tensor_by_name(response, output).as_numpy()


class TritonPythonModel:
    def initialize(self, args):
        # PaddleOCR's character list, next to this file (scripts/prepare-samples.mjs copies it here).
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ppocr_keys_v1.txt")
        with open(path, encoding="utf-8") as keys:
            self.charset = ctc_decode.parse_charset(keys.read())

    def execute(self, requests):
        responses = []
        for request in requests:
            data = pb_utils.get_input_tensor_by_name(request, "input_image").as_numpy()
            try:
                lines = ocr.read_text(data.tobytes(), infer, self.charset)
            except Exception as exc:  # this request fails with the reason; the model goes on
                responses.append(pb_utils.InferenceResponse(error=pb_utils.TritonError(str(exc))))
                continue
            texts = np.array([line["text"].encode("utf-8") for line in lines], dtype=np.object_)
            boxes = np.array([line["box"] for line in lines], np.float32).reshape(len(lines), 4, 2)
            scores = np.array([line["score"] for line in lines], np.float32)
            responses.append(
                pb_utils.InferenceResponse(
                    output_tensors=[pb_utils.Tensor("texts", texts), pb_utils.Tensor("boxes", boxes), pb_utils.Tensor("scores", scores)]
                )
            )
        return responses
