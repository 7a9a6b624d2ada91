/* global pb_utils, lab */
// Step 5 of the OCR ensemble: the recognizer's per-step class probabilities
// → text, one string per line that was read with confidence.
import { confidentLines, ctcDecode, parseCharset } from './ctc-decode.js';

export default class TritonPythonModel {
  async initialize() {
    // PaddleOCR's character list; scripts/prepare-samples.mjs copies it here.
    this.charset = parseCharset(await lab.readText('ppocr_keys_v1.txt'));
  }

  async execute(requests) {
    return requests.map((request) => {
      const probs = pb_utils.get_input_tensor_by_name(request, 'recognition_output');
      const lines = confidentLines(ctcDecode(lab, probs.data, probs.shape, this.charset));
      const texts = lines.map((line) => line.text);
      return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('recognized_text', texts, [texts.length], 'BYTES')] });
    });
  }
}
