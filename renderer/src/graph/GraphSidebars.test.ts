// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import type { GraphSummary, OpDoc } from '@contract/lab-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setBackend } from '../api/client';
import { fakeClient, TensorViewStub } from '../components/playground/test-support';
import { setLocale } from '../i18n';
import { countsText } from './counts-text';
import { dimAliases, dimsText } from './format';
import { buildGraphModel, constantValueOf, graphCounts, withObserved } from './graph-model';
import GraphModelSidebar from './GraphModelSidebar.vue';
import GraphNodeSidebar from './GraphNodeSidebar.vue';
import GraphTensorSidebar from './GraphTensorSidebar.vue';
import GraphValueSidebar from './GraphValueSidebar.vue';
import { emptySummary, graphNode } from './synthetic';

const OPS: OpDoc[] = [
  {
    opType: 'Conv',
    summary: 'Convolution.',
    category: 'layer',
    inputs: [{ name: 'X' }, { name: 'W' }, { name: 'B', option: 'optional' }],
    outputs: [{ name: 'Y' }],
    attributes: [
      { name: 'auto_pad', type: 'STRING', default: 'NOTSET' },
      { name: 'group', type: 'INT', default: '1' },
      { name: 'kernel_shape', type: 'INTS' },
    ],
  },
  { opType: 'Add', summary: 'Sum.', category: 'tensor', inputs: [{ name: 'A' }, { name: 'B' }], outputs: [{ name: 'C' }], attributes: [] },
];

