/**
 * The PyTorch backend with real torch: TorchScript models built at test time
 * (testing/build_models.py), run through the engine as Triton's PyTorch
 * backend runs them: its naming rules, datatypes, batching, instances,
 * parameters and error wording. Skipped (with the reason) where torch is not
 * installed; CI installs python3-torch.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repository } from '../../repository/repository';
import { closeRepositories, loadRepository, makeTempDir, stateOf, type TempDir } from '../../repository/testing/temp-repo';
import { f32, modelConfig, rejection, tensor, text } from '../../runtime/testing/models';
import { stringsFromBytes } from '../../tensor/tensor';
import { stubs } from '../python/testing/processes';
import { pyModel, pythonConfig } from '../python/testing/repo';
import { type BuiltModel, buildTorchModels, torchMissing } from './testing/torch-models';

const suite = describe.skipIf(torchMissing !== '');

function pt(name: string, o: Parameters<typeof modelConfig>[1]): string {
  return modelConfig(name, { backend: 'pytorch', ...o });
}

let dir: TempDir;
let repo: Repository;
let built: Record<BuiltModel, Uint8Array>;

const pairIo = (inputs: string[], outputs: string[]): Parameters<typeof modelConfig>[1] => ({
  inputs: inputs.map((name) => ({ name, dims: [3] })),
  outputs: outputs.map((name) => ({ name, dims: [3] })),
});

beforeAll(async () => {
  if (torchMissing) return;
  built = buildTorchModels();
  dir = await makeTempDir({
    // <name>__<index>, listed out of order.
    'pair_index/config.pbtxt': pt('pair_index', pairIo(['INPUT__1', 'INPUT__0'], ['OUTPUT__1', 'OUTPUT__0'])),
    'pair_index/1/model.pt': built.pair,
    // forward()'s argument names, listed out of order; outputs by config order.
    'pair_args/config.pbtxt': modelConfig('pair_args', { platform: 'pytorch_libtorch', ...pairIo(['y', 'x'], ['SUM', 'DIFF']) }),
    'pair_args/1/model.pt': built.pair,
    // Neither: the config's order.
    'pair_order/config.pbtxt': pt('pair_order', pairIo(['A', 'B'], ['SUM', 'DIFF'])),
    'pair_order/1/model.pt': built.pair,
    // Digits that are not ASCII are no index to Triton (std::isdigit): the config's order.
    'pair_unicode/config.pbtxt': pt('pair_unicode', pairIo(['A__\u0661', 'B__\u00b2'], ['SUM', 'DIFF'])),
    'pair_unicode/1/model.pt': built.pair,
    'types/config.pbtxt': pt('types', {
      inputs: [
        { name: 'flags', type: 'BOOL', dims: [2] },
        { name: 'half', type: 'FP16', dims: [2] },
        { name: 'count', type: 'INT64', dims: [2] },
      ],
      outputs: [
        { name: 'NOT__0', type: 'BOOL', dims: [2] },
        { name: 'TWICE__1', type: 'FP16', dims: [2] },
        { name: 'NEXT__2', type: 'INT64', dims: [2] },
      ],
    }),
    'types/1/model.pt': built.types,
    'strings/config.pbtxt': pt('strings', { inputs: [{ name: 'WORDS__0', type: 'STRING', dims: [-1] }], outputs: [{ name: 'LOUD__0', type: 'STRING', dims: [-1] }] }),
    'strings/1/model.pt': built.strings,
    'keyed/config.pbtxt': pt('keyed', {
      inputs: [
        { name: 'B', dims: [2] },
        { name: 'A', dims: [2] },
      ],
      outputs: [{ name: 'OUT__0', dims: [2] }],
    }),
    'keyed/1/model.pt': built.keyed,
    'batched/config.pbtxt': pt('batched', {
      mbs: 8,
      inputs: [{ name: 'INPUT__0', dims: [2] }],
      outputs: [
        { name: 'OUTPUT__0', dims: [2] },
        { name: 'ROWS__1', type: 'INT64', dims: [1] },
      ],
      count: 1,
      extra: 'dynamic_batching { max_queue_delay_microseconds: 500000 }',
    }),
    'batched/1/model.pt': built.batched,
    'two/config.pbtxt': pt('two', { ...pairIo(['INPUT__0', 'INPUT__1'], ['OUTPUT__0', 'OUTPUT__1']), count: 2 }),
    'two/1/model.pt': built.pair,
    'tensors/config.pbtxt': pt('tensors', { inputs: [{ name: 'INPUT__0', dims: [2] }], outputs: [{ name: 'OUTPUT__0', dims: [2] }] }),
    'tensors/1/model.pt': built.tensors,
    'failing/config.pbtxt': pt('failing', { inputs: [{ name: 'INPUT__0', dims: [2] }], outputs: [{ name: 'OUTPUT__0', dims: [2] }] }),
    'failing/1/model.pt': built.failing,
    'wrong_type/config.pbtxt': pt('wrong_type', { ...pairIo(['INPUT__0', 'INPUT__1'], ['OUTPUT__0']), outputs: [{ name: 'OUTPUT__0', type: 'INT32', dims: [3] }] }),
    'wrong_type/1/model.pt': built.pair,
    'no_such_output/config.pbtxt': pt('no_such_output', pairIo(['INPUT__0', 'INPUT__1'], ['OUTPUT__0', 'OUTPUT__5'])),
    'no_such_output/1/model.pt': built.pair,
    'one_input/config.pbtxt': pt('one_input', pairIo(['INPUT__0'], ['OUTPUT__0'])),
    'one_input/1/model.pt': built.pair,
    'uint32/config.pbtxt': pt('uint32', { inputs: [{ name: 'INPUT__0', type: 'UINT32', dims: [3] }], outputs: [{ name: 'OUTPUT__0', dims: [3] }] }),
    'uint32/1/model.pt': built.pair,
    'empty/config.pbtxt': pt('empty', pairIo(['INPUT__0', 'INPUT__1'], ['OUTPUT__0'])),
    'empty/1': null,
    // The sequence batcher adds START as forward()'s second argument (input index 1 by its name).
    'sequence/config.pbtxt': pt('sequence', {
      mbs: 2,
      inputs: [{ name: 'VALUE__0', dims: [1] }],
      outputs: [
        { name: 'OUT__0', dims: [1] },
        { name: 'STARTED__1', dims: [1] },
      ],
      extra: 'sequence_batching { control_input [ { name: "START__1" control [ { kind: CONTROL_SEQUENCE_START fp32_false_true: [ 0, 1 ] } ] } ] }',
    }),
    'sequence/1/model.pt': built.sequence,
    'first_row/config.pbtxt': pt('first_row', { mbs: 8, inputs: [{ name: 'INPUT__0', dims: [2] }], outputs: [{ name: 'OUTPUT__0', dims: [2] }] }),
    'first_row/1/model.pt': built.first_row,
    'caller/config.pbtxt': pythonConfig('caller', { inputs: [{ name: 'CMD', type: 'STRING', dims: [1] }], outputs: [{ name: 'RESULT', type: 'STRING', dims: [1] }] }),
    'caller/1/model.py': pyModel('bls'),
  });
  repo = await loadRepository(dir.root);
}, 120_000);

afterAll(async () => {
  await closeRepositories();
  dir?.cleanup();
});

const x = [1, 2, 3];
const y = [10, 20, 30];

function values(r: { outputs: { name: string; data: unknown }[] }, name: string): number[] {
  const out = r.outputs.find((o) => o.name === name);
  if (!out) throw new Error(`no output ${name}`);
  return Array.from(out.data as ArrayLike<number | bigint>, Number);
}

suite(`naming (Triton's PyTorch conventions)${torchMissing ? ` — skipped: ${torchMissing}` : ''}`, () => {
  it('<name>__<index> picks the argument and the result by index, whatever the config order', async () => {
    expect(stateOf(repo, 'pair_index')).toEqual({ state: 'READY', reason: '' });
    const r = await repo.infer('pair_index', -1, { inputs: [f32('INPUT__0', [3], x), f32('INPUT__1', [3], y)] });
    expect(values(r, 'OUTPUT__0')).toEqual([11, 22, 33]);
    expect(values(r, 'OUTPUT__1')).toEqual([-9, -18, -27]);
  });

  it("forward()'s argument names pick the argument; outputs without __<index> follow the config's order", async () => {
    const r = await repo.infer('pair_args', -1, { inputs: [f32('x', [3], x), f32('y', [3], y)] });
    expect(values(r, 'SUM')).toEqual([11, 22, 33]);
    expect(values(r, 'DIFF')).toEqual([-9, -18, -27]);
  });

  it("names that follow neither rule are passed in the config's order", async () => {
    const r = await repo.infer('pair_order', -1, { inputs: [f32('B', [3], x), f32('A', [3], y)] });
    // A is forward()'s first argument (x), B its second.
    expect(values(r, 'SUM')).toEqual([11, 22, 33]);
    expect(values(r, 'DIFF')).toEqual([9, 18, 27]);
  });

  it("an index in digits that are not ASCII is no index: the config's order", async () => {
    expect(stateOf(repo, 'pair_unicode')).toEqual({ state: 'READY', reason: '' });
    const r = await repo.infer('pair_unicode', -1, { inputs: [f32('A__\u0661', [3], x), f32('B__\u00b2', [3], y)] });
    expect(values(r, 'DIFF')).toEqual([-9, -18, -27]);
  });

  it('a single Dict[str, Tensor] argument gets the inputs by name', async () => {
    const r = await repo.infer('keyed', -1, { inputs: [f32('A', [2], [1, 2]), f32('B', [2], [3, 4])] });
    expect(values(r, 'OUT__0')).toEqual([13, 24]);
  });
});

suite(`datatypes${torchMissing ? ` — skipped: ${torchMissing}` : ''}`, () => {
  it('BOOL, FP16 and INT64 go in and come back', async () => {
    const r = await repo.infer('types', -1, {
      inputs: [tensor('flags', 'BOOL', [2], Uint8Array.from([1, 0])), tensor('half', 'FP16', [2], Uint16Array.from([0x3e00, 0xc000])), tensor('count', 'INT64', [2], BigInt64Array.from([41n, -1n]))],
    });
    expect(values(r, 'NOT__0')).toEqual([0, 1]);
    // 1.5 * 2 = 3.0 (0x4200), -2 * 2 = -4 (0xc400)
    expect(values(r, 'TWICE__1')).toEqual([0x4200, 0xc400]);
    expect(values(r, 'NEXT__2')).toEqual([42, 0]);
  });

  it('TYPE_STRING is a List[str] both ways', async () => {
    const r = await repo.infer('strings', -1, { inputs: [text('WORDS__0', [3], ['ab', 'ç', ''])] });
    expect(r.outputs[0]!.shape).toEqual([3]);
    // UTF-8 both ways (TorchScript's upper() changes ASCII letters only).
    expect(stringsFromBytes(r.outputs[0]!.data as Uint8Array[])).toEqual(['AB!', 'ç!', '!']);
  });

  it('a datatype LibTorch has no tensor for is refused at load, in Triton words', () => {
    expect(stateOf(repo, 'uint32')).toEqual({ state: 'UNAVAILABLE', reason: "Internal: unsupported datatype TYPE_UINT32 for input 'INPUT__0' for model 'uint32'" });
  });

  it('an output whose type differs from the config fails the request, as Triton words it', async () => {
    const e = await rejection(repo.infer('wrong_type', -1, { inputs: [f32('INPUT__0', [3], x), f32('INPUT__1', [3], y)] }));
    expect(e.code).toBe('INVALID_ARG');
    expect(e.message).toBe("configuration expects datatype TYPE_INT32 for output 'OUTPUT__0', model provides TYPE_FP32");
  });
});

suite(`batching and instances${torchMissing ? ` — skipped: ${torchMissing}` : ''}`, () => {
  it('the dynamic batcher joins requests along the first dimension: one forward() runs them, each gets its rows back', async () => {
    const rows = [0, 1, 2, 3].map((i) => [i, i + 0.5]);
    const results = await Promise.all(rows.map((row) => repo.infer('batched', -1, { inputs: [f32('INPUT__0', [1, 2], row)] })));
    results.forEach((r, i) => {
      expect(r.outputs.find((o) => o.name === 'OUTPUT__0')!.shape).toEqual([1, 2]);
      expect(values(r, 'OUTPUT__0')).toEqual(rows[i]!.map((v) => v * 2));
    });
    // Each response says how many rows its forward() call saw: more than one means the requests ran together.
    expect(Math.max(...results.map((r) => values(r, 'ROWS__1')[0]!))).toBeGreaterThan(1);
  });

  it('a request of several rows keeps its batch dimension', async () => {
    const r = await repo.infer('batched', -1, { inputs: [f32('INPUT__0', [3, 2], [1, 2, 3, 4, 5, 6])] });
    expect(values(r, 'OUTPUT__0')).toEqual([2, 4, 6, 8, 10, 12]);
    expect(r.outputs.find((o) => o.name === 'ROWS__1')!.shape).toEqual([3, 1]);
  });

  it('count: 2 starts two instances (two Python processes), both answering', async () => {
    const rec = repo.models.get('two')!;
    expect(rec.state).toBe('READY');
    const v = rec.versions.find((x) => x.state === 'READY')!;
    expect(v.device).toBe('CPU');
    const rs = await Promise.all([1, 2, 3, 4].map((k) => repo.infer('two', -1, { inputs: [f32('INPUT__0', [3], [k, k, k]), f32('INPUT__1', [3], [1, 1, 1])] })));
    expect(rs.map((r) => values(r, 'OUTPUT__0')[0])).toEqual([2, 3, 4, 5]);
    if (process.platform === 'linux') {
      // One stub process per instance, each running the PyTorch runner for its own instance name.
      const runners = stubs()
        .map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8'))
        .filter((c) => c.includes('model_lab_pytorch.py') && c.includes('"modelName":"two"'));
      expect(runners.map((c) => /"instanceName":"(two_[\d_]+)"/.exec(c)?.[1]).sort()).toEqual(['two_0_0', 'two_0_1']);
    }
  });
});

suite(`sequences${torchMissing ? ` — skipped: ${torchMissing}` : ''}`, () => {
  it("the sequence batcher's control tensor reaches forward() by its <name>__<index>", async () => {
    expect(stateOf(repo, 'sequence')).toEqual({ state: 'READY', reason: '' });
    const first = await repo.infer('sequence', -1, { inputs: [f32('VALUE__0', [1, 1], [7])], sequence: { id: 9n, start: true, end: false } });
    const next = await repo.infer('sequence', -1, { inputs: [f32('VALUE__0', [1, 1], [8])], sequence: { id: 9n, start: false, end: true } });
    expect([values(first, 'OUT__0'), values(first, 'STARTED__1')]).toEqual([[7], [1]]);
    expect([values(next, 'OUT__0'), values(next, 'STARTED__1')]).toEqual([[8], [0]]);
  });
});

suite(`errors${torchMissing ? ` — skipped: ${torchMissing}` : ''}`, () => {
  it('a List[Tensor] result is refused as Triton refuses it', async () => {
    const e = await rejection(repo.infer('tensors', -1, { inputs: [f32('INPUT__0', [2], [1, 2])] }));
    expect(e.code).toBe('INTERNAL');
    expect(e.message).toBe('PyTorch execute failure: output must be of type Tensor or List[str], received List[Tensor]');
  });

  it('an exception inside TorchScript fails that request only; the instance goes on', async () => {
    const e = await rejection(repo.infer('failing', -1, { inputs: [f32('INPUT__0', [2], [-1, 2])] }));
    expect(e.message).toMatch(/^PyTorch execute failure: [\s\S]*negative input/);
    const r = await repo.infer('failing', -1, { inputs: [f32('INPUT__0', [2], [1, 2])] });
    expect(values(r, 'OUTPUT__0')).toEqual([1, 2]);
  });

  it('a config output index the model does not have', async () => {
    const e = await rejection(repo.infer('no_such_output', -1, { inputs: [f32('INPUT__0', [3], x), f32('INPUT__1', [3], y)] }));
    expect(e.code).toBe('INVALID_ARG');
    expect(e.message).toBe("The output OUTPUT__5 in the model configuration refers to an output index which doesn't exist. This model has 2 outputs");
  });

  it("an output without the batch's rows cannot be split: Triton's words, UNSUPPORTED", async () => {
    const e = await rejection(repo.infer('first_row', -1, { id: 'r7', inputs: [f32('INPUT__0', [3, 2], [1, 2, 3, 4, 5, 6])] }));
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.message).toBe("[request id: r7] failed to split the output tensor 'OUTPUT__0' in responses: expected batch size of at least 3 in model output, got 1");
    const one = await repo.infer('first_row', -1, { inputs: [f32('INPUT__0', [1, 2], [1, 2])] });
    expect(values(one, 'OUTPUT__0')).toEqual([1, 2]);
  });

  it('a config with fewer inputs than forward() takes does not load', () => {
    const s = stateOf(repo, 'one_input')!;
    expect(s.state).toBe('UNAVAILABLE');
    expect(s.reason).toContain("unable to load model 'one_input', configuration expects 1 inputs, model provides 2");
    expect(s.reason).not.toContain('At:');
  });

  it('an empty version folder says model.pt is missing', () => {
    expect(stateOf(repo, 'empty')).toEqual({ state: 'UNAVAILABLE', reason: `Unavailable: unable to find '${dir.root}/empty/1/model.pt' for model instance 'empty'` });
  });
});

suite(`BLS${torchMissing ? ` — skipped: ${torchMissing}` : ''}`, () => {
  it('a Python model calls a PyTorch model with InferenceRequest(...).exec()', async () => {
    const cmd = { model: 'pair_index', inputs: { INPUT__0: x, INPUT__1: y }, shape: [3], outputs: ['OUTPUT__0'] };
    const r = await repo.infer('caller', -1, { inputs: [text('CMD', [1], [JSON.stringify(cmd)])] });
    const out = JSON.parse(stringsFromBytes(r.outputs[0]!.data as Uint8Array[])[0]!) as { outputs: Record<string, { shape: number[]; values: number[] }> };
    expect(out.outputs['OUTPUT__0']).toEqual({ shape: [3], values: [11, 22, 33] });
  });
});
