// @vitest-environment happy-dom
/** "Run to see" in the graph view: the button's states (idle, running with cancel, done, failed, cancelled), which input it sends, and the observed tensor panel. */
import { flushPromises, mount } from '@vue/test-utils';
import type { GraphObservation } from '@contract/lab-api';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabCallError, setBackend } from '../api/client';
import { deferred, detail, fakeClient, io, SAMPLES, TensorViewStub } from '../components/playground/test-support';
import { setLocale } from '../i18n';
import { useRunStore } from '../stores/run';
import { info } from '../viewers/fake-lab';
import GraphObserveBar from './GraphObserveBar.vue';
import GraphPanel from './GraphPanel.vue';
import GraphObserveTensor from './GraphObserveTensor.vue';
import { useObserveStore } from './observe';
import { emptySummary, graphNode } from './synthetic';

function observation(extra: Partial<GraphObservation> = {}): GraphObservation {
  return {
    runId: 'run-1',
    graphId: 'g1',
    inputNote: 'generated input: x FP32 1×3×640×640 (pseudo-random in [0, 1))',
    inputs: [info('x', 'FP32', [1, 3, 640, 640])],
    values: {
      x: { name: 'x', dtype: 'FP32', dims: [1, 3, 640, 640], kept: true },
      conv: { name: 'conv', dtype: 'FP32', dims: [1, 16, 320, 320], kept: true, stats: { count: 1, min: -1, max: 2, mean: 0.5, std: 0.25, nan: 0, inf: 0 } },
      late: { name: 'late', dtype: 'FP32', dims: [1, 96, 80, 80], kept: false, stats: { count: 1, min: 0, max: 6, mean: 1.5, std: 2, nan: 0, inf: 0 } },
    },
    ms: 1840,
    keptBytes: 256 * 2 ** 20,
    dropped: 241,
    ...extra,
  };
}

beforeEach(() => {
  setActivePinia(createPinia());
  setLocale('en');
});
afterEach(() => setBackend(undefined));

const bar = () => mount(GraphObserveBar, { props: { graphId: 'g1', repoId: 'r1', model: 'det' } });

