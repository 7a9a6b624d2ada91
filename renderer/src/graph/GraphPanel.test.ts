// @vitest-environment happy-dom
import { mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import type { ConfigFromModel, GraphAnalysis, GraphSummary } from '@contract/lab-api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LabCallError, setBackend } from '../api/client';
import { detail, fakeClient, io, type FakeClient } from '../components/playground/test-support';
import { setLocale } from '../i18n';
import { useGraphStore } from '../stores/graph';
import GraphPanel from './GraphPanel.vue';
import * as runner from './layout-runner';
import { emptySummary, graphNode, transformerSummary } from './synthetic';
import { mountGraphPanel, settle } from './testing/mount-panel';

const node = graphNode;

const det = detail('text_detection', 0, [io('x', 'FP32', [1, 3, -1, -1], 0)], [io('y', 'FP32', [1, 1, -1, -1], 0)]);

function convSummary(): GraphSummary {
  return emptySummary({
    graphId: 'graph-7',
    repoId: det.repoId,
    model: 'text_detection',
    format: 'ONNX v7',
    irVersion: 7,
    producer: 'paddle2onnx',
    producerVersion: '1.0.5',
    opsets: [{ domain: '', version: 11 }],
    metadata: [{ key: 'author', value: 'lab' }],
    inputs: [{ name: 'x', dtype: 'FP32', dims: [1, 3, 'h', 'w'] }],
    outputs: [{ name: 'y', dtype: 'FP32', dims: [1, 1, 'h', 'w'] }],
    initializers: [
      { name: 'conv1.w_0', dtype: 'FP32', dims: [8, 3, 3, 3], bytes: 864, elements: 216 },
      { name: 'shape_const', dtype: 'INT64', dims: [4], bytes: 32, elements: 4 },
    ],
    valueTypes: { c: { dtype: 'FP32', dims: [1, 8, 'h', 'w'] } },
    nodes: [
      node('p2o.Conv.0', 'Conv', ['x', 'conv1.w_0'], ['c'], {
        attributes: [
          { name: 'kernel_shape', type: 'INTS', value: '[3, 3]' },
          { name: 'strides', type: 'INTS', value: '[1, 1]' },
        ],
      }),
      node('Constant_1', 'Constant', [], ['k'], { unnamed: true, attributes: [{ name: 'value', type: 'TENSOR', value: 'INT64[4]', tensor: 1 }] }),
      node('p2o.Reshape.0', 'Reshape', ['c', 'k'], ['r']),
      node('p2o.Sigmoid.0', 'Sigmoid', ['r'], ['y']),
    ],
    ops: [
      { opType: 'Conv', summary: 'Convolution over the spatial axes.', category: 'layer' },
      { opType: 'Sigmoid', summary: '1 / (1 + e^-x).', category: 'activation' },
    ],
    parseMs: 3,
  });
}

const config: ConfigFromModel = {
  text: 'max_batch_size: 0\ninput [\n  { name: "x" data_type: TYPE_FP32 dims: [ 1, 3, -1, -1 ] }\n]',
  maxBatchSize: 0,
  batchingNote: 'the first dimension is fixed at 1',
  mismatches: [{ side: 'output', name: 'y', kind: 'dims', model: '[1, 1, -1, -1]', config: '[1, -1]', message: 'dims differ' }],
};

let lab: FakeClient;
let pinia: Pinia;
let wrapper: VueWrapper | undefined;

async function open(summary: () => unknown = convSummary, extra: Parameters<typeof fakeClient>[0] = {}): Promise<VueWrapper> {
  lab = fakeClient({ modelGraph: summary, configFromModel: () => config, netronStatus: () => ({ available: false }), ...extra });
  setBackend(lab);
  wrapper = mountGraphPanel(det, pinia);
  await settle();
  return wrapper;
}

beforeEach(() => {
  setLocale('en');
  pinia = createPinia();
  setActivePinia(pinia);
});
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
  setBackend(undefined);
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('GraphPanel', () => {
  it('loads the summary and draws nodes, with constants as rows and the model sidebar first', async () => {
    const w = await open();
    expect(lab.of('modelGraph')).toEqual([{ repoId: det.repoId, model: 'text_detection', version: 1 }]);
    expect(w.findAll('[data-testid=graph-node]').map((n) => n.attributes('data-name'))).toEqual(['p2o.Conv.0', 'p2o.Reshape.0', 'p2o.Sigmoid.0']);
    const conv = w.get('[data-testid=graph-node][data-name="p2o.Conv.0"]');
    expect(conv.text()).toContain('Conv');
    expect(conv.text()).toContain('w_0 ⟨8×3×3×3⟩');
    expect(w.get('[data-testid=graph-node][data-name="p2o.Reshape.0"]').text()).toContain('⟨4⟩');
    expect(w.find('[data-testid=graph-input][data-name=x]').exists()).toBe(true);
    expect(w.text()).toContain('1×8×h×w');
    const side = w.get('[data-testid=graph-sidebar-model]');
    expect(side.text()).toContain('ONNX v7');
    expect(side.text()).toContain('paddle2onnx 1.0.5');
    expect(side.text()).toContain('ai.onnx v11');
    expect(side.text()).toContain('author');
    expect(w.get('[data-testid=graph-status]').text()).toBe(
      '4 nodes in the file · 3 drawn (1 Constant node folded into its consumers) · 3 shown · layout ' + w.get('[data-testid=graph-status]').text().split('layout ')[1],
    );
  });

  it('draws a big graph before its analysis, then merges the inferred dims and constant values in', async () => {
    let finish: (a: GraphAnalysis) => void = () => undefined;
    const pending = (): GraphSummary => ({ ...convSummary(), valueTypes: {}, analysisPending: true });
    const w = await open(pending, { graphAnalysis: () => new Promise<GraphAnalysis>((r) => (finish = r)) });
    expect(lab.of('graphAnalysis')).toEqual([{ graphId: 'graph-7' }]);
    expect(w.findAll('[data-testid=graph-node]')).toHaveLength(3);
    expect(w.get('[data-testid=graph-status]').text()).toContain('inferring dims');
    expect(w.text()).not.toContain('1×8×h×w');
    finish({
      graphId: 'graph-7',
      previews: { 1: '[1, 8, -1, 1]' },
      bodies: {},
      inferred: { c: { dtype: 'FP32', dims: [1, 8, 'h', 'w'] } },
      shapeInference: { ms: 1, typed: 3, untyped: 0, unknownOps: [] },
    });
    await settle();
    expect(w.get('[data-testid=graph-status]').text()).not.toContain('inferring dims');
    expect(w.text()).toContain('1×8×h×w');
    expect(w.get('[data-testid=graph-node][data-name="p2o.Reshape.0"]').text()).toContain('[1, 8, -1, 1]');
  });

  it('finds a node with Ctrl+F and shows its attributes', async () => {
    const w = await open();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'f', ctrlKey: true }));
    expect(document.activeElement).toBe(w.get('[data-testid=graph-find-input]').element);
    await w.get('[data-testid=graph-find-input]').setValue('conv');
    const results = w.findAll('[data-testid=graph-find-result]');
    expect(results[0]!.attributes('data-name')).toBe('p2o.Conv.0');
    await results[0]!.trigger('mousedown');
    await settle();
    const side = w.get('[data-testid=graph-sidebar-node]');
    expect(side.get('[data-testid=graph-node-name]').text()).toBe('p2o.Conv.0');
    expect(side.get('[data-testid=graph-node-doc]').text()).toBe('Convolution over the spatial axes.');
    expect(side.get('[data-testid=graph-attr-kernel_shape]').text()).toContain('[3, 3]');
    expect(side.get('[data-testid=graph-attr-strides]').text()).toContain('INTS');
    expect(side.findAll('[data-testid=graph-node-input]').map((r) => r.text())).toEqual([expect.stringContaining('FP32[1,3,h,w]'), expect.stringMatching(/conv1\.w_0.*FP32\[8,3,3,3\].*initializer/)]);
    expect(w.get('[data-testid=graph-node][data-name="p2o.Conv.0"]').classes()).toContain('sel');
  });

  it('selects a node by clicking it and opens an initializer in the tensor sidebar', async () => {
    const w = await open(convSummary, {
      tensorInfo: (req: unknown) => {
        const r = req as { name: string };
        if (r.name !== 'conv1.w_0') throw new Error('unreadable');
        return { name: r.name, dtype: 'FP32', shape: [8, 3, 3, 3], elements: 216, byteSize: 864, imageLayouts: [], stats: { count: 216, min: -1, max: 1, mean: 0.25, std: 0.5, nan: 0, inf: 0 } };
      },
    });
    await w.get('[data-testid=graph-node][data-name="p2o.Conv.0"]').trigger('click');
    const side = w.get('[data-testid=graph-sidebar-node]');
    await side.findAll('[data-testid=graph-node-input] button')[1]!.trigger('click');
    const tensor = w.get('[data-testid=graph-sidebar-tensor]');
    expect(tensor.get('[data-testid=graph-tensor-name]').text()).toBe('conv1.w_0');
    expect(tensor.get('.tensor-stub').attributes('data-source')).toBe('graph-7/initializer/conv1.w_0');
    expect(tensor.get('.tensor-stub').text()).toBe('conv1.w_0 FP32 [8, 3, 3, 3]');
    // The engine's description adds the statistics the summary cannot know.
    await settle();
    expect(lab.of('tensorInfo')).toEqual([{ runId: 'graph-7', side: 'initializer', name: 'conv1.w_0' }]);
    expect(w.get('[data-testid=graph-sidebar-tensor] .tensor-stub').attributes('data-mean')).toBe('0.25');
    // A folded Constant's value opens the initializer entry its attribute points at.
    await w.get('[data-testid=graph-node][data-name="p2o.Reshape.0"]').trigger('click');
    await w.findAll('[data-testid=graph-node-input] button')[1]!.trigger('click');
    expect(w.get('[data-testid=graph-sidebar-tensor] .tensor-stub').attributes('data-source')).toBe('graph-7/initializer/shape_const');
  });

  it('selects a value from an edge or a graph input', async () => {
    const w = await open();
    await w.get('[data-testid=graph-input][data-name=x]').trigger('click');
    const side = w.get('[data-testid=graph-sidebar-value]');
    expect(side.get('[data-testid=graph-value-type]').text()).toBe('FP32[1,3,h,w]');
    expect(side.text()).toContain('p2o.Conv.0 (Conv)');
    expect(w.findAll('.edge.sel')).toHaveLength(1);
  });

  it('shows the config block, the batching note and mismatches', async () => {
    const w = await open();
    await w.get('[data-testid=graph-use-in-config]').trigger('click');
    await settle();
    expect(lab.of('configFromModel')).toEqual([{ repoId: det.repoId, model: 'text_detection', version: 1 }]);
    expect(w.get('[data-testid=graph-config-text]').text()).toBe(config.text);
    expect(w.get('[data-testid=graph-config-batching]').text()).toContain('the first dimension is fixed at 1');
    const mm = w.findAll('[data-testid=graph-config-mismatch]');
    expect(mm).toHaveLength(1);
    expect(mm[0]!.text()).toContain('dims differ');
    expect(mm[0]!.text()).toContain('config: [1, -1]');
  });

  it('shows the engine error in place and retries', async () => {
    let fail = true;
    const w = await open(() => {
      if (fail) throw new LabCallError('INVALID_ARG', 'model.onnx is not a valid ONNX file: truncated at byte 12');
      return convSummary();
    });
    expect(w.get('[role=alert]').text()).toContain('truncated at byte 12');
    fail = false;
    await w.get('[role=alert] button').trigger('click');
    await settle();
    expect(w.findAll('[data-testid=graph-node]')).toHaveLength(3);
  });

  it('has empty states for models without a graph', async () => {
    const w = await open(() => {
      throw new LabCallError('UNSUPPORTED', 'text_detection is not an ONNX model');
    });
    expect(w.get('[data-testid=graph-empty]').text()).toContain('No graph to show');
    expect(w.get('[data-testid=graph-empty]').text()).toContain('not an ONNX model');
    wrapper!.unmount();
    pinia = createPinia();
    setActivePinia(pinia);
    const w2 = await open(() => emptySummary());
    expect(w2.get('[data-testid=graph-empty]').text()).toContain('This graph has no nodes');
  });

  it('opens a large graph with scopes collapsed and expands one on click', async () => {
    const w = await open(() => ({ ...transformerSummary(3_000), repoId: det.repoId }));
    // 100 layer boxes are laid out; only those in the viewport are in the DOM.
    const scopes = w.findAll('[data-testid=graph-scope]');
    expect(scopes.length).toBeGreaterThan(4);
    expect(scopes.length).toBeLessThan(50);
    expect(w.get('[data-testid=graph-status]').text()).toMatch(/^3,003 nodes · 10[0-9] shown/);
    expect(w.findAll('[data-testid=graph-node]').length).toBeLessThan(10);
    const first = w.get('[data-testid=graph-scope][data-scope="model/layers.0"]');
    expect(first.text()).toContain('30 nodes');
    await first.trigger('click');
    await settle();
    expect(w.find('[data-testid=graph-scope][data-scope="model/layers.0"]').exists()).toBe(false);
    expect(w.find('[data-testid=graph-scope][data-scope="model/layers.0/attn"]').exists()).toBe(true);
    expect(w.find('[data-testid=graph-frame][data-scope="model/layers.0"]').exists()).toBe(true);
    // Finding a node hidden in a collapsed scope expands its scopes and selects it.
    await w.get('[data-testid=graph-find-input]').setValue('/model/layers.5/attn/Softmax');
    await w.get('[data-testid=graph-find-result]').trigger('mousedown');
    await settle();
    expect(useGraphStore().expanded.has('model/layers.5/attn')).toBe(true);
    expect(w.get('[data-testid=graph-sidebar-node] [data-testid=graph-node-name]').text()).toBe('/model/layers.5/attn/Softmax');
    expect(w.get('[data-testid=graph-node][data-name="/model/layers.5/attn/Softmax"]').classes()).toContain('sel');
  });

  it('offers to cancel a layout that takes long', async () => {
    vi.useFakeTimers();
    const cancel = vi.fn();
    vi.spyOn(runner, 'startLayout').mockReturnValue({ result: new Promise(() => undefined), cancel });
    lab = fakeClient({ modelGraph: convSummary, netronStatus: () => ({ available: false }) });
    setBackend(lab);
    wrapper = mount(GraphPanel, { props: { detail: det }, global: { plugins: [pinia] } });
    await vi.advanceTimersByTimeAsync(10);
    expect(wrapper.find('[data-testid=graph-layout-progress]').exists()).toBe(true);
    expect(wrapper.find('[data-testid=graph-layout-cancel]').exists()).toBe(false);
    await vi.advanceTimersByTimeAsync(2600);
    await wrapper.get('[data-testid=graph-layout-cancel]').trigger('click');
    expect(cancel).toHaveBeenCalled();
    expect(wrapper.get('[data-testid=graph-layout-cancelled]').text()).toContain('Layout cancelled');
  });

  it('opens Netron when it is installed and shows its address', async () => {
    const w = await open(convSummary, { netronStatus: () => ({ available: true, path: '/usr/bin/netron' }), openInNetron: () => ({ url: 'http://127.0.0.1:8081/' }) });
    await w.get('[data-testid=graph-open-netron]').trigger('click');
    await settle();
    expect(lab.of('openInNetron')).toEqual([{ repoId: det.repoId, model: 'text_detection', version: 1 }]);
    expect(w.get('[data-testid=graph-netron-url]').attributes('href')).toBe('http://127.0.0.1:8081/');
  });

  it('hides Netron when it is not installed, and speaks Chinese', async () => {
    setLocale('zh-CN');
    const w = await open();
    expect(w.find('[data-testid=graph-open-netron]').exists()).toBe(false);
    expect(w.get('[data-testid=graph-use-in-config]').text()).toBe('用于配置');
    expect(w.get('[data-testid=graph-sidebar-model]').text()).toContain('算子集');
  });
});
