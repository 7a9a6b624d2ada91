/**
 * BLS from model.py (InferenceRequest.exec / async_exec) into ONNX models,
 * ensembles, script and Python models through the lab's normal inference
 * path, with errors coming back in the response as Triton's Python backend
 * returns them.
 */
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest';
import type { Repository } from '../../repository/repository';
import { closeRepositories, loadRepository, makeTempDir, stateOf, type TempDir } from '../../repository/testing/temp-repo';
import { blsTargets, echoModel, scriptConfig, tensor, text } from '../../runtime/testing/models';
import { stringsFromBytes } from '../../tensor/tensor';
import { pyModel, pythonConfig, pythonMissing } from './testing/repo';

/** Skipped, not failed, where no Python with numpy is installed (never on CI). */
const describe = describeAll.skipIf(pythonMissing);

const TEXT_DIRECTION = path.join(__dirname, '..', '..', '..', '..', 'sample-repos', 'quick_deploy_onnx', 'text_direction', '1', 'model.onnx');
const hasTextDirection = existsSync(TEXT_DIRECTION);

const callerIo = { inputs: [{ name: 'CMD', type: 'STRING', dims: [1] }], outputs: [{ name: 'RESULT', type: 'STRING', dims: [1] }] };

let dir: TempDir;
let repo: Repository;

beforeAll(async () => {
  if (pythonMissing) return;
  dir = await makeTempDir({
    ...blsTargets(),
    'jsecho/config.pbtxt': scriptConfig('jsecho', { mbs: 8, inputs: [{ name: 'IN', type: 'STRING', dims: [-1] }], outputs: [{ name: 'OUT', type: 'STRING', dims: [-1] }] }),
    'jsecho/1/model.js': echoModel(),
    'pyfail/config.pbtxt': pythonConfig('pyfail', { inputs: [{ name: 'CMD', type: 'STRING', dims: [1] }], outputs: [{ name: 'RESULT', type: 'STRING', dims: [-1] }] }),
    'pyfail/1/model.py': pyModel('api'),
    'caller/config.pbtxt': pythonConfig('caller', { ...callerIo, count: 1 }),
    'caller/1/model.py': pyModel('bls'),
    'decoupled/config.pbtxt': pythonConfig('decoupled', {
      inputs: [{ name: 'IN', type: 'INT32', dims: [1] }],
      outputs: [{ name: 'OUT', type: 'INT32', dims: [1] }],
      extra: 'model_transaction_policy { decoupled: true }',
    }),
    'decoupled/1/model.py': pyModel('decoupled'),
    'acaller/config.pbtxt': pythonConfig('acaller', callerIo),
    'acaller/1/model.py': pyModel('bls_async'),
    // model.py imports a module from its own folder, as Triton allows.
    'acaller/1/bls_helpers.py': pyModel('bls'),
    ...(hasTextDirection ? { 'text_direction/1': null } : {}),
  });
  if (hasTextDirection) copyFileSync(TEXT_DIRECTION, path.join(dir.root, 'text_direction', '1', 'model.onnx'));
  repo = await loadRepository(dir.root);
  for (const m of ['add', 'ident', 'ens', 'jsecho', 'pyfail', 'decoupled', 'caller', 'acaller']) expect(stateOf(repo, m), m).toEqual({ state: 'READY', reason: '' });
});
afterAll(async () => {
  await closeRepositories();
  dir?.cleanup();
});

interface Outcome {
  outputs?: Record<string, { shape: number[]; values: (number | string)[] }>;
  error?: string;
  code?: number;
}

async function call<T = Outcome>(cmd: unknown, model = 'caller'): Promise<T> {
  const r = await repo.infer(model, -1, { inputs: [text('CMD', [1], [JSON.stringify(cmd)])] });
  return JSON.parse(stringsFromBytes(r.outputs[0]!.data as Uint8Array[])[0]!) as T;
}

const INTERNAL = 1;

describe('exec() into other models', () => {
  it('an ONNX model', async () => {
    expect(await call({ model: 'add', inputs: { A: [1, 2, 3], B: [10, 20, 30] } })).toEqual({ outputs: { SUM: { shape: [1, 3], values: [11, 22, 33] } } });
  });

  it.skipIf(!hasTextDirection)('the quick-deploy ONNX model (no config): the same numbers as calling it directly', async () => {
    const pixels = Array.from({ length: 3 * 48 * 192 }, (_, i) => ((i * 37) % 255) / 127.5 - 1);
    const direct = await repo.infer('text_direction', -1, { inputs: [tensor('x', 'FP32', [1, 3, 48, 192], Float32Array.from(pixels))] });
    const viaBls = await call({ model: 'text_direction', inputs: { x: pixels }, shape: [1, 3, 48, 192] });
    const name = direct.outputs[0]!.name;
    expect(viaBls.outputs![name]!.shape).toEqual(direct.outputs[0]!.shape);
    expect(viaBls.outputs![name]!.values).toEqual(Array.from(direct.outputs[0]!.data as Float32Array));
  });

  it('an ensemble', async () => {
    expect(await call({ model: 'ens', inputs: { IN: [1, 2, 3] } })).toEqual({ outputs: { OUT: { shape: [1, 3], values: [2, 4, 6] } } });
  });

  it('a script model, with strings', async () => {
    expect(await call({ model: 'jsecho', dtype: 'BYTES', inputs: { IN: ['a', 'bé'] } })).toEqual({ outputs: { OUT: { shape: [1, 2], values: ['a', 'bé'] } } });
  });

  it('requested_output_names limits the outputs; exec(decoupled=True) iterates the response', async () => {
    expect(await call<Outcome[]>({ model: 'add', inputs: { A: [1, 1, 1], B: [2, 2, 2] }, outputs: ['SUM'], decoupled: true })).toEqual([{ outputs: { SUM: { shape: [1, 3], values: [3, 3, 3] } } }]);
  });
});

