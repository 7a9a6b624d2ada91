/**
 * The timeline's geometry: one lane per span (as trace viewers draw them),
 * children right under their parent and indented (ensemble steps under the
 * request, BLS calls under the step that made them), siblings in start
 * order, so spans that overlap in time always sit in separate lanes. Queue
 * and compute are segments placed at their own start times.
 */
import type { RunStep } from '@contract/lab-api';

export interface TimelineRow {
  key: string;
  step: RunStep;
  depth: number;
  lane: number;
  /** It has child spans (an ensemble request, a step that made BLS calls): its bar frames theirs. */
  parent: boolean;
  /** Bar (whole span), queue and compute segments, in chart units. */
  x: number;
  w: number;
  qx: number;
  q: number;
  cx: number;
  c: number;
}

export interface Tick {
  x: number;
  ms: number;
}

const KIND_DEPTH = { request: 0, step: 1, bls: 2 } as const;

/** Spans in tree order with their depth; without ids (older runs) the given order and kind decide. */
export function treeOrder(steps: RunStep[]): { step: RunStep; depth: number; index: number }[] {
  const withIds = steps.every((s) => s.id !== undefined);
  if (!withIds) return steps.map((step, index) => ({ step, depth: KIND_DEPTH[step.kind] ?? 0, index }));
  const ids = new Set(steps.map((s) => s.id));
  const children = new Map<number | undefined, { step: RunStep; index: number }[]>();
  steps.forEach((step, index) => {
    const parent = step.parentId !== undefined && ids.has(step.parentId) ? step.parentId : undefined;
    const list = children.get(parent) ?? [];
    list.push({ step, index });
    children.set(parent, list);
  });
  const out: { step: RunStep; depth: number; index: number }[] = [];
  const seen = new Set<number>();
  const walk = (parent: number | undefined, depth: number): void => {
    const list = [...(children.get(parent) ?? [])].sort((a, b) => a.step.startMs - b.step.startMs || a.index - b.index);
    for (const c of list) {
      if (seen.has(c.index)) continue;
      seen.add(c.index);
      out.push({ ...c, depth });
      walk(c.step.id, depth + 1);
    }
  };
  walk(undefined, 0);
  return out;
}

/** The span of time the chart covers, in ms. */
export function chartSpan(steps: RunStep[], totalMs: number): number {
  return Math.max(totalMs, ...steps.map((s) => s.startMs + s.totalMs), 0.001);
}

export function timelineRows(steps: RunStep[], totalMs: number, barWidth: number, left: number): TimelineRow[] {
  const scale = barWidth / chartSpan(steps, totalMs);
  const parents = new Set(steps.map((s) => s.parentId).filter((id) => id !== undefined));
  const order = treeOrder(steps);
  return order.map(({ step: s, depth, index }, lane) => {
    // Without ids, a span is a parent when the next one is nested deeper.
    const parent = s.id !== undefined ? parents.has(s.id) : (order[lane + 1]?.depth ?? -1) > depth;
    const x = left + Math.max(0, s.startMs) * scale;
    const w = Math.max(1, s.totalMs * scale);
    const q = Math.max(0, s.queueMs * scale);
    const qx = s.queueStartMs !== undefined ? left + s.queueStartMs * scale : x;
    const c = Math.max(0, s.computeMs * scale);
    const cx = s.computeStartMs !== undefined ? left + s.computeStartMs * scale : Math.min(x + w - c, qx + q);
    return { key: `${s.id ?? index}`, step: s, depth, lane, parent, x, w, qx, q: Math.min(q, x + w - qx), cx, c: Math.min(c, Math.max(0, x + w - cx)) };
  });
}

/** Axis ticks at round ms steps (1, 2 or 5 × 10^k), about `count` of them. */
export function ticks(spanMs: number, barWidth: number, left: number, count = 5): Tick[] {
  const raw = spanMs / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const stepMs = [1, 2, 5, 10].map((m) => m * mag).find((v) => v >= raw) ?? 10 * mag;
  const out: Tick[] = [];
  for (let ms = 0; ms <= spanMs + stepMs * 1e-9; ms += stepMs) out.push({ ms, x: left + (ms / spanMs) * barWidth });
  return out;
}

/**
 * A step-through's timeline without its pauses: the stretches where no step (nor a call it made)
 * was running are cut out and everything after them moves left, so the steps' own times can be
 * compared. Root spans (the request) shrink to what is left; `removedMs` is what was cut.
 */
export function withoutGaps(steps: RunStep[], totalMs: number): { steps: RunStep[]; totalMs: number; removedMs: number } {
  const inner = steps.filter((s) => s.parentId !== undefined || s.kind !== 'request');
  if (inner.length === 0) return { steps, totalMs, removedMs: 0 };
  const end = chartSpan(steps, totalMs);
  const spans = inner.map((s) => [Math.max(0, s.startMs), Math.max(0, s.startMs) + Math.max(0, s.totalMs)] as const).sort((a, b) => a[0] - b[0]);
  // The gaps: before the first inner span, between merged ones, and after the last.
  const gaps: [number, number][] = [];
  let at = 0;
  for (const [from, to] of spans) {
    if (from > at) gaps.push([at, from]);
    at = Math.max(at, to);
  }
  if (end > at) gaps.push([at, end]);
  const shift = (ms: number): number => ms - gaps.reduce((cut, [a, b]) => cut + Math.max(0, Math.min(ms, b) - a), 0);
  const moved = steps.map((s) => {
    const start = shift(s.startMs);
    const out: RunStep = { ...s, startMs: start, totalMs: Math.max(0, shift(s.startMs + s.totalMs) - start) };
    if (s.queueStartMs !== undefined) out.queueStartMs = shift(s.queueStartMs);
    if (s.computeStartMs !== undefined) out.computeStartMs = shift(s.computeStartMs);
    out.queueMs = Math.min(s.queueMs, out.totalMs);
    out.computeMs = Math.min(s.computeMs, out.totalMs);
    return out;
  });
  return { steps: moved, totalMs: shift(end), removedMs: end - shift(end) };
}
