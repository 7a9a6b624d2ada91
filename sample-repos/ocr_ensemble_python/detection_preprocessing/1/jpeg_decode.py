"""Baseline JPEG decoding with numpy and the standard library (used when OpenCV
is not importable).

Sequential Huffman JPEG (SOF0/SOF1, 8-bit samples, gray or YCbCr/RGB, any
sampling factors, restart intervals), decoded the way libjpeg does it with
its default settings, so the pixels match what libvips (the script version of
this sample) and OpenCV give to within a level of rounding: IDCT, "fancy"
(triangle) chroma upsampling, and libjpeg's fixed-point YCbCr -> RGB.
Progressive and arithmetic-coded JPEGs are refused with a message naming
OpenCV, which decodes them.
"""
import array
import re
import struct

import numpy as np

# Natural (row-major) position of the k-th coefficient in zigzag order.
ZIGZAG = (
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
    12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
    35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
    58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
)  # fmt: skip
# The Huffman decoding runs in Python (about half a microsecond a pixel): larger JPEGs are left to OpenCV.
MAX_PIXELS = 25_000_000
_MARKER = re.compile(rb"\xff+[^\x00\xff]")


class JpegError(ValueError):
    """Bytes this decoder cannot read as a JPEG; the message says why."""


def _fail(message):
    raise JpegError(message)


def tiff_orientation(tiff):
    """EXIF orientation (1-8) from a TIFF-structured EXIF block; 1 when absent or unreadable."""
    if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
        return 1
    order = "<" if tiff[:2] == b"II" else ">"
    (ifd,) = struct.unpack(order + "I", tiff[4:8])
    if ifd + 2 > len(tiff):
        return 1
    (count,) = struct.unpack(order + "H", tiff[ifd : ifd + 2])
    for i in range(count):
        entry = tiff[ifd + 2 + 12 * i : ifd + 14 + 12 * i]
        if len(entry) < 12:
            break
        tag, kind = struct.unpack(order + "HH", entry[:4])
        if tag == 0x0112 and kind == 3:
            (value,) = struct.unpack(order + "H", entry[8:10])
            return value if 1 <= value <= 8 else 1
    return 1


def exif_orientation_of(data):
    """The EXIF orientation in a JPEG's APP1 segment (1 when there is none)."""
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker in (0xDA, 0xD9):
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        body = data[pos + 4 : pos + 2 + length]
        if marker == 0xE1 and body.startswith(b"Exif\x00\x00"):
            return tiff_orientation(body[6:])
        pos += 2 + length
    return 1


class _Frame:
    def __init__(self):
        self.quant = {}
        self.huffman = {}
        self.restart = 0
        self.components = []  # dicts: id, h, v, tq, coefs
        self.width = self.height = 0
        self.hmax = self.vmax = 1
        self.adobe_transform = None
        self.orientation = 1


def decode_jpeg(data):
    """JPEG bytes -> (uint8 [H, W, 1 or 3] pixels, EXIF orientation)."""
    try:
        return _decode(data)
    except (IndexError, OverflowError, struct.error) as exc:  # values no valid JPEG has
        raise JpegError("JPEG data is corrupt (%s)" % exc) from exc


def _decode(data):
    frame = _Frame()
    pos = 2
    while True:
        match = _MARKER.search(data, pos)
        if match is None:
            _fail("JPEG without an end: the file is cut short")
        marker, pos = match.group()[-1], match.end()
        if marker == 0xD9:
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if pos + 2 > len(data):
            _fail("JPEG segment header cut short")
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        body = data[pos + 2 : pos + length]
        if len(body) != length - 2:
            _fail("JPEG segment 0x%02X cut short" % marker)
        pos += length
        if marker == 0xDA:
            pos = _scan(frame, body, data, pos)
        else:
            _segment(frame, marker, body)
    if not frame.components or not _all_decoded(frame):
        _fail("JPEG without image data")
    return _pixels(frame), frame.orientation


def _all_decoded(frame):
    return all(c.get("decoded") for c in frame.components)


