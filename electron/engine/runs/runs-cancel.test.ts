/**
 * The playground's Cancel (Lab.runs.cancel) cancels the request inside the instance: a Python
 * model reads is_cancelled() as True and stops, so the instance is free for the next run at once
 * instead of finishing the cancelled one in the background.
 */
import { afterEach, describe as describeAll, expect, it } from 'vitest';
import { pyModel, pythonConfig, pythonMissing, untilLogged } from '../backends/python/testing/repo';
import { Lab } from '../lab';
import { makeTempDir, type TempDir } from '../repository/testing/temp-repo';
import type { RunRequest } from '../../contract/lab-api';

const describe = describeAll.skipIf(pythonMissing);

const dirs: TempDir[] = [];
const labs: Lab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.close()));
  for (const d of dirs.splice(0)) d.cleanup();
});

describe("the playground's Cancel", () => {
  it('cancels the running request in the Python instance, which is free for the next run at once', async () => {
    const dir = await makeTempDir({
      'probe/config.pbtxt': pythonConfig('probe', {
        inputs: [
          { name: 'DELAY', type: 'FP32', dims: [1] },
          { name: 'MODE', type: 'INT32', dims: [1] },
        ],
        outputs: [{ name: 'OUT', type: 'INT32', dims: [1] }],
        count: 1,
      }),
      'probe/1/model.py': pyModel('cancel_probe'),
    });
    dirs.push(dir);
    const lab = new Lab({});
    labs.push(lab);
    const info = await lab.openRepository(dir.root, { sample: true });
    const run = (delay: number, runId?: string): RunRequest => ({
      repoId: info.id,
      model: 'probe',
      ...(runId ? { runId } : {}),
      inputs: [
        { name: 'DELAY', kind: 'values', dtype: 'FP32', shape: [1], values: [delay] },
        { name: 'MODE', kind: 'values', dtype: 'INT32', shape: [1], values: [0] },
      ],
    });
    const logs = (): string[] => lab.modelLog(info.id, 'probe').flatMap((v) => v.lines.map((l) => l.message));

    const running = lab.runModel(run(30, 'r-long'));
    await untilLogged(logs, (l) => l.some((x) => x.includes('not cancelled at')));
    expect(lab.runs.cancel('r-long')).toBe(true);
    expect((await running).state).toBe('cancelled');
    expect(await untilLogged(logs, (l) => l.some((x) => x.startsWith('probe: cancelled at')))).toEqual(expect.arrayContaining([expect.stringMatching(/^probe: cancelled at/)]));

    // The instance (one) is not busy with the cancelled request: the next run answers at once.
    const started = Date.now();
    const next = await lab.runModel(run(0.05));
    expect(next.state).toBe('ok');
    expect(Date.now() - started).toBeLessThan(5000);
  }, 30_000);
});
