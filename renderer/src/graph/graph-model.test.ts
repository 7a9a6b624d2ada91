import { describe, expect, it } from 'vitest';
import { buildGraphModel, constRows, constTarget, scopeSegments, valueType } from './graph-model';
import { emptySummary, graphNode, transformerSummary } from './synthetic';
import { allScopes, COLLAPSE_BUDGET, initialExpanded, visibleGraph } from './visible';

const node = graphNode;

describe('scope segments', () => {
  it('reads slash paths and dotted names', () => {
    expect(scopeSegments('/model/layers.0/attn/MatMul', 'MatMul', true)).toEqual(['model', 'layers.0', 'attn']);
    expect(scopeSegments('MatMul_3', 'MatMul', true)).toEqual([]);
    expect(scopeSegments('encoder.block1.conv', 'Conv', false)).toEqual(['encoder', 'block1']);
    // paddle2onnx names carry the op type, which is no scope.
    expect(scopeSegments('p2o.Conv.12', 'Conv', false)).toEqual(['p2o']);
    expect(scopeSegments('Relu_1', 'Relu', false)).toEqual([]);
  });
});

describe('graph model', () => {
  const s = emptySummary({
    inputs: [{ name: 'x', dtype: 'FP32', dims: [1, 3, 8, 8] }],
    outputs: [{ name: 'y', dtype: 'FP32', dims: [1, 4, 8, 8] }],
    initializers: [
      { name: 'conv.W', dtype: 'FP32', dims: [4, 3, 3, 3], bytes: 432, elements: 108 },
      { name: 'const_t', dtype: 'INT64', dims: [2], bytes: 16, elements: 2 },
    ],
    nodes: [
      node('/enc/conv/Conv', 'Conv', ['x', 'conv.W'], ['c']),
      node('', 'Constant', [], ['k'], { unnamed: true, attributes: [{ name: 'value', type: 'TENSOR', value: 'INT64[2]', tensor: 1 }] }),
      node('/enc/Reshape', 'Reshape', ['c', 'k'], ['r']),
      node('/dec/Relu', 'Relu', ['r'], ['y']),
    ],
  });
  const m = buildGraphModel(s);

  it('gives a folded Constant output the type of the tensor it holds', () => {
    expect(valueType(m, 'k')).toMatchObject({ dtype: 'INT64', dims: [2] });
    expect(valueType(m, 'r')).toBeUndefined();
  });

  it('folds Constant nodes into rows and keeps initializers off the edges', () => {
    expect(m.drawn).toEqual([0, 2, 3]);
    expect(constRows(m, 0)).toEqual([{ value: 'conv.W', init: 0, dims: [4, 3, 3, 3], dtype: 'FP32', index: 1 }]);
    expect(constRows(m, 2)).toEqual([expect.objectContaining({ value: 'k', init: 1, dims: [2] })]);
    expect(constTarget(m, 'k')).toEqual({ kind: 'initializer', name: 'const_t' });
    const g = visibleGraph(m, allScopes(m));
    expect(g.items.map((it) => it.id)).toEqual(['i:x', 'n:0', 'n:2', 'n:3', 'o:y']);
    expect(g.edges.map((e) => `${g.items[e.from]!.id}>${g.items[e.to]!.id}:${e.label}`)).toEqual(['i:x>n:0:1×3×8×8', 'n:0>n:2:', 'n:2>n:3:', 'n:3>o:y:1×4×8×8']);
    expect(g.items[1]!.rows[0]).toMatchObject({ label: 'W', text: '⟨4×3×3×3⟩' });
  });

  it('builds nested scopes with node counts', () => {
    expect(m.scopes.get('enc')).toMatchObject({ count: 2, children: ['enc/conv'], nodes: [2] });
    expect(m.scopes.get('enc/conv')).toMatchObject({ count: 1, nodes: [0], depth: 2 });
    expect(m.nodeScope[3]).toBe('dec');
  });

  it('draws a collapsed scope as one box with edges aggregated to it', () => {
    const g = visibleGraph(m, new Set());
    expect(g.items.map((it) => it.id)).toEqual(['i:x', 's:enc', 'n:3', 'o:y']);
    expect(g.items[1]).toMatchObject({ kind: 'scope', subtitle: '2' });
    expect(g.edges.map((e) => `${g.items[e.from]!.id}>${g.items[e.to]!.id}`)).toEqual(['i:x>s:enc', 's:enc>n:3', 'n:3>o:y']);
  });
});

describe('collapsing large graphs', () => {
  it('opens small graphs fully expanded', () => {
    const m = buildGraphModel(transformerSummary(200));
    expect(initialExpanded(m)).toEqual(allScopes(m));
  });

  it('shows a 10k-node graph as a small set of scope boxes, expanding whole levels only', () => {
    const m = buildGraphModel(transformerSummary(10_000));
    expect(m.drawn.length).toBeGreaterThan(9_900);
    const expanded = initialExpanded(m);
    const g = visibleGraph(m, expanded);
    expect(g.items.length).toBeLessThanOrEqual(COLLAPSE_BUDGET);
    expect(g.items.filter((it) => it.kind === 'scope').length).toBeGreaterThan(300);
    // Every layer is a box: no layer opened while its siblings stayed shut.
    expect([...expanded].some((id) => id.startsWith('model/layers.'))).toBe(false);
    // Each box counts what it hides, and the boxes hide every node.
    const hiddenNodes = g.items.reduce((sum, it) => sum + (it.kind === 'scope' ? Number(it.subtitle) : it.kind === 'node' ? 1 : 0), 0);
    expect(hiddenNodes).toBe(m.drawn.length);
    // Consecutive layers are chained by one aggregated edge each.
    const l0 = g.index.get('s:model/layers.0')!;
    const l1 = g.index.get('s:model/layers.1')!;
    expect(g.edges.filter((e) => e.from === l0 && e.to === l1)).toHaveLength(1);
  });

  it('expanding one layer shows its sub-scopes', () => {
    const m = buildGraphModel(transformerSummary(10_000));
    const expanded = initialExpanded(m);
    expanded.add('model/layers.3');
    const g = visibleGraph(m, expanded);
    expect(g.index.has('s:model/layers.3')).toBe(false);
    expect(g.index.has('s:model/layers.3/attn')).toBe(true);
    expect(g.index.has('s:model/layers.3/mlp')).toBe(true);
  });
});

describe('values a body reads from the outer scope', () => {
  it('are edges into the If/Loop/Scan node that owns the body', () => {
    const s = emptySummary({
      inputs: [{ name: 'x', dtype: 'FP32', dims: [2] }],
      outputs: [{ name: 'y', dtype: 'FP32', dims: [2] }],
      nodes: [node('relu', 'Relu', ['x'], ['r']), node('cond', 'Greater', ['x', 'x'], ['c']), node('if', 'If', ['c'], ['y'], { implicitInputs: ['r'] })],
    });
    const m = buildGraphModel(s);
    expect(m.consumers.get('r')).toEqual([2]);
    const g = visibleGraph(m, new Set());
    const relu = g.index.get('n:0');
    const iff = g.index.get('n:2');
    expect(relu).toBeDefined();
    expect(g.edges.some((e) => e.from === relu && e.to === iff && e.values.includes('r'))).toBe(true);
  });
});
