"""Pixel operations of the OCR pipeline with numpy: resize, rotate, crop,
perspective warp and tensor conversion of uint8 [H, W, C] images.

The resampling follows what the script version of this sample gets from
libvips (through sharp), so both versions see nearly the same pixels and read
the same text: shrinking is an integer box shrink for factors of 4 and more,
then a Lanczos-3 reduction (vertical pass first, rounded to 8 bits between
passes); enlarging is Catmull-Rom bicubic (horizontal pass first). Each pass
is a weighted sum over a few taps, vectorized over the whole image.
"""
import math

import numpy as np


def _lanczos3(x):
    x = np.asarray(x, np.float64)
    safe = np.where(x == 0, 1.0, x)
    out = np.where(x == 0, 1.0, 3 * np.sin(np.pi * safe) * np.sin(np.pi * safe / 3) / (np.pi * np.pi * safe * safe))
    return np.where(np.abs(x) < 3, out, 0.0)


def _catmull_rom(x):
    x = np.abs(np.asarray(x, np.float64))
    near = 1.5 * x**3 - 2.5 * x**2 + 1
    far = -0.5 * x**3 + 2.5 * x**2 - 4 * x + 2
    return np.where(x <= 1, near, np.where(x < 2, far, 0.0))


def _reduce_taps(n_in, n_out, factor):
    """Lanczos-3 taps for shrinking n_in samples to n_out by `factor` (pixel centres aligned, support
    widened by the factor)."""
    centres = (np.arange(n_out) + 0.5) * factor - 0.5
    count = 2 * int(math.ceil(3 * factor)) + 1
    first = np.floor(centres).astype(np.int64) - count // 2 + 1
    index = first[:, None] + np.arange(count)[None, :]
    weights = _lanczos3((index - centres[:, None]) / factor)
    weights /= weights.sum(axis=1, keepdims=True)
    return np.clip(index, 0, n_in - 1), weights


def _enlarge_taps(n_in, n_out):
    """Catmull-Rom taps for enlarging n_in samples to n_out."""
    positions = np.arange(n_out) * (n_in / n_out) - 0.5
    base = np.floor(positions).astype(np.int64)
    index = base[:, None] + np.arange(-1, 3)[None, :]
    weights = _catmull_rom(index - positions[:, None])
    return np.clip(index, 0, n_in - 1), weights


def _weighted(pixels, axis, index, weights):
    """Each output sample along `axis` (0 or 1): the weighted sum of the input samples at `index`, in
    float32, one tap at a time over whole rows (axis 1 is swapped to the front for it, so every
    gather reads contiguous memory)."""
    if axis == 1:
        front = np.ascontiguousarray(np.swapaxes(pixels, 0, 1))
        return np.swapaxes(_weighted(front, 0, index, weights), 0, 1)
    n_out = index.shape[0]
    out = np.zeros((n_out,) + pixels.shape[1:], np.float32)
    term = np.empty_like(out)
    shape = (n_out,) + (1,) * (pixels.ndim - 1)
    w32 = weights.astype(np.float32)
    for k in range(index.shape[1]):
        np.multiply(pixels[index[:, k]], w32[:, k].reshape(shape), out=term)
        out += term
    return out


def _to_8bit(values):
    """Rounded (halves up) and clamped to uint8, as each libvips pass stores 8-bit samples; `values`
    is a scratch array and is overwritten."""
    values += 0.5
    np.floor(values, out=values)
    np.clip(values, 0, 255, out=values)
    return values.astype(np.uint8)


