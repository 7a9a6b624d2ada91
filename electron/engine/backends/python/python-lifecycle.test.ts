/**
 * No Python process outlives its model: a removed model folder stops the
 * model's process, a process model.py started goes with the model (process
 * group), closing a repository finishes within its timeout even when
 * finalize() never returns, and what a model prints is kept in bounded lines.
 * Processes are counted in /proc (Linux).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { create } from '@bufbuild/protobuf';
import { ModelConfigSchema } from '../../config/gen/model_config_pb';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Repository } from '../../repository/repository';
import { closeRepositories, loadRepository, stateOf, TempDirs } from '../../repository/testing/temp-repo';
import { MAX_LOG_LINE } from '../log-lines';
import { findPython } from './interpreter';
import { STUB_FILE, stubDir } from './resources';
import { alive, spawningModel as spawning, stubs, until } from './testing/processes';
import { pythonConfig, pythonMissing } from './testing/repo';

const temp = new TempDirs();
afterEach(async () => {
  await closeRepositories();
  temp.cleanup();
});

const io = { inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] };
const linux = process.platform === 'linux';

describe.skipIf(pythonMissing || !linux)('Python processes end with their model', () => {
  it('removing the model folder (poll) stops the Python process and the process model.py started', async () => {
    const before = stubs();
    const d = await temp.make({ 'p/config.pbtxt': pythonConfig('p', io), 'p/1/model.py': spawning() });
    const repo = await loadRepository(d.root);
    expect(stateOf(repo, 'p')?.state).toBe('READY');
    const grandchild = Number(readFileSync(path.join(d.root, 'p/child.pid'), 'utf8'));
    const started = stubs().filter((p) => !before.includes(p));
    expect(started).toHaveLength(1);
    expect(alive(grandchild)).toBe(true);
    await d.remove('p');
    await repo.poll();
    expect(repo.models.has('p')).toBe(false);
    expect(await until(() => !alive(started[0]!))).toBe(true);
    expect(await until(() => !alive(grandchild))).toBe(true);
  }, 30_000);

  it('closing within a timeout: a finalize() that never returns is cut short and nothing is left running', async () => {
    const before = stubs();
    const d = await temp.make({ 'p/config.pbtxt': pythonConfig('p', { ...io, count: 2 }), 'p/1/model.py': spawning('import time; time.sleep(1000)') });
    const repo = await loadRepository(d.root);
    const started = stubs().filter((p) => !before.includes(p));
    expect(started).toHaveLength(2);
    const t0 = Date.now();
    await repo.close({ timeoutMs: 1000 });
    // Bounded: the deadline plus the moment the kill takes, far from finalize()'s own 5 s and the exit wait.
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(await until(() => started.every((p) => !alive(p)), 2000)).toBe(true);
    expect(stubs().filter((p) => !before.includes(p))).toEqual([]);
  }, 30_000);

  it('closing while a model is still loading (an auto_complete_config that never returns) stops its throwaway process too', async () => {
    const before = stubs();
    const model = `import time
class TritonPythonModel:
    @staticmethod
    def auto_complete_config(auto_complete_model_config):
        time.sleep(1000)
    def execute(self, requests):
        return []
`;
    const d = await temp.make({ 'p/config.pbtxt': pythonConfig('p', io), 'p/1/model.py': model });
    const repo = new Repository(d.root);
    const loading = repo.loadAll().catch(() => undefined);
    expect(await until(() => stubs().some((p) => !before.includes(p)), 10_000)).toBe(true);
    const started = stubs().filter((p) => !before.includes(p));
    const t0 = Date.now();
    await repo.close({ timeoutMs: 500 });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(await until(() => started.every((p) => !alive(p)), 2000)).toBe(true);
    await loading;
    expect(stubs().filter((p) => !before.includes(p))).toEqual([]);
  }, 30_000);

  it('a stub whose lab process is killed outright dies with it, even while model code runs', async () => {
    const d = await temp.make();
    const mark = path.join(d.root, 'importing');
    await d.write('m/1/model.py', `open(${JSON.stringify(mark)}, "w").write("x")\nimport time\ntime.sleep(1000)\n`);
    const setup = JSON.stringify({ file: path.join(d.root, 'm/1/model.py'), versionDir: path.join(d.root, 'm/1'), modelName: 'm' });
    const py = (await findPython(create(ModelConfigSchema), d.root)).executable;
    // A shell stands in for the lab: it starts the stub and is then killed with SIGKILL.
    const lab = spawn('/bin/sh', ['-c', '"$0" "$1" "$2" 3<>/dev/null & echo $!; wait', py, path.join(stubDir(), STUB_FILE), setup], { stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = await new Promise<number>((resolve) => lab.stdout.once('data', (c: Buffer) => resolve(Number(c.toString().trim()))));
    try {
      expect(await until(() => existsSync(mark), 10_000)).toBe(true);
      lab.kill('SIGKILL');
      expect(await until(() => !alive(pid), 3000)).toBe(true);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 30_000);

  it('a line printed without a newline is kept cut to a bounded length', async () => {
    const model = `import sys
import triton_python_backend_utils as pb_utils
class TritonPythonModel:
    def initialize(self, args):
        sys.stdout.write("x" * 5000000)
        sys.stdout.flush()
        print("")
        pb_utils.Logger.log_info("y" * 5000000)
        print("after")
    def execute(self, requests):
        return []
`;
    const d = await temp.make({ 'p/config.pbtxt': pythonConfig('p', io), 'p/1/model.py': model });
    const repo = await loadRepository(d.root);
    const logs = () => repo.models.get('p')!.versions[0]!.logs.map((l) => l.message);
    expect(await until(() => logs().includes('after'))).toBe(true);
    const long = logs().find((l) => l.startsWith('xxx'))!;
    expect(long.length).toBeLessThan(MAX_LOG_LINE + 100);
    expect(long).toMatch(/… \(\d+ more characters not kept\)$/);
    const logged = logs().find((l) => l.startsWith('yyy'))!;
    expect(logged.length).toBeLessThan(MAX_LOG_LINE + 100);
    expect(existsSync(d.root)).toBe(true);
  }, 30_000);
});
