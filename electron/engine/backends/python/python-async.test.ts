/**
 * `async def execute` on an event loop that runs all the time, one per instance (Triton's stub):
 * a decoupled model's executes overlap on one instance, tasks progress between requests, responses
 * go out after execute() returned, task exceptions reach the model log with their tracebacks, and
 * async_exec() works from concurrent executes and from tasks. A model that is not decoupled runs
 * one async execute at a time, as under Triton. The instance takes the next execute once the stub's
 * execute() returned, whatever responses are still owed (a thread still sending).
 */
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest';
import { LabError } from '../../errors';
import type { Repository } from '../../repository/repository';
import { closeRepositories, loadRepository, makeTempDir, stateOf, type TempDir } from '../../repository/testing/temp-repo';
import type { ModelRunner } from '../../runtime/model-runner';
import { rejection, tensor, text, values } from '../../runtime/testing/models';
import type { StreamedResponse } from '../../runtime/types';
import { stringsFromBytes } from '../../tensor/tensor';
import { MAX_IN_FLIGHT } from './instance';
import { pyModel, pythonConfig, pythonMissing, untilLogged } from './testing/repo';

/** Skipped, not failed, where no Python with numpy is installed (never on CI). */
const describe = describeAll.skipIf(pythonMissing);

const io = { inputs: [{ name: 'CMD', type: 'STRING', dims: [1] }], outputs: [{ name: 'RESULT', type: 'STRING', dims: [1] }] };
const DECOUPLED = 'model_transaction_policy { decoupled: true }';

let dir: TempDir;
let repo: Repository;

beforeAll(async () => {
  if (pythonMissing) return;
  dir = await makeTempDir({
    'tasks/config.pbtxt': pythonConfig('tasks', { ...io, count: 1, extra: DECOUPLED }),
    'tasks/1/model.py': pyModel('async_tasks'),
    'target/config.pbtxt': pythonConfig('target', { ...io, count: 1, extra: DECOUPLED }),
    'target/1/model.py': pyModel('async_tasks'),
    'pair/config.pbtxt': pythonConfig('pair', { ...io, count: 2, extra: DECOUPLED }),
    'pair/1/model.py': pyModel('async_tasks'),
    'holder/config.pbtxt': pythonConfig('holder', { ...io, count: 1, extra: DECOUPLED, params: { EXECUTE_TIMEOUT_MS: '400' } }),
    'holder/1/model.py': pyModel('async_tasks'),
    'plain/config.pbtxt': pythonConfig('plain', { ...io, count: 1 }),
    'plain/1/model.py': pyModel('async_tasks'),
    'threads/config.pbtxt': pythonConfig('threads', {
      inputs: [{ name: 'IN', type: 'INT32', dims: [1] }],
      outputs: [{ name: 'OUT', type: 'INT32', dims: [1] }],
      count: 1,
      extra: DECOUPLED,
    }),
    'threads/1/model.py': pyModel('decoupled'),
  });
  repo = await loadRepository(dir.root);
  for (const m of ['tasks', 'target', 'pair', 'holder', 'plain', 'threads']) expect(stateOf(repo, m), m).toEqual({ state: 'READY', reason: '' });
});
afterAll(async () => {
  await closeRepositories();
  dir?.cleanup();
});

const logsOf = (name: string): string[] => repo.models.get(name)!.versions[0]!.logs.map((l) => `${l.level}: ${l.message}`);
const instanceOf = (name: string): { maxConcurrent: number; restarts: number } => (repo.resolve(name, -1) as ModelRunner).instances[0] as unknown as { maxConcurrent: number; restarts: number };

async function call<T = unknown>(model: string, cmd: unknown): Promise<T> {
  const r = await repo.infer(model, -1, { inputs: [text('CMD', [1], [JSON.stringify(cmd)])] });
  return JSON.parse(stringsFromBytes(r.outputs[0]!.data as Uint8Array[])[0]!) as T;
}

