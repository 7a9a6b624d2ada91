import { describe, expect, it } from 'vitest';
import type { GraphBody } from '../../../contract/inspect-api';
import { inferShapes } from './infer';
import { ruledOperators } from './rules';
import { c64, infer, int, ints, io, n, one, str, w } from './testing';

describe('data-dependent and other operators', () => {
  it('NonZero and NonMaxSuppression give a named symbol for the size the data decides', () => {
    const [nz] = one('NonZero', [io('x', 'FP32', ['N', 4])]);
    expect(nz?.[0]).toBe(2);
    expect(nz?.[1]).toMatch(/^nonzero_\d+$/);
    const [nms] = one('NonMaxSuppression', [io('b', 'FP32', [1, 'K', 4]), io('s', 'FP32', [1, 80, 'K'])]);
    expect(nms?.[1]).toBe(3);
    expect(typeof nms?.[0]).toBe('string');
  });

  it('Compress and Unique', () => {
    const [c] = one('Compress', [io('x', 'FP32', ['N', 4]), io('m', 'BOOL', ['N'])], [int('axis', 0)]);
    expect(c?.[1]).toBe(4);
    expect(typeof c?.[0]).toBe('string');
    const u = one('Unique', [io('x', 'INT64', [6])], [], [], 17, 4);
    expect(u[2]).toEqual([6]);
  });

  it('OneHot inserts depth at the axis; DepthToSpace and SpaceToDepth', () => {
    expect(one('OneHot', [io('i', 'INT64', ['N', 'S'])], [], [c64('d', [10], []), c64('v', [0, 1])])).toEqual([['N', 'S', 10]]);
    expect(one('OneHot', [io('i', 'INT64', ['N', 'S'])], [int('axis', 1)], [c64('d', [10], []), c64('v', [0, 1])])).toEqual([['N', 10, 'S']]);
    expect(one('DepthToSpace', [io('x', 'FP32', ['N', 16, 'H', 'W'])], [int('blocksize', 2)])).toEqual([['N', 4, '2*H', '2*W']]);
    expect(one('SpaceToDepth', [io('x', 'FP32', [1, 4, 8, 8])], [int('blocksize', 2)])).toEqual([[1, 16, 4, 4]]);
  });

  it('Einsum: explicit, implicit and ellipsis forms', () => {
    const q = io('q', 'FP32', ['B', 12, 'S', 64]);
    const k = io('k', 'FP32', ['B', 12, 'T', 64]);
    expect(one('Einsum', [q, k], [str('equation', 'bhsd,bhtd->bhst')])).toEqual([['B', 12, 'S', 'T']]);
    expect(one('Einsum', [io('a', 'FP32', [3, 4]), io('b', 'FP32', [4, 5])], [str('equation', 'ij,jk')])).toEqual([[3, 5]]);
    expect(one('Einsum', [io('a', 'FP32', ['B', 7, 3, 4]), io('b', 'FP32', [4, 5])], [str('equation', '...ij,jk->...ik')])).toEqual([['B', 7, 3, 5]]);
    expect(one('Einsum', [io('a', 'FP32', [3, 3])], [str('equation', 'ii->i')])).toEqual([[3]]);
  });

  it('GridSample and RoiAlign', () => {
    expect(one('GridSample', [io('x', 'FP32', ['N', 3, 'H', 'W']), io('g', 'FP32', ['N', 32, 48, 2])])).toEqual([['N', 3, 32, 48]]);
    expect(one('RoiAlign', [io('x', 'FP32', ['N', 256, 'H', 'W']), io('r', 'FP32', ['R', 4]), io('i', 'INT64', ['R'])], [int('output_height', 7), int('output_width', 7)])).toEqual([['R', 256, 7, 7]]);
  });

  it('com.microsoft fusions', () => {
    const x = io('x', 'FP32', ['B', 'S', 768]);
    const ms = (op: string, inputs: string[], outs: string[], attrs = [] as ReturnType<typeof int>[]): ReturnType<typeof infer> =>
      infer({
        nodes: [n(op, inputs, outs, attrs, 'com.microsoft')],
        inputs: [x, io('ids', 'INT32', ['B', 'S'])],
        consts: [w('g', [768]), w('wqkv', [768, 2304]), w('b3', [2304]), w('emb', [30522, 768]), w('bias', [768])],
      });
    expect(ms('SkipLayerNormalization', ['x', 'x', 'g'], ['y', 'm', 'v', 'sum']).dims('sum')).toEqual(['B', 'S', 768]);
    expect(ms('FastGelu', ['x', 'bias'], ['y']).dims('y')).toEqual(['B', 'S', 768]);
    expect(ms('BiasGelu', ['x', 'bias'], ['y']).dims('y')).toEqual(['B', 'S', 768]);
    expect(ms('Attention', ['x', 'wqkv', 'b3'], ['y'], [int('num_heads', 12)]).dims('y')).toEqual(['B', 'S', 768]);
    expect(ms('FusedMatMul', ['x', 'wqkv'], ['y']).dims('y')).toEqual(['B', 'S', 2304]);
    expect(ms('EmbedLayerNormalization', ['ids', 'ids', 'emb'], ['y', 'mask']).dims('y')).toEqual(['B', 'S', 768]);
  });

  it('has a rule for every operator the sample OCR models and common exports use', () => {
    const ops = new Set(ruledOperators().map((o) => o.opType));
    for (const op of ['Conv', 'Resize', 'Reshape', 'Slice', 'Gather', 'Einsum', 'LSTM', 'If', 'Loop', 'Scan', 'SkipLayerNormalization', 'HardSigmoid']) expect(ops.has(op), op).toBe(true);
  });

  it('reports operators without a rule and leaves their outputs untyped', () => {
    const b = infer({ nodes: [n('MyCustomOp', ['x'], ['y'], [], 'my.domain'), n('Relu', ['y'], ['z'])], inputs: [io('x', 'FP32', [2])] });
    expect(b.result.unknownOps).toEqual(['my.domain.MyCustomOp']);
    expect(b.type('z')).toBeUndefined();
    expect(b.result.untyped).toBe(2);
  });
});

