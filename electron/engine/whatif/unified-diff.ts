/**
 * A unified diff (the `diff -u` / git format: `--- a`, `+++ b`, `@@ -l,n +l,n @@` hunks with 3
 * lines of context) of two config texts, from a longest-common-subsequence line match. Configs
 * are small; texts over the line bound are shown as all removed then all added.
 */

const MAX_LINES = 4000;
const CONTEXT = 3;

type Op = { kind: ' ' | '-' | '+'; text: string };

function lines(s: string): string[] {
  return s === '' ? [] : s.replace(/\n$/, '').split('\n');
}

function ops(a: string[], b: string[]): Op[] {
  if (a.length > MAX_LINES || b.length > MAX_LINES) return [...a.map((text) => ({ kind: '-' as const, text })), ...b.map((text) => ({ kind: '+' as const, text }))];
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ kind: ' ', text: a[i++]! });
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ kind: '-', text: a[i++]! });
    else out.push({ kind: '+', text: b[j++]! });
  }
  while (i < a.length) out.push({ kind: '-', text: a[i++]! });
  while (j < b.length) out.push({ kind: '+', text: b[j++]! });
  return out;
}

/** Groups of changed ops with their context: [first, last] op indexes. */
function hunkRanges(all: Op[]): [number, number][] {
  const ranges: [number, number][] = [];
  all.forEach((op, k) => {
    if (op.kind === ' ') return;
    const from = Math.max(0, k - CONTEXT);
    const to = Math.min(all.length - 1, k + CONTEXT);
    const last = ranges[ranges.length - 1];
    if (last && from <= last[1] + 1) last[1] = to;
    else ranges.push([from, to]);
  });
  return ranges;
}

/** `diff -u` of before → after; '' when they are equal. */
export function unifiedDiff(before: string, after: string, fromName: string, toName: string): string {
  const all = ops(lines(before), lines(after));
  const ranges = hunkRanges(all);
  if (ranges.length === 0) return '';
  const out = [`--- ${fromName}`, `+++ ${toName}`];
  // Line numbers of each op in a and b (1-based, of the next line on that side).
  let aLine = 1;
  let bLine = 1;
  const at = all.map((op) => {
    const here = { a: aLine, b: bLine };
    if (op.kind !== '+') aLine++;
    if (op.kind !== '-') bLine++;
    return here;
  });
  for (const [from, to] of ranges) {
    const body = all.slice(from, to + 1);
    const aCount = body.filter((o) => o.kind !== '+').length;
    const bCount = body.filter((o) => o.kind !== '-').length;
    const aStart = aCount === 0 ? at[from]!.a - 1 : at[from]!.a;
    const bStart = bCount === 0 ? at[from]!.b - 1 : at[from]!.b;
    out.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`, ...body.map((o) => `${o.kind}${o.text}`));
  }
  return `${out.join('\n')}\n`;
}
