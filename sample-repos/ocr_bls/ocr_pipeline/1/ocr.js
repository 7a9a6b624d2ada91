// The OCR flow of ocr_pipeline, independent of how models are called:
// `infer(model, { data, shape }, outputName)` runs one model (through BLS in
// model.js) and resolves to its output's `{ data, shape }`.
import { detectionInput } from './det-preprocess.js';
import { findTextBoxes } from './db-postprocess.js';
import { cropText, recognitionBatch } from './crop.js';
import { directionBatch, directionWindows, upsideDownProbabilities } from './direction.js';
import { confidentLines, ctcDecode } from './ctc-decode.js';

/** The max_batch_size of text_direction and text_recognition: larger sets go in chunks. */
export const CHUNK = 8;

/** A crop this likely to be upside down is read both ways. */
const MAYBE_UPSIDE_DOWN = 0.5;

/** Runs `run` over `items` in chunks of CHUNK, items of similar width together so little of a batch is padding. */
async function inChunks(items, width, run) {
  const order = items.map((_, i) => i).sort((a, b) => width(items[a]) - width(items[b]));
  const out = new Array(items.length);
  for (let i = 0; i < order.length; i += CHUNK) {
    const ids = order.slice(i, i + CHUNK);
    const results = await run(ids.map((k) => items[k]));
    ids.forEach((k, j) => (out[k] = results[j]));
  }
  return out;
}

/** For each crop, the classifier's probability that it is upside down (mean over its windows). */
async function upsideDownOdds(lab, crops, infer) {
  const windows = crops.flatMap((crop, owner) => directionWindows(lab, crop).map((image) => ({ image, owner })));
  const probs = [];
  for (let i = 0; i < windows.length; i += CHUNK) {
    const part = windows.slice(i, i + CHUNK);
    const out = await infer('text_direction', await directionBatch(lab, part.map((w) => w.image)), 'softmax_0.tmp_0');
    probs.push(...upsideDownProbabilities(out.data, part.length));
  }
  const sum = crops.map(() => 0);
  const count = crops.map(() => 0);
  windows.forEach((w, i) => {
    sum[w.owner] += probs[i];
    count[w.owner]++;
  });
  return sum.map((s, k) => s / count[k]);
}

async function readImage(lab, image, infer, charset, mayTurnPage) {
  const input = await detectionInput(lab, image);
  const prob = await infer('text_detection', input, 'sigmoid_0.tmp_0');
  const [mapHeight, mapWidth] = prob.shape.slice(-2);
  const boxes = findTextBoxes(lab, prob.data, mapWidth, mapHeight, image.width, image.height);
  const crops = [];
  for (const box of boxes) crops.push(await cropText(lab, image, box.points));
  const odds = await upsideDownOdds(lab, crops, infer);

  // Most of the text upside down (longer lines weigh more): the page is.
  // Turn it and start over, so that detection, line merging and reading
  // order all see upright text.
  const width = crops.reduce((s, c) => s + c.width, 0);
  const pageOdds = crops.reduce((s, c, k) => s + c.width * odds[k], 0) / width;
  if (mayTurnPage && pageOdds > 0.5) {
    const lines = await readImage(lab, await lab.image.rotate(image, 180), infer, charset, false);
    const back = (p) => ({ x: image.width - 1 - p.x, y: image.height - 1 - p.y });
    return lines.map((l) => ({ ...l, box: l.box.map(back), upsideDown: !l.upsideDown }));
  }

  // Single lines: the classifier proposes, the recognizer decides. A crop
  // that may be upside down is read both ways; the more confident reading wins.
  const candidates = crops.map((crop, owner) => ({ crop, owner, upsideDown: false }));
  for (let k = 0; k < crops.length; k++) {
    if (odds[k] >= MAYBE_UPSIDE_DOWN) candidates.push({ crop: await lab.image.rotate(crops[k], 180), owner: k, upsideDown: true });
  }
  const readings = await inChunks(candidates, (c) => c.crop.width / c.crop.height, async (part) => {
    const out = await infer('text_recognition', await recognitionBatch(lab, part.map((c) => c.crop)), 'softmax_11.tmp_0');
    return ctcDecode(lab, out.data, out.shape, charset);
  });
  const lines = boxes.map((box) => ({ text: '', score: -1, box: box.points, upsideDown: false }));
  candidates.forEach((c, i) => {
    if (readings[i].score > lines[c.owner].score) lines[c.owner] = { ...readings[i], box: boxes[c.owner].points, upsideDown: c.upsideDown };
  });
  return lines;
}

/**
 * Lines read from encoded image bytes, in reading order: `{ text, score,
 * box, upsideDown }`. A box is 4 corners in image pixels, clockwise from the
 * text's own top-left (for an upside-down page, the image's bottom-right).
 */
export async function readText(lab, bytes, infer, charset) {
  const image = await lab.image.decode(bytes, { channels: 3 });
  return confidentLines(await readImage(lab, image, infer, charset, true));
}
