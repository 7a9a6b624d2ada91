import { describe, expect, it } from 'vitest';
import type { GraphInitializer, OpDoc } from '@contract/lab-api';
import { buildGraphModel, withObserved } from './graph-model';
import { fitDims } from './format';
import { attributeRows, attributeText, constInputRows, isDefaultAttribute, nodeRows, paramRoles } from './node-rows';
import { emptySummary, graphNode } from './synthetic';
import { allScopes, visibleGraph } from './visible';

// Hand-built schemas with the roles and defaults of the ONNX specification.
const OPS: OpDoc[] = [
  {
    opType: 'Conv',
    summary: '',
    category: 'layer',
    inputs: [{ name: 'X' }, { name: 'W' }, { name: 'B', option: 'optional' }],
    outputs: [{ name: 'Y' }],
    attributes: [
      { name: 'auto_pad', type: 'STRING', default: 'NOTSET' },
      { name: 'dilations', type: 'INTS' },
      { name: 'group', type: 'INT', default: '1' },
      { name: 'kernel_shape', type: 'INTS' },
      { name: 'pads', type: 'INTS' },
      { name: 'strides', type: 'INTS' },
    ],
  },
  {
    opType: 'BatchNormalization',
    summary: '',
    category: 'normalization',
    inputs: [{ name: 'X' }, { name: 'scale' }, { name: 'B' }, { name: 'input_mean' }, { name: 'input_var' }],
    outputs: [{ name: 'Y' }],
    attributes: [
      { name: 'epsilon', type: 'FLOAT', default: '1e-05' },
      { name: 'momentum', type: 'FLOAT', default: '0.9' },
    ],
  },
  { opType: 'Reshape', summary: '', category: 'shape', inputs: [{ name: 'data' }, { name: 'shape' }], outputs: [{ name: 'reshaped' }], attributes: [{ name: 'allowzero', type: 'INT', default: '0' }] },
  {
    opType: 'Concat',
    summary: '',
    category: 'tensor',
    inputs: [{ name: 'inputs', option: 'variadic' }],
    outputs: [{ name: 'concat_result' }],
    attributes: [{ name: 'axis', type: 'INT', required: true }],
  },
  {
    opType: 'Clip',
    summary: '',
    category: 'activation',
    inputs: [{ name: 'input' }, { name: 'min', option: 'optional' }, { name: 'max', option: 'optional' }],
    outputs: [{ name: 'output' }],
    attributes: [],
  },
  { opType: 'Transpose', summary: '', category: 'shape', inputs: [{ name: 'data' }], outputs: [{ name: 'transposed' }], attributes: [{ name: 'perm', type: 'INTS' }] },
  { opType: 'Softmax', summary: '', category: 'activation', inputs: [{ name: 'input' }], outputs: [{ name: 'output' }], attributes: [{ name: 'axis', type: 'INT', default: '-1' }] },
];

const init = (name: string, dtype: string, dims: number[], preview?: string): GraphInitializer => {
  const elements = dims.reduce((a, b) => a * b, 1);
  return { name, dtype, dims, bytes: elements * 4, elements, ...(preview !== undefined ? { preview } : {}) };
};
const constant = (name: string, out: string, tensor: number, text = 'FP32 [16]') =>
  graphNode(name, 'Constant', [], [out], { unnamed: true, attributes: [{ name: 'value', type: 'TENSOR', value: text, tensor }] });

