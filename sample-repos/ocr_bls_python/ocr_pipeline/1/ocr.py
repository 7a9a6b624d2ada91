"""The OCR flow of ocr_pipeline, independent of how models are called:
`infer(model, array, output_name)` runs one model (through BLS in model.py)
and returns its output as a numpy array. The same flow as the script version
of this sample (ocr.js): detection, crops, text direction, recognition.
"""
import crop
import ctc_decode
import db_postprocess
import det_preprocess
import direction
import image_decode
import imaging

# The max_batch_size of text_direction and text_recognition: larger sets go in chunks.
CHUNK = 8
# A crop this likely to be upside down is read both ways.
MAYBE_UPSIDE_DOWN = 0.5


def _in_chunks(items, width, run):
    """Runs `run` over `items` in chunks of CHUNK, items of similar width together so little of a batch is padding."""
    order = sorted(range(len(items)), key=lambda i: width(items[i]))
    out = [None] * len(items)
    for start in range(0, len(order), CHUNK):
        ids = order[start : start + CHUNK]
        for k, result in zip(ids, run([items[k] for k in ids])):
            out[k] = result
    return out


def _upside_down_odds(crops, infer):
    """For each crop, the classifier's probability that it is upside down (mean over its windows)."""
    windows = [(window, owner) for owner, c in enumerate(crops) for window in direction.direction_windows(c)]
    probs = []
    for start in range(0, len(windows), CHUNK):
        part = windows[start : start + CHUNK]
        out = infer("text_direction", direction.direction_batch([w for w, _ in part]), "softmax_0.tmp_0")
        probs.extend(direction.upside_down_probabilities(out, len(part)))
    total = [0.0] * len(crops)
    count = [0] * len(crops)
    for (_, owner), p in zip(windows, probs):
        total[owner] += p
        count[owner] += 1
    return [t / c for t, c in zip(total, count)]


def _read_crops(boxes, crops, odds, infer, charset):
    """Single lines: the classifier proposes, the recognizer decides. A crop that may be upside down is
    read both ways; the more confident reading wins."""
    candidates = [(c, owner, False) for owner, c in enumerate(crops)]
    candidates += [(imaging.rotate(crops[k], 180), k, True) for k in range(len(crops)) if odds[k] >= MAYBE_UPSIDE_DOWN]

    def read(part):
        out = infer("text_recognition", crop.recognition_batch([c for c, _, _ in part]), "softmax_11.tmp_0")
        return ctc_decode.ctc_decode(out, charset)

    readings = _in_chunks(candidates, lambda c: c[0].shape[1] / c[0].shape[0], read)
    lines = [{"text": "", "score": -1.0, "box": box.points, "upside_down": False} for box in boxes]
    for (_, owner, upside_down), (text, score) in zip(candidates, readings):
        if score > lines[owner]["score"]:
            lines[owner] = {"text": text, "score": score, "box": boxes[owner].points, "upside_down": upside_down}
    return lines


def _read_image(image, infer, charset, may_turn_page):
    detected = infer("text_detection", det_preprocess.detection_input(image), "sigmoid_0.tmp_0")
    prob = detected.reshape((-1,) + detected.shape[-2:])[0]
    height, width = image.shape[:2]
    boxes = db_postprocess.find_text_boxes(prob, width, height)
    crops = [crop.crop_text(image, box.points) for box in boxes]
    odds = _upside_down_odds(crops, infer)
    # Most of the text upside down (longer lines weigh more): the page is. Turn it and start over, so
    # that detection, line merging and reading order all see upright text.
    total_width = sum(c.shape[1] for c in crops)
    page_odds = sum(c.shape[1] * odds[k] for k, c in enumerate(crops)) / total_width if total_width else float("nan")
    if may_turn_page and page_odds > 0.5:
        lines = _read_image(imaging.rotate(image, 180), infer, charset, False)
        for line in lines:
            line["box"] = [(width - 1 - x, height - 1 - y) for x, y in line["box"]]
            line["upside_down"] = not line["upside_down"]
        return lines
    return _read_crops(boxes, crops, odds, infer, charset)


def read_text(data, infer, charset):
    """Lines read from encoded image bytes, in reading order: dicts with text, score, box (4 corners in
    image pixels, clockwise from the text's own top-left) and upside_down."""
    image = image_decode.decode_rgb(data)
    lines = _read_image(image, infer, charset, True)
    return [line for line in lines if line["text"] != "" and line["score"] >= 0.5]
