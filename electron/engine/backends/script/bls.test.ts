/**
 * BLS from script models (pb_utils.InferenceRequest.exec): calls into ONNX,
 * identity and ensemble models through the normal inference path, errors
 * returned in the response with the Python backend's wording and codes, a
 * model calling itself, and BLS spans in traces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repository } from '../../repository/repository';
import { loadRepository, makeTempDir, type TempDir } from '../../repository/testing/temp-repo';
import { Trace } from '../../runtime/trace';
import { blsTargets, scriptConfig, text } from '../../runtime/testing/models';
import { stringsFromBytes } from '../../tensor/tensor';

let dir: TempDir;
let repo: Repository;

/**
 * The caller: CMD is a JSON command, RESULT the JSON outcome of the BLS call it describes.
 * { model, inputs: {name: values}, shape?, outputs? } calls a model; { self: inner } calls this
 * model with the inner command; { echo } answers directly; { init: true } reports the BLS
 * attempted in initialize().
 */
const CALLER = `function describe(res) {
  if (res.has_error()) return { error: res.error().message(), code: res.error().code() };
  const outputs = {};
  for (const t of res.output_tensors()) outputs[t.name] = { shape: t.shape, values: t.dtype === 'BYTES' ? t.strings() : t.numbers() };
  return { outputs };
}

export default class TritonPythonModel {
  async initialize(args) {
    this.name = args.model_name;
    const req = new pb_utils.InferenceRequest({ model_name: 'add', inputs: [new pb_utils.Tensor('A', new Float32Array(3), [1, 3])], requested_output_names: [] });
    this.initResult = describe(await req.exec());
  }

  async execute(requests) {
    const out = [];
    for (const request of requests) {
      const cmd = JSON.parse(pb_utils.get_input_tensor_by_name(request, 'CMD').strings()[0]);
      out.push(new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('RESULT', [JSON.stringify(await this.run(cmd))], [1])] }));
    }
    return out;
  }

  async run(cmd) {
    if (cmd.echo !== undefined) return { echo: cmd.echo };
    if (cmd.init) return this.initResult;
    const inputs = cmd.self !== undefined
      ? [new pb_utils.Tensor('CMD', [JSON.stringify(cmd.self)], [1])]
      : Object.entries(cmd.inputs ?? {}).map(([n, v]) => new pb_utils.Tensor(n, Float32Array.from(v), cmd.shape ?? [1, v.length]));
    const req = new pb_utils.InferenceRequest({ model_name: cmd.self !== undefined ? this.name : cmd.model, inputs, requested_output_names: cmd.outputs ?? [] });
    return describe(await req.exec());
  }
}
`;

// IN[0] 0: an error response with code UNAVAILABLE; otherwise execute() throws (line 4).
const FAILING = `export default class TritonPythonModel {
  execute(requests) {
    if (requests[0].inputs()[0].data[0] === 0) return requests.map(() => new pb_utils.InferenceResponse({ error: new pb_utils.TritonError('callee says no', pb_utils.TritonError.UNAVAILABLE) }));
    throw new RangeError('callee threw');
  }
}
`;

const callerIo = { inputs: [{ name: 'CMD', type: 'STRING', dims: [1] }], outputs: [{ name: 'RESULT', type: 'STRING', dims: [1] }] };
const f3 = { inputs: [{ name: 'IN', dims: [3] }], outputs: [{ name: 'OUT', dims: [3] }] };

beforeAll(async () => {
  dir = await makeTempDir({
    ...blsTargets(),
    'failing/config.pbtxt': scriptConfig('failing', f3),
    'failing/1/model.js': FAILING,
    'caller/config.pbtxt': scriptConfig('caller', { ...callerIo, count: 1 }),
    'caller/1/model.js': CALLER,
    'caller2/config.pbtxt': scriptConfig('caller2', { ...callerIo, count: 2 }),
    'caller2/1/model.js': CALLER,
  });
  repo = await loadRepository(dir.root);
  for (const m of ['add', 'ident', 'ens', 'failing', 'caller', 'caller2']) expect(repo.models.get(m)!.state, m).toBe('READY');
});
afterAll(() => dir.cleanup());

interface Outcome {
  outputs?: Record<string, { shape: number[]; values: (number | string)[] }>;
  error?: string;
  code?: number;
  echo?: unknown;
}

async function call(cmd: unknown, model = 'caller', trace?: Trace): Promise<Outcome> {
  const r = await repo.infer(model, -1, { inputs: [text('CMD', [1], [JSON.stringify(cmd)])], ...(trace ? { trace: { trace, held: [] } } : {}) });
  return JSON.parse(stringsFromBytes(r.outputs[0]!.data as Uint8Array[])[0]!) as Outcome;
}