/** A paddle2onnx-like graph: weights as Constant nodes and initializers, symbolic dims, opset 11 Clip. */
function model(ops: OpDoc[] = OPS) {
  const D = (k: number) => `p2o.DynamicDimension.${k}`;
  return buildGraphModel(
    emptySummary({
      ops,
      inputs: [{ name: 'x', dtype: 'FP32', dims: [D(0), 3, D(1), D(2)] }],
      outputs: [{ name: 'y', dtype: 'FP32', dims: [D(0), 24] }],
      initializers: [
        init('Constant_0:value', 'FP32', [16, 3, 3, 3]),
        init('Constant_1:value', 'FP32', [16]),
        init('bn.scale', 'FP32', [16]),
        init('bn.b', 'FP32', [16]),
        init('bn.mean', 'FP32', [16]),
        init('bn.var', 'FP32', [16]),
        init('Constant_2:value', 'FP32', [], '0'),
        init('Constant_3:value', 'FP32', [], '6'),
        init('Constant_4:value', 'INT64', [3], '[0, -1, 512]'),
        init('cat.extra', 'FP32', [1, 8]),
      ],
      nodes: [
        constant('Constant_0', 'conv2d_0.w_0', 0, 'FP32 [16, 3, 3, 3]'),
        constant('Constant_1', 'conv2d_0.b_0', 1),
        graphNode('p2o.Conv.0', 'Conv', ['x', 'conv2d_0.w_0', 'conv2d_0.b_0'], ['c'], {
          attributes: [
            { name: 'dilations', type: 'INTS', value: '[1, 1]' },
            { name: 'group', type: 'INT', value: '16' },
            { name: 'kernel_shape', type: 'INTS', value: '[3, 3]' },
            { name: 'pads', type: 'INTS', value: '[1, 1, 1, 1]' },
            { name: 'strides', type: 'INTS', value: '[2, 2]' },
            { name: 'auto_pad', type: 'STRING', value: 'NOTSET' },
          ],
        }),
        graphNode('p2o.BatchNormalization.0', 'BatchNormalization', ['c', 'bn.scale', 'bn.b', 'bn.mean', 'bn.var'], ['b'], {
          attributes: [
            { name: 'epsilon', type: 'FLOAT', value: '0.00001' },
            { name: 'momentum', type: 'FLOAT', value: '0.9' },
          ],
        }),
        constant('Constant_2', 'p2o.helper.constant.3', 6, 'FP32 [] = 0'),
        constant('Constant_3', 'p2o.helper.constant.4', 7, 'FP32 [] = 6'),
        graphNode('p2o.Clip.0', 'Clip', ['b', 'p2o.helper.constant.3', 'p2o.helper.constant.4'], ['r']),
        constant('Constant_4', 'shape_t', 8, 'INT64 [3] = [0, -1, 512]'),
        graphNode('p2o.Reshape.0', 'Reshape', ['r', 'shape_t'], ['s']),
        graphNode('p2o.Concat.0', 'Concat', ['s', 'cat.extra', 's'], ['y'], { attributes: [{ name: 'axis', type: 'INT', value: '1' }] }),
      ],
    }),
  );
}

describe('rows named by role', () => {
  const m = model();
  const rows = (name: string) => nodeRows(m, m.nodeByName.get(name)!).map((r) => `${r.label} ${r.text}`);

  it('names Conv weights W and B from folded Constants, with dims', () => {
    expect(rows('p2o.Conv.0').slice(0, 2)).toEqual(['W ⟨16×3×3×3⟩', 'B ⟨16⟩']);
    const w = constInputRows(m, 2)[0]!;
    // The value's own name stays on hover, with its full type.
    expect(w).toMatchObject({ kind: 'const', value: 'conv2d_0.w_0', init: 0 });
    expect(w.tooltip).toContain('conv2d_0.w_0');
    expect(w.tooltip).toContain('FP32[16×3×3×3]');
  });

  it('names BatchNormalization inputs scale, B, input_mean, input_var and hides default attributes', () => {
    expect(rows('p2o.BatchNormalization.0')).toEqual(['scale ⟨16⟩', 'B ⟨16⟩', 'input_mean ⟨16⟩', 'input_var ⟨16⟩']);
  });

  it('shows small constants by value: Clip min/max (opset 11 inputs) and Reshape shape', () => {
    expect(rows('p2o.Clip.0')).toEqual(['min = 0', 'max = 6']);
    expect(rows('p2o.Reshape.0')).toEqual(['shape = [0, -1, 512]']);
  });

  it('numbers the values of a variadic input (Concat) and shows its required axis', () => {
    expect(rows('p2o.Concat.0')).toEqual(['inputs[1] ⟨1×8⟩', 'axis = 1']);
    expect(paramRoles([{ name: 'inputs', option: 'variadic' }], 1)).toEqual(['inputs']);
    expect(paramRoles([{ name: 'X' }, { name: 'rest', option: 'variadic' }], 4)).toEqual(['X', 'rest[0]', 'rest[1]', 'rest[2]']);
    expect(paramRoles([{ name: 'A' }, { name: 'B' }], 3)).toEqual(['A', 'B', undefined]);
  });

  it('falls back to value names without a schema, and shows every plain attribute', () => {
    const bare = model(OPS.map((o) => ({ opType: o.opType, summary: '', category: o.category })));
    const r = nodeRows(bare, bare.nodeByName.get('p2o.Clip.0')!).map((x) => `${x.label} ${x.text}`);
    expect(r).toEqual(['constant.3 = 0', 'constant.4 = 6']);
    const bn = nodeRows(bare, bare.nodeByName.get('p2o.BatchNormalization.0')!).map((x) => x.label);
    expect(bn).toEqual(['scale', 'b', 'mean', 'var', 'epsilon', 'momentum']);
  });
});

