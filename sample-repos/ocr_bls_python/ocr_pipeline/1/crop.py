"""Text crops and the recognizer's batch, after PaddleOCR's
get_rotate_crop_image and resize_norm_img, with the margins and sizes of the
script version of this sample (crop.js).
"""
import math

import numpy as np

import imaging

# Margins added around a box before recognition, as fractions of its height: DB boxes hug the ink, and the
# recognizer reads spaces and the last letters far more reliably with some background around the text.
CROP_MARGINS = {"top": 0.3, "side": 0.4}


def _distance(a, b):
    return math.hypot(a[0] - b[0], a[1] - b[1])


def expand_box(points, margins=CROP_MARGINS):
    """The box grown by the margins, along its own axes."""
    a, b, c, d = points
    height = (_distance(a, d) + _distance(b, c)) / 2
    width = _distance(a, b) or 1
    ux = ((b[0] - a[0]) / width) * height * margins["side"]
    uy = ((b[1] - a[1]) / width) * height * margins["side"]
    vx = ((d[0] - a[0] + c[0] - b[0]) / 2 / (height or 1)) * height * margins["top"]
    vy = ((d[1] - a[1] + c[1] - b[1]) / 2 / (height or 1)) * height * margins["top"]
    return [
        (a[0] - ux - vx, a[1] - uy - vy),
        (b[0] + ux - vx, b[1] + uy - vy),
        (c[0] + ux + vx, c[1] + uy + vy),
        (d[0] - ux + vx, d[1] - uy + vy),
    ]


def _js_round(v):
    return int(math.floor(v + 0.5))


def crop_text(image, points, margins=CROP_MARGINS):
    """Samples a box (4 corners clockwise from the top-left) upright, with margins. Crops much taller
    than wide are vertical text: turned a quarter counter-clockwise so they read left to right."""
    quad = expand_box(points, margins)
    width = max(1, _js_round(max(_distance(quad[0], quad[1]), _distance(quad[3], quad[2]))))
    height = max(1, _js_round(max(_distance(quad[0], quad[3]), _distance(quad[1], quad[2]))))
    crop = imaging.warp(image, quad, width, height)
    return imaging.rotate(crop, 90) if height >= 1.5 * width else crop


def recognition_batch(crops, height=48, min_width=320, max_width=3200):
    """Resizes crops to a fixed height, aspect ratio kept, and packs them into one float32 [N, 3, height, W]
    batch normalized to -1..1 (BGR), padded with 0 on the right. W follows the widest crop (at least
    min_width), capped by max_width so one giant crop cannot blow up memory."""
    ratio = min_width / height
    for crop in crops:
        ratio = max(ratio, crop.shape[1] / crop.shape[0])
    width = min(max_width, int(math.ceil(height * ratio)))
    batch = np.zeros((len(crops), 3, height, width), np.float32)
    for i, crop in enumerate(crops):
        w = max(1, min(width, int(math.ceil((height * crop.shape[1]) / crop.shape[0]))))
        resized = imaging.resize(crop, w, height)
        # PaddleOCR's models are trained on OpenCV's BGR channel order.
        batch[i, :, :, :w] = imaging.to_tensor(resized[:, :, ::-1], 1 / 127.5, [1], [1])
    return batch
