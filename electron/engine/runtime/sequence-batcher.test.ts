/**
 * Triton's sequence batcher through the model runner, with a stand-in stateful instance: the misuse
 * errors in Triton's wording, control tensors in each data type, slots, batching, the backlog and its
 * timeout, idle sequences, implicit state, cancellation, statistics and the playground's rows.
 */
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/text/parse';
import { normalizeModelConfig } from '../config/normalize';
import type { Tensor } from '../tensor/tensor';
import { ModelRunner } from './model-runner';
import { f32, modelConfig, rejection, sleep, values } from './testing/models';
import type { BackendInstance, InferRequest, InstanceResult, PreparedRequest, SequenceFlags } from './types';

/** Records every execute; OUT = INPUT + the ACC state input (when there is one); holds executes while `hold` is set. */
class SeqInstance implements BackendInstance {
  readonly device = 'CPU';
  readonly calls: { id: string; inputs: Map<string, Tensor> }[][] = [];
  hold = false;
  private gates: (() => void)[] = [];
  constructor(readonly name: string) {}

  async execute(requests: PreparedRequest[]): Promise<InstanceResult[]> {
    this.calls.push(requests.map((r) => ({ id: r.id, inputs: new Map(r.inputs) })));
    if (this.hold) await new Promise<void>((r) => this.gates.push(r));
    return requests.map((r) => {
      const x = values(r.inputs.get('INPUT'))[0]!;
      const acc = r.inputs.has('ACC') ? values(r.inputs.get('ACC'))[0]! : 0;
      const shape = r.inputs.get('INPUT')!.shape;
      const out: Tensor[] = [f32('OUTPUT', shape, [x + acc])];
      if (r.requested.includes('ACC_OUT')) out.push(f32('ACC_OUT', shape, [x + acc]));
      return out;
    });
  }