function body(id: number, node: number, attribute: string, parts: Partial<GraphBody>): GraphBody {
  return { id, parent: -1, node, attribute, name: attribute, inputs: [], outputs: [], nodes: [], initializers: [], valueTypes: {}, outerInputs: [], ...parts };
}

describe('control flow and subgraph bodies', () => {
  it('If: outputs from both branches, which see the outer scope', () => {
    const b = infer({
      nodes: [
        n(
          'If',
          ['cond'],
          ['y'],
          [
            { name: 'then_branch', type: 'GRAPH', value: '' },
            { name: 'else_branch', type: 'GRAPH', value: '' },
          ],
        ),
      ],
      inputs: [io('cond', 'BOOL', []), io('x', 'FP32', ['N', 8])],
      subgraphs: [
        body(0, 0, 'then_branch', { nodes: [n('Relu', ['x'], ['t'])], outputs: [io('t', 'FP32')], outerInputs: ['x'] }),
        body(1, 0, 'else_branch', { nodes: [n('Transpose', ['x'], ['e1']), n('Transpose', ['e1'], ['e'])], outputs: [io('e', 'FP32')], outerInputs: ['x'] }),
      ],
    });
    expect(b.dims('y')).toEqual(['N', 8]);
    expect(b.result.bodies.get(1)?.['e1']?.dims).toEqual([8, 'N']);
    expect(b.result.bodies.get(0)?.['t']?.dims).toEqual(['N', 8]);
  });

  it('If with branches of different sizes gives a fresh symbol there', () => {
    const b = infer({
      nodes: [n('If', ['cond'], ['y'])],
      inputs: [io('cond', 'BOOL', []), io('x', 'FP32', [4, 8])],
      subgraphs: [
        body(0, 0, 'then_branch', { nodes: [n('Identity', ['x'], ['t'])], outputs: [io('t', 'FP32')], outerInputs: ['x'] }),
        body(1, 0, 'else_branch', { nodes: [n('Concat', ['x', 'x'], ['e'], [int('axis', 0)])], outputs: [io('e', 'FP32')], outerInputs: ['x'] }),
      ],
    });
    expect(b.dims('y')?.[1]).toBe(8);
    expect(b.dims('y')?.[0]).toMatch(/^if_\d+$/);
  });

  it('If with a condition known from constants takes that branch', () => {
    const b = infer({
      nodes: [n('If', ['cond'], ['y'])],
      inputs: [io('x', 'FP32', [4, 8])],
      consts: [{ name: 'cond', dtype: 'BOOL', dims: [], values: [0] }],
      subgraphs: [
        body(0, 0, 'then_branch', { nodes: [n('Flatten', ['x'], ['t'], [int('axis', 0)])], outputs: [io('t', 'FP32')], outerInputs: ['x'] }),
        body(1, 0, 'else_branch', { nodes: [n('Unsqueeze', ['x'], ['e'], [ints('axes', [0])])], outputs: [io('e', 'FP32')], outerInputs: ['x'] }),
      ],
      opset: 11,
    });
    expect(b.dims('y')).toEqual([1, 4, 8]);
  });

  it('Scan at opset 8: batch and sequence axes', () => {
    const b = infer({
      nodes: [n('Scan', ['', 's0', 'xs'], ['s', 'ys'], [int('num_scan_inputs', 1)])],
      inputs: [io('s0', 'FP32', ['B', 4]), io('xs', 'FP32', ['B', 'T', 4])],
      subgraphs: [
        body(0, 0, 'body', {
          inputs: [io('st', 'FP32'), io('xt', 'FP32')],
          nodes: [n('Add', ['st', 'xt'], ['st2']), n('Identity', ['st2'], ['yt'])],
          outputs: [io('st2', 'FP32'), io('yt', 'FP32')],
        }),
      ],
      opset: 8,
    });
    expect(b.result.bodies.get(0)?.['xt']?.dims).toEqual([4]);
    expect(b.dims('s')).toEqual(['B', 4]);
    expect(b.dims('ys')).toEqual(['B', 'T', 4]);
  });

  it('Loop: body inputs typed from the node; carried values and stacked scan outputs', () => {
    const b = infer({
      nodes: [n('Loop', ['trips', '', 'h0'], ['h', 'stack'])],
      inputs: [io('h0', 'FP32', ['B', 16])],
      consts: [c64('trips', [5], [])],
      subgraphs: [
        body(0, 0, 'body', {
          inputs: [io('i', 'INT64'), io('c', 'BOOL'), io('h_in', 'FP32')],
          nodes: [n('Relu', ['h_in'], ['h_out']), n('Identity', ['c'], ['c_out']), n('ReduceSum', ['h_out'], ['s'], [int('keepdims', 0)])],
          outputs: [io('c_out', 'BOOL'), io('h_out', 'FP32'), io('s', 'FP32')],
        }),
      ],
      opset: 13,
    });
    expect(b.result.bodies.get(0)?.['h_in']?.dims).toEqual(['B', 16]);
    expect(b.result.bodies.get(0)?.['i']?.dims).toEqual([]);
    expect(b.dims('h')).toEqual(['B', 16]);
    expect(b.dims('stack')).toEqual([5]);
  });

  it('Scan: states and scanned slices', () => {
    const b = infer({
      nodes: [n('Scan', ['s0', 'xs'], ['s', 'ys'], [int('num_scan_inputs', 1)])],
      inputs: [io('s0', 'FP32', [4]), io('xs', 'FP32', ['T', 4])],
      subgraphs: [
        body(0, 0, 'body', {
          inputs: [io('st', 'FP32'), io('xt', 'FP32')],
          nodes: [n('Add', ['st', 'xt'], ['st2']), n('Identity', ['st2'], ['yt'])],
          outputs: [io('st2', 'FP32'), io('yt', 'FP32')],
        }),
      ],
    });
    expect(b.result.bodies.get(0)?.['xt']?.dims).toEqual([4]);
    expect(b.dims('s')).toEqual([4]);
    expect(b.dims('ys')).toEqual(['T', 4]);
  });

  it('nested bodies see every enclosing scope', () => {
    const b = infer({
      nodes: [n('If', ['cond'], ['y'])],
      inputs: [io('cond', 'BOOL', []), io('x', 'FP32', ['N', 3])],
      subgraphs: [
        body(0, 0, 'then_branch', { nodes: [n('If', ['cond'], ['inner'])], outputs: [io('inner', 'FP32')], outerInputs: ['cond', 'x'] }),
        body(1, 0, 'else_branch', { nodes: [n('Identity', ['x'], ['e'])], outputs: [io('e', 'FP32')], outerInputs: ['x'] }),
        { ...body(2, 0, 'then_branch', { nodes: [n('Neg', ['x'], ['deep'])], outputs: [io('deep', 'FP32')], outerInputs: ['x'] }), parent: 0 },
        { ...body(3, 0, 'else_branch', { nodes: [n('Abs', ['x'], ['deep2'])], outputs: [io('deep2', 'FP32')], outerInputs: ['x'] }), parent: 0 },
      ],
    });
    expect(b.result.bodies.get(2)?.['deep']?.dims).toEqual(['N', 3]);
    expect(b.dims('y')).toEqual(['N', 3]);
  });
});

