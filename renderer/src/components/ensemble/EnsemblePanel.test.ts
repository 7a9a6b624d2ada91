// @vitest-environment happy-dom
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h, type PropType } from 'vue';
import type { EnsembleStepRow, ModelDetail, RunStep, StepRunState, TensorInfo, TensorRef } from '@contract/lab-api';
import { LabCallError } from '../../api/client';
import { setLocale } from '../../i18n';
import { useModelStore } from '../../stores/model';
import { useRepositoriesStore } from '../../stores/repositories';
import { setupPanelTests } from '../playground/panel-test-setup';
import { deferred, fakeClient, ocrEnsemble, summary, tensor } from '../playground/test-support';
import EnsemblePanel from './EnsemblePanel.vue';

const OCR_STEPS: EnsembleStepRow[] = [
  { modelName: 'detection_preprocessing', modelVersion: -1, inputMap: { input_image: 'input_image' }, outputMap: { detection_input: 'detection_input', original_image: 'original_image' } },
  { modelName: 'text_detection', modelVersion: -1, inputMap: { x: 'detection_input' }, outputMap: { 'sigmoid_0.tmp_0': 'probability_map' } },
  { modelName: 'detection_postprocessing', modelVersion: -1, inputMap: { probability_map: 'probability_map', original_image: 'original_image' }, outputMap: { text_crops: 'text_crops' } },
  { modelName: 'text_recognition', modelVersion: -1, inputMap: { x: 'text_crops' }, outputMap: { 'softmax_11.tmp_0': 'recognition_output' } },
  { modelName: 'recognition_postprocessing', modelVersion: -1, inputMap: { recognition_output: 'recognition_output' }, outputMap: { recognized_text: 'recognized_text' } },
];
const ocr: ModelDetail = { ...ocrEnsemble, ensembleSteps: OCR_STEPS };

/** Shows what the panel asked the viewer for, the span and the preferred tab included. */
const TensorViewStub = defineComponent({
  name: 'TensorView',
  props: {
    tensor: { type: Object as PropType<TensorInfo>, required: true },
    source: { type: Object as PropType<TensorRef>, required: true },
    initialTab: { type: String, default: '' },
  },
  setup(props) {
    return () =>
      h(
        'div',
        { class: 'tensor-stub', 'data-source': `${props.source.runId}/${props.source.side}/${props.source.name}/${props.source.spanId ?? ''}`, 'data-tab': props.initialTab },
        props.tensor.name,
      );
  },
});

function imageInfo(name: string, shape: number[], channels: number): TensorInfo {
  const [n, , hgt, wid] = shape as [number, number, number, number];
  return { ...tensor(name, 'FP32', shape, { min: 0, max: 1 }), imageLayouts: [{ layout: 'NCHW', batch: n, height: hgt, width: wid, channels }] };
}

const EDGES = {
  input_image: { name: 'input_image', info: tensor('input_image', 'UINT8', [1, 5000], {}) },
  detection_input: { name: 'detection_input', producer: 0, info: imageInfo('detection_input', [1, 3, 64, 64], 3) },
  original_image: { name: 'original_image', producer: 0, info: tensor('original_image', 'UINT8', [64, 64, 3], {}) },
  probability_map: { name: 'probability_map', producer: 1, info: imageInfo('probability_map', [1, 1, 64, 64], 1) },
};

function state(extra: Partial<StepRunState>): StepRunState {
  return { runId: 'sr1', state: 'paused', done: [], skipped: [], edges: [EDGES.input_image], breakpoints: [], ...extra };
}

const paused0 = state({ paused: { step: 0, model: 'detection_preprocessing', inputs: [{ name: 'input_image', edge: 'input_image', info: EDGES.input_image.info }] } });
const paused2 = state({
  done: [0, 1],
  edges: [EDGES.input_image, EDGES.detection_input, EDGES.original_image, EDGES.probability_map],
  paused: { step: 2, model: 'detection_postprocessing', inputs: [{ name: 'probability_map', edge: 'probability_map', info: EDGES.probability_map.info }] },
});

