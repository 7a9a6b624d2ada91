/**
 * Trace export: Triton's trace-file JSON from a run's spans (a model object
 * and a timestamps object per span, children pointing at their parent), for
 * playground runs as well as step-throughs.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../lab';
import { makeTempDir, type TempDir } from '../repository/testing/temp-repo';
import { ensembleConfig, identityModels } from '../runtime/testing/models';
import type { TraceSpan } from '../runtime/trace';
import { exportTrace, MAX_TRACE_ID_CHARS, traceRecords, traceRequestId } from './trace-export';

describe('traceRecords', () => {
  const spans: TraceSpan[] = [
    { id: 1, kind: 'request', model: 'ens', version: 1, requestId: 'r1', requestStart: 0, computeStart: 10, computeEnd: 90, requestEnd: 90 },
    { id: 2, parentId: 1, kind: 'step', step: 0, model: 'm', version: 3, requestId: 'r1', requestStart: 11, queueStart: 12, computeStart: 20, computeEnd: 80, requestEnd: 85 },
  ];

  it('writes a model object then a timestamps object per span, in steady-clock ns', () => {
    expect(traceRecords(spans, 1000)).toEqual([
      { id: 1, model_name: 'ens', model_version: 1, request_id: 'r1' },
      {
        id: 1,
        timestamps: [
          { name: 'REQUEST_START', ns: 1000 },
          { name: 'COMPUTE_START', ns: 1010 },
          { name: 'COMPUTE_END', ns: 1090 },
          { name: 'REQUEST_END', ns: 1090 },
        ],
      },
      { id: 2, model_name: 'm', model_version: 3, request_id: 'r1', parent_id: 1 },
      {
        id: 2,
        timestamps: [
          { name: 'REQUEST_START', ns: 1011 },
          { name: 'QUEUE_START', ns: 1012 },
          { name: 'COMPUTE_START', ns: 1020 },
          { name: 'COMPUTE_END', ns: 1080 },
          { name: 'REQUEST_END', ns: 1085 },
        ],
      },
    ]);
  });

  it('numbers traces as the caller says and names the file after model and run', () => {
    expect(
      traceRecords(spans, 0, (id) => id + 40)
        .filter((r) => r.model_name)
        .map((r) => [r.id, r.parent_id]),
    ).toEqual([
      [41, undefined],
      [42, 41],
    ]);
    const file = exportTrace({ result: { runId: 'run/1', model: 'my model' }, spans, originNs: 0 });
    expect(file.fileName).toBe('my_model-run_1.trace.json');
    expect(JSON.parse(file.json)).toHaveLength(4);
  });
});

describe('exportTrace from the lab', () => {
  let dir: TempDir;
  let lab: Lab;
  let repoId: string;
  beforeAll(async () => {
    dir = await makeTempDir({
      ...identityModels('a'),
      'e/config.pbtxt': ensembleConfig('e', {
        mbs: 8,
        inputs: [{ name: 'IN', dims: [-1] }],
        outputs: [{ name: 'OUT', dims: [-1] }],
        steps: [
          { model: 'a', inputs: { INPUT0: 'IN' }, outputs: { OUTPUT0: 'mid' } },
          { model: 'a', inputs: { INPUT0: 'mid' }, outputs: { OUTPUT0: 'OUT' } },
        ],
      }),
      'e/1': null,
    });
    lab = new Lab();
    repoId = (await lab.openRepository(dir.root, { sample: true })).id;
  });
  afterAll(async () => {
    await lab.close();
    dir.cleanup();
  });

  it('exports a playground run: the ensemble request and its steps as child traces, in time order', async () => {
    const run = await lab.runModel({ repoId, model: 'e', inputs: [{ name: 'IN', kind: 'values', dtype: 'FP32', shape: [2], values: [1, 2] }], runId: 'plain' });
    expect(run.steps.map((s) => [s.kind, s.id, s.parentId])).toEqual([
      ['request', 1, undefined],
      ['step', 2, 1],
      ['step', 3, 1],
    ]);
    expect(run.steps[1]).toMatchObject({ instance: expect.stringMatching(/^a_/), batchedWith: 1 });
    expect(run.steps[1]!.queueStartMs).toBeLessThanOrEqual(run.steps[1]!.computeStartMs!);
    expect(run.steps.some((s) => s.hasTensors)).toBe(false);
    const out = lab.exportTrace('plain');
    expect(out.fileName).toBe('e-plain.trace.json');
    const records = JSON.parse(out.json) as { id: number; model_name?: string; request_id?: string; parent_id?: number; timestamps?: { name: string; ns: number }[] }[];
    expect(records.filter((r) => r.model_name).map((r) => [r.model_name, r.request_id, r.parent_id])).toEqual([
      ['e', 'plain', undefined],
      ['a', 'plain', 1],
      ['a', 'plain', 1],
    ]);
    const step = records.find((r) => r.id === 2 && r.timestamps)!.timestamps!;
    expect(step.map((t) => t.name)).toEqual(['REQUEST_START', 'QUEUE_START', 'COMPUTE_START', 'COMPUTE_END', 'REQUEST_END']);
    for (let i = 1; i < step.length; i++) expect(step[i]!.ns).toBeGreaterThanOrEqual(step[i - 1]!.ns);
  });

  it('exports an open step-through so far', async () => {
    await lab.startStepRun({ repoId, model: 'e', inputs: [{ name: 'IN', kind: 'values', dtype: 'FP32', shape: [2], values: [1, 2] }], runId: 'open' });
    await lab.stepRun('open', 'step');
    const records = JSON.parse(lab.exportTrace('open').json) as { model_name?: string }[];
    expect(records.filter((r) => r.model_name).map((r) => r.model_name)).toEqual(['e', 'a']);
    await lab.stepRun('open', 'stop');
  });
});

/**
 * A request id may be as large as a request (64 MiB), and the serving side keeps trace records in
 * memory until they are written or dropped: records keep at most MAX_TRACE_ID_CHARS of it.
 */
describe('request ids in trace records', () => {
  it('are cut to 256 characters, marked with their full length; shorter ones are kept as they are', () => {
    expect(MAX_TRACE_ID_CHARS).toBe(256);
    expect(traceRequestId('r1')).toBe('r1');
    expect(traceRequestId('a'.repeat(256))).toBe('a'.repeat(256));
    expect(traceRequestId('a'.repeat(300))).toBe(`${'a'.repeat(256)}…[cut: 300 characters]`);
    // Never half a surrogate pair.
    expect(traceRequestId(`${'a'.repeat(255)}😀${'b'.repeat(10)}`)).toBe(`${'a'.repeat(255)}…[cut: 267 characters]`);
    const span: TraceSpan = { id: 1, kind: 'request', model: 'm', version: 1, requestId: 'x'.repeat(2 ** 20), requestStart: 0 };
    expect(traceRecords([span], 0)[0]!.request_id).toHaveLength(256 + '…[cut: 1048576 characters]'.length);
  });

  it('do not keep the whole id alive (a slice of a long string shares its memory in V8)', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const heap = (): number => (gc(), gc(), process.memoryUsage().heapUsed);
    const before = heap();
    const kept = [];
    for (let i = 0; i < 100; i++) {
      const span: TraceSpan = { id: i, kind: 'request', model: 'm', version: 1, requestId: `${i}-`.padEnd(2 ** 20, 'x'), requestStart: 0 };
      kept.push(...traceRecords([span], 0));
    }
    const grownMiB = (heap() - before) / 2 ** 20;
    expect(kept).toHaveLength(200);
    expect(grownMiB).toBeLessThan(20);
  });
});