describe('exec(decoupled=True) into a decoupled Python model', () => {
  const streamOf = (n: number) => ({ model: 'decoupled', dtype: 'int32', shape: [1], inputs: { IN: [n] }, decoupled: true });
  const out = (v: number): Outcome => ({ outputs: { OUT: { shape: [1], values: [v] } } });
  // The final flag sent alone ends the iteration with an empty response, as in Triton.
  const empty: Outcome = { outputs: {} };

  it('iterates every response in order, the last one empty', async () => {
    expect(await call<Outcome[]>(streamOf(3))).toEqual([out(0), out(10), out(20), empty]);
  });

  it('only the final flag: one empty response', async () => {
    expect(await call<Outcome[]>(streamOf(0))).toEqual([empty]);
  });

  it('an error response mid-stream is one of the responses; the stream goes on', async () => {
    expect(await call<Outcome[]>(streamOf(-2))).toEqual([out(1), { error: 'halfway', code: 4 }, out(2), out(3)]);
  });

  it('async_exec(decoupled=True) gives an iterator too', async () => {
    expect(await call<Outcome[][]>([streamOf(2), { model: 'add', inputs: { A: [1, 1, 1], B: [1, 1, 1] }, decoupled: true }], 'acaller')).toEqual([
      [out(0), out(10), empty],
      [{ outputs: { SUM: { shape: [1, 3], values: [2, 2, 2] } } }],
    ]);
  });

  it("exec() without decoupled=True on a decoupled model: Triton's error", async () => {
    expect(await call({ ...streamOf(1), decoupled: false })).toEqual({
      error:
        "Model decoupled is using the decoupled. The current BLS request call doesn't support models using the decoupled transaction policy. Please use 'decoupled=True' argument to the 'exec' or 'async_exec' calls for decoupled models.'",
      code: INTERNAL,
    });
  });
});

describe('errors come back in the response', () => {
  it("unknown model: Triton's prefix, INTERNAL", async () => {
    expect(await call({ model: 'nope', inputs: { A: [1, 2, 3] } })).toEqual({
      error: "Model nope - Error when running inference: Request for unknown model: 'nope' is not found",
      code: INTERNAL,
    });
  });

  it("the callee's error response: verbatim, with its code", async () => {
    expect(await call({ model: 'pyfail', dtype: 'BYTES', inputs: { CMD: ['error-response'] }, shape: [1] })).toEqual({ error: 'no such thing here', code: 2 });
  });

  it("the callee's Python exception: its traceback, INTERNAL", async () => {
    const r = await call({ model: 'pyfail', dtype: 'BYTES', inputs: { CMD: ['raise'] }, shape: [1] });
    expect(r.code).toBe(INTERNAL);
    expect(r.error).toMatch(/^Failed to process the request\(s\) for model 'pyfail_0', message: ValueError: bad input on purpose\n\nAt:\n {2}.*pyfail\/1\/model\.py\(\d+\): explode\n/);
  });

  it('a model calling itself with its only instance fails fast instead of deadlocking', async () => {
    const started = Date.now();
    const r = await call({ model: 'caller', dtype: 'BYTES', inputs: { CMD: ['{}'] }, shape: [1] });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r.error).toMatch(/^Model caller - Error when running inference: request to model 'caller' would wait forever/);
  });
});

describe('async execute()', () => {
  it('awaits several async_exec() calls at once', async () => {
    const r = await call<Outcome[]>(
      [
        { model: 'add', inputs: { A: [1, 2, 3], B: [1, 1, 1] } },
        { model: 'ens', inputs: { IN: [5, 5, 5] } },
        { model: 'nope', inputs: { A: [1] } },
      ],
      'acaller',
    );
    expect(r).toEqual([
      { outputs: { SUM: { shape: [1, 3], values: [2, 3, 4] } } },
      { outputs: { OUT: { shape: [1, 3], values: [10, 10, 10] } } },
      { error: "Model nope - Error when running inference: Request for unknown model: 'nope' is not found", code: INTERNAL },
    ]);
  });

  it('concurrent requests to the async model all complete', async () => {
    const all = await Promise.all(Array.from({ length: 8 }, (_, i) => call<Outcome[]>([{ model: 'add', inputs: { A: [i, i, i], B: [1, 2, 3] } }], 'acaller')));
    all.forEach((r, i) => expect(r[0]!.outputs!['SUM']!.values).toEqual([i + 1, i + 2, i + 3]));
  });
});