const mountPanel = setupPanelTests(EnsemblePanel, TensorViewStub);

const node = (w: VueWrapper, i: number) => w.get(`[data-testid=ensemble-node][data-step="${i}"]`);

describe('the ensemble DAG', () => {
  it('draws inputs and outputs as diamonds, steps as boxes and tensors as labelled edges', async () => {
    const w = await mountPanel(ocr, fakeClient());
    const nodes = w.findAll('[data-testid=ensemble-node]');
    expect(nodes.map((n) => [n.attributes('data-step'), n.attributes('data-model')])).toEqual(OCR_STEPS.map((s, i) => [String(i), s.modelName]));
    expect(w.findAll('[data-testid=ensemble-node] rect.box')).toHaveLength(5);
    const io = w.findAll('[data-testid=ensemble-io]');
    expect(io.map((n) => n.attributes('data-name'))).toEqual(['input_image', 'recognized_text']);
    expect(io.every((n) => n.find('polygon').exists())).toBe(true);
    const edges = w.findAll('[data-testid=ensemble-edge]').map((e) => e.attributes('data-name'));
    expect([...edges].sort()).toEqual(['detection_input', 'input_image', 'original_image', 'probability_map', 'recognition_output', 'recognized_text', 'text_crops']);
    expect(w.get('[data-testid=ensemble-edge][data-name=probability_map]').text()).toContain('probability_map');
    expect(w.get('[data-testid=step-status]').text()).toBe('Not started. Check the inputs, then start the step-through.');
  });

  it('puts Start and the stepping keys above the DAG and the inputs, so they are in view without scrolling', async () => {
    const w = await mountPanel(ocr, fakeClient());
    const controls = w.get('[data-testid=step-controls]');
    expect(controls.find('[data-testid=step-start]').exists()).toBe(true);
    expect(controls.find('[data-testid=step-status]').exists()).toBe(true);
    const follows = (a: Element, b: Element) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
    expect(follows(controls.element, w.get('[data-testid=ensemble-dag]').element)).toBe(true);
    expect(follows(controls.element, w.get('[data-testid=ensemble-form]').element)).toBe(true);
  });

  it('draws a not-ready ensemble but will not start it, in either language', async () => {
    const w = await mountPanel({ ...ocr, summary: { ...ocr.summary, state: 'UNAVAILABLE' } }, fakeClient());
    expect(w.findAll('[data-testid=ensemble-node]')).toHaveLength(5);
    expect(w.get('[data-testid=ensemble-not-ready]').text()).toContain('load it (and its members)');
    expect(w.get('[data-testid=step-start]').attributes('disabled')).toBeDefined();
    setLocale('zh-CN');
    await flushPromises();
    expect(w.get('[data-testid=step-start]').text()).toBe('开始逐步执行');
    expect(w.get('[data-testid=step-status]').text()).toBe('尚未开始。检查输入后开始逐步执行。');
  });

  it('shows an empty state for an ensemble without steps', async () => {
    const w = await mountPanel(ocrEnsemble, fakeClient());
    expect(w.find('[data-testid=ensemble-empty]').text()).toContain('This ensemble has no steps');
    expect(w.find('[data-testid=ensemble-dag]').exists()).toBe(false);
  });

  it('draws a missing or unavailable member red, with its reason on the box and in its tooltip', async () => {
    const w = await mountPanel(ocr, fakeClient());
    const repos = useRepositoriesStore();
    repos.repos = [
      {
        id: ocr.repoId,
        path: '/x',
        name: 'x',
        sample: true,
        controlMode: 'none',
        watching: false,
        pollSecs: 5,
        diagnostics: [],
        loading: false,
        trust: 'trusted',
        hasCode: false,
        models: OCR_STEPS.filter((s) => s.modelName !== 'text_recognition').map((s) =>
          s.modelName === 'text_detection' ? summary(s.modelName, { state: 'UNAVAILABLE', reason: 'the model file text_detection/1/model.onnx does not exist' }) : summary(s.modelName),
        ),
      },
    ];
    await flushPromises();
    expect(w.findAll('[data-testid=ensemble-node]').map((n) => n.attributes('data-member'))).toEqual(['ok', 'unavailable', 'ok', 'missing', 'ok']);
    expect(node(w, 1).classes()).toContain('bad');
    expect(node(w, 1).get('[data-testid=ensemble-member-problem]').text()).toBe('#1 · Unavailable');
    expect(node(w, 1).get('title').text()).toContain('Model text_detection is Unavailable: the model file text_detection/1/model.onnx does not exist');
    expect(node(w, 3).get('[data-testid=ensemble-member-problem]').text()).toBe('#3 · missing');
    expect(node(w, 3).attributes('aria-label')).toContain('Model text_recognition is not in this repository');
    expect(node(w, 0).classes()).not.toContain('bad');
    expect(node(w, 0).find('[data-testid=ensemble-member-problem]').exists()).toBe(false);
  });

  it('opens a member when clicked; an ONNX member on its Graph tab once its details arrive', async () => {
    const w = await mountPanel(ocr, fakeClient());
    const repos = useRepositoriesStore();
    const model = useModelStore();
    repos.repos = [
      {
        id: 'r1',
        path: '/x',
        name: 'x',
        sample: true,
        controlMode: 'none',
        watching: false,
        pollSecs: 5,
        diagnostics: [],
        loading: false,
        trust: 'trusted',
        hasCode: false,
        models: [summary('text_detection'), summary('detection_preprocessing', { backend: 'script' })],
      },
    ];
    model.tab = 'ensemble';
    await node(w, 1).trigger('click');
    expect(repos.selection).toEqual({ repoId: 'r1', model: 'text_detection' });
    model.detail = { ...ocr, summary: summary('text_detection') };
    await flushPromises();
    expect(model.tab).toBe('graph');
    await node(w, 0).trigger('keydown', { key: 'Enter' });
    expect(repos.selection).toEqual({ repoId: 'r1', model: 'detection_preprocessing' });
  });
});

