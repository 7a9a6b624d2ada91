"""DB (Differentiable Binarization) post-processing, after PaddleOCR's
DBPostProcess: threshold the text probability map, take connected regions,
fit a minimum-area rectangle to each, keep the confident ones, grow them back
to the full text size ("unclip": the model was trained to predict a shrunk
text kernel) and map them onto the original image. Then boxes that continue
each other on a line are joined, boxes inside larger ones dropped, and the
rest put in reading order. The same steps and constants as the script
version of this sample (db-postprocess.js).
"""
import math

import numpy as np

import geometry

DB_DEFAULTS = {
    "threshold": 0.3,  # probability above which a pixel is text
    "box_threshold": 0.6,  # mean probability a region needs to count as text
    "unclip_ratio": 1.5,  # growth distance = area * ratio / perimeter
    "min_size": 3,  # regions thinner than this (map pixels) are noise
    "max_candidates": 1000,
    "merge_gap": 1.0,  # boxes on one line closer than this many line heights are one line
}


class Box:
    """A text box: 4 corners (x, y) clockwise from the top-left in image pixels, and its mean text probability."""

    __slots__ = ("points", "score")

    def __init__(self, points, score):
        self.points = points
        self.score = score


def find_text_boxes(prob, image_width, image_height, **options):
    """Text boxes in original-image coordinates, in reading order; `prob` is one [H, W] probability map."""
    o = dict(DB_DEFAULTS, **options)
    map_height, map_width = prob.shape
    prob = np.asarray(prob, np.float32)
    mask = prob > o["threshold"]
    found = geometry.regions(mask, prob, min_pixels=o["min_size"] * o["min_size"])
    sx, sy = image_width / map_width, image_height / map_height
    boxes = []
    for region in found[: o["max_candidates"]]:
        box = _region_box(region, o, sx, sy, image_width, image_height)
        if box is not None:
            boxes.append(box)
    lines = merge_line_boxes(boxes, o["merge_gap"]) if o["merge_gap"] > 0 else boxes
    return reading_order(drop_contained(lines))


def _region_box(region, o, sx, sy, image_width, image_height):
    cx, cy, width, height, angle = geometry.min_area_rect(region.extremes)
    if min(width, height) < o["min_size"]:
        return None
    score = region.total / region.pixels
    if score < o["box_threshold"]:
        return None
    distance = (width * height * o["unclip_ratio"]) / (2 * (width + height))
    grown = (cx, cy, width + 2 * distance, height + 2 * distance, angle)
    if min(grown[2], grown[3]) < o["min_size"] + 2:
        return None
    # Map pixel-centre coordinates between the two grids, then keep inside the image.
    points = [
        (
            min(image_width - 0.5, max(-0.5, (x + 0.5) * sx - 0.5)),
            min(image_height - 0.5, max(-0.5, (y + 0.5) * sy - 0.5)),
        )
        for x, y in geometry.corners(grown)
    ]
    return Box(points, score)


def _inside_polygon(p, poly):
    inside = False
    j = len(poly) - 1
    for i in range(len(poly)):
        a, b = poly[i], poly[j]
        if (a[1] > p[1]) != (b[1] > p[1]) and p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0]:
            inside = not inside
        j = i
    return inside


def drop_contained(boxes):
    """Drops boxes whose centre lies inside a larger box: the dot of an i, or a stray mark within a line already read."""
    area = [geometry.polygon_area(b.points) for b in boxes]
    kept = []
    for i, box in enumerate(boxes):
        c = (sum(p[0] for p in box.points) / 4, sum(p[1] for p in box.points) / 4)
        if not any(j != i and area[j] > area[i] and _inside_polygon(c, other.points) for j, other in enumerate(boxes)):
            kept.append(box)
    return kept


def _extent(box, u, v):
    """A box's extent along unit axes u (its reading direction) and v (down the line)."""
    us = [p[0] * u[0] + p[1] * u[1] for p in box.points]
    vs = [p[0] * v[0] + p[1] * v[1] for p in box.points]
    return min(us), max(us), min(vs), max(vs)


def _is_vertical(e):
    return e[3] - e[2] > 1.5 * (e[1] - e[0])


def _joins(ea, eb, max_gap):
    ha, hb = ea[3] - ea[2], eb[3] - eb[2]
    same_line = abs((ea[2] + ea[3]) / 2 - (eb[2] + eb[3]) / 2) < min(ha, hb) / 2
    gap = max(eb[0] - ea[1], ea[0] - eb[1])
    return same_line and max(ha, hb) <= 1.5 * min(ha, hb) and gap <= max_gap * min(ha, hb)


def _merge_once(merged, max_gap):
    """Joins the first pair that continues each other on a line; False when there is none."""
    for i, a in enumerate(merged):
        dx, dy = a.points[1][0] - a.points[0][0], a.points[1][1] - a.points[0][1]
        length = math.hypot(dx, dy) or 1
        u = (dx / length, dy / length)
        v = (-u[1], u[0])
        ea = _extent(a, u, v)
        if _is_vertical(ea):
            continue
        for j, b in enumerate(merged):
            if i == j:
                continue
            eb = _extent(b, u, v)
            if _is_vertical(eb) or not _joins(ea, eb, max_gap):
                continue
            rect = geometry.min_area_rect(list(a.points) + list(b.points))
            wa, wb = ea[1] - ea[0], eb[1] - eb[0]
            merged[i] = Box(geometry.corners(rect), (a.score * wa + b.score * wb) / (wa + wb))
            del merged[j]
            return True
    return False


def merge_line_boxes(boxes, max_gap):
    """Joins boxes that continue each other on the same line (DB often splits large text into words);
    columns of vertical text are left alone."""
    merged = list(boxes)
    while _merge_once(merged, max_gap):
        pass
    return merged


def reading_order(boxes):
    """Top-to-bottom lines, left to right within a line; two boxes share a line when their vertical
    centres are closer than half the smaller box height."""
    info = []
    for box in boxes:
        xs = [p[0] for p in box.points]
        ys = [p[1] for p in box.points]
        p = box.points
        height = (math.hypot(p[3][0] - p[0][0], p[3][1] - p[0][1]) + math.hypot(p[2][0] - p[1][0], p[2][1] - p[1][1])) / 2
        info.append({"box": box, "cy": (min(ys) + max(ys)) / 2, "cx": (min(xs) + max(xs)) / 2, "height": height})
    info.sort(key=lambda b: b["cy"])
    lines = []
    for b in info:
        line = lines[-1] if lines else None
        if line and abs(b["cy"] - line["cy"]) < min(b["height"], line["height"]) / 2:
            line["items"].append(b)
            line["cy"] = sum(i["cy"] for i in line["items"]) / len(line["items"])
            line["height"] = max(line["height"], b["height"])
        else:
            lines.append({"cy": b["cy"], "height": b["height"], "items": [b]})
    return [i["box"] for line in lines for i in sorted(line["items"], key=lambda i: i["cx"])]
