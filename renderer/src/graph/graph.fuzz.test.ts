/**
 * The graph view's pipeline on hostile summaries (seeded; FUZZ_SEED replays):
 * random graphs with cycles, self-loops, values read before they are made,
 * repeated and empty names, names full of separators, implicit inputs of
 * bodies, repeated edges, missing types and odd dims go through the model,
 * the visible graph (collapsed and expanded), the layout, frames, edge labels
 * and the opening view. Nothing throws, and every coordinate is finite.
 */
import type { GraphNode, GraphSummary } from '@contract/lab-api';
import { describe, expect, it } from 'vitest';
import { placeEdgeLabels } from './edge-labels';
import { scopeFrames } from './frames';
import { buildGraphModel } from './graph-model';
import { layoutGraph } from './layout';
import { layoutInputOf } from './layout-input';
import { emptySummary } from './synthetic';
import { openingView } from './viewport';
import { allScopes, initialExpanded, visibleGraph } from './visible';

/** FUZZ_SEED replays a run (read without Node's types: this is renderer code). */
const SEED = Number((globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env['FUZZ_SEED'] ?? 2718);
const CASES = 150;

/** mulberry32, as the engine's fuzz suites use. */
function rng(seed: number): { int: (min: number, max: number) => number; pick: <T>(xs: readonly T[]) => T; chance: (p: number) => boolean } {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return { int, pick: (xs) => xs[int(0, xs.length - 1)]!, chance: (p) => next() < p };
}

const NAMES = ['', 'a', '/', '//', 'a/b/c', 'a.b.c', '/model/layers.0/attn/MatMul', 'p2o.Conv.1', '.', 'x/', '/x', 'Constant_1', 'a#2', '中/文'];
const OPS = ['Conv', 'Relu', 'Constant', 'If', 'Concat', 'Reshape', 'Unknown', 'Add'];
const DIMS = [1, 0, -1, 2 ** 40, null, 'N', 'ceil(h/2)', '', 'p2o.DynamicDimension.0'];

function randomSummary(r: ReturnType<typeof rng>): GraphSummary {
  const count = r.int(0, 60);
  const values = Array.from({ length: count * 2 + 3 }, (_, i) => (r.chance(0.05) ? '' : `v${i}`));
  const nodes: GraphNode[] = Array.from({ length: count }, () => ({
    name: r.pick(NAMES) + (r.chance(0.7) ? String(r.int(0, 9)) : ''),
    opType: r.pick(OPS),
    domain: '',
    inputs: Array.from({ length: r.int(0, 4) }, () => r.pick(values)),
    outputs: Array.from({ length: r.int(0, 3) }, () => r.pick(values)),
    attributes: r.chance(0.2) ? [{ name: 'value', type: 'TENSOR', value: 'x', tensor: r.int(-1, 3) }] : [],
    ...(r.chance(0.1) ? { implicitInputs: [r.pick(values)] } : {}),
  }));
  const type = (): { dtype: string; dims?: (number | string | null)[] } => (r.chance(0.2) ? { dtype: 'FP32' } : { dtype: 'FP32', dims: Array.from({ length: r.int(0, 5) }, () => r.pick(DIMS)) });
  return emptySummary({
    nodes,
    inputs: Array.from({ length: r.int(0, 3) }, () => ({ name: r.pick(values), ...type() })),
    outputs: Array.from({ length: r.int(0, 3) }, () => ({ name: r.pick(values), ...type() })),
    initializers: Array.from({ length: r.int(0, 3) }, () => ({ name: r.pick(values), bytes: 4, elements: 1, ...type() })),
    valueTypes: Object.fromEntries(values.filter(() => r.chance(0.3)).map((v) => [v, type()])),
    inferred: Object.fromEntries(values.filter(() => r.chance(0.3)).map((v) => [v, type()])),
  });
}

function allFinite(xs: readonly number[]): boolean {
  return xs.every((x) => Number.isFinite(x));
}

describe('the graph view on hostile summaries', () => {
  it(`draws ${CASES} random graphs without throwing, at finite coordinates`, () => {
    const r = rng(SEED);
    const failures: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const s = randomSummary(r);
      try {
        const m = buildGraphModel(s);
        for (const expanded of [initialExpanded(m), allScopes(m), new Set<string>()]) {
          const g = visibleGraph(m, expanded);
          const layout = layoutGraph(layoutInputOf(g, m));
          if (!allFinite(layout.x) || !allFinite(layout.y) || !layout.points.every(allFinite)) throw new Error('a coordinate is not finite');
          const frames = scopeFrames(m, g, layout);
          placeEdgeLabels(g, layout, frames);
          const boxes = g.items.map((it) => ({ width: it.width, height: it.height }));
          const v = openingView(layout, boxes, { w: 800, h: 600 });
          if (!allFinite([v.tx, v.ty, v.k])) throw new Error('the opening view is not finite');
        }
      } catch (err) {
        failures.push(`case ${i} (${s.nodes.length} nodes): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }
    expect(failures.slice(0, 5).join('\n'), `FUZZ_SEED=${SEED}: ${failures.length} of ${CASES} graphs failed`).toBe('');
  });
});