describe('inference over whole graphs', () => {
  it('declared types win dim by dim; inference fills the open ones', () => {
    const b = infer({
      nodes: [n('Relu', ['x'], ['a']), n('Relu', ['a'], ['y'])],
      inputs: [io('x', 'FP32', ['N', 3])],
      valueTypes: { a: { dtype: 'FP32', dims: ['batch', null] } },
      outputs: [io('y', 'FP32', ['N', 3])],
    });
    expect(b.result.inferred['a']).toEqual({ dtype: 'FP32', dims: ['batch', 3] });
    expect(b.result.inferred['y']).toBeUndefined();
  });

  it('follows dependencies, not file order, and leaves cycles untyped without hanging', () => {
    const b = infer({
      nodes: [n('Relu', ['a'], ['b']), n('Relu', ['x'], ['a']), n('Add', ['c', 'd'], ['e']), n('Add', ['e', 'x'], ['d']), n('Relu', ['e'], ['c'])],
      inputs: [io('x', 'FP32', [2])],
    });
    expect(b.dims('b')).toEqual([2]);
    expect(b.type('e')).toBeUndefined();
    expect(b.result.untyped).toBe(3);
  });

  it('does not allocate for crafted sizes', () => {
    const b = infer({
      nodes: [n('Reshape', ['x', 'huge'], ['r']), n('ConstantOfShape', ['huge'], ['c']), n('Split', ['x'], ['s1', 's2'], [int('num_outputs', 1e9)]), n('Expand', ['x', 'huge'], ['e'])],
      inputs: [io('x', 'FP32', [4, 2]), io('huge', 'INT64', [1e9])],
      opset: 18,
    });
    expect(b.type('r')).toEqual({ dtype: 'FP32' });
    expect(b.type('c')).toEqual({ dtype: 'FP32' });
    expect(b.dims('s2')).toEqual([2, 2]);
  });

  it('stops at its time budget and says so, keeping what it typed', () => {
    const nodes = Array.from({ length: 2000 }, (_, i) => n('Relu', [i ? `t${i - 1}` : 'x'], [`t${i}`]));
    const r = inferShapes({ inputs: [io('x', 'FP32', [2])], outputs: [], nodes, initializers: [], valueTypes: {}, opsets: [{ domain: '', version: 17 }] }, new Map(), { budgetMs: 0 });
    expect(r.cutOff).toMatch(/time budget/);
    expect(r.typed).toBeGreaterThan(0);
    expect(r.typed + r.untyped).toBe(2000);
  });

  it('keeps a malformed node from stopping the rest', () => {
    const b = infer({
      nodes: [n('Transpose', ['x'], ['t'], [ints('perm', [5, 9])]), n('Conv', ['x'], ['c'], [str('auto_pad', 'NOTSET')]), n('Relu', ['x'], ['r'])],
      inputs: [io('x', 'FP32', [1, 2])],
    });
    expect(b.dims('r')).toEqual([1, 2]);
  });
});
