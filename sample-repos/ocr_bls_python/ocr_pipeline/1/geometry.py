"""Geometry of the DB post-processing with numpy: connected regions of a mask,
convex hull, minimum-area rectangle.

Points are (x, y) pixel coordinates, pixel centres at integers, y pointing
down. A rotated rectangle is (cx, cy, width, height, angle) with the angle
counter-clockwise as seen on screen: its width axis is (cos a, -sin a) and
its height axis (sin a, cos a). These are the conventions of the script
version of this sample, so both find the same boxes.

Regions are found on runs of set pixels (one row segment each), joined
across rows with union-find, so the work grows with the number of runs, not
of pixels: a 960x960 map takes milliseconds.
"""
import math

import numpy as np


class Region:
    """One 8-connected region: its pixel count, the sum of a value map over its pixels, and per row the
    leftmost and rightmost pixel (all a convex hull needs)."""

    __slots__ = ("pixels", "total", "extremes")

    def __init__(self, pixels, total, extremes):
        self.pixels = pixels
        self.total = total
        self.extremes = extremes


def _runs(mask):
    """Row runs of nonzero pixels, sorted by row then start: (rows, starts, ends) with ends inclusive."""
    height, width = mask.shape
    padded = np.zeros((height, width + 2), np.int8)
    padded[:, 1:-1] = mask != 0
    change = np.diff(padded, axis=1)
    rows, starts = np.nonzero(change == 1)
    _, stops = np.nonzero(change == -1)
    return rows, starts, stops - 1


def _touching_pairs(rows, starts, ends, width):
    """Pairs (a, b) of runs on consecutive rows that touch, diagonals included."""
    span = width + 2
    key_start = rows * span + starts
    key_end = rows * span + ends
    # For run b on row y + 1, the runs of row y it touches form a contiguous range.
    below = np.nonzero(rows > 0)[0]
    lo = np.searchsorted(key_end, (rows[below] - 1) * span + starts[below] - 1, side="left")
    hi = np.searchsorted(key_start, (rows[below] - 1) * span + ends[below] + 1, side="right")
    count = np.maximum(hi - lo, 0)
    b = np.repeat(below, count)
    offsets = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    a = np.repeat(lo, count) + offsets
    return a, b


def _labels(n, a, b):
    """Union-find over n runs joined by the pairs; each run's label is the smallest run index of its region."""
    parent = list(range(n))

    def find(i):
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    for i, j in zip(a.tolist(), b.tolist()):
        ri, rj = find(i), find(j)
        if ri != rj:
            if ri < rj:
                parent[rj] = ri
            else:
                parent[ri] = rj
    return np.array([find(i) for i in range(n)], np.int64)


def regions(mask, values, min_pixels=1):
    """The 8-connected regions of the nonzero pixels of `mask`, in raster order of their first pixel,
    with the sum of `values` (same shape) over each; regions under `min_pixels` pixels are left out."""
    height, width = mask.shape
    rows, starts, ends = _runs(mask)
    if len(rows) == 0:
        return []
    a, b = _touching_pairs(rows, starts, ends, width)
    label = _labels(len(rows), a, b)
    prefix = np.zeros((height, width + 1), np.float64)
    prefix[:, 1:] = np.cumsum(values, axis=1, dtype=np.float64)
    run_sum = prefix[rows, ends + 1] - prefix[rows, starts]
    # Runs are in raster order, so the smallest run index is the region's first pixel.
    order, inverse = np.unique(label, return_inverse=True)
    pixels = np.bincount(inverse, weights=ends - starts + 1)
    totals = np.bincount(inverse, weights=run_sum)
    out = []
    keep = np.nonzero(pixels >= min_pixels)[0]
    by_region = _row_extremes(inverse, rows, starts, ends, len(order))
    for k in keep.tolist():
        out.append(Region(int(pixels[k]), float(totals[k]), by_region[k]))
    return out


