"""Greedy CTC decoding of the recognizer's [N, T, C] softmax output, after
PaddleOCR's CTCLabelDecode: take the best class per time step, merge repeats,
drop blanks. The same rules as the script version of this sample
(ctc-decode.js).
"""
import numpy as np

# The characters JavaScript's String.prototype.trim() removes (the script version trims with it).
JS_WHITESPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def parse_charset(keys_text):
    """The recognizer's classes: 0 is the CTC blank, then one class per line of the key file, then a
    space (PaddleOCR's use_space_char)."""
    keys = [k[:-1] if k.endswith("\r") else k for k in keys_text.split("\n")]
    if keys and keys[-1] == "":
        keys.pop()
    return [""] + keys + [" "]


def ctc_decode(probs, charset):
    """One (text, score) per batch row; score is the mean probability of the kept characters (0 for none)."""
    probs = np.asarray(probs, np.float32)
    n, steps, classes = probs.shape
    if classes != len(charset):
        raise ValueError("the recognizer has %d classes but the key file gives %d" % (classes, len(charset)))
    best = probs.argmax(axis=2)  # ties go to the first, as in the script version
    out = []
    for b in range(n):
        prev, chars, total, count = -1, [], 0.0, 0
        for t, k in enumerate(best[b].tolist()):
            if k != 0 and k != prev:
                chars.append(charset[k])
                total += float(probs[b, t, k])
                count += 1
            prev = k
        # Leading and trailing spaces come from the background around the text.
        out.append(("".join(chars).strip(JS_WHITESPACE), total / count if count else 0.0))
    return out


def confident_lines(lines, min_score=0.5):
    """Lines worth reporting: some text, read with a mean confidence of at least min_score (PaddleOCR's drop_score)."""
    return [line for line in lines if line[0] != "" and line[1] >= min_score]
