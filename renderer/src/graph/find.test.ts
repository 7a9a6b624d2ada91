import { describe, expect, it } from 'vitest';
import { findInGraph } from './find';
import { buildGraphModel } from './graph-model';
import { transformerSummary } from './synthetic';

describe('find', () => {
  const m = buildGraphModel(transformerSummary(70));

  it('finds nodes by name and op type, exact matches first', () => {
    const byOp = findInGraph(m, 'softmax');
    expect(byOp.results[0]).toMatchObject({ kind: 'node', detail: 'Softmax' });
    expect(byOp.results.filter((r) => r.kind === 'node').every((r) => r.detail === 'Softmax' || r.name.toLowerCase().includes('softmax'))).toBe(true);
    const byName = findInGraph(m, '/model/layers.1/attn/Softmax');
    expect(byName.results[0]).toMatchObject({ kind: 'node', name: '/model/layers.1/attn/Softmax' });
  });

  it('finds tensors and initializers by name', () => {
    expect(findInGraph(m, 'input_ids').results[0]).toMatchObject({ kind: 'value', name: 'input_ids', io: 'input' });
    const w = findInGraph(m, 'layers.0.attn.q_proj');
    expect(w.results.some((r) => r.kind === 'initializer' && r.name.startsWith('model.layers.0.attn.q_proj'))).toBe(true);
  });

  it('caps the list and reports the total', () => {
    const all = findInGraph(m, 'model', 10);
    expect(all.results).toHaveLength(10);
    expect(all.total).toBeGreaterThan(10);
    expect(findInGraph(m, '   ').total).toBe(0);
    expect(findInGraph(m, 'no-such-thing').results).toEqual([]);
  });
});
