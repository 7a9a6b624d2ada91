// Detection input for PP-OCR's DB detector, as PaddleOCR's DetResizeForTest
// and NormalizeImage do it: the long side limited to 960 px, both sides
// rounded to multiples of 32 (the network downsamples by 32), ImageNet
// mean/std on BGR pixels (PaddleOCR trains on OpenCV's BGR order).

import { swapRedBlue } from './color.js';

export const DET_LIMIT_SIDE = 960;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** The detector's input size for an image: never upscaled, multiples of 32. */
export function detectionSize(width, height, limit = DET_LIMIT_SIDE) {
  const ratio = Math.max(width, height) > limit ? limit / Math.max(width, height) : 1;
  return {
    width: Math.max(32, Math.round((width * ratio) / 32) * 32),
    height: Math.max(32, Math.round((height * ratio) / 32) * 32),
  };
}


/** The detector's [1, 3, H, W] input for a decoded RGB image. */
export async function detectionInput(lab, image) {
  const size = detectionSize(image.width, image.height);
  const resized = await lab.image.resize(image, size.width, size.height);
  const data = lab.image.toTensor(swapRedBlue(resized), { scale: 1 / 255, mean: MEAN, std: STD });
  return { data, shape: [1, 3, size.height, size.width] };
}

/**
 * Decodes encoded image bytes and builds the detector's input. Returns the
 * decoded RGB image too, for cropping at full resolution.
 */
export async function prepareDetection(lab, bytes) {
  const image = await lab.image.decode(bytes, { channels: 3 });
  return { image, ...(await detectionInput(lab, image)) };
}