def _row_extremes(inverse, rows, starts, ends, count):
    """Per region, the (x, y) points of each row's leftmost and rightmost pixel."""
    key = inverse.astype(np.int64) * (int(rows.max()) + 1) + rows
    keys, where = np.unique(key, return_inverse=True)
    left = np.full(len(keys), np.iinfo(np.int64).max)
    right = np.full(len(keys), -1)
    np.minimum.at(left, where, starts)
    np.maximum.at(right, where, ends)
    region = (keys // (int(rows.max()) + 1)).tolist()
    row = (keys % (int(rows.max()) + 1)).tolist()
    out = [[] for _ in range(count)]
    for r, y, x0, x1 in zip(region, row, left.tolist(), right.tolist()):
        out[r].append((x0, y))
        out[r].append((x1, y))
    return out


def _cross(o, a, b):
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def convex_hull(points):
    """Andrew's monotone chain: clockwise on screen (y down), from the leftmost point, collinear points dropped."""
    unique = sorted(set(points))
    if len(unique) < 3:
        return unique
    lower, upper = [], []
    for p in unique:
        while len(lower) >= 2 and _cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(unique):
        while len(upper) >= 2 and _cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def normalize_rect(rect):
    """Turns the rect's frame by quarter turns so its angle lies in (-45, 45]."""
    cx, cy, width, height, angle = rect
    angle = math.fmod(math.fmod(angle, 360) + 360, 360)
    if angle > 180:
        angle -= 360
    while angle > 45:
        angle -= 90
        width, height = height, width
    while angle <= -45:
        angle += 90
        width, height = height, width
    return (cx, cy, width, height, 0.0 if angle == 0 else angle)


def min_area_rect(points):
    """The smallest-area rectangle around the points (rotating calipers over the convex hull), normalized."""
    hull = convex_hull(points)
    n = len(hull)
    if n == 0:
        raise ValueError("min_area_rect needs at least one point")
    if n == 1:
        return (float(hull[0][0]), float(hull[0][1]), 0.0, 0.0, 0.0)

    def at(k):
        return hull[k % n]

    def step(k, ex, ey):
        return (at(k + 1)[0] - at(k)[0]) * ex + (at(k + 1)[1] - at(k)[1]) * ey

    best, best_area = None, math.inf
    right = far = left = 0
    for i in range(n):
        p, q = at(i), at(i + 1)
        length = math.hypot(q[0] - p[0], q[1] - p[1])
        ex, ey = (q[0] - p[0]) / length, (q[1] - p[1]) / length
        nx, ny = -ey, ex  # the hull is clockwise on screen, so this points into it
        right = max(right, i + 1)
        while right < i + n and step(right, ex, ey) > 1e-9:
            right += 1
        far = max(far, right)
        while far < i + n and step(far, nx, ny) > 1e-9:
            far += 1
        left = max(left, far)
        while left < i + n and step(left, ex, ey) < -1e-9:
            left += 1
        max_u = (at(right)[0] - p[0]) * ex + (at(right)[1] - p[1]) * ey
        min_u = min(0, (at(left)[0] - p[0]) * ex + (at(left)[1] - p[1]) * ey)
        max_v = (at(far)[0] - p[0]) * nx + (at(far)[1] - p[1]) * ny
        area = (max_u - min_u) * max_v
        if area < best_area - 1e-9:
            best_area = area
            mu, mv = (min_u + max_u) / 2, max_v / 2
            best = (p[0] + ex * mu + nx * mv, p[1] + ey * mu + ny * mv, max_u - min_u, max_v, math.atan2(-ey, ex) * 180 / math.pi)
    return normalize_rect(best)


def frame_corners(rect):
    """Corners in the rect's own frame: TL, TR, BR, BL where its width and height axes start."""
    cx, cy, width, height, angle = rect
    a = angle * math.pi / 180
    c, s = math.cos(a), math.sin(a)
    ux, uy = c * width / 2, -s * width / 2
    vx, vy = s * height / 2, c * height / 2
    return [(cx - ux - vx, cy - uy - vy), (cx + ux - vx, cy + uy - vy), (cx + ux + vx, cy + uy + vy), (cx - ux + vx, cy - uy + vy)]


def corners(rect):
    """The rectangle's corners, clockwise on screen from the top-left (after normalizing its angle)."""
    return frame_corners(normalize_rect(rect))


def polygon_area(points):
    """Shoelace area, whatever the orientation."""
    total = 0.0
    for i in range(len(points)):
        a, b = points[i], points[(i + 1) % len(points)]
        total += a[0] * b[1] - b[0] * a[1]
    return abs(total) / 2