  release(): void {
    for (const g of this.gates.splice(0)) g();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Opts {
  mbs?: number;
  controls?: string;
  extra?: string;
  outputs?: string[];
  log?: (level: 'warn', message: string) => void;
}

function runner(sb: string, o: Opts = {}, instances: BackendInstance[] = [new SeqInstance('m_0')]): ModelRunner {
  const outputs = (o.outputs ?? ['OUTPUT']).map((name) => ({ name, dims: [1] }));
  const text = modelConfig('m', { backend: 'identity', mbs: o.mbs ?? 0, inputs: [{ name: 'INPUT', dims: [1] }], outputs, extra: `sequence_batching { ${sb} ${o.controls ?? ''} }` });
  const c = parseConfigText(text).config!;
  normalizeModelConfig(c, new Set());
  return new ModelRunner(c, 1, instances, o.log ? { log: o.log } : {});
}

const CONTROLS = `control_input [
  { name: "START" control [ { kind: CONTROL_SEQUENCE_START int32_false_true: [ 0, 1 ] } ] },
  { name: "END" control [ { kind: CONTROL_SEQUENCE_END fp32_false_true: [ 0, 1 ] } ] },
  { name: "READY" control [ { kind: CONTROL_SEQUENCE_READY bool_false_true: [ false, true ] } ] },
  { name: "CORRID" control [ { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_UINT64 } ] } ]`;

function request(v: number, id: bigint | string, flags: Partial<SequenceFlags> = {}, batch = false): InferRequest {
  return { id: `r${v}`, inputs: [f32('INPUT', batch ? [1, 1] : [1], [v])], sequence: { id, start: false, end: false, ...flags } };
}

const out = async (p: Promise<{ outputs: Tensor[] }>): Promise<number> => values((await p).outputs.find((t) => t.name === 'OUTPUT'))[0]!;

describe('misuse, in Triton wording', () => {
  it('refuses a request without a correlation id, a first request without START, and a batch of two', async () => {
    const r = runner('', { mbs: 4, controls: CONTROLS });
    expect((await rejection(r.infer({ inputs: [f32('INPUT', [1, 1], [1])] }))).message).toBe("inference request to model 'm' must specify a non-zero or non-empty correlation ID");
    expect((await rejection(r.infer(request(1, 0n, { start: true }, true)))).message).toContain('must specify a non-zero or non-empty correlation ID');
    expect((await rejection(r.infer(request(1, 37469245n, {}, true)))).message).toBe(
      "inference request for sequence 37469245 to model 'm' must specify the START flag on the first request of the sequence",
    );
    const two = { inputs: [f32('INPUT', [2, 1], [1, 2])], sequence: { id: 5n, start: true, end: false } };
    const e = await rejection(r.infer(two));
    expect(e.code).toBe('INVALID_ARG');
    expect(e.message).toBe("inference request to model 'm' must specify batch-size 1 due to requirements of sequence batcher");
    // Refused before they were queued: Triton counts no failure for them.
    expect(r.statistics.fail.count).toBe(0);
  });

  it('refuses an id of the wrong kind for the CORRID type, and a string id over 128 characters', async () => {
    const r = runner('', { controls: CONTROLS });
    expect((await rejection(r.infer(request(1, 'abc', { start: true })))).message).toBe("[request id: r1] sequence batching control 'CORRID' data-type is 'BYTES', but model 'm' expects 'UINT64'");
    const s = runner('', { controls: 'control_input [ { name: "CORRID" control [ { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_STRING } ] } ]' });
    expect((await rejection(s.infer(request(1, 7n, { start: true })))).message).toBe("[request id: r1] sequence batching control 'CORRID' data-type is 'UINT64', but model 'm' expects 'BYTES'");
    // Without an id the request holds Triton's uint64 0: a STRING CORRID refuses its type first.
    expect((await rejection(s.infer({ id: 'r2', inputs: [f32('INPUT', [1], [1])] }))).message).toBe(
      "[request id: r2] sequence batching control 'CORRID' data-type is 'UINT64', but model 'm' expects 'BYTES'",
    );
    expect((await rejection(s.infer(request(1, '', { start: true })))).message).toBe("inference request to model 'm' must specify a non-zero or non-empty correlation ID");
    const long = await rejection(s.infer(request(1, 'x'.repeat(129), { start: true })));
    expect([long.code, long.message]).toEqual(['UNSUPPORTED', 'string correlation ID cannot be longer than 128 characters']);
    // 128 bytes, as std::string counts them: 65 two-byte characters are too many.
    expect((await rejection(s.infer(request(1, 'é'.repeat(65), { start: true })))).code).toBe('UNSUPPORTED');
    expect(await out(s.infer(request(4, 'x'.repeat(128), { start: true, end: true })))).toBe(4);
  });

  it('a sequence that ended needs START again', async () => {
    const r = runner('', { controls: CONTROLS });
    await r.infer(request(1, 9n, { start: true }));
    await r.infer(request(2, 9n, { end: true }));
    expect((await rejection(r.infer(request(3, 9n)))).message).toContain('sequence 9 to model');
  });

  it("START on a live sequence restarts it, with Triton's conflict warning", async () => {
    const logged: string[] = [];
    const r = runner('', { controls: CONTROLS, log: (_level, message) => logged.push(message) });
    await r.infer(request(1, 9n, { start: true }));
    await r.infer(request(2, 9n, { start: true }));
    expect(logged).toEqual(["sequence 9 for model 'm' has a conflict. The previous sequence did not end before this sequence start. Previous sequence will be terminated early."]);
  });
});

describe('control tensors', () => {
  it('writes START, END, READY and CORRID in their configured types, shaped [1] without batching', async () => {
    const inst = new SeqInstance('m_0');
    const r = runner('', { controls: CONTROLS }, [inst]);
    await r.infer(request(1, 18446744073709551615n, { start: true }));
    await r.infer(request(2, 18446744073709551615n));
    await r.infer(request(3, 18446744073709551615n, { end: true }));
    const seen = inst.calls.map(([c]) => c!.inputs);
    expect(seen.map((m) => [m.get('START')!.data, m.get('END')!.data, m.get('READY')!.data])).toEqual([
      [Int32Array.of(1), Float32Array.of(0), Uint8Array.of(1)],
      [Int32Array.of(0), Float32Array.of(0), Uint8Array.of(1)],
      [Int32Array.of(0), Float32Array.of(1), Uint8Array.of(1)],
    ]);
    expect(seen[0]!.get('START')!.dtype).toBe('INT32');
    expect(seen[0]!.get('END')!.dtype).toBe('FP32');
    expect(seen[0]!.get('READY')!.dtype).toBe('BOOL');
    expect(seen[0]!.get('CORRID')).toEqual({ name: 'CORRID', dtype: 'UINT64', shape: [1], data: BigUint64Array.of(18446744073709551615n) });
  });

  it('with batching the controls are [1, 1]; CORRID INT32 and STRING carry the id in their type', async () => {
    const inst = new SeqInstance('m_0');
    const r = runner(
      '',
      {
        mbs: 2,
        controls:
          'control_input [ { name: "CORRID" control [ { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_INT32 } ] }, { name: "S" control [ { kind: CONTROL_SEQUENCE_START fp32_false_true: [ 0, 1 ] } ] } ]',
      },
      [inst],
    );
    await r.infer(request(1, 4294967295n, { start: true, end: true }, true));
    const m = inst.calls[0]![0]!.inputs;
    expect(m.get('CORRID')).toEqual({ name: 'CORRID', dtype: 'INT32', shape: [1, 1], data: Int32Array.of(-1) });
    expect(m.get('S')!.shape).toEqual([1, 1]);
    const s = new SeqInstance('s_0');
    const rs = runner('', { controls: 'control_input [ { name: "CORRID" control [ { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_STRING } ] } ]' }, [s]);
    await rs.infer(request(1, 'session-a', { start: true, end: true }));
    const id = s.calls[0]![0]!.inputs.get('CORRID')!;
    expect(id.dtype).toBe('BYTES');
    expect(new TextDecoder().decode((id.data as Uint8Array[])[0])).toBe('session-a');
  });
});

describe('slots, batching and the backlog', () => {
  it('batches the next request of each sequence on an instance (direct), one request per sequence at a time', async () => {
    const inst = new SeqInstance('m_0');
    inst.hold = true;
    const r = runner('direct { }', { mbs: 2, controls: CONTROLS }, [inst]);
    const a1 = r.infer(request(1, 1n, { start: true }, true));
    const a2 = r.infer(request(2, 1n, {}, true));
    const b1 = r.infer(request(3, 2n, { start: true }, true));
    await sleep(5);
    expect(inst.calls.map((c) => c.map((x) => x.id))).toEqual([['r1']]);
    inst.release();
    await sleep(5);
    expect(inst.calls.map((c) => c.map((x) => x.id))).toEqual([['r1'], ['r2', 'r3']]);
    inst.release();
    expect(await Promise.all([out(a1), out(a2), out(b1)])).toEqual([1, 2, 3]);
    expect(r.statistics.executionCount).toBe(2);
    expect(r.statistics.inferenceCount).toBe(3);
    expect(r.statistics.success.count).toBe(3);
    expect([...r.statistics.batches.keys()].sort()).toEqual([1, 2]);
  });

  it('keeps a sequence on its instance; a sequence without a free slot waits for one to end', async () => {
    const a = new SeqInstance('m_0');
    const b = new SeqInstance('m_1');
    const r = runner('', { controls: CONTROLS }, [a, b]);
    await r.infer(request(1, 1n, { start: true }));
    await r.infer(request(2, 2n, { start: true }));
    const waiting = r.infer(request(3, 3n, { start: true }));
    await sleep(5);
    expect(a.calls.length + b.calls.length).toBe(2);
    await r.infer(request(4, 1n));
    await r.infer(request(5, 2n, { end: true }));
    expect(await out(waiting)).toBe(3);
    expect(a.calls.map((c) => c[0]!.id)).toEqual(['r1', 'r4']);
    expect(b.calls.map((c) => c[0]!.id)).toEqual(['r2', 'r5', 'r3']);
  });

  it('fails a backlogged sequence once its timeout passes, and its later requests need START', async () => {
    const inst = new SeqInstance('m_0');
    const r = runner('', { controls: CONTROLS }, [inst]);
    await r.infer(request(1, 1n, { start: true }));
    const t = { ...request(2, 2n, { start: true }), parameters: { timeout: 30000 } };
    const e = await rejection(r.infer(t));
    expect([e.code, e.message, e.reason]).toEqual(['UNAVAILABLE', 'timeout of the corresponding sequence has been expired', 'QUEUE_TIMEOUT']);
    expect(r.statistics.failures.REJECTED).toBe(1);
    expect((await rejection(r.infer(request(3, 2n)))).message).toContain('must specify the START flag');
  });

  it('oldest: waits max_queue_delay for a preferred batch, oldest requests first', async () => {
    const inst = new SeqInstance('m_0');
    // A delay long enough that a loaded machine's late timers cannot run the first two before the third comes.
    const r = runner('oldest { max_candidate_sequences: 4 preferred_batch_size: [ 3 ] max_queue_delay_microseconds: 400000 }', { mbs: 4, controls: CONTROLS }, [inst]);
    const p = [1, 2].map((i) => r.infer(request(i, BigInt(i), { start: true }, true)));
    await sleep(10);
    expect(inst.calls).toHaveLength(0);
    p.push(r.infer(request(3, 3n, { start: true }, true)));
    await sleep(5);
    expect(inst.calls.map((c) => c.map((x) => x.id))).toEqual([['r1', 'r2', 'r3']]);
    const alone = Date.now();
    p.push(r.infer(request(4, 1n, {}, true)));
    while (inst.calls.length < 2 && Date.now() - alone < 5000) await sleep(10);
    // r4 alone ran once the delay passed, not before.
    expect(inst.calls).toHaveLength(2);
    expect(Date.now() - alone).toBeGreaterThanOrEqual(390);
    expect(await Promise.all(p.map(out))).toEqual([1, 2, 3, 4]);
  });
});

describe('idle sequences, cancellation, closing', () => {
  it('drops a sequence idle past max_sequence_idle_microseconds and frees its slot', async () => {
    const r = runner('max_sequence_idle_microseconds: 30000', { controls: CONTROLS });
    await r.infer(request(1, 1n, { start: true }));
    expect(r.sequences().map((s) => s.id)).toEqual(['1']);
    await sleep(80);
    expect(r.sequences()).toEqual([]);
    expect((await rejection(r.infer(request(2, 1n)))).message).toContain('sequence 1 to model');
    expect(await out(r.infer(request(3, 2n, { start: true, end: true })))).toBe(3);
  });

  it('a cancelled queued request ends its sequence: the requests queued behind it fail CANCELLED too', async () => {
    const inst = new SeqInstance('m_0');
    inst.hold = true;
    const r = runner('', { controls: CONTROLS }, [inst]);
    const first = r.infer(request(1, 1n, { start: true }));
    const ac = new AbortController();
    const second = r.infer({ ...request(2, 1n), signal: ac.signal });
    const third = r.infer(request(3, 1n));
    await sleep(2);
    ac.abort();
    expect((await rejection(second)).code).toBe('CANCELLED');
    expect((await rejection(third)).message).toBe('[request id: r3] the request was cancelled');
    expect(r.statistics.failures.CANCELED).toBe(2);
    expect((await rejection(r.infer(request(4, 1n)))).message).toContain('must specify the START flag');
    inst.release();
    expect(await out(first)).toBe(1);
    expect(inst.calls).toHaveLength(1);
  });

  it('closing fails the requests still waiting', async () => {
    const inst = new SeqInstance('m_0');
    inst.hold = true;
    const r = runner('', { controls: CONTROLS }, [inst]);
    const first = r.infer(request(1, 1n, { start: true }));
    const waiting = r.infer(request(2, 1n));
    await sleep(2);
    const closing = r.close();
    expect((await rejection(waiting)).message).toBe("model 'm' was unloaded");
    inst.release();
    await closing;
    expect(await out(first)).toBe(1);
  });
});

describe('implicit state', () => {
  const STATE = 'state [ { input_name: "ACC" output_name: "ACC_OUT" data_type: TYPE_FP32 dims: [ 1 ] } ]';

  it('carries the state output into the next request of the sequence, resets it on START, and hides it unless asked', async () => {
    const r = runner(STATE, { mbs: 2, controls: CONTROLS });
    expect(await out(r.infer(request(1, 1n, { start: true }, true)))).toBe(1);
    expect(await out(r.infer(request(2, 2n, { start: true }, true)))).toBe(2);
    const res = await r.infer(request(10, 1n, {}, true));
    expect(values(res.outputs[0])).toEqual([11]);
    expect(res.outputs.map((t) => t.name)).toEqual(['OUTPUT']);
    expect(r.sequences().find((s) => s.id === '1')!.state).toEqual([{ name: 'ACC', dtype: 'FP32', shape: [1, 1] }]);
    expect(await out(r.infer(request(5, 1n, { start: true }, true)))).toBe(5);
    expect(await out(r.infer(request(1, 2n, { end: true }, true)))).toBe(3);
  });

  it('returns the state output when the config lists it and the client asks; initial_state zero_data sets the shape', async () => {
    const init = 'state [ { input_name: "ACC" output_name: "ACC_OUT" data_type: TYPE_FP32 dims: [ -1 ] initial_state { name: "z" data_type: TYPE_FP32 dims: [ 1 ] zero_data: true } } ]';
    const r = runner(init, { controls: CONTROLS, outputs: ['OUTPUT', 'ACC_OUT'] });
    const a = await r.infer({ ...request(2, 1n, { start: true }), outputs: ['ACC_OUT'] });
    expect(a.outputs.map((t) => [t.name, values(t)[0]])).toEqual([['ACC_OUT', 2]]);
    const b = await r.infer({ ...request(3, 1n), outputs: ['OUTPUT'] });
    expect(b.outputs.map((t) => [t.name, values(t)[0]])).toEqual([['OUTPUT', 5]]);
  });

  it('refuses a state output the config does not list as an output', async () => {
    const r = runner(STATE, { controls: CONTROLS });
    expect((await rejection(r.infer({ ...request(1, 1n, { start: true }), outputs: ['ACC_OUT'] }))).message).toBe("unexpected inference output 'ACC_OUT' for model 'm'");
  });
});
