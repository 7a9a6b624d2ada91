# Sums the responses of a decoupled BLS call into 'until_cancelled' (IN, COUNT 20, DELAY 50 ms,
# IGNORE) and cancels the call through its response iterator once the sum reaches MAX. SUM: the sum;
# CANCELLED: whether a CANCELLED error ended the stream. AFTER true: cancel() once more after the
# stream ended (a no-op). ASYNC true: the call is made with async_exec from an async execute.
import numpy as np
import triton_python_backend_utils as pb_utils


def _read(request, name):
    return pb_utils.get_input_tensor_by_name(request, name).as_numpy().flat[0]


class TritonPythonModel:
    async def execute(self, requests):
        request = requests[0]
        call = pb_utils.InferenceRequest(
            model_name="until_cancelled",
            inputs=[
                pb_utils.Tensor("IN", np.array([_read(request, "IN")], dtype=np.int32)),
                pb_utils.Tensor("COUNT", np.array([20], dtype=np.int32)),
                pb_utils.Tensor("DELAY", np.array([50], dtype=np.int32)),
                pb_utils.Tensor("IGNORE", np.array([_read(request, "IGNORE")], dtype=np.bool_)),
            ],
            requested_output_names=["OUT"],
        )
        stream = await call.async_exec(decoupled=True) if _read(request, "ASYNC") else call.exec(decoupled=True)
        total, cancelled, error = 0, False, None
        for response in stream:
            if response.has_error():
                if response.error().code() == pb_utils.TritonError.CANCELLED:
                    cancelled = True
                else:
                    error = response.error()
                break
            outputs = response.output_tensors()
            if not outputs:
                continue
            total += int(outputs[0].as_numpy()[0])
            if total >= int(_read(request, "MAX")):
                stream.cancel()
        if error is None and _read(request, "AFTER"):
            stream.cancel()
        return [
            pb_utils.InferenceResponse(
                output_tensors=[
                    pb_utils.Tensor("SUM", np.array([total], dtype=np.int32)),
                    pb_utils.Tensor("CANCELLED", np.array([cancelled], dtype=np.bool_)),
                ],
                error=error,
            )
        ]
