/**
 * What went into a run, in a few words for the run history ("tilted-text.png",
 * "scan.jpg, values"): the history lists many runs of one model, and without
 * their inputs they cannot be told apart. File inputs name their sample or
 * file (never a whole path: the label is shown, not used); typed inputs
 * (values, generated data, text lines) read "values".
 */
import path from 'node:path';
import type { ImageSource, InputSpec } from '../../contract/lab-api';

/** Labels longer than this are cut (a run with many inputs still fits one history row). */
export const MAX_INPUT_LABEL = 120;

function sourceName(src: ImageSource | undefined): string {
  if (!src || typeof src !== 'object') return 'file';
  if ('sample' in src && typeof src.sample === 'string') return src.sample;
  if ('base64' in src) return typeof src.fileName === 'string' && src.fileName.trim() ? path.basename(src.fileName.trim()) : 'uploaded file';
  if ('path' in src && typeof src.path === 'string' && src.path.trim()) return path.basename(src.path.trim());
  return 'file';
}

/** One label per input, in order, the same word written once ("values" for three typed inputs). */
export function inputLabel(specs: readonly InputSpec[] | undefined): string {
  if (!Array.isArray(specs) || specs.length === 0) return 'no inputs';
  const parts: string[] = [];
  for (const spec of specs) {
    const part = spec && (spec.kind === 'image' || spec.kind === 'bytes') ? sourceName(spec.source) : 'values';
    if (!parts.includes(part)) parts.push(part);
  }
  const label = parts.join(', ');
  return label.length > MAX_INPUT_LABEL ? `${label.slice(0, MAX_INPUT_LABEL - 1)}…` : label;
}