def _box_shrink(pixels, factor, axis):
    """Averages runs of `factor` samples along an axis (a last partial run repeats the edge), summed
    as integers slice by slice, so a large photo is never held as floats at its full size."""
    n = pixels.shape[axis]
    n_out = -(-n // factor)
    sums = np.zeros(pixels.shape[:axis] + (n_out,) + pixels.shape[axis + 1 :], np.uint32)
    lead = (slice(None),) * axis
    for k in range(factor):
        part = pixels[lead + (slice(k, None, factor),)]
        sums[lead + (slice(0, part.shape[axis]),)] += part
        if part.shape[axis] < n_out:  # the last run is short: its missing samples repeat the edge
            sums[lead + (slice(part.shape[axis], None),)] += pixels[lead + (slice(n - 1, n),)]
    return ((sums + factor // 2) // factor).astype(np.uint8)


def _shrink(pixels, n_out, axis):
    """Box-averages by the integer part of half the factor (when 2 or more), then Lanczos-3 by the rest."""
    factor = pixels.shape[axis] / n_out
    whole = int(math.floor(factor / 2))
    if whole > 1:
        pixels = _box_shrink(pixels, whole, axis)
        factor /= whole
    return _to_8bit(_weighted(pixels, axis, *_reduce_taps(pixels.shape[axis], n_out, factor)))


def resize(pixels, width, height):
    """uint8 [H, W, C] -> [height, width, C], stretched to fill.

    Shrinking axes are reduced first; if an axis grows, one bicubic pass then maps both axes at
    once, sampling output pixel x at x / scale - 0.5 of its input (as libvips does; an axis of
    scale 1 is then read half a pixel to the left or top)."""
    width, height = max(1, int(round(width))), max(1, int(round(height)))
    out = pixels
    # Per shrinking axis, vertical first: an integer box shrink, then a Lanczos reduction by what is
    # left of the factor (the remaining factor, not the sizes, sets where samples fall, as in libvips).
    if height < out.shape[0]:
        out = _shrink(out, height, 0)
    if width < out.shape[1]:
        out = _shrink(out, width, 1)
    if width > out.shape[1] or height > out.shape[0]:
        out = _weighted(out, 1, *_enlarge_taps(out.shape[1], width))
        out = _to_8bit(_weighted(out, 0, *_enlarge_taps(out.shape[0], height)))
    return np.ascontiguousarray(out, np.uint8)


def rotate(pixels, degrees):
    """Counter-clockwise by a multiple of 90 degrees."""
    if degrees % 90:
        raise ValueError("rotate() turns by quarter turns only, not %r degrees" % degrees)
    return np.ascontiguousarray(np.rot90(pixels, (degrees // 90) % 4))


def crop(pixels, x, y, width, height):
    """The part inside the rectangle, clipped to the image; coordinates rounded to whole pixels."""
    h, w = pixels.shape[:2]
    x0, y0 = max(0, _round(x)), max(0, _round(y))
    x1, y1 = min(w, _round(x + width)), min(h, _round(y + height))
    if x1 <= x0 or y1 <= y0:
        raise ValueError("crop %s,%s %sx%s lies outside the %dx%d image" % (x, y, width, height, w, h))
    return np.ascontiguousarray(pixels[y0:y1, x0:x1])


def _round(v):
    """JavaScript's Math.round: halves go up."""
    return int(math.floor(v + 0.5))


def _square_to_quad(quad):
    """Heckbert's projective map of the unit square onto the quad (TL, TR, BR, BL)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad
    dx3, dy3 = x0 - x1 + x2 - x3, y0 - y1 + y2 - y3
    if abs(dx3) < 1e-9 and abs(dy3) < 1e-9:
        a, b, d, e, g, h = x1 - x0, x2 - x1, y1 - y0, y2 - y1, 0.0, 0.0
    else:
        dx1, dx2, dy1, dy2 = x1 - x2, x3 - x2, y1 - y2, y3 - y2
        den = dx1 * dy2 - dx2 * dy1
        g = (dx3 * dy2 - dx2 * dy3) / den
        h = (dx1 * dy3 - dx3 * dy1) / den
        a, b = x1 - x0 + g * x1, x3 - x0 + h * x3
        d, e = y1 - y0 + g * y1, y3 - y0 + h * y3
    return a, b, d, e, g, h, x0, y0


def warp(pixels, quad, width, height):
    """Samples the quad (TL, TR, BR, BL outer corners, as (x, y)) into an upright width x height image,
    bilinear, edge pixels repeated outside the image."""
    w, h = max(1, _round(width)), max(1, _round(height))
    a, b, d, e, g, hh, x0, y0 = _square_to_quad(quad)
    s = ((np.arange(w) + 0.5) / w)[None, :]
    t = ((np.arange(h) + 0.5) / h)[:, None]
    den = g * s + hh * t + 1
    px = (a * s + b * t + x0) / den
    py = (d * s + e * t + y0) / den
    rows, cols = pixels.shape[:2]
    x = np.clip(px, 0, cols - 1)
    y = np.clip(py, 0, rows - 1)
    xa, ya = np.floor(x).astype(np.int64), np.floor(y).astype(np.int64)
    xb, yb = np.minimum(cols - 1, xa + 1), np.minimum(rows - 1, ya + 1)
    fx, fy = (x - xa)[:, :, None], (y - ya)[:, :, None]
    src = pixels.astype(np.float64)
    top = src[ya, xa] + (src[ya, xb] - src[ya, xa]) * fx
    bottom = src[yb, xa] + (src[yb, xb] - src[yb, xa]) * fx
    return np.floor(top + (bottom - top) * fy + 0.5).astype(np.uint8)


def to_tensor(pixels, scale, mean, std):
    """uint8 [H, W, C] -> float32 [C, H, W]: (v * scale - mean[c]) / std[c], computed in float64 as the
    script version does, through a 256-entry table per channel."""
    channels = pixels.shape[2]
    mean = np.broadcast_to(np.asarray(mean, np.float64), (channels,))
    std = np.broadcast_to(np.asarray(std, np.float64), (channels,))
    levels = np.arange(256, dtype=np.float64)
    out = np.empty((channels,) + pixels.shape[:2], np.float32)
    for c in range(channels):
        table = ((levels * scale - mean[c]) / std[c]).astype(np.float32)
        out[c] = table[pixels[:, :, c]]
    return out