/** paddle2onnx's layout: the weight is a Constant node whose attribute tensor is `Constant_12:value`. */
function summary(extra: Partial<GraphSummary> = {}): GraphSummary {
  return emptySummary({
    graphId: 'g9',
    ops: OPS,
    inputs: [{ name: 'x', dtype: 'FP32', dims: ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'] }],
    outputs: [{ name: 'y', dtype: 'FP32', dims: ['p2o.DynamicDimension.0', 16, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'] }],
    initializers: [
      { name: 'Constant_12:value', dtype: 'FP32', dims: [16, 3, 3, 3], bytes: 1728, elements: 432 },
      { name: 'Constant_13:value', dtype: 'FP32', dims: [], bytes: 4, elements: 1, preview: '3' },
    ],
    nodes: [
      graphNode('Constant_12', 'Constant', [], ['conv2d_0.w_0'], { unnamed: true, attributes: [{ name: 'value', type: 'TENSOR', value: 'FP32 [16, 3, 3, 3]', tensor: 0 }] }),
      graphNode('p2o.Conv.0', 'Conv', ['x', 'conv2d_0.w_0'], ['c'], {
        attributes: [
          { name: 'group', type: 'INT', value: '1' },
          { name: 'kernel_shape', type: 'INTS', value: '[3, 3]' },
        ],
      }),
      graphNode('Constant_13', 'Constant', [], ['three'], { unnamed: true, attributes: [{ name: 'value', type: 'TENSOR', value: 'FP32 [] = 3', tensor: 1 }] }),
      graphNode('p2o.Add.0', 'Add', ['c', 'three'], ['y']),
    ],
    inferred: { c: { dtype: 'FP32', dims: ['p2o.DynamicDimension.0', 16, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'] } },
    shapeInference: { ms: 2, typed: 1, untyped: 0, unknownOps: ['MyOp'] },
    ...extra,
  });
}

beforeEach(() => setLocale('en'));
afterEach(() => setBackend(undefined));

describe('counts', () => {
  it('says how many nodes the file has, how many are drawn and why the rest are not', () => {
    expect(countsText({ file: 672, drawn: 330, folded: 342 })).toBe('672 nodes in the file · 330 drawn (342 Constant nodes folded into their consumers)');
    expect(countsText({ file: 3, drawn: 2, folded: 1 })).toBe('3 nodes in the file · 2 drawn (1 Constant node folded into its consumers)');
    expect(countsText({ file: 3003, drawn: 3003, folded: 0 })).toBe('3,003 nodes');
    setLocale('zh-CN');
    expect(countsText({ file: 672, drawn: 330, folded: 342 })).toBe('文件中 672 个节点 · 绘制 330 个（342 个 Constant 节点并入其使用者）');
    expect(graphCounts(buildGraphModel(summary()))).toEqual({ file: 4, drawn: 2, folded: 2 });
  });
});

describe('symbolic dims', () => {
  it('shortens long names per graph, stably and without clashing with names in use', () => {
    const a = dimAliases([{ dtype: 'FP32', dims: ['p2o.DynamicDimension.0', 'batch', 'p2o.DynamicDimension.3', 'encoder.hidden.size', 'd1', 'other.DynamicDimension.0', 'past_sequence_length'] }]);
    expect(Object.fromEntries(a)).toEqual({ 'p2o.DynamicDimension.0': 'd0', 'p2o.DynamicDimension.3': 'd3', 'encoder.hidden.size': 'd2', 'other.DynamicDimension.0': 'd4' });
    // Names inside an expression are shortened where they occur.
    const b = dimAliases([{ dtype: 'FP32', dims: ['StatefulPartitionedCall:0_dim_1+1', 'sequence_length+1'] }]);
    expect(Object.fromEntries(b)).toEqual({ 'StatefulPartitionedCall:0_dim_1': 'd1' });
    expect(dimsText(['StatefulPartitionedCall:0_dim_1+1', 'sequence_length+1', 3], b)).toBe('d1+1×sequence_length+1×3');
  });
});

describe('sidebars', () => {
  it('titles a folded Constant weight with its value name, not the attribute tensor', async () => {
    const lab = fakeClient({ tensorInfo: () => ({ name: 'Constant_12:value', dtype: 'FP32', shape: [16, 3, 3, 3], elements: 432, byteSize: 1728, imageLayouts: [] }) });
    setBackend(lab);
    const m = buildGraphModel(summary());
    expect(constantValueOf(m, 'Constant_12:value')).toBe('conv2d_0.w_0');
    const w = mount(GraphTensorSidebar, { props: { model: m, name: 'Constant_12:value' }, global: { stubs: { TensorView: TensorViewStub } } });
    await flushPromises();
    expect(w.get('[data-testid=graph-tensor-name]').text()).toBe('conv2d_0.w_0');
    expect(w.get('[data-testid=graph-tensor-stored]').text()).toBe('stored as Constant_12:value');
    // The viewer is titled alike and still reads the tensor by its stored name.
    expect(w.get('.tensor-stub').text()).toContain('conv2d_0.w_0');
    expect(w.get('.tensor-stub').attributes('data-source')).toBe('g9/initializer/Constant_12:value');
    expect(lab.of('tensorInfo')).toEqual([{ runId: 'g9', side: 'initializer', name: 'Constant_12:value' }]);
    expect(w.text()).toContain('p2o.Conv.0');
    const scalar = mount(GraphTensorSidebar, { props: { model: m, name: 'Constant_13:value' }, global: { stubs: { TensorView: TensorViewStub } } });
    expect(scalar.get('[data-testid=graph-tensor-preview]').text()).toBe('3');
  });

  it('lists node inputs by role with the value of small constants, and marks default attributes', () => {
    const m = buildGraphModel(summary());
    const conv = mount(GraphNodeSidebar, { props: { model: m, node: 1 } });
    expect(conv.findAll('[data-testid=graph-port-role]').map((r) => r.text())).toEqual(['X', 'W', 'Y']);
    expect(conv.get('[data-testid=graph-attr-group]').find('[data-testid=graph-attr-default]').exists()).toBe(true);
    expect(conv.get('[data-testid=graph-attr-kernel_shape]').find('[data-testid=graph-attr-default]').exists()).toBe(false);
    expect(conv.get('[data-testid=graph-attr-unset]').text()).toBe('Not set (defaults): auto_pad = NOTSET');
    const out = conv.findAll('[data-testid=graph-node-output]')[0]!;
    expect(out.text()).toContain('FP32[p2o.DynamicDimension.0,16,p2o.DynamicDimension.1,p2o.DynamicDimension.2]');
    expect(out.get('[data-testid=graph-type-source]').text()).toBe('inferred');
    const add = mount(GraphNodeSidebar, { props: { model: m, node: 3 } });
    const rows = add.findAll('[data-testid=graph-node-input]');
    expect(rows[1]!.get('[data-testid=graph-port-role]').text()).toBe('B');
    expect(rows[1]!.get('[data-testid=graph-port-preview]').text()).toBe('= 3');
  });

  it('shows declared or inferred types and what a run observed, both', async () => {
    const m = withObserved(buildGraphModel(summary()), { c: { dtype: 'FP32', dims: [1, 16, 640, 640] } });
    const v = mount(GraphValueSidebar, { props: { model: m, value: 'c' } });
    expect(v.get('[data-testid=graph-value-type]').text()).toBe('FP32[p2o.DynamicDimension.0,16,p2o.DynamicDimension.1,p2o.DynamicDimension.2]');
    expect(v.get('[data-testid=graph-value-source]').text()).toBe('inferred');
    expect(v.get('[data-testid=graph-value-observed]').text()).toBe('FP32[1,16,640,640]');
    const node = mount(GraphNodeSidebar, { props: { model: m, node: 1 } });
    expect(node.findAll('[data-testid=graph-node-output] [data-testid=graph-type-source]').map((c) => c.text())).toEqual(['inferred', 'observed']);
    const x = mount(GraphValueSidebar, { props: { model: m, value: 'x' } });
    expect(x.find('[data-testid=graph-value-view]').exists()).toBe(false);
    // A folded Constant's value opens its tensor.
    const w = mount(GraphValueSidebar, { props: { model: m, value: 'conv2d_0.w_0' } });
    await w.get('[data-testid=graph-value-view]').trigger('click');
    expect(w.emitted('select')).toEqual([[{ kind: 'initializer', name: 'Constant_12:value' }]]);
    expect(x.get('[data-testid=graph-value-source]').text()).toBe('declared');
    expect(x.find('[data-testid=graph-value-observed]').exists()).toBe(false);
  });

  it('gives the Model sidebar the counts, the shape inference figures and the short dim names', () => {
    const m = buildGraphModel(summary());
    const w = mount(GraphModelSidebar, { props: { model: m } });
    expect(w.get('[data-testid=graph-model-counts]').text()).toContain('4 nodes in the file · 2 drawn (2 Constant nodes folded into their consumers)');
    expect(w.get('[data-testid=graph-model-counts]').text()).toContain('2 initializers');
    expect(w.get('[data-testid=graph-model-shapes]').text()).toContain('1 values typed, 0 unknown');
    expect(w.get('[data-testid=graph-model-shapes]').text()).toContain('No rule for: MyOp');
    expect(w.get('[data-testid=graph-model-symbols]').text()).toContain('d0p2o.DynamicDimension.0');
  });
});
