"""Detection input for PP-OCR's DB detector, as PaddleOCR's DetResizeForTest
and NormalizeImage do it: the long side limited to 960 px, both sides rounded
to multiples of 32 (the network downsamples by 32), ImageNet mean/std on BGR
pixels (PaddleOCR trains on OpenCV's BGR order). The same sizes as the script
version of this sample (det-preprocess.js).
"""
import math

import imaging

DET_LIMIT_SIDE = 960
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def detection_size(width, height, limit=DET_LIMIT_SIDE):
    """The detector's input (width, height) for an image: never upscaled, multiples of 32."""
    ratio = limit / max(width, height) if max(width, height) > limit else 1
    return (
        max(32, int(math.floor((width * ratio) / 32 + 0.5)) * 32),
        max(32, int(math.floor((height * ratio) / 32 + 0.5)) * 32),
    )


def detection_input(image):
    """The detector's float32 [1, 3, H, W] input for a decoded RGB image (uint8 [H, W, 3])."""
    width, height = detection_size(image.shape[1], image.shape[0])
    resized = imaging.resize(image, width, height)
    return imaging.to_tensor(resized[:, :, ::-1], 1 / 255, MEAN, STD)[None]
