/**
 * Ensemble step-through through the Lab: pauses, steps, breakpoints, stop,
 * pruned steps, edges and span tensors while paused and after, BLS calls as
 * child spans, the limits and errors, the idle stop, and the real OCR
 * ensemble stepped to its recognized text.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepRunState } from '../../contract/inspect-api';
import type { InputSpec } from '../../contract/lab-api';
import { createLabHandlers, dispatch } from '../lab-handlers';
import { Lab } from '../lab';
import { makeTempDir, type TempDir } from '../repository/testing/temp-repo';
import { ensembleConfig, identityModels, rejection, scriptConfig, scriptModel, sleep } from '../runtime/testing/models';
import { stringsFromBytes } from '../tensor/tensor';
import { tensorPage } from './tensor-access';
import { StepRunService } from './step-runs';
import { browserHost } from '../testing/host';

/** Doubles IN through a BLS call to `first` (identity) and adds it to itself. */
const BLS_CALLER = scriptModel(`    const t = pb_utils.get_input_tensor_by_name(request, 'IN');
    const res = await new pb_utils.InferenceRequest({ model_name: 'first', inputs: [new pb_utils.Tensor('INPUT0', t.data, t.shape, t.dtype)], requested_output_names: ['OUTPUT0'] }).exec();
    if (res.has_error()) throw new Error(res.error().message());
    const o = res.output_tensors()[0];
    const doubled = Float32Array.from(o.numbers(), (v) => v * 2);
    return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', doubled, o.shape, 'FP32')] });`);

let dir: TempDir;
let lab: Lab;
let repoId: string;

beforeAll(async () => {
  dir = await makeTempDir({
    ...identityModels('first', 'second'),
    'caller/config.pbtxt': scriptConfig('caller', { mbs: 8, inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] }),
    'caller/1/model.js': BLS_CALLER,
    // Two independent steps, then one that needs the first.
    'e/config.pbtxt': ensembleConfig('e', {
      mbs: 8,
      inputs: [{ name: 'IN', dims: [-1] }],
      outputs: [
        { name: 'OUT', dims: [-1] },
        { name: 'SIDE', dims: [-1] },
      ],
      steps: [
        { model: 'first', inputs: { INPUT0: 'IN' }, outputs: { OUTPUT0: 'a' } },
        { model: 'second', inputs: { INPUT0: 'IN' }, outputs: { OUTPUT0: 'SIDE' } },
        { model: 'second', inputs: { INPUT0: 'a' }, outputs: { OUTPUT0: 'OUT' } },
      ],
    }),
    'e/1': null,
    'withbls/config.pbtxt': ensembleConfig('withbls', {
      mbs: 8,
      inputs: [{ name: 'IN', dims: [-1] }],
      outputs: [{ name: 'OUT', dims: [-1] }],
      steps: [
        { model: 'caller', inputs: { IN: 'IN' }, outputs: { OUT: 'doubled' } },
        { model: 'second', inputs: { INPUT0: 'doubled' }, outputs: { OUTPUT0: 'OUT' } },
      ],
    }),
    'withbls/1': null,
    // Answers with its request's integer parameter 'k' (-1 without it).
    'param/config.pbtxt': scriptConfig('param', { mbs: 8, inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] }),
    'param/1/model.js': scriptModel(
      `    return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', Float32Array.of(JSON.parse(request.parameters()).k ?? -1), [1], 'FP32')] });`,
    ),
    'withparam/config.pbtxt': ensembleConfig('withparam', {
      mbs: 8,
      inputs: [{ name: 'IN', dims: [-1] }],
      outputs: [{ name: 'OUT', dims: [-1] }],
      steps: [{ model: 'param', inputs: { IN: 'IN' }, outputs: { OUT: 'OUT' } }],
    }),
    'withparam/1': null,
  });
  lab = new Lab();
  repoId = (await lab.openRepository(dir.root, { sample: true })).id;
  for (const m of ['e', 'withbls', 'caller', 'withparam']) expect(lab.repository(repoId).models.get(m)!.state, m).toBe('READY');
});
afterAll(async () => {
  await lab.close();
  dir.cleanup();
});

