/* global pb_utils, lab */
// Step 1 of the OCR ensemble: encoded image bytes → the detector's input.
import { prepareDetection } from './det-preprocess.js';

export default class TritonPythonModel {
  async execute(requests) {
    const responses = [];
    for (const request of requests) {
      const input = pb_utils.get_input_tensor_by_name(request, 'input_image');
      // A batch of several images would need them all to have the same byte length; one at a time is what clients send.
      if (input.shape[0] !== 1) {
        responses.push(new pb_utils.InferenceResponse({ error: new pb_utils.TritonError(`send one image per request (input_image of shape [1, N]), got shape [${input.shape.join(', ')}]`) }));
        continue;
      }
      const { image, data, shape } = await prepareDetection(lab, input.data);
      responses.push(
        new pb_utils.InferenceResponse({
          output_tensors: [
            new pb_utils.Tensor('detection_input', data, shape),
            // The decoded pixels travel on, so later steps crop at full resolution without decoding again.
            new pb_utils.Tensor('original_image', image.data, [1, image.height, image.width, 3]),
          ],
        }),
      );
    }
    return responses;
  }
}
