/* global pb_utils, lab */
// Step 1 of the OCR ensemble: encoded image bytes → the detector's input.
import { prepareDetection } from './det-preprocess.js';

export default class TritonPythonModel {
  async execute(requests) {
    const responses = [];
    for (const request of requests) {
      const bytes = pb_utils.get_input_tensor_by_name(request, 'input_image').data;
      const { image, data, shape } = await prepareDetection(lab, bytes);
      responses.push(
        new pb_utils.InferenceResponse({
          output_tensors: [
            new pb_utils.Tensor('detection_input', data, shape),
            // The decoded pixels travel on, so later steps crop at full resolution without decoding again.
            new pb_utils.Tensor('original_image', image.data, [image.height, image.width, 3]),
          ],
        }),
      );
    }
    return responses;
  }
}
