"""digits_bls: reads a digit image, asks the "digits" classifier, answers the digit.

A request carries one image in IMAGE (UINT8 [-1]): either the bytes of a PNG
file (8-bit grayscale, RGB, gray+alpha or RGBA; any size), or exactly 64 raw
pixels of an 8x8 image. The image becomes what the classifier was trained on
(scikit-learn's load_digits: 8x8, light strokes on a dark background, values
0..16), then one BLS call runs "digits" and the best class comes back as
DIGIT (INT32 [1]) with its probability as SCORE (FP32 [1]).

Only numpy and the Python standard library (zlib for PNG) are used, and only
Triton's documented Python backend API, so this file runs unchanged on
Triton's Python backend.
"""
import json
import struct
import zlib

import numpy as np
import triton_python_backend_utils as pb_utils

CLASSIFIER = "digits"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Channels per PNG color type (8-bit only): gray, RGB, gray+alpha, RGBA.
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}
# Digits are read at 8x8: a larger picture only costs time (the row filters are undone in Python).
MAX_PIXELS = 512 * 512


class ImageError(Exception):
    """The request's image cannot be read; its message goes back to the client."""


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
    return np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))


def _unfilter(rows, bpp):
    """Undoes PNG's per-row filters (0 none, 1 sub, 2 up, 3 average, 4 Paeth)."""
    height, stride = rows.shape[0], rows.shape[1] - 1
    out = np.zeros((height, stride), dtype=np.int64)
    prev = np.zeros(stride, dtype=np.int64)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:].astype(np.int64)
        if kind == 0:
            cur = line
        elif kind == 2:
            cur = (line + prev) & 0xFF
        elif kind in (1, 3, 4):
            cur = np.zeros(stride, dtype=np.int64)
            for x in range(0, stride, bpp):
                left = cur[x - bpp : x] if x else np.zeros(bpp, dtype=np.int64)
                up = prev[x : x + bpp]
                if kind == 1:
                    pred = left
                elif kind == 3:
                    pred = (left + up) // 2
                else:
                    upleft = prev[x - bpp : x] if x else np.zeros(bpp, dtype=np.int64)
                    pred = _paeth(left, up, upleft)
                cur[x : x + bpp] = (line[x : x + bpp] + pred) & 0xFF
        else:
            raise ImageError(f"PNG row {y} has an unknown filter type {kind}")
        out[y], prev = cur, cur
    return out


def decode_png(data):
    """An 8-bit non-interlaced PNG as a float array [H, W] of gray levels 0..255 (alpha over white)."""
    pos, header, idat = 8, None, []
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if len(body) != length:
            raise ImageError("the PNG file is cut short")
        if kind == b"IHDR":
            if length != 13:
                raise ImageError(f"the PNG's IHDR chunk is {length} bytes long, not 13")
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None or not idat:
        raise ImageError("the PNG file has no IHDR or no IDAT chunk")
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or color not in CHANNELS or interlace != 0:
        raise ImageError(f"only 8-bit, non-interlaced gray/RGB/RGBA PNGs are read (this one: bit depth {depth}, color type {color}, interlace {interlace})")
    if width == 0 or height == 0 or width * height > MAX_PIXELS:
        raise ImageError(f"the PNG is {width}x{height}: at least 1x1 and at most {MAX_PIXELS} pixels")
    channels = CHANNELS[color]
    try:
        raw = zlib.decompressobj().decompress(b"".join(idat), height * (width * channels + 1))
    except zlib.error as e:
        raise ImageError(f"the PNG data does not inflate: {e}")
    if len(raw) != height * (width * channels + 1):
        raise ImageError("the PNG data is shorter than its size says")
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, width * channels + 1)
    pixels = _unfilter(rows, channels).reshape(height, width, channels).astype(np.float32)
    gray = pixels[..., 0] if channels < 3 else pixels[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    if channels in (2, 4):
        alpha = pixels[..., -1] / 255.0
        gray = gray * alpha + 255.0 * (1.0 - alpha)
    return gray


def _area_weights(size, out):
    """An [out, size] matrix averaging `size` samples into `out` bins (area resampling)."""
    edges = np.arange(out + 1) * (size / out)
    starts, ends = np.arange(size), np.arange(size) + 1
    overlap = np.clip(np.minimum(ends[None, :], edges[1:, None]) - np.maximum(starts[None, :], edges[:-1, None]), 0, None)
    return (overlap / (size / out)).astype(np.float32)


def to_digits_input(image):
    """IMAGE bytes -> the classifier's INPUT__0, FP32 [1, 1, 8, 8] with values 0..16."""
    data = image.tobytes()
    if data.startswith(PNG_SIGNATURE):
        gray = decode_png(data)
        border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
        if border.mean() > 127.5:
            gray = 255.0 - gray  # dark ink on light paper: the data set has light strokes on black
        gray = _area_weights(gray.shape[0], 8) @ gray @ _area_weights(gray.shape[1], 8).T
    elif len(data) == 64:
        gray = np.frombuffer(data, dtype=np.uint8).reshape(8, 8).astype(np.float32)
    else:
        raise ImageError(f"IMAGE must hold a PNG file or 64 raw pixels (an 8x8 image), got {len(data)} bytes that are not a PNG")
    return (gray * (16.0 / 255.0)).reshape(1, 1, 8, 8).astype(np.float32)


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        self.digit_type = pb_utils.triton_string_to_numpy(pb_utils.get_output_config_by_name(config, "DIGIT")["data_type"])
        self.score_type = pb_utils.triton_string_to_numpy(pb_utils.get_output_config_by_name(config, "SCORE")["data_type"])

    def classify(self, pixels):
        request = pb_utils.InferenceRequest(
            model_name=CLASSIFIER,
            requested_output_names=["OUTPUT__0"],
            inputs=[pb_utils.Tensor("INPUT__0", pixels)],
        )
        response = request.exec()
        if response.has_error():
            raise pb_utils.TritonModelException(response.error().message())
        return pb_utils.get_output_tensor_by_name(response, "OUTPUT__0").as_numpy()[0]

    def execute(self, requests):
        responses = []
        for request in requests:
            image = pb_utils.get_input_tensor_by_name(request, "IMAGE").as_numpy()
            try:
                probabilities = self.classify(to_digits_input(image))
            except ImageError as e:
                # The client sent something that is not an image: its error, with Triton's INVALID_ARG code.
                responses.append(pb_utils.InferenceResponse(output_tensors=[], error=pb_utils.TritonError(str(e), pb_utils.TritonError.INVALID_ARG)))
                continue
            except pb_utils.TritonModelException as e:
                responses.append(pb_utils.InferenceResponse(output_tensors=[], error=pb_utils.TritonError(f"{CLASSIFIER}: {e}")))
                continue
            digit = int(np.argmax(probabilities))
            responses.append(
                pb_utils.InferenceResponse(
                    output_tensors=[
                        pb_utils.Tensor("DIGIT", np.array([digit], dtype=self.digit_type)),
                        pb_utils.Tensor("SCORE", np.array([probabilities[digit]], dtype=self.score_type)),
                    ]
                )
            )
        return responses
