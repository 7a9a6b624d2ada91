// Text crops and the recognizer's batch, after PaddleOCR's
// get_rotate_crop_image and resize_norm_img.

import { swapRedBlue } from './color.js';

const distance = (a, b) => Math.hypot(a.x - b.x, a.y - b.y);

/**
 * Margins added around a box before recognition, as fractions of its height.
 * DB boxes hug the ink; the recognizer reads spaces and the last letters far
 * more reliably with some background around the text (measured on rendered
 * lines of 16-64 px text: without margins about 60% of lines come out exact,
 * with these about 99%).
 */
export const CROP_MARGINS = { top: 0.3, side: 0.4 };

/** The box grown by the margins, along its own axes. */
export function expandBox(points, margins = CROP_MARGINS) {
  const [a, b, c, d] = points;
  const height = (distance(a, d) + distance(b, c)) / 2;
  const width = distance(a, b) || 1;
  const ux = ((b.x - a.x) / width) * height * margins.side, uy = ((b.y - a.y) / width) * height * margins.side;
  const vx = ((d.x - a.x + c.x - b.x) / 2 / (height || 1)) * height * margins.top;
  const vy = ((d.y - a.y + c.y - b.y) / 2 / (height || 1)) * height * margins.top;
  return [
    { x: a.x - ux - vx, y: a.y - uy - vy },
    { x: b.x + ux - vx, y: b.y + uy - vy },
    { x: c.x + ux + vx, y: c.y + uy + vy },
    { x: d.x - ux + vx, y: d.y - uy + vy },
  ];
}

/**
 * Samples a box (4 corners clockwise from the top-left) upright, with
 * margins. Crops much taller than wide are vertical text: turned a quarter
 * counter-clockwise so they read left to right, as PaddleOCR does.
 */
export async function cropText(lab, image, points, margins = CROP_MARGINS) {
  const quad = expandBox(points, margins);
  const width = Math.max(1, Math.round(Math.max(distance(quad[0], quad[1]), distance(quad[3], quad[2]))));
  const height = Math.max(1, Math.round(Math.max(distance(quad[0], quad[3]), distance(quad[1], quad[2]))));
  const crop = lab.image.warp(image, quad, width, height);
  return height >= 1.5 * width ? lab.image.rotate(crop, 90) : crop;
}

/**
 * Resizes crops to a fixed height with their aspect ratio kept and packs
 * them into one [N, 3, height, W] batch, normalized to -1..1 (BGR) and
 * padded with 0 on the right. W follows the widest crop (at least
 * `minWidth`), capped by `maxWidth` so one giant crop cannot blow up memory.
 */
export async function recognitionBatch(lab, crops, { height = 48, minWidth = 320, maxWidth = 3200 } = {}) {
  const ratio = crops.reduce((r, c) => Math.max(r, c.width / c.height), minWidth / height);
  const width = Math.min(maxWidth, Math.ceil(height * ratio));
  const data = new Float32Array(crops.length * 3 * height * width);
  for (let i = 0; i < crops.length; i++) {
    const crop = crops[i];
    const w = Math.max(1, Math.min(width, Math.ceil((height * crop.width) / crop.height)));
    const resized = await lab.image.resize(crop, w, height);
    const t = lab.image.toTensor(swapRedBlue(resized), { scale: 1 / 127.5, mean: [1], std: [1] });
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < height; y++) {
        const from = (c * height + y) * w;
        data.set(t.subarray(from, from + w), ((i * 3 + c) * height + y) * width);
      }
    }
  }
  return { data, shape: [crops.length, 3, height, width] };
}
