/**
 * A script model that hangs or crashes its worker: the request fails with a
 * reason, the worker is terminated and replaced, the next request works, and
 * the lab's own process carries on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repository } from '../../repository/repository';
import { loadRepository, makeTempDir, type TempDir } from '../../repository/testing/temp-repo';
import type { ModelRunner } from '../../runtime/model-runner';
import { f32, rejection, scriptConfig, values } from '../../runtime/testing/models';
import type { ScriptInstance } from './host';

let dir: TempDir;
let repo: Repository;

const io = { inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }], params: { EXECUTE_TIMEOUT_MS: '300' } };

/** Echo, unless IN[0] triggers `misbehave` (IN[0] is in scope as `v`). */
const model = (misbehave: string): string => `export default class TritonPythonModel {
  async execute(requests) {
    const x = pb_utils.get_input_tensor_by_name(requests[0], 'IN');
    const v = x.data[0];
    ${misbehave}
    return requests.map((r) => new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', pb_utils.get_input_tensor_by_name(r, 'IN').data, [1])] }));
  }
}
`;

beforeAll(async () => {
  dir = await makeTempDir({
    'hang/config.pbtxt': scriptConfig('hang', io),
    'hang/1/model.js': model('if (v === 1) { while (true) {} }'),
    'exits/config.pbtxt': scriptConfig('exits', io),
    'exits/1/model.js': model('if (v === 1) process.exit(3);'),
    'dies/config.pbtxt': scriptConfig('dies', io),
    'dies/1/model.js': `export default class TritonPythonModel {
  initialize() { setTimeout(() => { throw new Error('dies after initialize'); }, 30); }
  execute(requests) { return requests.map((r) => new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', pb_utils.get_input_tensor_by_name(r, 'IN').data, [1])] })); }
}
`,
    'late/config.pbtxt': scriptConfig('late', io),
    'late/1/model.js': model(`if (v === 1) { setTimeout(() => { throw new Error('late boom'); }, 0); await new Promise(() => {}); }
    if (v === 2) setTimeout(() => { throw new Error('after return'); }, 0);`),
  });
  repo = await loadRepository(dir.root);
});
afterAll(() => dir.cleanup());

const req = (v: number) => ({ inputs: [f32('IN', [1], [v])] });
const instanceOf = (name: string): ScriptInstance => (repo.resolve(name, -1) as ModelRunner).instances[0] as ScriptInstance;
const logsOf = (name: string): string[] => repo.models.get(name)!.versions[0]!.logs.map((l) => `${l.level}: ${l.message}`);

describe('a hanging execute()', () => {
  it('is stopped after EXECUTE_TIMEOUT_MS, reported, the instance restarts and the next request succeeds', async () => {
    const started = Date.now();
    const e = await rejection(repo.infer('hang', -1, req(1)));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(e.message).toBe("Failed to process the request(s) for model instance 'hang_0', message: execute() did not return within 300 ms (an endless loop or a hang?); the instance was restarted");
    expect(logsOf('hang')).toContain('error: execute() timed out after 300 ms; restarting instance hang_0');
    const r = await repo.infer('hang', -1, req(5));
    expect(values(r.outputs[0])).toEqual([5]);
    expect(instanceOf('hang').restarts).toBe(1);
  });
});

describe('a crashing worker', () => {
  it('process.exit(3) inside execute fails that request, then the instance is back', async () => {
    const e = await rejection(repo.infer('exits', -1, req(1)));
    expect(e.code).toBe('INTERNAL');
    expect(e.message).toBe("Failed to process the request(s) for model instance 'exits_0', message: the script's worker exited with code 3; the instance was restarted");
    expect(values((await repo.infer('exits', -1, req(4))).outputs[0])).toEqual([4]);
    expect(instanceOf('exits').restarts).toBe(1);
    expect(logsOf('exits').some((l) => l.includes('exited with code 3'))).toBe(true);
  });

  it('an exception thrown from a timer while execute() waits fails the request and restarts', async () => {
    const e = await rejection(repo.infer('late', -1, req(1)));
    expect(e.message).toMatch(/^Failed to process the request\(s\) for model instance 'late_0', message: the script crashed: late boom/);
    expect(values((await repo.infer('late', -1, req(3))).outputs[0])).toEqual([3]);
  });

  it('an exception thrown from a timer after execute() returned: that request succeeds, and so does the next', async () => {
    const inst = instanceOf('late');
    const before = inst.restarts;
    expect(values((await repo.infer('late', -1, req(2))).outputs[0])).toEqual([2]);
    // Let the timer fire and the worker die.
    for (let i = 0; i < 200 && !logsOf('late').some((l) => l.includes('after return')); i++) await new Promise((r) => setTimeout(r, 10));
    expect(logsOf('late')).toContain('error: instance late_0 stopped: the script crashed: after return');
    expect(values((await repo.infer('late', -1, req(6))).outputs[0])).toEqual([6]);
    expect(inst.restarts).toBe(before + 1);
  });

  it('unloading while an instance restarts leaves no worker behind', async () => {
    const inst = instanceOf('hang') as unknown as { child?: { worker: { threadId: number } }; starting?: Promise<void> };
    await rejection(repo.infer('hang', -1, req(1)));
    // Unload once the replacement worker is starting.
    for (let i = 0; i < 1000 && !inst.starting; i++) await new Promise((r) => setTimeout(r, 2));
    expect(inst.starting).toBeDefined();
    await repo.unload('hang');
    // Generous: on a loaded two-core machine a worker can take seconds to come up.
    for (let i = 0; i < 1500 && inst.starting; i++) await new Promise((r) => setTimeout(r, 10));
    expect(inst.starting).toBeUndefined();
    expect(inst.child?.worker.threadId ?? -1).toBe(-1);
  });

  it('the lab process is unaffected', () => {
    expect(process.exitCode).toBeUndefined();
    expect(repo.models.get('exits')!.state).toBe('READY');
    expect(repo.models.get('late')!.state).toBe('READY');
  });
});

describe('a worker that keeps dying', () => {
  it('is restarted a few times, then only when a request comes', async () => {
    const inst = instanceOf('dies');
    for (let i = 0; i < 200 && !logsOf('dies').some((l) => l.includes('starts again only with the next request')); i++) await new Promise((r) => setTimeout(r, 25));
    expect(logsOf('dies').some((l) => l.includes('stopped 6 times within a minute'))).toBe(true);
    const settled = inst.restarts;
    await new Promise((r) => setTimeout(r, 300));
    expect(inst.restarts).toBe(settled);
    // A request starts it again, and is answered.
    expect(values((await repo.infer('dies', -1, req(5))).outputs[0])).toEqual([5]);
  }, 20_000);
});