const IN: InputSpec[] = [{ name: 'IN', kind: 'values', dtype: 'FP32', shape: [2], values: [5, 6] }];
const numbers = (runId: string, ref: { side: 'edge' | 'input' | 'output'; name: string; spanId?: number }) => tensorPage(lab.tensor({ runId, ...ref }), 0, 100).values;
const edgeNames = (s: StepRunState) => s.edges.map((e) => `${e.name}${e.producer !== undefined ? `@${e.producer}` : ''}`);

describe('step-through', () => {
  it('pauses before each step with its inputs mapped to edges; tensors are viewable while paused and after', async () => {
    const s0 = await lab.startStepRun({ repoId, model: 'e', inputs: IN, runId: 'life' });
    expect(s0).toMatchObject({ runId: 'life', state: 'paused', done: [], skipped: [], breakpoints: [] });
    expect(s0.paused).toMatchObject({ step: 0, model: 'first', inputs: [{ name: 'INPUT0', edge: 'IN', info: { shape: [1, 2] } }] });
    expect(edgeNames(s0)).toEqual(['IN']);
    expect(numbers('life', { side: 'edge', name: 'IN' })).toEqual([5, 6]);
    // While open the run is not in the history yet, and moving on a paused run is refused nowhere else.
    expect(lab.runs.list({ repoId }).some((r) => r.runId === 'life')).toBe(false);

    const s1 = await lab.stepRun('life', 'step');
    expect(s1).toMatchObject({ state: 'paused', done: [0], paused: { step: 1, model: 'second' } });
    expect(edgeNames(s1)).toEqual(['IN', 'a@0']);
    expect(s1.edges[1]!.info).toMatchObject({ name: 'a', dtype: 'FP32', shape: [1, 2], stats: { min: 5, max: 6 } });
    const span = s1.spans!.find((x) => x.kind === 'step' && x.step === 0)!;
    expect(span).toMatchObject({ model: 'first', hasTensors: true, parentId: s1.spans![0]!.id });
    expect(numbers('life', { side: 'output', name: 'OUTPUT0', spanId: span.id })).toEqual([5, 6]);
    expect(s1.spanTensors![span.id!]).toMatchObject({ inputs: [{ name: 'INPUT0', shape: [1, 2] }], outputs: [{ name: 'OUTPUT0', shape: [1, 2] }] });
    expect(lab.stepRunState('life').paused?.step).toBe(1);

    const s2 = await lab.stepRun('life', 'step');
    expect(s2).toMatchObject({ done: [0, 1], paused: { step: 2, inputs: [{ name: 'INPUT0', edge: 'a' }] } });

    const end = await lab.stepRun('life', 'run-to-end');
    expect(end.state).toBe('finished');
    expect(end.paused).toBeUndefined();
    expect(end.done).toEqual([0, 1, 2]);
    expect(edgeNames(end)).toEqual(['IN', 'a@0', 'SIDE@1', 'OUT@2']);
    expect(end.result).toMatchObject({ runId: 'life', state: 'ok', model: 'e' });
    expect(end.result!.outputs.map((o) => o.name)).toEqual(['OUT', 'SIDE']);
    // In the history like any run: listRuns, outputs, edges and span tensors.
    expect(lab.runs.list({ repoId, model: 'e' })[0]!.runId).toBe('life');
    expect(numbers('life', { side: 'output', name: 'OUT' })).toEqual([5, 6]);
    expect(numbers('life', { side: 'edge', name: 'a' })).toEqual([5, 6]);
    expect(numbers('life', { side: 'input', name: 'INPUT0', spanId: span.id })).toEqual([5, 6]);
    expect(() => lab.tensor({ runId: 'life', side: 'edge', name: 'nope' })).toThrow("run 'life' has no ensemble tensor 'nope'");
    // Ended: the state stays readable; moving it on is refused, stopping it is harmless.
    expect(lab.stepRunState('life').state).toBe('finished');
    expect((await rejection(lab.stepRun('life', 'step'))).message).toBe("step-through run 'life' has finished; start a new one to step again");
    expect((await lab.stepRun('life', 'stop')).state).toBe('finished');
  });

  it('records a step-through as mode step, with the time it stood paused apart from compute', async () => {
    await lab.startStepRun({ repoId, model: 'e', inputs: IN, runId: 'paused-time' });
    await sleep(60);
    await lab.stepRun('paused-time', 'step');
    await sleep(40);
    const end = await lab.stepRun('paused-time', 'run-to-end');
    const r = end.result!;
    expect(r).toMatchObject({ mode: 'step', state: 'ok', inputLabel: 'values' });
    // Two pauses of at least 60 and 40 ms; the rest of ms is compute and scheduling.
    expect(r.pausedMs).toBeGreaterThanOrEqual(95);
    expect(r.pausedMs).toBeLessThanOrEqual(r.ms);
    expect(lab.runs.list({ repoId, model: 'e' }).find((x) => x.runId === 'paused-time')).toMatchObject({ mode: 'step', pausedMs: r.pausedMs });
    // Stopped while paused: the pause up to the stop counts, and the run is marked cancelled.
    await lab.startStepRun({ repoId, model: 'e', inputs: IN, runId: 'paused-stop' });
    await sleep(30);
    const stopped = (await lab.stepRun('paused-stop', 'stop')).result!;
    expect(stopped).toMatchObject({ mode: 'step', state: 'cancelled' });
    expect(stopped.pausedMs).toBeGreaterThanOrEqual(25);
  });

  it("sends the run's request parameters to the steps, as a plain run does", async () => {
    await lab.startStepRun({ repoId, model: 'withparam', inputs: IN, runId: 'with-params', parameters: { k: 7 } });
    const r = (await lab.stepRun('with-params', 'run-to-end')).result!;
    expect(r).toMatchObject({ state: 'ok', requestParameters: { k: 7 } });
    expect(numbers('with-params', { side: 'output', name: 'OUT' })).toEqual([7]);
  });

  it('continue stops at breakpoints; pruned steps are listed as skipped', async () => {
    const s0 = await lab.startStepRun({ repoId, model: 'e', inputs: IN, runId: 'bp', breakpoints: [2] });
    expect(s0.paused?.step).toBe(0);
    expect(s0.breakpoints).toEqual([2]);
    const s1 = await lab.stepRun('bp', 'continue');
    expect(s1).toMatchObject({ state: 'paused', done: [0, 1], paused: { step: 2 } });
    expect((await lab.stepRun('bp', 'continue')).state).toBe('finished');

    // Only OUT asked for: the SIDE step is pruned and never pauses.
    const p0 = await lab.startStepRun({ repoId, model: 'e', inputs: IN, outputs: ['OUT'], runId: 'pruned', breakpoints: [1] });
    expect(p0.skipped).toEqual([1]);
    const p1 = await lab.stepRun('pruned', 'continue', []);
    expect(p1).toMatchObject({ state: 'finished', done: [0, 2], skipped: [1], breakpoints: [] });
    expect(p1.result!.outputs.map((o) => o.name)).toEqual(['OUT']);
  });

  it('stop cancels the run; it is kept as cancelled with what it produced', async () => {
    await lab.startStepRun({ repoId, model: 'e', inputs: IN, runId: 'halt' });
    await lab.stepRun('halt', 'step');
    const st = await lab.stepRun('halt', 'stop');
    expect(st).toMatchObject({ state: 'stopped', done: [0], error: 'the run was stopped', result: { state: 'cancelled' } });
    expect(numbers('halt', { side: 'edge', name: 'a' })).toEqual([5, 6]);
    // cancelRun reaches a paused step-through too.
    await lab.startStepRun({ repoId, model: 'e', inputs: IN, runId: 'cancelled' });
    expect(lab.runs.cancel('cancelled')).toBe(true);
    await sleep(10);
    expect(lab.stepRunState('cancelled').state).toBe('stopped');
  });

  it('lists BLS calls under their step, with their own tensors', async () => {
    const s0 = await lab.startStepRun({ repoId, model: 'withbls', inputs: IN, runId: 'bls' });
    const s1 = await lab.stepRun('bls', 'step');
    const step = s1.spans!.find((x) => x.kind === 'step' && x.step === 0)!;
    const bls = s1.spans!.filter((x) => x.kind === 'bls');
    expect(s0.paused?.model).toBe('caller');
    expect(bls).toHaveLength(1);
    expect(bls[0]).toMatchObject({ model: 'first', parentId: step.id, hasTensors: true });
    expect(numbers('bls', { side: 'output', name: 'OUTPUT0', spanId: bls[0]!.id })).toEqual([5, 6]);
    expect(numbers('bls', { side: 'edge', name: 'doubled' })).toEqual([10, 12]);
    const end = await lab.stepRun('bls', 'run-to-end');
    expect(numbers('bls', { side: 'output', name: 'OUT' })).toEqual([10, 12]);
    const trace = JSON.parse(lab.exportTrace('bls').json) as { id: number; model_name?: string; parent_id?: number }[];
    const named = trace.filter((r) => r.model_name);
    const stepRec = named.find((r) => r.model_name === 'caller')!;
    expect(named.find((r) => r.model_name === 'first')!.parent_id).toBe(stepRec.id);
    expect(end.result!.steps.map((x) => x.kind)).toEqual(['request', 'step', 'bls', 'step']);
  });

  it('refuses what it cannot do, saying why', async () => {
    expect((await rejection(lab.startStepRun({ repoId, model: 'first', inputs: [] }))).message).toContain("'first' is not an ensemble");
    expect((await rejection(lab.stepRun('never', 'step'))).message).toContain("no step-through run 'never'");
    expect(() => lab.stepRunState('never')).toThrow("no step-through run 'never'");
    await lab.startStepRun({ repoId, model: 'e', inputs: IN, runId: 'errs' });
    expect((await rejection(lab.stepRun('errs', 'jump' as never))).message).toContain('action must be one of step, continue, run-to-end, stop');
    expect((await rejection(lab.stepRun('errs', 'continue', [7]))).message).toBe('breakpoint 7 is not a step of this ensemble (steps 0 to 2)');
    expect((await rejection(lab.startStepRun({ repoId, model: 'e', inputs: IN, runId: 'errs' }))).code).toBe('ALREADY_EXISTS');
    expect((await rejection(lab.startStepRun({ repoId, model: 'e', inputs: IN, breakpoints: [3] }))).message).toContain('breakpoint 3');
    await lab.stepRun('errs', 'stop');
    // A failing step ends the run as failed, with the ensemble's wording.
    const bad = await lab.startStepRun({ repoId, model: 'e', inputs: [{ name: 'IN', kind: 'values', dtype: 'FP32', shape: [9, 1], values: new Array(9).fill(1) }], runId: 'toobig' });
    expect(bad.state).toBe('error');
    expect(bad.error).toContain('batch-size must be <= 8');

    const h = createLabHandlers(lab, browserHost());
    await expect(dispatch(h, 'stepRun', { runId: 'x', action: 'leap' })).rejects.toThrow("'action' must be one of step, continue, run-to-end, stop");
    await expect(dispatch(h, 'startStepRun', { repoId, model: 'e', inputs: IN, breakpoints: ['a'] })).rejects.toThrow("'breakpoints' must be a list of step indices");
    await expect(dispatch(h, 'startStepRun', { repoId, model: 'e', inputs: 'x' })).rejects.toThrow("'inputs' must be a list");
    await expect(dispatch(h, 'exportTrace', { runId: 'nope' })).rejects.toThrow("run 'nope' is not in the history");
    const st = (await dispatch(h, 'startStepRun', { repoId, model: 'e', inputs: IN, runId: 'viahttp' })) as StepRunState;
    expect(st.paused?.step).toBe(0);
    expect(((await dispatch(h, 'stepRun', { runId: 'viahttp', action: 'run-to-end' })) as StepRunState).state).toBe('finished');
  });

  it('limits open step-throughs and stops abandoned ones', async () => {
    const svc = new StepRunService(lab.runs, { maxActive: 2, idleMs: 30 });
    await svc.start({ repoId, model: 'e', inputs: IN, runId: 'lim1' });
    await svc.start({ repoId, model: 'e', inputs: IN, runId: 'lim2' });
    expect((await rejection(svc.start({ repoId, model: 'e', inputs: IN }))).message).toBe('2 step-throughs are open already; stop one (or run it to the end) before starting another');
    await sleep(120);
    expect(svc.state('lim1').state).toBe('stopped');
    expect(svc.openCount).toBe(0);
    await svc.start({ repoId, model: 'e', inputs: IN, runId: 'lim3' });
    await svc.close();
    // Starts arriving together cannot pass the limit between the check and the run being registered.
    const together = new StepRunService(lab.runs, { maxActive: 2, idleMs: 10_000 });
    const outcomes = await Promise.allSettled(['t1', 't2', 't3'].map((runId) => together.start({ repoId, model: 'e', inputs: IN, runId })));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(together.openCount).toBe(2);
    await together.close();
    expect(svc.state('lim3').state).toBe('stopped');
  });
});