/** Every response of a streamed request, as text: a value, an error, or 'flag' (the final flag alone). */
async function streamed(model: string, cmd: unknown): Promise<string[]> {
  const events: string[] = [];
  const record = (r: StreamedResponse, final: boolean): void => {
    const what = r instanceof LabError ? `${r.code}: ${r.message}` : r ? stringsFromBytes(r.outputs[0]!.data as Uint8Array[])[0]! : 'flag';
    events.push(final ? `${what} (final)` : what);
  };
  await repo.infer(model, -1, { inputs: [text('CMD', [1], [JSON.stringify(cmd)])], onResponse: record });
  return events;
}

describe('a decoupled model with async def execute', () => {
  it('runs several executes at once on one instance (Triton: the next starts while one awaits)', async () => {
    // Each execute waits until 4 are in flight; executes that never overlapped would each see 1.
    const seen = await Promise.all([1, 2, 3, 4].map(() => call<number>('tasks', { op: 'overlap', n: 4 })));
    expect(seen).toEqual([4, 4, 4, 4]);
    expect(instanceOf('tasks').maxConcurrent).toBe(MAX_IN_FLIGHT);
  });

  it('two instances share concurrent requests (the least busy takes the next), not the first taking all', async () => {
    const names = await Promise.all([1, 2, 3, 4].map(() => call<string>('pair', { op: 'instance' })));
    expect(new Set(names)).toEqual(new Set(['pair_0_0', 'pair_0_1']));
  });

  it('a task started by one request progresses with no further request', async () => {
    expect(await call('tasks', { op: 'background', tag: 'alone' })).toBe('started');
    const logs = await untilLogged(
      () => logsOf('tasks'),
      (l) => l.includes('info: tick alone'),
    );
    expect(logs).toContain('info: tick alone');
  });

  it('responses sent by a task after execute() returned reach the caller, then the final flag', async () => {
    expect(await streamed('tasks', { op: 'later', n: 3 })).toEqual(['0', '1', '2', 'flag (final)']);
  });

  it('a sender let go of without the final flag ends its request at once, with an error saying so', async () => {
    expect(await streamed('tasks', { op: 'drop' })).toEqual([
      '"one"',
      'INTERNAL: the response sender of a request was released without sending the final flag (TRITONSERVER_RESPONSE_COMPLETE_FINAL); nothing can answer the request any more (final)',
    ]);
  });

  it('a sender kept but quiet for the execute timeout fails its request, and the instance is not restarted', async () => {
    const restarts = instanceOf('holder').restarts;
    const events = await streamed('holder', { op: 'hold' });
    expect(events[0]).toBe('"one"');
    expect(events[1]).toMatch(
      /^UNAVAILABLE: Failed to process the request\(s\) for model instance 'holder_0\w*', message: no response within 400 ms after execute\(\) returned, and the final flag \(TRITONSERVER_RESPONSE_COMPLETE_FINAL\) was never sent \(final\)$/,
    );
    expect(events).toHaveLength(2);
    expect(instanceOf('holder').restarts).toBe(restarts);
    expect(await call('holder', { op: 'overlap', n: 1 })).toBe(1);
  });

  it('an exception in a task nobody awaits goes to the model log with its traceback', async () => {
    expect(await call('tasks', { op: 'task-raise' })).toBe('started');
    const has = (l: string[]): boolean => l.some((x) => x.includes('ValueError: boom in a background task'));
    const logs = await untilLogged(() => logsOf('tasks'), has);
    const entry = logs.find((x) => x.includes('ValueError: boom in a background task'));
    expect(entry).toMatch(/^error: Task exception was never retrieved/);
    expect(entry).toContain('Traceback (most recent call last):');
    expect(entry).toMatch(/line \d+, in fail/);
    expect(entry).not.toContain('model_lab_stub.py');
  });

  it("an execute that raises after sending the final flag: the traceback is logged (Triton's QA async_execute check)", async () => {
    const before = logsOf('tasks').filter((l) => l.includes('ValueError: wait_secs cannot be negative')).length;
    expect(await streamed('tasks', { op: 'raise', final: true })).toEqual(['flag (final)']);
    const logs = await untilLogged(
      () => logsOf('tasks'),
      (l) => l.filter((x) => x.includes('ValueError: wait_secs cannot be negative')).length > before,
    );
    const entry = logs.filter((x) => x.includes('ValueError: wait_secs cannot be negative')).at(-1)!;
    expect(entry).toMatch(/^error: Traceback \(most recent call last\):\n {2}File ".*model\.py", line \d+, in execute\n/);
    expect(entry).toMatch(/line \d+, in run\n/);
    expect(entry).not.toContain('model_lab_stub.py');
  });

  it('an execute that raises with its requests open fails them with the exception, and the instance goes on', async () => {
    const restarts = instanceOf('tasks').restarts;
    const e = await rejection(call('tasks', { op: 'raise' }));
    expect(e.message).toMatch(/^Failed to process the request\(s\) for model 'tasks_0\w*', message: ValueError: wait_secs cannot be negative\n\nAt:\n/);
    expect(instanceOf('tasks').restarts).toBe(restarts);
    expect(await call('tasks', { op: 'overlap', n: 1 })).toBe(1);
  });

  it('an execute that returns a value instead of None: the request is answered, the model log says why the value was dropped', async () => {
    expect(await call('tasks', { op: 'return-value' })).toBe('answered');
    // Triton names the instance (`<model>_<group>_<index>`) in this message.
    const wording = /^error: Python model 'tasks_0_0' is using the decoupled mode and the execute function must return None\.$/;
    const logs = await untilLogged(
      () => logsOf('tasks'),
      (l) => l.some((x) => wording.test(x)),
    );
    expect(logs.filter((x) => wording.test(x))).toHaveLength(1);
  });

  it('async_exec(decoupled=True) from concurrent executes: the callers and the called model overlap', async () => {
    const answers = await Promise.all([1, 2, 3].map(() => call<unknown[]>('tasks', { op: 'bls', model: 'target', cmd: { op: 'overlap', n: 3 } })));
    expect(answers).toEqual([[3], [3], [3]]);
  });

  it('async_exec() from a task after its request was answered (Triton allows BLS between initialize and finalize)', async () => {
    expect(await call('tasks', { op: 'bls-later', model: 'plain' })).toBe('started');
    const logs = await untilLogged(
      () => logsOf('tasks'),
      (l) => l.some((x) => x.includes('bls from a task')),
    );
    expect(logs).toContain('info: bls from a task: 1');
  });
});

