/**
 * Where playground inputs may be read from disk: an open repository (real
 * path inside its real root), the bundled sample images, or a file the user
 * picked in the desktop file dialog this session. Anything else (the
 * issue's `{"path": "/etc/passwd"}` then `tensorPage`) is refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { InputSpec } from '../../contract/lab-api';
import { Lab } from '../lab';
import { createLabHandlers, dispatch } from '../lab-handlers';
import { makeTempDir, type TempDir } from '../repository/testing/temp-repo';
import { modelConfig } from '../runtime/testing/models';
import { tensorPage } from './tensor-access';
import { Fifos, noFifos, within } from '../util/testing/fifo';
import { browserHost } from '../testing/host';

const dirs: TempDir[] = [];
const labs: Lab[] = [];
const fifos = new Fifos();
afterEach(async () => {
  fifos.releaseAll();
  await Promise.all(labs.splice(0).map((l) => l.close()));
  for (const d of dirs.splice(0)) d.cleanup();
});

const ENSEMBLE = `name: "e"
platform: "ensemble"
input [{ name: "IN" data_type: TYPE_UINT8 dims: [-1] }]
output [{ name: "OUT" data_type: TYPE_UINT8 dims: [-1] }]
ensemble_scheduling { step [{ model_name: "f" model_version: -1 input_map { key: "INPUT0" value: "IN" } output_map { key: "OUTPUT0" value: "OUT" } }] }
`;

async function temp(files: Record<string, string | null> = {}): Promise<TempDir> {
  const d = await makeTempDir(files);
  dirs.push(d);
  return d;
}

async function setup(sampleImagesDir?: string) {
  const repo = await temp({
    'f/config.pbtxt': modelConfig('f', { backend: 'identity', inputs: [{ name: 'INPUT0', type: 'UINT8', dims: [-1] }], outputs: [{ name: 'OUTPUT0', type: 'UINT8', dims: [-1] }] }),
    'f/1': null,
    'e/config.pbtxt': ENSEMBLE,
    'e/1': null,
    'data/in.bin': 'inside',
  });
  const outside = await temp({ 'secret.txt': 'root:x:0:0:secret' });
  const lab = new Lab(sampleImagesDir ? { sampleImagesDir } : {});
  labs.push(lab);
  const info = await lab.openRepository(repo.root);
  const bytes = (p: string): InputSpec => ({ name: 'INPUT0', kind: 'bytes', dtype: 'UINT8', source: { path: p } });
  const run = (p: string) => lab.runModel({ repoId: info.id, model: 'f', inputs: [bytes(p)], addBatchDim: false });
  const text = (runId: string): string => Buffer.from((tensorPage(lab.runs.tensor({ runId, side: 'input', name: 'INPUT0' }), 0, 100).values as number[]).map(Number)).toString();
  return { lab, info, repo, outside, run, text, secret: path.join(outside.root, 'secret.txt') };
}

describe('playground inputs read from disk', () => {
  it('refuses any path outside the open repositories (the issue: /etc/passwd, then tensorPage)', async () => {
    const { run, text, secret } = await setup();
    for (const p of ['/etc/passwd', secret]) {
      const got = await run(p).then(
        (r) => text(r.runId),
        (e: unknown) => e,
      );
      expect(got, p).toMatchObject({ code: 'INVALID_ARG', message: expect.stringContaining('not inside an open repository') });
    }
  });

  it('reads files inside an open repository, and refuses links that leave it', async () => {
    const { run, text, repo, secret } = await setup();
    expect(text((await run(path.join(repo.root, 'data/in.bin'))).runId)).toBe('inside');
    symlinkSync(secret, path.join(repo.root, 'data', 'leak.bin'));
    symlinkSync(path.dirname(secret), path.join(repo.root, 'data', 'leak-dir'));
    await expect(run(path.join(repo.root, 'data/leak.bin'))).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(run(path.join(repo.root, 'data/leak-dir/secret.txt'))).rejects.toMatchObject({ code: 'INVALID_ARG' });
    // '..' that walks back out is the same path as any other outside one.
    await expect(run(path.join(repo.root, 'data', '..', '..', path.basename(path.dirname(secret)), 'secret.txt'))).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(run(path.join(repo.root, 'data/missing.bin'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it.skipIf(noFifos)('refuses a FIFO inside the repository at once (a {path} input never parks a thread in open(2))', async () => {
    const { run, repo } = await setup();
    const fifo = fifos.make(path.join(repo.root, 'data', 'pipe.bin'));
    const answer = run(fifo);
    expect(await within(answer, 2000)).toBe('settled');
    await expect(answer).rejects.toMatchObject({ code: 'INVALID_ARG', message: expect.stringContaining('is not a file but a FIFO') });
  });

  it('stops reading a repository once it is closed', async () => {
    const { lab, info, repo } = await setup();
    const other = await temp({
      'g/config.pbtxt': modelConfig('g', { backend: 'identity', inputs: [{ name: 'INPUT0', type: 'UINT8', dims: [-1] }], outputs: [{ name: 'OUTPUT0', type: 'UINT8', dims: [-1] }] }),
      'g/1': null,
    });
    const second = await lab.openRepository(other.root);
    const spec: InputSpec = { name: 'INPUT0', kind: 'bytes', dtype: 'UINT8', source: { path: path.join(repo.root, 'data/in.bin') } };
    expect((await lab.runModel({ repoId: second.id, model: 'g', inputs: [spec], addBatchDim: false })).state).toBe('ok');
    lab.closeRepository(info.id);
    await expect(lab.runModel({ repoId: second.id, model: 'g', inputs: [spec], addBatchDim: false })).rejects.toMatchObject({ code: 'INVALID_ARG' });
  });

  it('reads a file the user picked in the file dialog, and only that one', async () => {
    const { lab, run, text, secret, outside } = await setup();
    writeFileSync(path.join(outside.root, 'other.txt'), 'other');
    const picks = [secret];
    const handlers = createLabHandlers(lab, {
      info: () => ({ mode: 'electron', appVersion: 't', platform: 'linux', canPickFolder: true, canPickFile: true }),
      pickFolder: () => Promise.resolve(null),
      pickFile: () => Promise.resolve(picks.shift() ?? null),
    });
    expect(await dispatch(handlers, 'pickInputFile', {})).toEqual({ path: secret });
    expect(text((await run(secret)).runId)).toBe('root:x:0:0:secret');
    await expect(run(path.join(outside.root, 'other.txt'))).rejects.toMatchObject({ code: 'INVALID_ARG' });
    // Cancelled: nothing new is allowed.
    expect(await dispatch(handlers, 'pickInputFile', {})).toEqual({ path: null });
  });

  it('has no picker where the host has none (browser mode uploads instead)', async () => {
    const { lab } = await setup();
    const handlers = createLabHandlers(lab, browserHost());
    await expect(dispatch(handlers, 'pickInputFile', {})).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('refuses the same paths for a step-through', async () => {
    const { lab, info, secret, repo } = await setup();
    const step = (p: string) => lab.startStepRun({ repoId: info.id, model: 'e', inputs: [{ name: 'IN', kind: 'bytes', dtype: 'UINT8', source: { path: p } }], addBatchDim: false });
    await expect(step('/etc/passwd')).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(step(secret)).rejects.toMatchObject({ code: 'INVALID_ARG' });
    const ok = await step(path.join(repo.root, 'data/in.bin'));
    await lab.stepRun(ok.runId, 'stop');
  });

  it('says why a typed path cannot be read, without reading it', async () => {
    const { lab, repo, secret } = await setup();
    expect(await lab.checkInputPath(path.join(repo.root, 'data/in.bin'))).toEqual({ path: path.join(repo.root, 'data/in.bin'), readable: true });
    expect(await lab.checkInputPath(secret)).toMatchObject({ readable: false, reason: 'outside' });
    expect(await lab.checkInputPath('/no/such/file')).toMatchObject({ readable: false, reason: 'outside' });
    expect(await lab.checkInputPath(path.join(repo.root, 'data/none.bin'))).toMatchObject({ readable: false, reason: 'missing' });
    expect(await lab.checkInputPath(path.join(repo.root, 'data'))).toMatchObject({ readable: false, reason: 'not-a-file' });
    symlinkSync(secret, path.join(repo.root, 'data', 'leak.bin'));
    expect(await lab.checkInputPath(path.join(repo.root, 'data/leak.bin'))).toMatchObject({ readable: false, reason: 'outside' });
  });

  it('reads sample images only from inside the sample folder, links included', async () => {
    const samples = await temp({ 'ok.bin': 'sample' });
    const { lab, info, secret } = await setup(samples.root);
    symlinkSync(secret, path.join(samples.root, 'leak.bin'));
    mkdirSync(path.join(samples.root, 'sub'));
    const sample = (s: string) => lab.runModel({ repoId: info.id, model: 'f', inputs: [{ name: 'INPUT0', kind: 'bytes', dtype: 'UINT8', source: { sample: s } }], addBatchDim: false });
    expect((await sample('ok.bin')).state).toBe('ok');
    await expect(sample('leak.bin')).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(sample('sub')).rejects.toMatchObject({ code: 'INVALID_ARG', message: expect.stringContaining('is not a file') });
  });
});