def _segment(frame, marker, body):
    if marker == 0xDB:
        _read_quant(frame, body)
    elif marker == 0xC4:
        _read_huffman(frame, body)
    elif marker in (0xC0, 0xC1):
        _read_frame(frame, body)
    elif marker == 0xDD:
        frame.restart = struct.unpack(">H", body[:2])[0]
    elif marker == 0xE1 and body.startswith(b"Exif\x00\x00"):
        frame.orientation = tiff_orientation(body[6:])
    elif marker == 0xEE and body.startswith(b"Adobe") and len(body) >= 12:
        frame.adobe_transform = body[11]
    elif marker in (0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
        _fail(
            "this JPEG is progressive, lossless or arithmetic-coded (SOF 0x%02X): only baseline JPEG is decoded "
            "without OpenCV; pip install opencv-python-headless" % marker
        )


def _read_quant(frame, body):
    pos = 0
    while pos < len(body):
        precision, table = body[pos] >> 4, body[pos] & 15
        size = 128 if precision else 64
        values = struct.unpack(">64H" if precision else "64B", body[pos + 1 : pos + 1 + size])
        natural = [0] * 64
        for k, v in enumerate(values):
            natural[ZIGZAG[k]] = v
        frame.quant[table] = np.array(natural, np.float64).reshape(8, 8)
        pos += 1 + size


def _read_huffman(frame, body):
    pos = 0
    while pos < len(body):
        kind, table = body[pos] >> 4, body[pos] & 15
        counts = body[pos + 1 : pos + 17]
        total = sum(counts)
        values = body[pos + 17 : pos + 17 + total]
        if len(counts) < 16 or len(values) < total:
            _fail("JPEG Huffman table cut short")
        frame.huffman[(kind, table)] = _lookup(counts, values)
        pos += 17 + total


def _lookup(counts, values):
    """A 16-bit peek table: entry = (code length << 8) | symbol, 0 for no code."""
    table = [0] * 65536
    code, k = 0, 0
    for length in range(1, 17):
        for _ in range(counts[length - 1]):
            span = 1 << (16 - length)
            start = code << (16 - length)
            if start + span > 65536:
                _fail("JPEG Huffman table is not a valid code")
            table[start : start + span] = [(length << 8) | values[k]] * span
            code += 1
            k += 1
        code <<= 1
    return table


def _read_frame(frame, body):
    precision, height, width, count = struct.unpack(">BHHB", body[:6])
    if precision != 8:
        _fail("JPEG with %d-bit samples: only 8-bit is decoded without OpenCV" % precision)
    if width == 0 or height == 0:
        _fail("JPEG of %dx%d pixels is empty" % (width, height))
    if width * height > MAX_PIXELS:
        _fail(
            "JPEG of %dx%d pixels is larger than the %d pixels decoded without OpenCV; "
            "pip install opencv-python-headless" % (width, height, MAX_PIXELS)
        )
    if count not in (1, 3) or len(body) < 6 + 3 * count:
        _fail("JPEG with %d components: gray and colour (3) are decoded without OpenCV" % count)
    frame.width, frame.height = width, height
    for i in range(count):
        cid, sampling, tq = body[6 + 3 * i : 9 + 3 * i]
        h, v = sampling >> 4, sampling & 15
        if not (1 <= h <= 4 and 1 <= v <= 4):
            _fail("JPEG component %d has sampling factors %dx%d" % (cid, h, v))
        frame.components.append({"id": cid, "h": h, "v": v, "tq": tq})
    frame.hmax = max(c["h"] for c in frame.components)
    frame.vmax = max(c["v"] for c in frame.components)
    mcux = -(-width // (8 * frame.hmax))
    mcuy = -(-height // (8 * frame.vmax))
    for c in frame.components:
        c["bw"], c["bh"] = mcux * c["h"], mcuy * c["v"]
        c["coefs"] = array.array("i", bytes(4 * c["bw"] * c["bh"] * 64))


def _scan_segments(data, pos):
    """The entropy-coded segments of a scan (split at restart markers, stuffing removed) and where the scan ends."""
    segments = []
    while True:
        match = _MARKER.search(data, pos)
        if match is None:
            segments.append(data[pos:].replace(b"\xff\x00", b"\xff"))
            return segments, len(data)
        segments.append(data[pos : match.start()].replace(b"\xff\x00", b"\xff"))
        marker = match.group()[-1]
        if not 0xD0 <= marker <= 0xD7:
            return segments, match.start()
        pos = match.end()


def _scan(frame, header, data, pos):
    if not frame.components:
        _fail("JPEG scan before its frame header")
    count = header[0]
    by_id = {c["id"]: c for c in frame.components}
    parts = []
    for i in range(count):
        cid, tables = header[1 + 2 * i : 3 + 2 * i]
        comp = by_id.get(cid) or _fail("JPEG scan names component %d, which the frame lacks" % cid)
        dc = frame.huffman.get((0, tables >> 4)) or _fail("JPEG scan uses a DC table that is not defined")
        ac = frame.huffman.get((1, tables & 15)) or _fail("JPEG scan uses an AC table that is not defined")
        parts.append((comp, dc, ac))
    segments, end = _scan_segments(data, pos)
    _decode_scan(frame, parts, segments)
    for comp, _, _ in parts:
        comp["decoded"] = True
    return end


def _blocks_of_scan(frame, parts):
    """Per MCU of the scan: the (component index, block row, block column) of each of its blocks."""
    if len(parts) == 1:
        comp = parts[0][0]
        cols = -(-(-(-frame.width * comp["h"] // frame.hmax)) // 8)
        rows = -(-(-(-frame.height * comp["v"] // frame.vmax)) // 8)
        return [[(0, r, c)] for r in range(rows) for c in range(cols)]
    mcux = -(-frame.width // (8 * frame.hmax))
    mcuy = -(-frame.height // (8 * frame.vmax))
    mcus = []
    for my in range(mcuy):
        for mx in range(mcux):
            mcu = []
            for k, (comp, _, _) in enumerate(parts):
                for v in range(comp["v"]):
                    for h in range(comp["h"]):
                        mcu.append((k, my * comp["v"] + v, mx * comp["h"] + h))
            mcus.append(mcu)
    return mcus


def _decode_scan(frame, parts, segments):
    mcus = _blocks_of_scan(frame, parts)
    interval = frame.restart or len(mcus)
    for start in range(0, len(mcus), interval):
        segment = segments[start // interval] if start // interval < len(segments) else b""
        _decode_segment(parts, mcus[start : start + interval], segment + b"\x00" * 8)


def _decode_segment(parts, mcus, data):
    """Huffman-decodes one restart interval into the components' coefficient lists (zigzag -> natural)."""
    acc, nbits, pos = 0, 0, 0
    preds = [0] * len(parts)
    end = len(data) - 8
    zigzag = ZIGZAG
    for mcu in mcus:
        for k, row, col in mcu:
            comp, dc, ac = parts[k]
            coefs = comp["coefs"]
            base = (row * comp["bw"] + col) * 64
            if nbits < 16:
                acc = ((acc << 16) | (data[pos] << 8) | data[pos + 1]) & 0xFFFFFFFF
                pos += 2
                nbits += 16
            entry = dc[(acc >> (nbits - 16)) & 0xFFFF]
            if not entry:
                _fail("JPEG data is corrupt (no Huffman code matches)")
            nbits -= entry >> 8
            size = entry & 0xFF
            diff = 0
            if size:
                if nbits < 16:
                    acc = ((acc << 16) | (data[pos] << 8) | data[pos + 1]) & 0xFFFFFFFF
                    pos += 2
                    nbits += 16
                diff = (acc >> (nbits - size)) & ((1 << size) - 1)
                nbits -= size
                if diff < (1 << (size - 1)):
                    diff -= (1 << size) - 1
            preds[k] += diff
            coefs[base] = preds[k]
            i = 1
            while i < 64:
                if nbits < 16:
                    acc = ((acc << 16) | (data[pos] << 8) | data[pos + 1]) & 0xFFFFFFFF
                    pos += 2
                    nbits += 16
                entry = ac[(acc >> (nbits - 16)) & 0xFFFF]
                if not entry:
                    _fail("JPEG data is corrupt (no Huffman code matches)")
                nbits -= entry >> 8
                symbol = entry & 0xFF
                run, size = symbol >> 4, symbol & 15
                if size == 0:
                    if run != 15:
                        break
                    i += 16
                    continue
                i += run
                if i > 63:
                    _fail("JPEG data is corrupt (coefficient index past 63)")
                if nbits < 16:
                    acc = ((acc << 16) | (data[pos] << 8) | data[pos + 1]) & 0xFFFFFFFF
                    pos += 2
                    nbits += 16
                value = (acc >> (nbits - size)) & ((1 << size) - 1)
                nbits -= size
                if value < (1 << (size - 1)):
                    value -= (1 << size) - 1
                coefs[base + zigzag[i]] = value
                i += 1
            if pos * 8 - nbits > end * 8:
                _fail("JPEG data is cut short")


def _idct_matrix():
    x = np.arange(8)[:, None]
    u = np.arange(8)[None, :]
    c = np.where(u == 0, np.sqrt(0.5), 1.0) / 2 * np.cos((2 * x + 1) * u * np.pi / 16)
    return c  # [x, u]


def _component_plane(frame, comp):
    quant = frame.quant.get(comp["tq"])
    if quant is None:
        _fail("JPEG component %d uses quantization table %d, which is not defined" % (comp["id"], comp["tq"]))
    blocks = np.frombuffer(comp["coefs"], np.int32).reshape(comp["bh"], comp["bw"], 8, 8) * quant
    c = _idct_matrix()
    spatial = np.einsum("xu,abuv,yv->abxy", c, blocks, c, optimize=True)
    samples = np.clip(np.floor(spatial + 128.5), 0, 255).astype(np.int32)
    plane = samples.transpose(0, 2, 1, 3).reshape(comp["bh"] * 8, comp["bw"] * 8)
    height = -(-frame.height * comp["v"] // frame.vmax)
    width = -(-frame.width * comp["h"] // frame.hmax)
    return plane[:height, :width]


def _fancy_h2(plane):
    """libjpeg's h2v1 triangle upsampling of columns (3/4 nearer + 1/4 farther)."""
    left = np.concatenate([plane[:, :1], plane[:, :-1]], axis=1)
    right = np.concatenate([plane[:, 1:], plane[:, -1:]], axis=1)
    out = np.empty((plane.shape[0], plane.shape[1] * 2), np.int32)
    out[:, 0::2] = (plane * 3 + left + 1) >> 2
    out[:, 1::2] = (plane * 3 + right + 2) >> 2
    out[:, 0] = plane[:, 0]
    out[:, -1] = plane[:, -1]
    return out


def _fancy_h2v2(plane):
    """libjpeg's h2v2 triangle upsampling: rows weighted 3:1, then columns 3:1, with its rounding biases."""
    above = np.concatenate([plane[:1], plane[:-1]], axis=0)
    below = np.concatenate([plane[1:], plane[-1:]], axis=0)
    out = np.empty((plane.shape[0] * 2, plane.shape[1] * 2), np.int32)
    for v, far in ((0, above), (1, below)):
        colsum = plane * 3 + far
        left = np.concatenate([colsum[:, :1], colsum[:, :-1]], axis=1)
        right = np.concatenate([colsum[:, 1:], colsum[:, -1:]], axis=1)
        out[v::2, 0::2] = (colsum * 3 + left + 8) >> 4
        out[v::2, 1::2] = (colsum * 3 + right + 7) >> 4
        out[v::2, 0] = (colsum[:, 0] * 4 + 8) >> 4
        out[v::2, -1] = (colsum[:, -1] * 4 + 7) >> 4
    return out


def _fancy_v2(plane):
    above = np.concatenate([plane[:1], plane[:-1]], axis=0)
    below = np.concatenate([plane[1:], plane[-1:]], axis=0)
    out = np.empty((plane.shape[0] * 2, plane.shape[1]), np.int32)
    out[0::2] = (plane * 3 + above + 1) >> 2
    out[1::2] = (plane * 3 + below + 2) >> 2
    return out


def _upsample(frame, comp, plane):
    fh, fv = frame.hmax // comp["h"], frame.vmax // comp["v"]
    if frame.hmax % comp["h"] or frame.vmax % comp["v"]:
        _fail("JPEG sampling factors that do not divide evenly are decoded only by OpenCV")
    if (fh, fv) == (2, 2) and plane.shape[1] > 1:
        plane = _fancy_h2v2(plane)
    elif (fh, fv) == (2, 1) and plane.shape[1] > 1:
        plane = _fancy_h2(plane)
    elif (fh, fv) == (1, 2):
        plane = _fancy_v2(plane)
    elif (fh, fv) != (1, 1):
        plane = np.repeat(np.repeat(plane, fv, axis=0), fh, axis=1)
    return plane[: frame.height, : frame.width]


def _fix(x):
    return int(x * 65536 + 0.5)


def _ycc_to_rgb(y, cb, cr):
    """libjpeg's fixed-point YCbCr -> RGB (16 fraction bits, rounded, clamped)."""
    cb, cr = cb - 128, cr - 128
    half = 1 << 15
    r = y + ((_fix(1.40200) * cr + half) >> 16)
    g = y + ((-_fix(0.34414) * cb - _fix(0.71414) * cr + half) >> 16)
    b = y + ((_fix(1.77200) * cb + half) >> 16)
    return np.clip(np.stack([r, g, b], axis=2), 0, 255).astype(np.uint8)


def _pixels(frame):
    planes = [_upsample(frame, c, _component_plane(frame, c)) for c in frame.components]
    if len(planes) == 1:
        return planes[0].astype(np.uint8)[:, :, None]
    ids = tuple(c["id"] for c in frame.components)
    if frame.adobe_transform == 0 or ids == (82, 71, 66):  # Adobe "no transform", or components named R, G, B
        return np.clip(np.stack(planes, axis=2), 0, 255).astype(np.uint8)
    return _ycc_to_rgb(*planes)