describe('a model that is not decoupled, with async def execute', () => {
  it('runs one execute at a time, as Triton waits for its coroutine', async () => {
    const seen = await Promise.all([1, 2].map(() => call<number>('plain', { op: 'overlap', n: 2, wait: 0.3 })));
    expect(seen).toEqual([1, 1]);
  });

  it('its tasks still progress between requests', async () => {
    expect(await call('plain', { op: 'background', tag: 'plain' })).toBe('started');
    expect(
      await untilLogged(
        () => logsOf('plain'),
        (l) => l.includes('info: tick plain'),
      ),
    ).toContain('info: tick plain');
  });
});

describe('a decoupled model whose thread sends after execute() returned', () => {
  const n = (v: number): { inputs: ReturnType<typeof tensor>[] } => ({ inputs: [tensor('IN', 'INT32', [1], Int32Array.from([v]))] });

  it('the instance takes the next request while the thread still sends', async () => {
    const order: string[] = [];
    // 5 responses 100 ms apart from a thread, then one immediate answer on the same instance.
    const slow = repo.infer('threads', -1, { ...n(205), onResponse: () => undefined }).then(() => order.push('slow'));
    await new Promise((r) => setTimeout(r, 50));
    const quick = repo.infer('threads', -1, n(1)).then((r) => order.push(`quick ${values(r.outputs[0]).join()}`));
    await Promise.all([slow, quick]);
    expect(order).toEqual(['quick 0', 'slow']);
  });
});