describe('GraphObserveBar', () => {
  it('offers the button with an empty state, shows progress while it runs, then what the run showed', async () => {
    const running = deferred<GraphObservation>();
    const client = fakeClient({ observeGraph: () => running.promise });
    setBackend(client);
    const w = bar();
    expect(w.get('[data-testid=graph-observe-run]').text()).toBe('Run to see');
    expect(w.get('[data-testid=graph-observe-empty]').text()).toContain('real dims on every edge');
    // No Run tab form for this model yet: the engine generates the input.
    expect(w.find('[data-testid=graph-observe-source]').exists()).toBe(false);

    await w.get('[data-testid=graph-observe-run]').trigger('click');
    expect(w.get('[data-testid=graph-observe-progress]').text()).toContain('Running the model');
    expect(w.get('[data-testid=graph-observe-run]').attributes('disabled')).toBeDefined();
    const req = client.of('observeGraph')[0]!;
    expect(req).toEqual({ graphId: 'g1', runId: expect.stringMatching(/^run-/) });

    running.resolve(observation());
    await flushPromises();
    expect(w.find('[data-testid=graph-observe-progress]').exists()).toBe(false);
    expect(w.get('[data-testid=graph-observe-done]').text()).toBe(
      'Observed in 1.8 s · tensors kept for viewing: 256 MiB · 241 more values keep only their shape and statistics (over the memory budget)',
    );
    expect(w.get('[data-testid=graph-observe-note]').text()).toBe('generated input: x FP32 1×3×640×640 (pseudo-random in [0, 1))');
    expect(w.get('[data-testid=graph-observe-run]').text()).toBe('Run again');
    expect(useObserveStore().graphs['g1']!.observation!.runId).toBe('run-1');

    await w.get('[data-testid=graph-observe-clear]').trigger('click');
    expect(w.find('[data-testid=graph-observe-note]').exists()).toBe(false);
    expect(w.get('[data-testid=graph-observe-run]').text()).toBe('Run to see');
  });

  it('speaks Chinese', () => {
    setBackend(fakeClient());
    setLocale('zh-CN');
    const w = bar();
    expect(w.get('[data-testid=graph-observe-run]').text()).toBe('运行查看');
    expect(w.get('[data-testid=graph-observe-empty]').text()).toContain('真实维度');
  });

  it('cancels the run in flight through cancelRun', async () => {
    const running = deferred<GraphObservation>();
    const client = fakeClient({ observeGraph: () => running.promise });
    setBackend(client);
    const w = bar();
    await w.get('[data-testid=graph-observe-run]').trigger('click');
    await w.get('[data-testid=graph-observe-cancel]').trigger('click');
    expect(client.of('cancelRun')).toEqual([{ runId: client.of('observeGraph')[0]!.runId }]);
    expect(w.get('[data-testid=graph-observe-cancel]').text()).toBe('Cancelling…');
    running.reject(new LabCallError('CANCELLED', 'cancelled'));
    await flushPromises();
    expect(w.get('[data-testid=graph-observe-cancelled]').text()).toBe('Cancelled; nothing new is shown.');
    expect(w.find('[data-testid=graph-observe-error]').exists()).toBe(false);
  });

  it('shows an error in place, and retries', async () => {
    let calls = 0;
    setBackend(
      fakeClient({
        observeGraph: () => {
          calls++;
          if (calls === 1) throw new LabCallError('INVALID_ARG', 'ONNX Runtime cannot load this model for "Run to see": bad op');
          return observation();
        },
      }),
    );
    const w = bar();
    await w.get('[data-testid=graph-observe-run]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid=graph-observe-error]').text()).toContain('“Run to see” failed: ONNX Runtime cannot load this model');
    await w.get('[data-testid=graph-observe-error] button').trigger('click');
    await flushPromises();
    expect(calls).toBe(2);
    expect(w.find('[data-testid=graph-observe-error]').exists()).toBe(false);
    expect(w.find('[data-testid=graph-observe-done]').exists()).toBe(true);
  });

  it("sends the Run tab's input when there is one, or generated input when asked", async () => {
    const client = fakeClient({ observeGraph: () => observation() });
    setBackend(client);
    useRunStore().samples = SAMPLES;
    useRunStore().ensure(detail('det', 0, [io('x', 'FP32', [1, 3, 4, 4], 0)], [], {}, 'r1'));
    const w = bar();
    expect((w.get('[data-testid=graph-observe-source]').element as HTMLSelectElement).value).toBe('playground');
    await w.get('[data-testid=graph-observe-run]').trigger('click');
    await flushPromises();
    const sent = client.of('observeGraph')[0]!;
    expect(sent.run?.addBatchDim).toBe(true);
    expect(sent.run?.inputs.map((i) => i.name)).toEqual(['x']);
    await w.get('[data-testid=graph-observe-source]').setValue('generated');
    await w.get('[data-testid=graph-observe-run]').trigger('click');
    await flushPromises();
    expect(client.of('observeGraph')[1]!.run).toBeUndefined();
    // The engine's default budget is not sent; a larger one is.
    expect(client.of('observeGraph')[1]!.budgetBytes).toBeUndefined();
    await w.get('[data-testid=graph-observe-budget]').setValue(String(2 ** 30));
    await w.get('[data-testid=graph-observe-run]').trigger('click');
    await flushPromises();
    expect(client.of('observeGraph')[2]!.budgetBytes).toBe(2 ** 30);
  });
});

