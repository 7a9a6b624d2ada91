/**
 * Triton's ResponseSender rules through the engine (python_backend
 * response_sender.cc, pb_stub.cc): a model that is not decoupled sends one
 * response, never the final flag alone, and what execute() returns counts as
 * a response; a decoupled model returns None; nothing goes out after the
 * final flag. Response parameters (InferenceResponse(parameters=…)) checked
 * with Triton's wording and carried to the caller, to a stream and to BLS
 * callers; request parameters readable in model.py.
 */
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest';
import { LabError } from '../../errors';
import type { Repository } from '../../repository/repository';
import { closeRepositories, loadRepository, makeTempDir, stateOf, type TempDir } from '../../repository/testing/temp-repo';
import { rejection, text, values } from '../../runtime/testing/models';
import type { InferResult, StreamedResponse } from '../../runtime/types';
import { stringsFromBytes } from '../../tensor/tensor';
import { pyModel, pythonConfig, pythonMissing, untilLogged } from './testing/repo';

/** Skipped, not failed, where no Python with numpy is installed (never on CI). */
const describe = describeAll.skipIf(pythonMissing);

const DECOUPLED = 'model_transaction_policy { decoupled: true }';
const senderIo = { mbs: 8, inputs: [{ name: 'CMD', type: 'STRING', dims: [1] }], outputs: [{ name: 'INDEX', type: 'UINT16', dims: [1] }] };
const paramsIo = { mbs: 8, inputs: [{ name: 'CMD', type: 'STRING', dims: [1] }], outputs: [{ name: 'OUT', type: 'STRING', dims: [1] }] };

let dir: TempDir;
let repo: Repository;

beforeAll(async () => {
  if (pythonMissing) return;
  dir = await makeTempDir({
    'sender/config.pbtxt': pythonConfig('sender', senderIo),
    'sender/1/model.py': pyModel('sender'),
    'sender_dec/config.pbtxt': pythonConfig('sender_dec', { ...senderIo, extra: DECOUPLED }),
    'sender_dec/1/model.py': pyModel('sender'),
    'params/config.pbtxt': pythonConfig('params', paramsIo),
    'params/1/model.py': pyModel('params'),
    'params_decoupled/config.pbtxt': pythonConfig('params_decoupled', { ...paramsIo, extra: DECOUPLED }),
    'params_decoupled/1/model.py': pyModel('params'),
    'params_bls/config.pbtxt': pythonConfig('params_bls', paramsIo),
    'params_bls/1/model.py': pyModel('params_bls'),
    'argcheck/config.pbtxt': pythonConfig('argcheck', paramsIo),
    'argcheck/1/model.py': pyModel('argcheck'),
    'caller/config.pbtxt': pythonConfig('caller', { inputs: [{ name: 'CMD', type: 'STRING', dims: [1] }], outputs: [{ name: 'RESULT', type: 'STRING', dims: [1] }] }),
    'caller/1/model.py': pyModel('bls'),
  });
  repo = await loadRepository(dir.root);
});
afterAll(async () => {
  await closeRepositories();
  dir?.cleanup();
});

const cmd = (c: unknown): { inputs: ReturnType<typeof text>[] } => ({ inputs: [text('CMD', [1, 1], [typeof c === 'string' ? c : JSON.stringify(c)])] });
const logsOf = (name: string): string[] => repo.models.get(name)!.versions[0]!.logs.map((l) => l.message);
const outText = (r: InferResult): string => stringsFromBytes(r.outputs[0]!.data as Uint8Array[])[0]!;

/** Every response a stream hears: INDEX values, or the error, and the final flag. */
async function streamed(model: string, c: unknown): Promise<{ events: unknown[]; result: InferResult }> {
  const events: unknown[] = [];
  const see = (r: StreamedResponse, final: boolean): number => {
    if (r === null) return events.push({ final });
    if (r instanceof LabError) return events.push({ error: r.message, final });
    const index = r.outputs[0]?.dtype === 'UINT16' ? { index: values(r.outputs[0]) } : {};
    return events.push({ ...index, ...(r.parameters ? { parameters: r.parameters } : {}), final });
  };
  const result = await repo.infer(model, -1, { ...cmd(c), onResponse: see });
  return { events, result };
}

