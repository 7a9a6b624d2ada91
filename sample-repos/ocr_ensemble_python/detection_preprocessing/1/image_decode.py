"""Encoded image bytes -> RGB pixels (uint8 [H, W, 3]).

OpenCV decodes when it is importable (`pip install opencv-python-headless`).
Without it, PNG (all bit depths and colour types, interlaced too) and
baseline JPEG (the usual camera and scanner kind) are decoded here with numpy
and the standard library (zlib), so the model needs nothing that Triton's
Python backend image lacks. Both paths give the pixels the script version of
this sample gets from libvips: alpha composited onto white, gray expanded to
RGB, EXIF orientation applied.
"""
import struct
import zlib

import numpy as np

try:
    import cv2
except ImportError:  # the numpy decoders below
    cv2 = None

import jpeg_decode

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A decoded image larger than this is refused before its pixels are allocated.
MAX_PIXELS = 100_000_000
# Rows filtered with Average or Paeth are undone byte by byte in Python (about 1 us a byte): past
# this many such bytes a request would hold its instance for many seconds, so it is refused.
MAX_SLOW_FILTER_BYTES = 8_000_000


class ImageDecodeError(ValueError):
    """The bytes are not an image this module can decode; the message says why."""


def decode_rgb(data):
    """Decodes PNG or JPEG bytes (anything OpenCV reads when it is installed) to uint8 [H, W, 3] RGB."""
    data = bytes(data)
    if cv2 is not None:
        return _decode_cv2(data)
    if data.startswith(PNG_SIGNATURE):
        pixels, orientation = decode_png(data)
    elif data.startswith(b"\xff\xd8"):
        pixels, orientation = jpeg_decode.decode_jpeg(data)
    else:
        raise ImageDecodeError(
            "unsupported image format (%d bytes): without OpenCV only PNG and baseline JPEG are decoded; "
            "pip install opencv-python-headless for WebP, TIFF, progressive JPEG and more" % len(data)
        )
    return apply_orientation(to_rgb(pixels), orientation)


def _decode_cv2(data):
    flags = cv2.IMREAD_UNCHANGED  # keeps alpha so it can go onto white; EXIF orientation is applied below
    img = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if img is None:
        raise ImageDecodeError("unsupported image format or corrupt image (%d bytes): OpenCV cannot decode it" % len(data))
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    if img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2RGBA)
    elif img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    orientation = _png_orientation(data) if data.startswith(PNG_SIGNATURE) else jpeg_decode.exif_orientation_of(data)
    return apply_orientation(to_rgb(img), orientation)