describe('attribute rows', () => {
  const m = model();
  it('shows Conv kernel, strides, pads and group as Netron does, leaving out defaults', () => {
    const r = attributeRows(m, m.nodeByName.get('p2o.Conv.0')!);
    // dilations [1, 1] is the implied default; auto_pad NOTSET the declared one.
    expect(r.map((x) => `${x.label} ${x.text}`)).toEqual(['group = 16', 'kernel_shape = 3×3', 'pads = 1,1,1,1', 'strides = 2×2']);
    expect(r[0]).toMatchObject({ kind: 'attr', value: '@group', tooltip: 'group = 16 (INT)' });
  });

  it('compares with defaults by value and formats lists', () => {
    expect(isDefaultAttribute({ name: 'epsilon', type: 'FLOAT', value: '0.00001' }, [{ name: 'epsilon', type: 'FLOAT', default: '1e-05' }])).toBe(true);
    expect(isDefaultAttribute({ name: 'epsilon', type: 'FLOAT', value: '0.001' }, [{ name: 'epsilon', type: 'FLOAT', default: '1e-05' }])).toBe(false);
    expect(isDefaultAttribute({ name: 'axis', type: 'INT', value: '-1' }, [{ name: 'axis', type: 'INT', default: '-1' }])).toBe(true);
    expect(isDefaultAttribute({ name: 'axis', type: 'INT', value: '1' }, [{ name: 'axis', type: 'INT', default: '-1' }])).toBe(false);
    expect(isDefaultAttribute({ name: 'pads', type: 'INTS', value: '[0, 0, 0, 0]' }, [])).toBe(true);
    expect(isDefaultAttribute({ name: 'pads', type: 'INTS', value: '[0, 1, 0, 1]' }, [])).toBe(false);
    expect(attributeText({ name: 'perm', type: 'INTS', value: '[0, 2, 1, 3]' })).toBe('0,2,1,3');
    expect(attributeText({ name: 'kernel_shape', type: 'INTS', value: '[7, 7]' })).toBe('7×7');
    expect(attributeText({ name: 'mode', type: 'STRING', value: 'nearest' })).toBe('nearest');
  });

  it('shows Transpose perm and a non-default Softmax axis', () => {
    const s = emptySummary({
      ops: OPS,
      inputs: [{ name: 'x', dtype: 'FP32', dims: [1, 2, 3, 4] }],
      nodes: [
        graphNode('t', 'Transpose', ['x'], ['a'], { attributes: [{ name: 'perm', type: 'INTS', value: '[0, 2, 1, 3]' }] }),
        graphNode('s1', 'Softmax', ['a'], ['b'], { attributes: [{ name: 'axis', type: 'INT', value: '-1' }] }),
        graphNode('s2', 'Softmax', ['b'], ['c'], { attributes: [{ name: 'axis', type: 'INT', value: '1' }] }),
      ],
    });
    const g = buildGraphModel(s);
    expect(nodeRows(g, 0).map((r) => `${r.label} ${r.text}`)).toEqual(['perm = 0,2,1,3']);
    expect(nodeRows(g, 1)).toEqual([]);
    expect(nodeRows(g, 2).map((r) => `${r.label} ${r.text}`)).toEqual(['axis = 1']);
  });
});