describe('the OCR ensemble sample', () => {
  it('steps to the end; the detection map, crops and recognized text are edges', async () => {
    const ocr = new Lab({ sampleImagesDir: path.resolve('resources/sample-images') });
    try {
      const info = await ocr.openRepository(path.resolve('sample-repos/ocr_ensemble'), { sample: true });
      const first = await ocr.startStepRun({
        repoId: info.id,
        model: 'ensemble_model',
        inputs: [{ name: 'input_image', kind: 'bytes', dtype: 'UINT8', source: { sample: 'dejavu-sans-lines.png' } }],
        runId: 'ocr',
      });
      expect(first.paused).toMatchObject({ step: 0, model: 'detection_preprocessing' });
      let st = first;
      const seen: string[] = [];
      while (st.state === 'paused') {
        seen.push(st.paused!.model);
        st = await ocr.stepRun('ocr', 'step');
      }
      expect(st.state).toBe('finished');
      expect(seen).toEqual(['detection_preprocessing', 'text_detection', 'detection_postprocessing', 'text_recognition', 'recognition_postprocessing']);
      expect(st.edges.map((e) => e.name)).toEqual(['input_image', 'detection_input', 'original_image', 'probability_map', 'text_crops', 'recognition_output', 'recognized_text']);
      const map = st.edges.find((e) => e.name === 'probability_map')!.info;
      expect(map.shape.length).toBe(4);
      expect(map.stats!.max).toBeLessThanOrEqual(1);
      const crops = st.edges.find((e) => e.name === 'text_crops')!.info;
      expect(crops.imageLayouts[0]).toMatchObject({ layout: 'NCHW', batch: 4, channels: 3 });
      const text = stringsFromBytes(ocr.tensor({ runId: 'ocr', side: 'edge', name: 'recognized_text' }).data as Uint8Array[]);
      expect(text).toEqual(['Model Lab reads this text', 'Every line is found by DB', 'and read by the SVTR model', 'Quick brown foxes jump high']);
      expect(tensorPage(ocr.tensor({ runId: 'ocr', side: 'output', name: 'recognized_text' }), 0, 10).values).toEqual(text);
      expect(st.result!.steps.filter((x) => x.kind === 'step').map((x) => x.model)).toEqual(seen);
    } finally {
      await ocr.close();
    }
  }, 60_000);
});