describe('response sender, model not decoupled', () => {
  it('loads', () => {
    for (const m of ['sender', 'sender_dec', 'params', 'params_decoupled', 'params_bls']) expect(stateOf(repo, m), m).toEqual({ state: 'READY', reason: '' });
  });

  it('one response on return, before return (with the final flag after it) or after return', async () => {
    expect(values((await repo.infer('sender', -1, cmd({ return: true }))).outputs[0])).toEqual([0]);
    expect(values((await repo.infer('sender', -1, cmd({ before: 1, final_before: true }))).outputs[0])).toEqual([1000]);
    expect(values((await repo.infer('sender', -1, cmd({ after: 1, final_after: true }))).outputs[0])).toEqual([2000]);
  });

  it("the final flag alone fails the request with Triton's message", async () => {
    const e = await rejection(repo.infer('sender', -1, cmd({ final_before: true })));
    expect(e.code).toBe('INTERNAL');
    expect(e.message).toMatch(
      /^Failed to process the request\(s\) for model 'sender_0', message: TritonModelException: Unable to send response\. Non-decoupled model cannot send complete final before sending a response\.\n\nAt:\n/,
    );
  });

  it('a second response raises in the model; the first one is the answer, as on a Triton stream', async () => {
    expect(values((await repo.infer('sender', -1, cmd({ before: 2, final_before: true }))).outputs[0])).toEqual([1000]);
    // Sent and closed before execute() returned one: the returned one is refused, the sent one stands.
    expect(values((await repo.infer('sender', -1, cmd({ before: 1, final_before: true, return: true }))).outputs[0])).toEqual([1000]);
    // Returned, then sent from a thread: the sender is closed.
    expect(values((await repo.infer('sender', -1, cmd({ return: true, after: 1, final_after: true }))).outputs[0])).toEqual([0]);
    const lines = await untilLogged(
      () => logsOf('sender'),
      (l) => l.some((x) => x.startsWith('after return')),
    );
    // Triton checks the one-response rule before the closed sender.
    expect(lines).toContain('after return: Unable to send response. Non-decoupled model cannot send more than one response.');
  });

  it('a stream hears the one response once', async () => {
    const { events } = await streamed('sender', { before: 1, final_before: true });
    expect(events).toEqual([{ index: [1000], final: false }, { final: true }]);
  });
});

describe('response sender, decoupled model', () => {
  it('responses before and after execute() returned, in order, then the final flag', async () => {
    const { events } = await streamed('sender_dec', { before: 1, after: 3, final_after: true });
    expect(events).toEqual([{ index: [1000], final: false }, { index: [2000], final: false }, { index: [2001], final: false }, { index: [2002], final: false }, { final: true }]);
    expect((await streamed('sender_dec', { final_before: true })).events).toEqual([{ final: true }]);
  });

  it("returning a response fails the request with Triton's message", async () => {
    const e = await rejection(repo.infer('sender_dec', -1, cmd({ return: true })));
    expect(e.message).toBe("Failed to process the request(s) for model 'sender_dec_0', message: Python model 'sender_dec_0' is using the decoupled mode and the execute function must return None.");
  });

  it('a response already closed with the final flag stands when execute() then returns one', async () => {
    const { events } = await streamed('sender_dec', { before: 1, final_before: true, return: true });
    expect(events).toEqual([{ index: [1000], final: false }, { final: true }]);
  });
});