describe('GraphObserveTensor', () => {
  const mountTensor = (props: { observation?: GraphObservation; value: string }) => mount(GraphObserveTensor, { props, global: { stubs: { TensorView: TensorViewStub } } });

  it('has an empty state before a run, and says why a value was not observed or kept', () => {
    setBackend(fakeClient());
    expect(mountTensor({ value: 'conv' }).get('[data-testid=graph-observe-tensor-none]').text()).toContain('Run to see');
    expect(mountTensor({ observation: observation(), value: 'const_1' }).find('[data-testid=graph-observe-tensor-absent]').exists()).toBe(true);
    const dropped = mountTensor({ observation: observation(), value: 'late' });
    expect(dropped.text()).toContain('FP32 [1, 96, 80, 80]');
    expect(dropped.get('[data-testid=graph-observe-tensor-stats]').text()).toContain('max 6');
    expect(dropped.get('[data-testid=graph-observe-tensor-dropped]').text()).toContain('memory budget');
  });

  it('opens a kept tensor in the tensor viewers, small and large', async () => {
    const client = fakeClient({ tensorInfo: () => info('conv', 'FP32', [1, 16, 320, 320]) });
    setBackend(client);
    const w = mountTensor({ observation: observation(), value: 'conv' });
    await flushPromises();
    expect(client.of('tensorInfo')).toEqual([{ runId: 'run-1', side: 'edge', name: 'conv' }]);
    expect(w.get('.tensor-stub').attributes('data-source')).toBe('run-1/edge/conv');
    await w.get('[data-testid=graph-observe-large]').trigger('click');
    expect(w.find('[data-testid=graph-observe-dialog] .tensor-stub').exists()).toBe(true);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await flushPromises();
    expect(w.find('[data-testid=graph-observe-dialog]').exists()).toBe(false);
  });
});

describe('"Run to see" in the graph view', () => {
  it('labels every edge with the observed dims and opens an edge tensor from the canvas', async () => {
    const summary = emptySummary({
      graphId: 'g-obs',
      repoId: 'r1',
      model: 'det',
      inputs: [{ name: 'x', dtype: 'FP32', dims: [1, 3, 'h', 'w'] }],
      outputs: [{ name: 'y', dtype: 'FP32', dims: [1, 8, 'h', 'w'] }],
      nodes: [graphNode('conv', 'Conv', ['x'], ['c']), graphNode('relu', 'Relu', ['c'], ['y'])],
    });
    const seen = observation({
      graphId: 'g-obs',
      values: {
        x: { name: 'x', dtype: 'FP32', dims: [1, 3, 64, 64], kept: true },
        c: { name: 'c', dtype: 'FP32', dims: [1, 8, 32, 32], kept: true },
        y: { name: 'y', dtype: 'FP32', dims: [1, 8, 32, 32], kept: true },
      },
    });
    const client = fakeClient({ modelGraph: () => summary, netronStatus: () => ({ available: false }), observeGraph: () => seen, tensorInfo: () => info('c', 'FP32', [1, 8, 32, 32]) });
    setBackend(client);
    const d = detail('det', 0, [io('x', 'FP32', [1, 3, -1, -1], 0)], [io('y', 'FP32', [1, 8, -1, -1], 0)], {}, 'r1');
    const w = mount(GraphPanel, { props: { detail: d }, global: { stubs: { TensorView: TensorViewStub } }, attachTo: document.body });
    const settle = async () => {
      for (let i = 0; i < 6; i++) {
        await flushPromises();
        await new Promise((r) => setTimeout(r, 0));
      }
    };
    await settle();
    expect(w.text()).not.toContain('1×8×32×32');
    await w.get('[data-testid=graph-observe-run]').trigger('click');
    await settle();
    expect(w.findAll('[data-testid=graph-edge-label]').map((l) => l.text())).toContain('1×8×32×32');
    const edges = w.findAll('.edge');
    // The edge from Conv to Relu carries c.
    for (const e of edges) {
      await e.trigger('click');
      if (w.find('[data-testid=graph-observe-tensor] .tensor-stub').exists()) break;
    }
    await settle();
    expect(w.get('[data-testid=graph-observe-tensor] .tensor-stub').attributes('data-source')).toMatch(/^run-1\/edge\/(c|x|y)$/);
    w.unmount();
  });
});
