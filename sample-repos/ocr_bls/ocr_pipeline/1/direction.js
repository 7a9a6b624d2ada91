// Text direction with PaddleOCR's angle classifier (text_direction): a
// 48×192 crop, two classes, 1 = turned 180°.
//
// PaddleOCR squeezes a whole line into 192 pixels, which makes long lines
// hard to judge (on rendered test lines, a quarter of upside-down lines went
// unnoticed). Here long lines are judged by up to three windows of the
// classifier's own 4:1 shape (start, middle, end), averaged.

import { recognitionBatch } from './crop.js';

const WINDOW_ASPECT = 192 / 48;

/** The parts of a crop the classifier looks at. */
export function directionWindows(lab, crop) {
  const w = Math.round(crop.height * WINDOW_ASPECT);
  if (crop.width <= w * 1.2) return [crop];
  return [0, Math.round((crop.width - w) / 2), crop.width - w].map((x) => lab.image.crop(crop, x, 0, w, crop.height));
}

/** The classifier's [N, 3, 48, 192] batch: same normalization as recognition, fixed width. */
export function directionBatch(lab, windows) {
  return recognitionBatch(lab, windows, { minWidth: 192, maxWidth: 192 });
}

/** Per row of the classifier's [N, 2] output, the probability of "turned 180°". */
export function upsideDownProbabilities(probs, count) {
  return Array.from({ length: count }, (_, i) => probs[i * 2 + 1]);
}