describe('response parameters', () => {
  const set = async (params: unknown): Promise<InferResult> => repo.infer('params', -1, cmd(params));

  it('bool, int and str values reach the caller, none when the model set none', async () => {
    const p = { bool: true, str: 'Hello World!', int: 1024, neg: -5, empty: '' };
    expect((await set(p)).parameters).toEqual(p);
    expect((await set({})).parameters).toBeUndefined();
  });

  it("other types are refused with Triton's wording", async () => {
    const cases: [unknown, string][] = [
      [[], "Expect dict, got <class 'list'>"],
      [{ '1': 'int key' }, "Expect parameters keys to have type str, found type <class 'int'>"],
      [{ int: 2, float: 0.5 }, "Expect parameters values to have type bool/int/str, found type <class 'float'>"],
      [{ bool: true, null: null }, "Expect parameters values to have type bool/int/str, found type <class 'NoneType'>"],
      [{ str: '', list: ['variable'] }, "Expect parameters values to have type bool/int/str, found type <class 'list'>"],
    ];
    for (const [params, message] of cases) {
      const e = await rejection(set(params));
      expect([e.code, e.message], JSON.stringify(params)).toEqual(['INVALID_ARG', message]);
    }
  });

  it("an int beyond int64 fails the response as python_backend's InferResponse::Send does", async () => {
    const e = await rejection(repo.infer('params', -1, cmd('{"huge": 1267650600228229401496703205376}')));
    expect([e.code, e.message]).toEqual(['INTERNAL', 'Unsupported value type on parameters']);
    expect((await set({ max: 9007199254740991, min: -9007199254740991 })).parameters).toEqual({ max: 9007199254740991, min: -9007199254740991 });
  });

  it('a decoupled model sets them per response', async () => {
    const { events } = await streamed('params_decoupled', [{ bool: false, int: 2048 }, { str: 'Hello World!' }]);
    expect(events.map((e) => (e as { parameters?: unknown }).parameters)).toEqual([{ bool: false, int: 2048 }, { str: 'Hello World!' }, undefined]);
  });

  it('BLS callers read them, from a model that is not decoupled and from a decoupled one', async () => {
    const r = await repo.infer('params_bls', -1, cmd({ plain: { bool: false, int: 2048, str: 'Hello World!' }, decoupled: [{}, { bool: true, int: 10000 }, { str: '?' }] }));
    expect(outText(r)).toBe('True');
  });

  it('request parameters are readable in model.py as JSON text', async () => {
    const r = await repo.infer('params', -1, { ...cmd('request'), parameters: { custom: 'yes', n: 7, flag: true } });
    expect(JSON.parse(outText(r))).toEqual({ custom: 'yes', n: 7, flag: true });
    expect(JSON.parse(outText(await repo.infer('params', -1, cmd('request'))))).toEqual({});
  });
});

describe('pb_utils arguments', () => {
  it("are checked as Triton's binding checks them (TypeError, or TritonModelException for Triton's own checks)", async () => {
    expect(outText(await repo.infer('argcheck', -1, cmd('go')))).toBe('ok');
  });
});

describe('response sender rules seen by a BLS caller', () => {
  const bls = async (call: Record<string, unknown>): Promise<unknown> => {
    const r = await repo.infer('caller', -1, { inputs: [text('CMD', [1], [JSON.stringify({ dtype: 'BYTES', shape: [1, 1], ...call })])] });
    return JSON.parse(outText(r));
  };

  it("a model that sends the final flag alone answers the call with Triton's error", async () => {
    const r = (await bls({ model: 'sender', inputs: { CMD: [JSON.stringify({ final_before: true })] } })) as { error: string; code: number };
    expect(r.code).toBe(1);
    expect(r.error).toMatch(
      /^Failed to process the request\(s\) for model 'sender_0', message: TritonModelException: Unable to send response\. Non-decoupled model cannot send complete final before sending a response\./,
    );
  });

  it('exec(decoupled=True) yields each response, then the final flag alone as an empty response', async () => {
    const r = (await bls({ model: 'sender_dec', decoupled: true, inputs: { CMD: [JSON.stringify({ before: 2, after: 1, final_after: true })] } })) as unknown[];
    expect(r).toEqual([
      { outputs: { INDEX: { shape: [1, 1], values: [1000] } } },
      { outputs: { INDEX: { shape: [1, 1], values: [1001] } } },
      { outputs: { INDEX: { shape: [1, 1], values: [2000] } } },
      { outputs: {} },
    ]);
  });
});
