/* global pb_utils, lab */
// Step 3 of the OCR ensemble: text probability map → one upright crop per
// text line, packed into the recognizer's batch. The batch size changes here
// (one image in, N lines out), which is why this model and the ones after it
// have max_batch_size 0.
import { findTextBoxes } from './db-postprocess.js';
import { cropText, recognitionBatch } from './crop.js';

export default class TritonPythonModel {
  async execute(requests) {
    const responses = [];
    for (const request of requests) {
      const prob = pb_utils.get_input_tensor_by_name(request, 'probability_map');
      const pixels = pb_utils.get_input_tensor_by_name(request, 'original_image');
      const [height, width] = pixels.shape;
      const image = { width, height, channels: 3, data: pixels.data };
      const [mapHeight, mapWidth] = prob.shape.slice(-2);
      const boxes = findTextBoxes(lab, prob.data, mapWidth, mapHeight, width, height);
      const crops = [];
      for (const box of boxes) crops.push(await cropText(lab, image, box.points));
      // The recognizer cannot run on an empty batch, and an ensemble step
      // cannot be skipped: with no text, send one blank crop, which reads as
      // nothing and is dropped by recognition_postprocessing.
      if (crops.length === 0) crops.push({ width: 320, height: 48, channels: 3, data: new Uint8Array(320 * 48 * 3).fill(255) });
      const batch = await recognitionBatch(lab, crops);
      responses.push(new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('text_crops', batch.data, batch.shape)] }));
    }
    return responses;
  }
}
