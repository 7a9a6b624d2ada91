"""Text direction with PaddleOCR's angle classifier (text_direction): a 48x192
crop, two classes, 1 = turned 180 degrees.

PaddleOCR squeezes a whole line into 192 pixels, which makes long lines hard
to judge. Here long lines are judged by up to three windows of the
classifier's own 4:1 shape (start, middle, end), averaged, as the script
version of this sample does (direction.js).
"""
import math

import crop
import imaging

WINDOW_ASPECT = 192 / 48


def direction_windows(image):
    """The parts of a crop the classifier looks at."""
    height, width = image.shape[:2]
    w = int(math.floor(height * WINDOW_ASPECT + 0.5))
    if width <= w * 1.2:
        return [image]
    return [imaging.crop(image, x, 0, w, height) for x in (0, int(math.floor((width - w) / 2 + 0.5)), width - w)]


def direction_batch(windows):
    """The classifier's float32 [N, 3, 48, 192] batch: the same normalization as recognition, fixed width."""
    return crop.recognition_batch(windows, min_width=192, max_width=192)


def upside_down_probabilities(probs, count):
    """Per row of the classifier's [N, 2] output, the probability of "turned 180 degrees"."""
    flat = probs.reshape(-1)
    return [float(flat[i * 2 + 1]) for i in range(count)]
