# pb_utils argument checks as Triton's binding makes them: each case is a call and the exception
# class it must raise (TypeError for an argument of the wrong type, TritonModelException for
# Triton's own checks). Answers "ok" or the cases that went otherwise.
import numpy as np
import triton_python_backend_utils as pb_utils

T = pb_utils.Tensor("X", np.array([1], dtype=np.int32))
BLS = dict(model_name="m", inputs=[T], requested_output_names=["Y"])

CASES = [
    ("request inputs [None]", lambda: pb_utils.InferenceRequest(model_name="m", inputs=[None], requested_output_names=[]), pb_utils.TritonModelException),
    ("request inputs None", lambda: pb_utils.InferenceRequest(model_name="m", inputs=None, requested_output_names=[]), TypeError),
    ("request model_name None", lambda: pb_utils.InferenceRequest(model_name=None, inputs=[T], requested_output_names=[]), TypeError),
    ("request outputs [None]", lambda: pb_utils.InferenceRequest(model_name="m", inputs=[T], requested_output_names=[None]), TypeError),
    ("request correlation_id None", lambda: pb_utils.InferenceRequest(correlation_id=None, **BLS), TypeError),
    ("request correlation_id float", lambda: pb_utils.InferenceRequest(correlation_id=1.5, **BLS), pb_utils.TritonModelException),
    ("request request_id None", lambda: pb_utils.InferenceRequest(request_id=None, **BLS), TypeError),
    ("request parameters float", lambda: pb_utils.InferenceRequest(parameters={"f": 0.5}, **BLS), pb_utils.TritonModelException),
    ("response tensors [None]", lambda: pb_utils.InferenceResponse(output_tensors=[None]), pb_utils.TritonModelException),
    ("response tensors None", lambda: pb_utils.InferenceResponse(output_tensors=None), TypeError),
    ("tensor name None", lambda: pb_utils.Tensor(None, np.array([1])), TypeError),
    ("tensor array None", lambda: pb_utils.Tensor("X", None), TypeError),
    ("tensor name empty", lambda: pb_utils.Tensor("", np.array([1])), pb_utils.TritonModelException),
    ("from_dlpack None", lambda: pb_utils.Tensor.from_dlpack("X", None), pb_utils.TritonModelException),
    ("log level int", lambda: pb_utils.Logger.log("x", 1), TypeError),
    ("log_info None", lambda: pb_utils.Logger.log_info(None), TypeError),
]


def failures():
    bad = []
    for name, call, expected in CASES:
        try:
            call()
            bad.append("%s: nothing raised" % name)
        except Exception as e:  # noqa: BLE001 - the class is what is checked
            if not isinstance(e, expected):
                bad.append("%s: %s" % (name, type(e).__name__))
    # What must still work.
    pb_utils.InferenceRequest(model_name="m", inputs=[], requested_output_names=[], correlation_id="s-1")
    pb_utils.InferenceResponse([T])
    pb_utils.Logger.log("fine")
    pb_utils.Logger.log("fine", pb_utils.Logger.LogLevel.WARNING)
    return bad


class TritonPythonModel:
    def execute(self, requests):
        text = "; ".join(failures()) or "ok"
        return [pb_utils.InferenceResponse([pb_utils.Tensor("OUT", np.array([[text]], dtype=np.object_))]) for _ in requests]