const INTERNAL = 1;

describe('BLS calls', () => {
  it('into an ONNX model', async () => {
    expect(await call({ model: 'add', inputs: { A: [1, 2, 3], B: [10, 20, 30] } })).toEqual({ outputs: { SUM: { shape: [1, 3], values: [11, 22, 33] } } });
  });

  it('into an identity model', async () => {
    expect(await call({ model: 'ident', inputs: { INPUT0: [4, 5, 6] } })).toEqual({ outputs: { OUTPUT0: { shape: [1, 3], values: [4, 5, 6] } } });
  });

  it('into an ensemble', async () => {
    expect(await call({ model: 'ens', inputs: { IN: [1, 2, 3] } })).toEqual({ outputs: { OUT: { shape: [1, 3], values: [2, 4, 6] } } });
  });
});

describe('BLS errors come back in the response', () => {
  it('unknown model: "Model X - Error when running inference: Request for unknown model: \'X\' is not found", INTERNAL', async () => {
    expect(await call({ model: 'nope', inputs: { A: [1, 2, 3] } })).toEqual({
      error: "Model nope - Error when running inference: Request for unknown model: 'nope' is not found",
      code: INTERNAL,
    });
  });

  it("a request the callee refuses: same prefix, the callee check's text, code INTERNAL", async () => {
    expect(await call({ model: 'add', inputs: { A: [1, 2, 3] } })).toEqual({
      error:
        "Model add - Error when running inference: [request id: <id_unknown>] expected 2 inputs but got 1 inputs for model 'add'. Got input(s) ['A'], but missing required input(s) ['B']. Please provide all required input(s).",
      code: INTERNAL,
    });
  });

  it("the callee's error response comes back verbatim with its code", async () => {
    expect(await call({ model: 'failing', inputs: { IN: [0, 0, 0] }, shape: [3] })).toEqual({ error: 'callee says no', code: 4 });
  });

  it("the callee's exception comes back verbatim (Failed to process..., INTERNAL)", async () => {
    const r = await call({ model: 'failing', inputs: { IN: [1, 2, 3] }, shape: [3] });
    expect(r.code).toBe(INTERNAL);
    expect(r.error).toMatch(/^Failed to process the request\(s\) for model 'failing_0', message: RangeError: callee threw\n\nAt:\n {2}.*failing\/1\/model\.js\(4\): execute\n$/);
  });

  it('BLS outside execute: "BLS is only supported during the \'execute\' function."', async () => {
    expect(await call({ init: true })).toEqual({ error: "BLS is only supported during the 'execute' function.", code: INTERNAL });
  });
});

describe('a model calling itself', () => {
  it('with one instance fails fast with "would wait forever" instead of hanging', async () => {
    const started = Date.now();
    const r = await call({ self: { echo: 'inner' } }, 'caller');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r.code).toBe(INTERNAL);
    expect(r.error).toMatch(/^Model caller - Error when running inference: request to model 'caller' would wait forever: all 1 of its instances are busy with the request that sent it/);
  });

  it('with two instances the call runs on the other one', async () => {
    expect(await call({ self: { echo: 'inner' } }, 'caller2')).toEqual({ outputs: { RESULT: { shape: [1], values: ['{"echo":"inner"}'] } } });
  });
});

describe('traces', () => {
  it('BLS calls are child spans of the calling request, ensemble steps below them', async () => {
    const trace = new Trace();
    await call({ model: 'ens', inputs: { IN: [1, 1, 1] } }, 'caller', trace);
    const caller = trace.spans.find((s) => s.model === 'caller')!;
    expect(caller).toMatchObject({ kind: 'request', instance: 'caller_0_0' });
    expect(caller.parentId).toBeUndefined();
    const ens = trace.spans.find((s) => s.model === 'ens')!;
    expect(ens).toMatchObject({ kind: 'bls', parentId: caller.id });
    const steps = trace.spans.filter((s) => s.parentId === ens.id);
    expect(steps.map((s) => [s.kind, s.model, s.step])).toEqual([
      ['step', 'ident', 0],
      ['step', 'add', 1],
    ]);
    // The BLS call ran while the caller was computing.
    expect(ens.requestStart).toBeGreaterThanOrEqual(caller.computeStart!);
    expect(ens.requestEnd!).toBeLessThanOrEqual(caller.computeEnd!);
  });
});
