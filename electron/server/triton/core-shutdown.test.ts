/**
 * Shutdown as `model-lab serve` does it (TritonCore.shutdown, then
 * Repository.close with what is left of --exit-timeout-secs) finishes within
 * the exit timeout, even with a finalize() that never returns and a model
 * loaded again after its folder was removed, and leaves no child process and
 * no scratch folder behind. Processes are counted in /proc (Linux).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alive, spawningModel, stubs, until } from '../../engine/backends/python/testing/processes';
import { pythonConfig, pythonMissing } from '../../engine/backends/python/testing/repo';
import { type ServeFixture, startServeFixture } from './testing/serve-fixture';

const open: ServeFixture[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

const io = { inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] };
const IDENTITY = {
  name: 'files',
  backend: 'identity',
  max_batch_size: 0,
  input: [{ name: 'INPUT0', data_type: 'TYPE_FP32', dims: [-1] }],
  output: [{ name: 'OUTPUT0', data_type: 'TYPE_FP32', dims: [-1] }],
};

describe.skipIf(pythonMissing || process.platform !== 'linux')('shutdown', () => {
  it('finishes within the exit timeout and leaves no child process and no scratch folder', async () => {
    const before = stubs();
    const f = await startServeFixture({
      http: false,
      repo: { controlMode: 'explicit', startupModels: ['stuck', 'gone'] },
      core: { exitTimeoutSecs: 2 },
      write: (dir) => {
        for (const name of ['stuck', 'gone']) {
          mkdirSync(path.join(dir, name, '1'), { recursive: true });
          writeFileSync(path.join(dir, name, 'config.pbtxt'), pythonConfig(name, io));
        }
        // finalize() never returns.
        writeFileSync(path.join(dir, 'stuck', '1', 'model.py'), spawningModel('import time; time.sleep(1000)'));
        writeFileSync(path.join(dir, 'gone', '1', 'model.py'), spawningModel());
      },
    });
    open.push(f);
    const grandchildren = ['stuck', 'gone'].map((n) => Number(readFileSync(path.join(f.dir, n, 'child.pid'), 'utf8')));
    // A model loaded again after its folder went keeps serving (and must still be stopped at shutdown).
    rmSync(path.join(f.dir, 'gone'), { recursive: true });
    await expect(f.core.load('gone')).rejects.toMatchObject({ message: "failed to load 'gone', failed to poll from model repository" });
    expect(f.core.modelReady('gone')).toBe(true);
    await f.core.load('files', { config: { type: 'STRING', value: JSON.stringify(IDENTITY) }, 'file:1/a.txt': { type: 'BYTES', value: new Uint8Array([1]) } });
    const scratch = (await f.core.scratch.location())!;
    expect(existsSync(scratch)).toBe(true);
    const started = stubs().filter((p) => !before.includes(p));
    expect(started).toHaveLength(2);

    const t0 = Date.now();
    const { drained } = await f.core.shutdown();
    await f.repo.close({ timeoutMs: Math.max(0, 2000 - (Date.now() - t0)) });
    const took = Date.now() - t0;
    expect(drained).toBe(true);
    // The exit timeout, plus the moment the kills take.
    expect(took).toBeLessThan(3500);
    expect(existsSync(scratch)).toBe(false);
    expect(await until(() => started.every((p) => !alive(p)), 2000)).toBe(true);
    expect(await until(() => grandchildren.every((p) => !alive(p)), 2000)).toBe(true);
    expect(stubs().filter((p) => !before.includes(p))).toEqual([]);
  }, 30_000);
});