describe('boxes and edges', () => {
  it('sizes boxes for their rows and shortens symbolic dims on edges and I/O', () => {
    const m = model();
    const g = visibleGraph(m, allScopes(m));
    const conv = g.items[g.index.get('n:2')!]!;
    expect(conv.rows.map((r) => r.label)).toEqual(['W', 'B', 'group', 'kernel_shape', 'pads', 'strides']);
    expect(conv.height).toBeGreaterThan(6 * 15);
    expect(conv.width).toBeGreaterThanOrEqual('kernel_shape = 3×3'.length * 6.4);
    const x = g.items[g.index.get('i:x')!]!;
    expect(x.subtitle).toBe('FP32[d0×3×d1×d2]');
    expect(x.tooltip).toContain('x: FP32[p2o.DynamicDimension.0,3,p2o.DynamicDimension.1,p2o.DynamicDimension.2]');
    expect(x.tooltip).toContain('d0 = p2o.DynamicDimension.0');
    const toConv = g.edges.find((e) => e.values[0] === 'x')!;
    expect(toConv).toMatchObject({ label: 'd0×3×d1×d2', labelSource: 'declared' });
    expect(toConv.tooltip).toContain('d2 = p2o.DynamicDimension.2');
  });

  it('labels intermediate edges with inferred dims, and observed dims win once the model ran', () => {
    const base = model();
    const s = { ...base.summary, inferred: { c: { dtype: 'FP32', dims: ['p2o.DynamicDimension.0', 16, 'p2o.DynamicDimension.1/2', 'p2o.DynamicDimension.2/2'] }, y: { dtype: 'FP32', dims: [1, 1] } } };
    const m = buildGraphModel(s);
    const g = visibleGraph(m, allScopes(m));
    const c = g.edges.find((e) => e.values[0] === 'c')!;
    expect(c).toMatchObject({ label: 'd0×16×d1/2×d2/2', labelSource: 'inferred' });
    expect(c.tooltip).toContain('(inferred)');
    // Declared beats inferred.
    expect(m.types.get('y')!.dims).toEqual(['p2o.DynamicDimension.0', 24]);
    const seen = withObserved(m, { c: { dtype: 'FP32', dims: [1, 16, 320, 320] } });
    expect(seen.types).toBe(m.types);
    const c2 = visibleGraph(seen, allScopes(seen)).edges.find((e) => e.values[0] === 'c')!;
    expect(c2).toMatchObject({ label: '1×16×320×320', labelSource: 'observed' });
    expect(c2.tooltip).toBe('c: FP32[1,16,320,320] (observed)');
  });
});

describe('an edge carrying several values', () => {
  it('lists each value with its type on hover and drops the single-value label', () => {
    const m = buildGraphModel(
      emptySummary({
        inputs: [{ name: 'x', dtype: 'FP32', dims: [2, 4] }],
        valueTypes: { a: { dtype: 'FP32', dims: [2, 2] }, b: { dtype: 'FP32', dims: [2, 2] } },
        nodes: [graphNode('split', 'Split', ['x'], ['a', 'b']), graphNode('add', 'Add', ['a', 'b'], ['y'])],
      }),
    );
    const e = visibleGraph(m, allScopes(m)).edges.find((x) => x.count === 2)!;
    expect(e).toMatchObject({ label: '', labelSource: '', values: ['a', 'b'] });
    expect(e.tooltip).toBe('a: FP32[2,2]\nb: FP32[2,2]');
  });
});

describe('fitting a box', () => {
  it('gives way on the longest symbolic dims first, keeping the rank and the numbers', () => {
    const dims = ['d0', 96, '2*ceil(d1/32)', '2*ceil(d2/32)'];
    expect(fitDims(dims, 36)).toBe('d0×96×2*ceil(d1/32)×2*ceil(d2/32)');
    expect(fitDims(['d0', 8, 'floor(ceil(d1/4)/2)', 'floor(ceil(d2/4)/2)', 15], 36)).toBe('d0×8×…×floor(ceil(d2/4)/2)×15');
    expect(fitDims([1, 2, 3], 36)).toBe('1×2×3');
  });

  it('cuts long attribute names and values so a row stays inside the widest box', () => {
    const s = emptySummary({
      inputs: [{ name: 'x', dtype: 'FP32', dims: [1, 3, 8, 8] }],
      nodes: [
        graphNode('r', 'Resize', ['x'], ['y'], {
          attributes: [
            { name: 'coordinate_transformation_mode', type: 'STRING', value: 'asymmetric' },
            { name: 'mode', type: 'STRING', value: 'a_very_long_mode_name_that_would_not_fit_at_all' },
          ],
        }),
      ],
    });
    const m = buildGraphModel(s);
    const rows = nodeRows(m, 0);
    expect(rows[0]).toMatchObject({ label: 'coordinate_transforma…', text: '= asymmetric' });
    expect(rows[0]!.tooltip).toBe('coordinate_transformation_mode = asymmetric (STRING)');
    for (const r of rows) expect(`${r.label} ${r.text}`.length).toBeLessThanOrEqual(38);
    const box = visibleGraph(m, allScopes(m)).items.find((it) => it.kind === 'node')!;
    expect(box.width).toBeLessThanOrEqual(260);
  });
});
