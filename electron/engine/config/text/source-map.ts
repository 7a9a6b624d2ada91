/**
 * Resolves a config field path (e.g. ensemble_scheduling.step[2].input_map["x"])
 * to where it is written, so diagnostics can point at a line.
 */
import { elementsOf, type OMessage, type OScalar } from './outline';
import type { Span } from './tokens';

export type PathSeg = string | number | { key: string };
export type FieldPath = readonly PathSeg[];

export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'string') out += out ? `.${seg}` : seg;
    else if (typeof seg === 'number') out += `[${seg}]`;
    else out += `[${JSON.stringify(seg.key)}]`;
  }
  return out;
}

function mapKeyOf(entry: OMessage): string | undefined {
  const key = entry.fields.find((f) => f.name === 'key')?.value;
  if (key?.kind !== 'scalar') return undefined;
  const tok = (key as OScalar).token;
  if (tok.type === 'string' || tok.type === 'identifier') return tok.value;
  return (key.negative ? '-' : '') + tok.text;
}

/**
 * The span of the deepest element of `path` present in the document: a field
 * from its name to the end of its value, a list element or map entry as a whole.
 */
export function spanAt(root: OMessage, path: FieldPath): Span | undefined {
  let cur: OMessage | undefined = root;
  let best: Span | undefined;
  for (let i = 0; i < path.length && cur; i++) {
    const seg = path[i];
    if (typeof seg !== 'string') return best;
    const els = elementsOf(cur, seg);
    const next = path[i + 1];
    let el: (typeof els)[number] | undefined;
    if (typeof next === 'number') {
      el = els[next];
      i++;
    } else if (next !== undefined && typeof next === 'object') {
      el = els.find((e) => e.value.kind === 'message' && mapKeyOf(e.value) === next.key);
      i++;
    } else {
      el = els[els.length - 1];
    }
    if (!el) return best;
    const inList = el.field.value?.kind === 'list';
    best = inList ? el.value.span : { start: el.field.nameSpan.start, end: el.value.span.end };
    cur = el.value.kind === 'message' ? el.value : undefined;
  }
  return best;
}
