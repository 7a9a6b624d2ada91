/* global pb_utils, lab */
// The whole OCR pipeline in one script model that calls the ONNX models of
// this repository through BLS (business logic scripting): detection, crops,
// text direction, recognition (the flow is in ocr.js). Unlike an ensemble,
// the script decides what to do from what it has seen: it turns upside-down
// lines, reads an upside-down page from the other end, and sends the crops
// in chunks the models accept.
import { readText } from './ocr.js';
import { parseCharset } from './ctc-decode.js';

/** One model call through BLS; errors from the called model fail this request. */
async function infer(model, input, output) {
  const request = new pb_utils.InferenceRequest({
    model_name: model,
    inputs: [new pb_utils.Tensor('x', input.data, input.shape)],
    requested_output_names: [output],
  });
  const response = await request.exec();
  if (response.has_error()) throw new pb_utils.TritonError(`${model}: ${response.error().message()}`);
  return pb_utils.get_output_tensor_by_name(response, output);
}

export default class TritonPythonModel {
  async initialize() {
    // PaddleOCR's character list; scripts/prepare-samples.mjs copies it here.
    this.charset = parseCharset(await lab.readText('ppocr_keys_v1.txt'));
  }

  async execute(requests) {
    const responses = [];
    for (const request of requests) {
      try {
        const bytes = pb_utils.get_input_tensor_by_name(request, 'input_image').data;
        const lines = await readText(lab, bytes, infer, this.charset);
        responses.push(
          new pb_utils.InferenceResponse({
            output_tensors: [
              new pb_utils.Tensor('texts', lines.map((l) => l.text), [lines.length], 'BYTES'),
              new pb_utils.Tensor('boxes', Float32Array.from(lines.flatMap((l) => l.box.flatMap((p) => [p.x, p.y]))), [lines.length, 4, 2]),
              new pb_utils.Tensor('scores', Float32Array.from(lines.map((l) => l.score)), [lines.length]),
            ],
          }),
        );
      } catch (err) {
        const error = err instanceof pb_utils.TritonError ? err : new pb_utils.TritonError(String(err?.message ?? err));
        responses.push(new pb_utils.InferenceResponse({ error }));
      }
    }
    return responses;
  }
}
