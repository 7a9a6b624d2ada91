/**
 * The ensemble scheduler at run time: dataflow between steps, independent
 * steps side by side, pruning for a subset of outputs, Triton's error
 * prefix, tensors a member did not return, batch/non-batch conversion, fan-out,
 * and one trace span per step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repository } from '../repository/repository';
import { loadRepository, makeTempDir, type TempDir } from '../repository/testing/temp-repo';
import { parseConfigText } from '../config/text/parse';
import { EnsembleRunner } from './ensemble-runner';
import { Trace } from './trace';
import { addModel, ensembleConfig, f32, modelConfig, rejection, scriptConfig, values } from './testing/models';

let dir: TempDir;
let repo: Repository;

const v3 = [{ name: 'IN', dims: [3] }];
const o3 = [{ name: 'OUT', dims: [3] }];
const echoIo = { mbs: 8, inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] };

const SLOW = `export default class TritonPythonModel {
  async execute(requests) {
    await new Promise((r) => setTimeout(r, 150));
    return requests.map((r) => new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', r.inputs()[0].data, r.inputs()[0].shape)] }));
  }
}
`;
const BOMB = `export default class TritonPythonModel {
  execute() {
    throw new Error('bomb went off');
  }
}
`;
// Returns only OUT1 of its two outputs.
const PARTIAL = `export default class TritonPythonModel {
  execute(requests) {
    return requests.map((r) => new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT1', r.inputs()[0].data, r.inputs()[0].shape)] }));
  }
}
`;
// Whatever the batch it gets, answers with a batch of 3 rows of its input row.
const FAN = `export default class TritonPythonModel {
  execute(requests) {
    return requests.map((r) => {
      const x = r.inputs()[0];
      const row = x.data.slice(0, x.shape[1]);
      const out = new Float32Array(3 * row.length);
      for (let i = 0; i < 3; i++) out.set(row.map((v) => v * (i + 1)), i * row.length);
      return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', out, [3, row.length])] });
    });
  }
}
`;

beforeAll(async () => {
  dir = await makeTempDir({
    ...addModel(),
    'ident/config.pbtxt': modelConfig('ident', { backend: 'identity', mbs: 8, inputs: [{ name: 'INPUT0', dims: [-1] }], outputs: [{ name: 'OUTPUT0', dims: [-1] }] }),
    'ident/1': null,
    'ident3/config.pbtxt': modelConfig('ident3', { backend: 'identity', mbs: 8, inputs: [{ name: 'INPUT0', dims: [3] }], outputs: [{ name: 'OUTPUT0', dims: [3] }] }),
    'ident3/1': null,
    'flat/config.pbtxt': modelConfig('flat', { backend: 'identity', mbs: 0, inputs: [{ name: 'INPUT0', dims: [-1, 3] }], outputs: [{ name: 'OUTPUT0', dims: [-1, 3] }] }),
    'flat/1': null,
    'slow_a/config.pbtxt': scriptConfig('slow_a', echoIo),
    'slow_a/1/model.js': SLOW,
    'slow_b/config.pbtxt': scriptConfig('slow_b', echoIo),
    'slow_b/1/model.js': SLOW,
    'bomb/config.pbtxt': scriptConfig('bomb', echoIo),
    'bomb/1/model.js': BOMB,
    'partial/config.pbtxt': scriptConfig('partial', {
      mbs: 8,
      inputs: [{ name: 'IN', dims: [-1] }],
      outputs: [
        { name: 'OUT1', dims: [-1] },
        { name: 'OUT2', dims: [-1] },
      ],
    }),
    'partial/1/model.js': PARTIAL,
    'fan/config.pbtxt': scriptConfig('fan', echoIo),
    'fan/1/model.js': FAN,

    // OUT = (IN + IN) + IN, through three steps.
    'chain/config.pbtxt': ensembleConfig('chain', {
      mbs: 8,
      inputs: v3,
      outputs: o3,
      steps: [
        { model: 'ident', inputs: { INPUT0: 'IN' }, outputs: { OUTPUT0: 'copy' } },
        { model: 'add', inputs: { A: 'copy', B: 'IN' }, outputs: { SUM: 'twice' } },
        { model: 'add', inputs: { A: 'twice', B: 'copy' }, outputs: { SUM: 'OUT' } },
      ],
    }),
    'chain/1': null,
    'par/config.pbtxt': ensembleConfig('par', {
      mbs: 8,
      inputs: v3,
      outputs: [
        { name: 'A', dims: [3] },
        { name: 'B', dims: [3] },
      ],
      steps: [
        { model: 'slow_a', inputs: { IN: 'IN' }, outputs: { OUT: 'A' } },
        { model: 'slow_b', inputs: { IN: 'IN' }, outputs: { OUT: 'B' } },
      ],
    }),
    'par/1': null,
    'prune/config.pbtxt': ensembleConfig('prune', {
      mbs: 8,
      inputs: v3,
      outputs: [
        { name: 'KEEP', dims: [3] },
        { name: 'BOOM', dims: [3] },
      ],
      steps: [
        { model: 'ident', inputs: { INPUT0: 'IN' }, outputs: { OUTPUT0: 'mid' } },
        { model: 'ident', inputs: { INPUT0: 'mid' }, outputs: { OUTPUT0: 'KEEP' } },
        { model: 'bomb', inputs: { IN: 'mid' }, outputs: { OUT: 'BOOM' } },
      ],
    }),
    'prune/1': null,
    // partial's OUT2 feeds the next step: that step's request lacks its input.
    'holes/config.pbtxt': ensembleConfig('holes', {
      mbs: 8,
      inputs: v3,
      outputs: [...o3, { name: 'P1', dims: [3] }],
      steps: [
        { model: 'partial', inputs: { IN: 'IN' }, outputs: { OUT1: 'P1', OUT2: 'p2' } },
        { model: 'ident', inputs: { INPUT0: 'p2' }, outputs: { OUTPUT0: 'OUT' } },
      ],
    }),
    'holes/1': null,
    // partial's OUT2 is an ensemble output: it is left out of the response.
    'gap/config.pbtxt': ensembleConfig('gap', {
      mbs: 8,
      inputs: v3,
      outputs: [
        { name: 'P1', dims: [3] },
        { name: 'P2', dims: [3] },
      ],
      steps: [{ model: 'partial', inputs: { IN: 'IN' }, outputs: { OUT1: 'P1', OUT2: 'P2' } }],
    }),
    'gap/1': null,
    // max_batch_size 0 ensemble → batching member, and back.
    'nb/config.pbtxt': ensembleConfig('nb', { mbs: 0, inputs: v3, outputs: o3, steps: [{ model: 'ident3', inputs: { INPUT0: 'IN' }, outputs: { OUTPUT0: 'OUT' } }] }),
    'nb/1': null,
    // batching ensemble → max_batch_size 0 member, and back.
    'bn/config.pbtxt': ensembleConfig('bn', { mbs: 8, inputs: v3, outputs: o3, steps: [{ model: 'flat', inputs: { INPUT0: 'IN' }, outputs: { OUTPUT0: 'OUT' } }] }),
    'bn/1': null,
    'loose/config.pbtxt': ensembleConfig('loose', {
      mbs: 8,
      inputs: [{ name: 'IN', dims: [-1] }],
      outputs: [{ name: 'OUT', dims: [-1] }],
      steps: [{ model: 'ident3', inputs: { INPUT0: 'IN' }, outputs: { OUTPUT0: 'OUT' } }],
    }),
    'loose/1': null,
    'idopt/config.pbtxt': modelConfig('idopt', {
      backend: 'identity',
      mbs: 8,
      inputs: [
        { name: 'INPUT0', dims: [3] },
        { name: 'INPUT1', dims: [3], extra: 'optional: true' },
      ],
      outputs: [
        { name: 'OUTPUT0', dims: [3] },
        { name: 'OUTPUT1', dims: [3] },
      ],
    }),
    'idopt/1': null,
    'opt/config.pbtxt': ensembleConfig('opt', {
      mbs: 8,
      inputs: [...v3, { name: 'OPT', dims: [3], extra: 'optional: true' }],
      outputs: [
        { name: 'OUT0', dims: [3] },
        { name: 'OUT1', dims: [3] },
      ],
      steps: [{ model: 'idopt', inputs: { INPUT0: 'IN', INPUT1: 'OPT' }, outputs: { OUTPUT0: 'OUT0', OUTPUT1: 'OUT1' } }],
    }),
    'opt/1': null,
    'fanout/config.pbtxt': ensembleConfig('fanout', {
      mbs: 8,
      inputs: [{ name: 'IN', dims: [-1] }],
      outputs: [{ name: 'OUT', dims: [-1] }],
      steps: [
        { model: 'fan', inputs: { IN: 'IN' }, outputs: { OUT: 'rows' } },
        { model: 'ident', inputs: { INPUT0: 'rows' }, outputs: { OUTPUT0: 'OUT' } },
      ],
    }),
    'fanout/1': null,
  });
  repo = await loadRepository(dir.root);
  for (const [name, rec] of repo.models) expect(rec.state, `${name}: ${rec.reason}`).toBe('READY');
});
afterAll(() => dir.cleanup());

const in3 = (vals = [1, 2, 3]) => f32('IN', [1, 3], vals);

describe('dataflow', () => {
  it('each step runs when its inputs exist; tensors flow by name', async () => {
    const r = await repo.infer('chain', -1, { inputs: [in3([1, 2, 3])] });
    expect(r.modelName).toBe('chain');
    expect(r.outputs.map((t) => t.name)).toEqual(['OUT']);
    expect(r.outputs[0]!.shape).toEqual([1, 3]);
    expect(values(r.outputs[0])).toEqual([3, 6, 9]);
  });

  it('independent steps run at the same time', async () => {
    const trace = new Trace();
    const r = await repo.infer('par', -1, { inputs: [in3()], trace: { trace, held: [] } });
    expect(r.outputs.map((t) => t.name)).toEqual(['A', 'B']);
    const a = trace.spans.find((s) => s.model === 'slow_a')!;
    const b = trace.spans.find((s) => s.model === 'slow_b')!;
    // Each started computing before the other finished.
    expect(a.computeStart!).toBeLessThan(b.computeEnd!);
    expect(b.computeStart!).toBeLessThan(a.computeEnd!);
  });
});

describe('requested outputs', () => {
  it('a step whose outputs nobody needs never runs', async () => {
    const trace = new Trace();
    const r = await repo.infer('prune', -1, { inputs: [in3([4, 5, 6])], outputs: ['KEEP'], trace: { trace, held: [] } });
    expect(r.outputs.map((t) => t.name)).toEqual(['KEEP']);
    expect(values(r.outputs[0])).toEqual([4, 5, 6]);
    expect(trace.spans.map((s) => s.model)).toEqual(['prune', 'ident', 'ident']);
  });

  it('asking for everything runs it, and its error carries the ensemble prefix and code', async () => {
    const e = await rejection(repo.infer('prune', -1, { inputs: [in3()] }));
    expect(e.code).toBe('INTERNAL');
    expect(e.message).toMatch(/^in ensemble 'prune', Failed to process the request\(s\) for model 'bomb_0', message: Error: bomb went off\n\nAt:\n/);
  });

  it('a step request the member refuses is prefixed too, with the request id', async () => {
    const e = await rejection(repo.infer('loose', -1, { id: 'q1', inputs: [f32('IN', [1, 4], [1, 2, 3, 4])] }));
    expect(e.code).toBe('INVALID_ARG');
    expect(e.message).toBe(
      "in ensemble 'loose', [request id: q1] unexpected shape for input 'INPUT0' for model 'ident3'. Expected [-1,3], got [1,4]. NOTE: Setting a non-zero max_batch_size in the model config requires a batch dimension to be prepended to each input shape. If you want to specify the full shape including the batch dim in your input dims config, try setting max_batch_size to zero. See the model configuration docs for more info on max_batch_size.",
    );
  });
});

describe('tensors a member did not return', () => {
  it('a missing tensor is left out of the next step, whose checks then fail (prefixed)', async () => {
    const e = await rejection(repo.infer('holes', -1, { inputs: [in3()] }));
    expect(e.code).toBe('INVALID_ARG');
    expect(e.message).toBe(
      "in ensemble 'holes', [request id: <id_unknown>] expected 1 inputs but got 0 inputs for model 'ident'. Got input(s) [], but missing required input(s) ['INPUT0']. Please provide all required input(s).",
    );
  });

  it('an optional ensemble input left out of the request is left out of the step request', async () => {
    const r = await repo.infer('opt', -1, { inputs: [in3([1, 2, 3])] });
    expect(r.outputs.map((t) => [t.name, values(t)])).toEqual([
      ['OUT0', [1, 2, 3]],
      ['OUT1', [0, 0, 0]],
    ]);
    const given = await repo.infer('opt', -1, { inputs: [in3([1, 2, 3]), f32('OPT', [1, 3], [4, 5, 6])] });
    expect(values(given.outputs[1])).toEqual([4, 5, 6]);
  });

  it('a missing requested output is left out of the response', async () => {
    const r = await repo.infer('gap', -1, { inputs: [in3([7, 8, 9])] });
    expect(r.outputs.map((t) => t.name)).toEqual(['P1']);
    expect(values(r.outputs[0])).toEqual([7, 8, 9]);
  });
});

describe('deadlock', () => {
  it('an output no step can produce: "unexpected deadlock", prefixed, INVALID_ARG', async () => {
    // Repository loading refuses such a config, so build the runner directly.
    const config = parseConfigText(
      ensembleConfig('E', { mbs: 8, inputs: v3, outputs: [...o3, { name: 'X', dims: [3] }], steps: [{ model: 'ident', inputs: { INPUT0: 'IN' }, outputs: { OUTPUT0: 'X' } }] }),
    ).config!;
    const runner = new EnsembleRunner(config, 1, repo);
    const e = await rejection(runner.infer({ id: 'r9', inputs: [in3()], outputs: ['OUT'] }));
    expect(e.code).toBe('INVALID_ARG');
    expect(e.message).toBe("in ensemble 'E', [request id: r9] unexpected deadlock, at least one output is not set while no more ensemble steps can be made");
  });
});

describe('batch and non-batch between steps', () => {
  it('max_batch_size 0 ensemble → batching member: [3] becomes [1,3] for the step and [3] again on the way out', async () => {
    const trace = new Trace(true);
    const r = await repo.infer('nb', -1, { inputs: [f32('IN', [3], [1, 2, 3])], trace: { trace, held: [] } });
    expect(r.outputs[0]!.shape).toEqual([3]);
    expect(values(r.outputs[0])).toEqual([1, 2, 3]);
    const step = trace.spans.find((s) => s.model === 'ident3')!;
    expect(step.inputs![0]!.shape).toEqual([1, 3]);
    expect(step.outputs![0]!.shape).toEqual([1, 3]);
  });

  it('batching ensemble → max_batch_size 0 member: a [2,3] batch that fits the member dims passes whole', async () => {
    const trace = new Trace(true);
    const r = await repo.infer('bn', -1, { inputs: [f32('IN', [2, 3], [1, 2, 3, 4, 5, 6])], trace: { trace, held: [] } });
    expect(trace.spans.find((s) => s.model === 'flat')!.inputs![0]!.shape).toEqual([2, 3]);
    expect(r.outputs[0]!.shape).toEqual([2, 3]);
    expect(values(r.outputs[0])).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a step may answer with another batch size than it got: shapes flow on unchecked', async () => {
    const r = await repo.infer('fanout', -1, { inputs: [f32('IN', [1, 2], [1, 2])] });
    expect(r.outputs[0]!.shape).toEqual([3, 2]);
    expect(values(r.outputs[0])).toEqual([1, 2, 2, 4, 3, 6]);
  });
});

describe('traces', () => {
  it('one span per step, each a child of the ensemble span, with tensors when asked', async () => {
    const trace = new Trace(true);
    await repo.infer('chain', -1, { id: 't1', inputs: [in3([1, 1, 1])], trace: { trace, held: [] } });
    const top = trace.spans[0]!;
    expect(top).toMatchObject({ kind: 'request', model: 'chain', requestId: 't1' });
    expect(top.inputs!.map((t) => t.name)).toEqual(['IN']);
    expect(values(top.outputs![0])).toEqual([3, 3, 3]);
    const steps = trace.spans.slice(1);
    expect(steps.map((s) => [s.kind, s.model, s.step, s.parentId, s.requestId])).toEqual([
      ['step', 'ident', 0, top.id, 't1'],
      ['step', 'add', 1, top.id, 't1'],
      ['step', 'add', 2, top.id, 't1'],
    ]);
    // Step tensors carry the member's names.
    expect(steps[1]!.inputs!.map((t) => t.name).sort()).toEqual(['A', 'B']);
    expect(values(steps[1]!.outputs![0])).toEqual([2, 2, 2]);
    for (const s of steps) expect(s.computeEnd!).toBeLessThanOrEqual(top.computeEnd!);
  });

  it('without captureTensors, spans carry no tensors', async () => {
    const trace = new Trace();
    await repo.infer('chain', -1, { inputs: [in3()], trace: { trace, held: [] } });
    expect(trace.spans).toHaveLength(4);
    for (const s of trace.spans) expect(s.inputs ?? s.outputs).toBeUndefined();
  });
});

describe('statistics as Triton keeps them for an ensemble', () => {
  const snapshot = (name: string) => {
    const s = repo.resolve(name, -1).statistics;
    return { success: s.success.count, fail: s.fail.count, other: s.failures.OTHER, exec: s.executionCount, batches: new Map([...s.batches].map(([k, b]) => [k, b.computeInfer.count])) };
  };

  it('each request is one execution in batch_stats, at its batch size (1 for a model without batching)', async () => {
    const nb0 = snapshot('nb');
    await repo.infer('nb', -1, { inputs: [f32('IN', [3], [1, 2, 3])] });
    await repo.infer('nb', -1, { inputs: [f32('IN', [3], [1, 2, 3])] });
    const nb1 = snapshot('nb');
    expect(nb1.exec - nb0.exec).toBe(2);
    expect((nb1.batches.get(1) ?? 0) - (nb0.batches.get(1) ?? 0)).toBe(2);
    expect([...nb1.batches.keys()]).toEqual([1]);
    const ch0 = snapshot('chain');
    await repo.infer('chain', -1, { inputs: [f32('IN', [2, 3], [1, 2, 3, 4, 5, 6])] });
    const ch1 = snapshot('chain');
    expect(ch1.exec - ch0.exec).toBe(1);
    expect((ch1.batches.get(2) ?? 0) - (ch0.batches.get(2) ?? 0)).toBe(1);
    const bs = repo.resolve('chain', -1).statistics.batches.get(2)!;
    expect(bs.computeInput.count).toBe(bs.computeInfer.count);
  });

  it('a request that fails in a step counts twice, reason OTHER, and adds no execution (core RespondIfError, then the tracker)', async () => {
    const before = snapshot('prune');
    await rejection(repo.infer('prune', -1, { inputs: [in3()] }));
    const after = snapshot('prune');
    expect(after.fail - before.fail).toBe(2);
    expect(after.other - before.other).toBe(2);
    expect(after.success - before.success).toBe(0);
    expect(after.exec - before.exec).toBe(0);
  });

  it('a request refused by its checks (wrong input) counts no failure: Triton refuses it before the scheduler', async () => {
    const before = snapshot('chain');
    expect((await rejection(repo.infer('chain', -1, { inputs: [f32('NOPE', [1, 3], [1, 2, 3])] }))).code).toBe('INVALID_ARG');
    const after = snapshot('chain');
    expect(after.fail - before.fail).toBe(0);
    expect(after.success - before.success).toBe(0);
  });
});
