/**
 * The dynamic batcher's options, with a stand-in instance: preferred sizes,
 * the queue delay, the bounded queue, queue timeouts (REJECT and DELAY),
 * priority levels, preserve_ordering and cancellation.
 */
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/text/parse';
import { ModelRunner } from './model-runner';
import { drain, FakeInstance, rowsRequest as req, tick } from './testing/fake-instance';
import { modelConfig, rejection } from './testing/models';

function runner(mbs: number, batching: string, instances = [new FakeInstance('m_0')]): ModelRunner {
  const text = modelConfig('m', { backend: 'identity', mbs, inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }], extra: `dynamic_batching { ${batching} }` });
  const parsed = parseConfigText(text);
  return new ModelRunner(parsed.config!, 1, instances);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('preferred sizes and queue delay', () => {
  it('sends a preferred batch as soon as it forms, and holds a smaller one for max_queue_delay', async () => {
    const inst = new FakeInstance('m_0');
    const r = runner(8, 'preferred_batch_size: [ 4 ] max_queue_delay_microseconds: 80000', [inst]);
    const first = [1, 2, 3, 4, 5].map((i) => r.infer(req(1, 2, i)));
    await tick();
    // Four requests reach the largest preferred size: they go at once; the fifth waits for company.
    expect(inst.batches).toEqual([[1, 1, 1, 1]]);
    inst.release();
    await tick();
    await tick();
    expect(inst.batches).toHaveLength(1);
    await sleep(120);
    expect(inst.batches).toEqual([[1, 1, 1, 1], [1]]);
    await drain(inst, first);
  });

  it('with two requests queued and preferred sizes 2 and 4, the batch of two goes without waiting', async () => {
    const inst = new FakeInstance('m_0');
    const r = runner(8, 'preferred_batch_size: [ 2, 4 ] max_queue_delay_microseconds: 5000000', [inst]);
    const p = [r.infer(req(1)), r.infer(req(1))];
    await tick();
    expect(inst.batches).toEqual([[1, 1]]);
    await drain(inst, p);
  });

  it('cuts the batch at the largest preferred size when more is queued', async () => {
    const inst = new FakeInstance('m_0');
    const r = runner(8, 'preferred_batch_size: [ 4 ]', [inst]);
    const busy = r.infer(req(4));
    await tick();
    const queued = [1, 2, 3, 4, 5, 6].map(() => r.infer(req(1)));
    await drain(inst, [busy, ...queued]);
    expect(inst.batches).toEqual([[4], [1, 1, 1, 1], [1, 1]]);
    expect(r.statistics.batches.get(4)?.computeInfer.count).toBe(2);
    expect(r.statistics.batches.get(2)?.computeInfer.count).toBe(1);
  });
});

describe('queue policy', () => {
  it("rejects past max_queue_size with Triton's message and keeps serving", async () => {
    const inst = new FakeInstance('m_0');
    const r = runner(4, 'default_queue_policy { max_queue_size: 2 }', [inst]);
    const running = r.infer(req(4));
    await tick();
    const queued = [r.infer(req(1)), r.infer(req(1))];
    const over = await rejection(r.infer({ ...req(1), id: 'r7' }));
    expect([over.code, over.message, over.reason]).toEqual(['UNAVAILABLE', '[request id: r7] Exceeds maximum queue size', 'QUEUE_FULL']);
    const all = await drain(inst, [running, ...queued]);
    expect(all.every((s) => s.status === 'fulfilled')).toBe(true);
    expect(r.statistics.failures.REJECTED).toBe(1);
  });

  it('REJECT: a request that waits past its timeout fails with "Request timeout expired"', async () => {
    const inst = new FakeInstance('m_0');
    const r = runner(4, 'default_queue_policy { timeout_action: REJECT default_timeout_microseconds: 30000 }', [inst]);
    const running = r.infer(req(4));
    await tick();
    const late = rejection(r.infer(req(1)));
    await sleep(60);
    const e = await late;
    expect([e.code, e.message, e.reason]).toEqual(['UNAVAILABLE', 'Request timeout expired', 'QUEUE_TIMEOUT']);
    await drain(inst, [running]);
    expect(r.statistics.failures.REJECTED).toBe(1);
  });

  it('a request may shorten the timeout only when allow_timeout_override is set', async () => {
    const inst = new FakeInstance('m_0');
    const r = runner(4, 'default_queue_policy { default_timeout_microseconds: 10000000 allow_timeout_override: true }', [inst]);
    const running = r.infer(req(4));
    await tick();
    const short = rejection(r.infer({ ...req(1), parameters: { timeout: 20000 } }));
    await sleep(50);
    expect((await short).message).toBe('Request timeout expired');
    await drain(inst, [running]);
  });

  it('DELAY: an expired request moves behind the others instead of failing', async () => {
    const inst = new FakeInstance('m_0');
    const r = runner(1, 'default_queue_policy { timeout_action: DELAY default_timeout_microseconds: 20000 }', [inst]);
    const running = r.infer(req(1, 2, 0, 'busy'));
    await tick();
    const early = r.infer(req(1, 2, 1, 'early'));
    await sleep(40);
    const fresh = r.infer(req(1, 2, 2, 'fresh'));
    const all = await drain(inst, [running, early, fresh]);
    expect(all.every((s) => s.status === 'fulfilled')).toBe(true);
    expect(inst.ids.flat()).toEqual(['busy', 'fresh', 'early']);
  });
});

