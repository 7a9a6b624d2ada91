// Greedy CTC decoding of the recognizer's [N, T, C] softmax output, after
// PaddleOCR's CTCLabelDecode: take the best class per time step, merge
// repeats, drop blanks.

/**
 * The recognizer's classes from the key file: 0 is the CTC blank, then one
 * class per line of the file, then a space (PaddleOCR's use_space_char).
 */
export function parseCharset(keysText) {
  const keys = keysText.split('\n').map((k) => k.replace(/\r$/, ''));
  if (keys[keys.length - 1] === '') keys.pop();
  return ['', ...keys, ' '];
}

/** One `{ text, score }` per batch row; score is the mean probability of the kept characters (0 for none). */
export function ctcDecode(lab, probs, shape, charset) {
  const [n, steps, classes] = shape;
  if (classes !== charset.length) throw new Error(`the recognizer has ${classes} classes but the key file gives ${charset.length}`);
  const out = [];
  for (let b = 0; b < n; b++) {
    let prev = -1;
    let text = '';
    let sum = 0;
    let count = 0;
    for (let t = 0; t < steps; t++) {
      const offset = (b * steps + t) * classes;
      const k = lab.array.argmax(probs, offset, classes);
      if (k !== 0 && k !== prev) {
        text += charset[k];
        sum += probs[offset + k];
        count++;
      }
      prev = k;
    }
    // Leading and trailing spaces come from the background around the text.
    out.push({ text: text.trim(), score: count ? sum / count : 0 });
  }
  return out;
}

/** Lines worth reporting: some text, read with a mean confidence of at least `minScore` (PaddleOCR's drop_score). */
export function confidentLines(lines, minScore = 0.5) {
  return lines.filter((l) => l.text !== '' && l.score >= minScore);
}
