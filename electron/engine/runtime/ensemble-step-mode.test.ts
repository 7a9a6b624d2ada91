/**
 * Step mode: with a StepController in the trace, an ensemble pauses before
 * each step; step() runs one, runToEnd() the rest, stop() cancels the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repository } from '../repository/repository';
import { loadRepository, makeTempDir, type TempDir } from '../repository/testing/temp-repo';
import { StepController, Trace } from './trace';
import { ensembleConfig, f32, identityModels, rejection, values } from './testing/models';

let dir: TempDir;
let repo: Repository;

beforeAll(async () => {
  dir = await makeTempDir({
    ...identityModels('first', 'second'),
    // Two independent steps, then one that needs both.
    'e/config.pbtxt': ensembleConfig('e', {
      mbs: 8,
      inputs: [{ name: 'IN', dims: [-1] }],
      outputs: [
        { name: 'OUT', dims: [-1] },
        { name: 'SIDE', dims: [-1] },
      ],
      steps: [
        { model: 'first', inputs: { INPUT0: 'IN' }, outputs: { OUTPUT0: 'a' } },
        { model: 'second', inputs: { INPUT0: 'IN' }, outputs: { OUTPUT0: 'SIDE' } },
        { model: 'second', inputs: { INPUT0: 'a' }, outputs: { OUTPUT0: 'OUT' } },
      ],
    }),
    'e/1': null,
  });
  repo = await loadRepository(dir.root);
  expect(repo.models.get('e')!.state).toBe('READY');
});
afterAll(() => dir.cleanup());

type Paused = NonNullable<StepController['paused']>;
const nextPause = (ctl: StepController): Promise<Paused> => new Promise((resolve) => (ctl.onPause = resolve));
const input = () => f32('IN', [1, 2], [5, 6]);

describe('step mode', () => {
  it('pauses before each step; step() runs one; runToEnd() finishes', async () => {
    const ctl = new StepController();
    const trace = new Trace(false, ctl);
    let pause = nextPause(ctl);
    const run = repo.infer('e', -1, { inputs: [input()], trace: { trace, held: [] } });

    const p0 = await pause;
    expect(p0).toMatchObject({ ensemble: 'e', step: 0, model: 'first', spanId: trace.spans[0]!.id });
    expect(p0.inputs.map((t) => [t.name, t.shape])).toEqual([['INPUT0', [1, 2]]]);
    expect(ctl.paused).toBe(p0);
    // Nothing ran yet, not even the independent step.
    expect(trace.spans.map((s) => s.model)).toEqual(['e']);

    pause = nextPause(ctl);
    ctl.step();
    const p1 = await pause;
    expect(p1).toMatchObject({ step: 1, model: 'second' });
    expect(trace.spans.map((s) => s.model)).toEqual(['e', 'first']);
    expect(trace.spans[1]!.computeEnd).toBeDefined();

    pause = nextPause(ctl);
    ctl.step();
    expect((await pause).step).toBe(2);

    ctl.runToEnd();
    const r = await run;
    expect(ctl.paused).toBeUndefined();
    expect(r.outputs.map((t) => [t.name, values(t)])).toEqual([
      ['OUT', [5, 6]],
      ['SIDE', [5, 6]],
    ]);
    expect(trace.spans.filter((s) => s.kind === 'step').map((s) => s.step)).toEqual([0, 1, 2]);
  });

  it('runToEnd() at the first pause runs every step without pausing again', async () => {
    const ctl = new StepController();
    let pauses = 0;
    const first = nextPause(ctl);
    const run = repo.infer('e', -1, { inputs: [input()], trace: { trace: new Trace(false, ctl), held: [] } });
    await first;
    ctl.onPause = () => pauses++;
    ctl.runToEnd();
    await run;
    expect(pauses).toBe(0);
  });

  it('stop() rejects the run with CANCELLED and runs nothing more', async () => {
    const ctl = new StepController();
    const trace = new Trace(false, ctl);
    let pause = nextPause(ctl);
    const run = repo.infer('e', -1, { inputs: [input()], trace: { trace, held: [] } });
    await pause;
    pause = nextPause(ctl);
    ctl.step();
    await pause;
    ctl.stop();
    const e = await rejection(run);
    expect(e.code).toBe('CANCELLED');
    expect(e.message).toBe('the run was stopped');
    expect(ctl.paused).toBeUndefined();
    expect(trace.spans.map((s) => s.model)).toEqual(['e', 'first']);
    expect(trace.spans[0]!.error).toBe('the run was stopped');
    // A stopped controller refuses further runs at once.
    expect((await rejection(repo.infer('e', -1, { inputs: [input()], trace: { trace: new Trace(false, ctl), held: [] } }))).code).toBe('CANCELLED');
  });
});