def to_rgb(pixels):
    """Gray, gray+alpha, RGB or RGBA uint8 -> RGB, alpha composited onto white."""
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    channels = pixels.shape[2]
    if channels in (2, 4):
        color = pixels[:, :, : channels - 1].astype(np.uint32)
        alpha = pixels[:, :, channels - 1 :].astype(np.uint32)
        # Truncated, as libvips flattens (the script version decodes with it).
        pixels = ((color * alpha + 255 * (255 - alpha)) // 255).astype(np.uint8)
        channels -= 1
    if channels == 1:
        pixels = np.repeat(pixels, 3, axis=2)
    return np.ascontiguousarray(pixels)


def apply_orientation(pixels, orientation):
    """EXIF orientation 1-8 -> upright pixels."""
    if orientation in (2, 4, 5, 7):
        pixels = pixels[:, ::-1]
    if orientation in (3, 4):
        pixels = pixels[::-1, ::-1]
    elif orientation in (5, 6):
        pixels = np.rot90(pixels, -1)
    elif orientation in (7, 8):
        pixels = np.rot90(pixels, 1)
    return np.ascontiguousarray(pixels)


# --- PNG ---------------------------------------------------------------------

_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def _png_chunks(data):
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if len(body) != length:
            raise ImageDecodeError("PNG chunk %s is cut short" % kind.decode("latin-1"))
        yield kind, body
        if kind == b"IEND":
            return
        pos += 12 + length
    raise ImageDecodeError("PNG without IEND: the file is cut short")


def _png_orientation(data):
    try:
        for kind, body in _png_chunks(data):
            if kind == b"eXIf":
                return jpeg_decode.tiff_orientation(body)
    except ImageDecodeError:
        pass
    return 1


def decode_png(data):
    """PNG bytes -> (uint8 [H, W, C] pixels as stored, EXIF orientation)."""
    header, palette, trns, idat, orientation = None, None, None, [], 1
    for kind, body in _png_chunks(data):
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = np.frombuffer(body, np.uint8).reshape(-1, 3)
        elif kind == b"tRNS":
            trns = body
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"eXIf":
            orientation = jpeg_decode.tiff_orientation(body)
    if header is None or not idat:
        raise ImageDecodeError("PNG without IHDR or IDAT")
    width, height, depth, color, _, _, interlace = header
    if color not in _CHANNELS or depth not in (1, 2, 4, 8, 16) or width == 0 or height == 0:
        raise ImageDecodeError("PNG with colour type %d and bit depth %d is not valid" % (color, depth))
    if width * height > MAX_PIXELS:
        raise ImageDecodeError("PNG of %dx%d pixels is larger than %d pixels" % (width, height, MAX_PIXELS))
    raw = _inflate(b"".join(idat), _png_raw_size(width, height, depth, _CHANNELS[color], interlace))
    samples = _png_samples(raw, width, height, depth, _CHANNELS[color], interlace)
    return _png_pixels(samples, color, depth, palette, trns), orientation


def _inflate(compressed, expected):
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(compressed, expected)
    except zlib.error as exc:
        raise ImageDecodeError("PNG image data is corrupt: %s" % exc) from exc
    if len(raw) < expected:
        raise ImageDecodeError("PNG image data is cut short (%d of %d bytes)" % (len(raw), expected))
    return raw


def _row_bytes(width, depth, channels):
    return (width * depth * channels + 7) // 8


def _passes(width, height, interlace):
    if not interlace:
        return [(0, 0, 1, 1, width, height)]
    out = []
    for x0, y0, dx, dy in _ADAM7:
        w, h = (width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy
        if w > 0 and h > 0:
            out.append((x0, y0, dx, dy, w, h))
    return out


def _png_raw_size(width, height, depth, channels, interlace):
    return sum(h * (1 + _row_bytes(w, depth, channels)) for _, _, _, _, w, h in _passes(width, height, interlace))


def _png_samples(raw, width, height, depth, channels, interlace):
    """Unfiltered samples [H, W, C] (uint8, or uint16 for 16-bit)."""
    dtype = np.uint16 if depth == 16 else np.uint8
    out = np.zeros((height, width, channels), dtype)
    pos = 0
    for x0, y0, dx, dy, w, h in _passes(width, height, interlace):
        stride = _row_bytes(w, depth, channels)
        rows = _unfilter(raw[pos : pos + h * (stride + 1)], h, stride, max(1, depth * channels // 8))
        pos += h * (stride + 1)
        out[y0::dy, x0::dx] = _unpack(rows, w, depth, channels)
    return out


def _unpack(rows, width, depth, channels):
    if depth == 16:
        return rows.view(">u2").reshape(rows.shape[0], width, channels).astype(np.uint16)
    if depth == 8:
        return rows.reshape(rows.shape[0], width, channels)
    bits = np.unpackbits(rows, axis=1).reshape(rows.shape[0], -1, depth)
    weights = 1 << np.arange(depth - 1, -1, -1, dtype=np.uint8)
    values = (bits * weights).sum(axis=2, dtype=np.uint8)
    return values[:, : width * channels].reshape(rows.shape[0], width, channels)


def _unfilter(data, height, stride, bpp):
    """Undoes PNG's per-row filters; None/Sub/Up in numpy, Average/Paeth byte by byte."""
    rows = np.frombuffer(data, np.uint8).reshape(height, stride + 1)
    slow = int(np.isin(rows[:, 0], (3, 4)).sum()) * stride
    if slow > MAX_SLOW_FILTER_BYTES:
        raise ImageDecodeError(
            "PNG has %d bytes of Average/Paeth-filtered rows, more than %d decoded without OpenCV: "
            "pip install opencv-python-headless" % (slow, MAX_SLOW_FILTER_BYTES)
        )
    out = np.zeros((height, stride), np.uint8)
    prior = np.zeros(stride, np.uint8)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:]
        if kind == 0:
            cur = line.copy()
        elif kind == 1:
            cur = _unfilter_sub(line, bpp)
        elif kind == 2:
            cur = line + prior
        elif kind in (3, 4):
            cur = _unfilter_slow(kind, line, prior, bpp)
        else:
            raise ImageDecodeError("PNG row %d has filter type %d, which does not exist" % (y, kind))
        out[y] = cur
        prior = cur
    return out


def _unfilter_sub(line, bpp):
    pad = (-len(line)) % bpp
    lanes = np.concatenate([line, np.zeros(pad, np.uint8)]).reshape(-1, bpp)
    return (np.cumsum(lanes, axis=0, dtype=np.uint64) & 0xFF).astype(np.uint8).reshape(-1)[: len(line)]


def _unfilter_slow(kind, line, prior, bpp):
    cur = bytearray(line.tobytes())
    up = prior.tobytes()
    for i in range(len(cur)):
        left = cur[i - bpp] if i >= bpp else 0
        if kind == 3:
            cur[i] = (cur[i] + ((left + up[i]) >> 1)) & 0xFF
            continue
        above, corner = up[i], (up[i - bpp] if i >= bpp else 0)
        p = left + above - corner
        pa, pb, pc = abs(p - left), abs(p - above), abs(p - corner)
        pred = left if pa <= pb and pa <= pc else (above if pb <= pc else corner)
        cur[i] = (cur[i] + pred) & 0xFF
    return np.frombuffer(bytes(cur), np.uint8)


def _png_pixels(samples, color, depth, palette, trns):
    if color == 3:
        if palette is None:
            raise ImageDecodeError("palette PNG without PLTE")
        index = samples[:, :, 0]
        if index.max() >= len(palette):
            raise ImageDecodeError("PNG pixel refers past the end of its %d-colour palette" % len(palette))
        if trns is not None:
            alpha = np.full(len(palette), 255, np.uint8)
            alpha[: len(trns)] = np.frombuffer(trns[: len(palette)], np.uint8)
            return np.concatenate([palette[index], alpha[index][:, :, None]], axis=2)
        return palette[index]
    if depth == 16:
        key = np.array(struct.unpack(">%dH" % (len(trns) // 2), trns), np.uint16) if trns else None
        pixels8 = (samples >> 8).astype(np.uint8)
    else:
        key = np.array(list(trns[1::2]), np.uint8) if trns else None
        pixels8 = (samples * (255 // ((1 << depth) - 1))).astype(np.uint8)
    if key is not None and color in (0, 2) and len(key) == samples.shape[2]:
        alpha = np.where(np.all(samples == key, axis=2), 0, 255).astype(np.uint8)
        return np.concatenate([pixels8, alpha[:, :, None]], axis=2)
    return pixels8