describe('priority, ordering, cancellation', () => {
  it('serves the higher priority level (lower number) first', async () => {
    const inst = new FakeInstance('m_0');
    const r = runner(1, 'priority_levels: 3 default_priority_level: 2', [inst]);
    const running = r.infer(req(1, 2, 0, 'busy'));
    await tick();
    const low = r.infer({ ...req(1, 2, 0, 'low'), parameters: { priority: 3 } });
    const normal = r.infer(req(1, 2, 0, 'default'));
    const high = r.infer({ ...req(1, 2, 0, 'high'), parameters: { priority: 1 } });
    await drain(inst, [running, low, normal, high]);
    expect(inst.ids.flat()).toEqual(['busy', 'high', 'default', 'low']);
  });

  it('preserve_ordering: answers leave in arrival order even when a later batch finishes first', async () => {
    const a = new FakeInstance('m_0');
    const b = new FakeInstance('m_1');
    const r = runner(1, 'preserve_ordering: true', [a, b]);
    const done: string[] = [];
    const first = r.infer(req(1, 2, 0, 'first')).then(() => done.push('first'));
    const second = r.infer(req(1, 2, 0, 'second')).then(() => done.push('second'));
    await tick();
    b.release();
    await sleep(10);
    expect(done).toEqual([]);
    a.release();
    await Promise.all([first, second]);
    expect(done).toEqual(['first', 'second']);
  });

  it('without preserve_ordering a later request may answer first', async () => {
    const a = new FakeInstance('m_0');
    const b = new FakeInstance('m_1');
    const r = runner(1, '', [a, b]);
    const done: string[] = [];
    const first = r.infer(req(1, 2, 0, 'first')).then(() => done.push('first'));
    const second = r.infer(req(1, 2, 0, 'second')).then(() => done.push('second'));
    await tick();
    b.release();
    await second;
    a.release();
    await first;
    expect(done).toEqual(['second', 'first']);
  });

  it('a cancelled queued request leaves the queue and does not hold back ordered answers', async () => {
    const inst = new FakeInstance('m_0');
    const r = runner(1, 'preserve_ordering: true', [inst]);
    const running = r.infer(req(1, 2, 0, 'busy'));
    await tick();
    const ctl = new AbortController();
    const cancelled = rejection(r.infer({ ...req(1, 2, 0, 'gone'), signal: ctl.signal }));
    const after = r.infer(req(1, 2, 0, 'after'));
    ctl.abort();
    expect((await cancelled).code).toBe('CANCELLED');
    const all = await drain(inst, [running, after]);
    expect(all.every((s) => s.status === 'fulfilled')).toBe(true);
    expect(inst.ids.flat()).toEqual(['busy', 'after']);
    expect(r.statistics.failures.CANCELED).toBe(1);
  });
});