describe('stepping through', () => {
  it('starts paused before step 0, steps on, highlights the next step, and stops', async () => {
    const client = fakeClient({
      startStepRun: () => paused0,
      stepRun: (req: { action: string }) => (req.action === 'stop' ? state({ state: 'stopped', done: [0, 1], paused: undefined }) : paused2),
    });
    const w = await mountPanel(ocr, client);
    // A breakpoint toggled before the start travels with the request.
    await w.get('[data-testid=ensemble-breakpoint][data-step="3"]').trigger('click');
    expect(node(w, 3).classes()).toContain('bp');
    expect(w.get('[data-testid=step-next]').attributes('disabled')).toBeDefined();
    await w.get('[data-testid=step-start]').trigger('click');
    await flushPromises();
    const [req] = client.of('startStepRun');
    expect(req).toMatchObject({ repoId: 'r1', model: 'ensemble_model', breakpoints: [3], addBatchDim: true });
    expect(req!.inputs[0]).toMatchObject({ name: 'input_image', kind: 'bytes' });
    expect(node(w, 0).attributes('data-status')).toBe('next');
    expect(w.get('[data-testid=step-status]').text()).toBe('Paused before step 0: detection_preprocessing');
    expect(w.get('[data-testid=step-next-inputs]').text()).toContain('input_image ← input_image');

    await w.get('[data-testid=step-next]').trigger('click');
    await flushPromises();
    expect(client.of('stepRun')[0]).toEqual({ runId: 'sr1', action: 'step', breakpoints: [3] });
    expect(node(w, 0).attributes('data-status')).toBe('done');
    expect(node(w, 1).attributes('data-status')).toBe('done');
    expect(node(w, 2).attributes('data-status')).toBe('next');
    expect(w.get('[data-testid=ensemble-edge][data-name=probability_map]').classes()).toContain('produced');
    expect(w.get('[data-testid=ensemble-edge][data-name=text_crops]').classes()).not.toContain('produced');

    // The keys: F8 continues, Shift+F8 runs to the end, Esc stops.
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'F8' }));
    await flushPromises();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'F8', shiftKey: true }));
    await flushPromises();
    await w.get('[data-testid=step-continue]').trigger('click');
    await flushPromises();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await flushPromises();
    expect(client.of('stepRun').map((r) => r.action)).toEqual(['step', 'continue', 'run-to-end', 'continue', 'stop']);
    expect(w.get('[data-testid=step-status]').text()).toBe('Stopped after 2 steps');
    expect(w.get('[data-testid=step-stop]').attributes('disabled')).toBeDefined();
    // Over: the keys do nothing any more.
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'F10' }));
    await flushPromises();
    expect(client.of('stepRun')).toHaveLength(5);
  });

  it('shows progress while a step runs, with Stop still available', async () => {
    const held = deferred<StepRunState>();
    const client = fakeClient({ startStepRun: () => paused0, stepRun: (req: { action: string }) => (req.action === 'stop' ? state({ state: 'stopped', paused: undefined }) : held.promise) });
    const w = await mountPanel(ocr, client);
    await w.get('[data-testid=step-start]').trigger('click');
    await flushPromises();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'F10' }));
    await flushPromises();
    expect(w.get('[data-testid=step-status]').text()).toMatch(/^Running step 0 \(detection_preprocessing\)…/);
    expect(node(w, 0).attributes('data-status')).toBe('running');
    expect(w.get('[data-testid=step-next]').attributes('disabled')).toBeDefined();
    expect(w.get('[data-testid=step-stop]').attributes('disabled')).toBeUndefined();
    held.resolve(paused2);
    await flushPromises();
    expect(node(w, 2).attributes('data-status')).toBe('next');
  });

  it('shows an edge tensor when its arrow or a next-step input is clicked, as a heatmap for a detection map', async () => {
    const client = fakeClient({ startStepRun: () => paused2 });
    const w = await mountPanel(ocr, client);
    expect(w.get('[data-testid=step-edge-view]').text()).toContain('Click a tensor on an arrow');
    await w.get('[data-testid=step-start]').trigger('click');
    await flushPromises();
    await w.get('[data-testid=ensemble-edge][data-name=probability_map]').trigger('click');
    const stub = w.get('[data-testid=step-edge-view] .tensor-stub');
    expect(stub.attributes('data-source')).toBe('sr1/edge/probability_map/');
    expect(stub.attributes('data-tab')).toBe('heatmap');
    await w.get('[data-testid=ensemble-edge][data-name=detection_input]').trigger('keydown', { key: 'Enter' });
    expect(w.get('[data-testid=step-edge-view] .tensor-stub').attributes('data-tab')).toBe('image');
    // Not produced yet: the view says so instead of asking the lab.
    await w.get('[data-testid=ensemble-edge][data-name=text_crops]').trigger('click');
    expect(w.get('[data-testid=step-edge-view]').text()).toContain('text_crops does not exist yet');
    await w.get('[data-testid=step-paused-input]').trigger('click');
    expect(w.get('[data-testid=step-edge-view]').attributes('data-name')).toBe('probability_map');
  });

  it('says in place why a start failed', async () => {
    const client = fakeClient({
      startStepRun: () => {
        throw new LabCallError('UNAVAILABLE', '4 step-throughs are open already; stop one (or run it to the end) before starting another');
      },
    });
    const w = await mountPanel(ocr, client);
    await w.get('[data-testid=step-start]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid=step-error]').text()).toContain('4 step-throughs are open already');
    expect(w.get('[data-testid=step-start]').attributes('disabled')).toBeUndefined();
  });

  it('shows a refused step in place, and where the run stands now (stopped after being left idle)', async () => {
    const client = fakeClient({
      startStepRun: () => paused0,
      stepRun: () => {
        throw new LabCallError('INVALID_ARG', "step-through run 'sr1' has been stopped; start a new one to step again");
      },
      stepRunState: () => state({ state: 'stopped', paused: undefined, error: 'the run was stopped' }),
    });
    const w = await mountPanel(ocr, client);
    await w.get('[data-testid=step-start]').trigger('click');
    await flushPromises();
    await w.get('[data-testid=step-next]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid=step-error]').text()).toContain('has been stopped; start a new one');
    expect(w.get('[data-testid=step-status]').attributes('data-state')).toBe('stopped');
    expect(w.get('[data-testid=step-next]').attributes('disabled')).toBeDefined();
  });

  it('lists BLS calls under their step with their tensors, and draws the timeline with an export', async () => {
    const spans: RunStep[] = [
      { id: 1, kind: 'request', model: 'ensemble_model', version: 1, startMs: 0, queueMs: 0, computeMs: 50, totalMs: 50 },
      { id: 2, parentId: 1, kind: 'step', step: 0, model: 'detection_preprocessing', version: 1, startMs: 1, queueMs: 1, computeMs: 20, totalMs: 22, hasTensors: true },
      { id: 3, parentId: 2, kind: 'bls', model: 'text_direction', version: 1, startMs: 5, queueMs: 1, computeMs: 5, totalMs: 6, hasTensors: true },
    ];
    const finished = state({
      state: 'finished',
      done: [0],
      paused: undefined,
      spans,
      spanTensors: {
        2: { inputs: [tensor('input_image', 'UINT8', [1, 9])], outputs: [] },
        3: { inputs: [tensor('x', 'FP32', [1, 3, 48, 192])], outputs: [tensor('softmax_0.tmp_0', 'FP32', [1, 2])] },
      },
      result: { runId: 'sr1', repoId: 'r1', model: 'ensemble_model', version: 1, startedAt: 0, ms: 50, state: 'ok', mode: 'step', pausedMs: 20, inputs: [], outputs: [], steps: spans },
    });
    const client = fakeClient({ startStepRun: () => finished, exportTrace: () => ({ fileName: 'ensemble_model-sr1.trace.json', json: '[]' }) });
    const w = await mountPanel(ocr, client);
    await w.get('[data-testid=step-start]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid=step-status]').text()).toBe('Finished: 1 step, 30.0 ms of compute (50.0 ms with the pauses)');
    const call = w.get('[data-testid=step-item][data-step="0"] [data-testid=step-bls-call]');
    expect(call.attributes('data-model')).toBe('text_direction');
    await call.findAll('button')[1]!.trigger('click');
    expect(w.get('[data-testid=step-edge-view] .tensor-stub').attributes('data-source')).toBe('sr1/output/softmax_0.tmp_0/3');
    expect(w.findAll('[data-testid=timeline-bar]')).toHaveLength(3);
    // A step-through's timeline opens compute-only: the 28 ms where no step ran are cut out.
    expect(w.get('[data-testid=timeline-gaps-removed]').text()).toBe('28.0 ms of pauses left out');
    expect(w.get('[data-testid=legend-bls]').text()).toBe('compute (BLS call)');
    await w.get('[data-testid=timeline-wall-clock]').trigger('click');
    expect(w.find('[data-testid=timeline-gaps-removed]').exists()).toBe(false);
    URL.createObjectURL = () => 'blob:x';
    URL.revokeObjectURL = () => undefined;
    await w.get('[data-testid=trace-export]').trigger('click');
    await flushPromises();
    expect(client.of('exportTrace')).toEqual([{ runId: 'sr1' }]);
  });
});
