/** The Lab facade every shell calls: repositories, models, load/unload, files. */
import { afterEach, describe, expect, it } from 'vitest';
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import type { LabEvent } from '../contract/lab-api';
import { Lab } from './lab';
import { buildOnnxModel } from './onnx/testing/build-model';
import { identityConfig, TempDirs } from './repository/testing/temp-repo';
import { Fifos, noFifos, within } from './util/testing/fifo';

const temp = new TempDirs();
const fifos = new Fifos();
const labs: Lab[] = [];
afterEach(() => {
  fifos.releaseAll();
  for (const l of labs.splice(0)) l.close();
  temp.cleanup();
});

async function open() {
  const d = await temp.make({
    'plain/1/model.onnx': buildOnnxModel({ inputs: [{ name: 'x', type: 1, dims: [1, 3] }], outputs: [{ name: 'y', type: 1, dims: [1, 3] }] }),
    'a/config.pbtxt': identityConfig('a'),
    'a/1': null,
    'a/labels.bin': new Uint8Array([0, 1, 2, 0, 255, 0]),
  });
  const lab = new Lab();
  labs.push(lab);
  const events: LabEvent[] = [];
  lab.onEvent((e) => events.push(e));
  const info = await lab.openRepository(d.root);
  return { d, lab, info, events };
}

describe('Lab', () => {
  it('opens a repository once and summarizes its models', async () => {
    const { d, lab, info, events } = await open();
    expect(info.models.map((m) => [m.name, m.state, m.backend, m.hasConfigFile])).toEqual([
      ['a', 'READY', 'identity', true],
      ['plain', 'READY', 'onnxruntime', false],
    ]);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['repositories-changed', 'repository-changed']));
    expect((await lab.openRepository(d.root)).id).toBe(info.id);
    expect(lab.listRepositories()).toHaveLength(1);
  });

  it("gives a model's detail, with the config Triton would serve", async () => {
    const { lab, info } = await open();
    const detail = lab.getModel(info.id, 'plain');
    expect(detail).toMatchObject({ maxBatchSize: 0, versionPolicy: 'latest 1', defaultModelFilename: 'model.onnx', scheduling: 'none' });
    expect(detail.inputs).toEqual([{ name: 'x', dataType: 'TYPE_FP32', datatype: 'FP32', dims: [1, 3], fullShape: [1, 3] }]);
    expect(detail.instanceGroups).toEqual([{ name: 'plain', kind: 'KIND_CPU', count: 2, gpus: [] }]);
    expect(detail.completedConfigJson).toMatchObject({ name: 'plain', max_batch_size: 0, instance_group: [{ kind: 'KIND_CPU', count: 2 }] });
    expect(detail.autoFilled).toEqual(expect.arrayContaining(['input', 'output', 'version_policy', 'instance_group']));
    expect(() => lab.getModel(info.id, 'nope')).toThrow("Request for unknown model: 'nope' is not found");
    expect(() => lab.getModel('no-such-repo', 'a')).toThrow(/no open repository/);
  });

  it('unloads and loads a model', async () => {
    const { lab, info } = await open();
    expect(await lab.unloadModel(info.id, 'a')).toMatchObject({ state: 'UNAVAILABLE', reason: 'unloaded' });
    expect(await lab.loadModel(info.id, 'a')).toMatchObject({ state: 'READY' });
    await expect(lab.loadModel(info.id, 'ghost')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reads files inside the repository only', async () => {
    const { lab, info } = await open();
    expect(await lab.readFile(info.id, 'a/config.pbtxt')).toMatchObject({ path: 'a/config.pbtxt', text: identityConfig('a') });
    expect(await lab.readFile(info.id, 'a/labels.bin')).toMatchObject({ note: 'binary file' });
    await expect(lab.readFile(info.id, '../outside')).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(lab.readFile(info.id, '/etc/passwd')).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(lab.readFile(info.id, 'a/missing.txt')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(lab.readFile(info.id, 'a')).rejects.toMatchObject({ code: 'INVALID_ARG' });
  });

  it('never reads through a link that leaves the repository (real paths)', async () => {
    const { d, lab, info } = await open();
    const outside = await temp.make({ 'secret.txt': 'root:x:0:0:secret' });
    symlinkSync(path.join(outside.root, 'secret.txt'), path.join(d.root, 'a', 'passwd'));
    symlinkSync('/etc/passwd', path.join(d.root, 'a', 'etc-passwd'));
    symlinkSync(outside.root, path.join(d.root, 'linked-dir'));
    symlinkSync(path.join(d.root, 'a', 'config.pbtxt'), path.join(d.root, 'a', 'inner-link'));
    for (const rel of ['a/passwd', 'a/etc-passwd', 'linked-dir/secret.txt']) {
      const err = await lab.readFile(info.id, rel).catch((e: unknown) => e);
      expect(err, rel).toMatchObject({ code: 'INVALID_ARG', message: expect.stringContaining('outside the repository') });
      expect(JSON.stringify(err)).not.toContain('root:x');
    }
    // A link that stays inside is an ordinary file.
    expect(await lab.readFile(info.id, 'a/inner-link')).toMatchObject({ text: identityConfig('a') });
  });

  it.skipIf(noFifos)('refuses a FIFO inside the repository at once instead of parking a thread in open(2)', async () => {
    const { d, lab, info } = await open();
    fifos.make(path.join(d.root, 'a', 'notes.txt'));
    const read = lab.readFile(info.id, 'a/notes.txt');
    expect(await within(read, 2000)).toBe('settled');
    await expect(read).rejects.toMatchObject({ code: 'INVALID_ARG', message: "'a/notes.txt' is not a file but a FIFO; only regular files are read" });
  });

  it('decides workspace trust on real paths: a link inside a trusted folder does not carry the trust elsewhere', async () => {
    const trusted = await temp.make({ 'ok/1/model.py': 'x = 1\n' });
    const other = await temp.make({ 'evil/1/model.py': 'x = 1\n' });
    const lab = new Lab({ repository: { runtime: false } });
    labs.push(lab);
    const first = await lab.openRepository(trusted.root);
    expect(first.trust).toBe('untrusted');
    await lab.setTrust(first.id, 'always');
    symlinkSync(other.root, path.join(trusted.root, 'alias'));
    expect((await lab.openRepository(path.join(trusted.root, 'alias'))).trust).toBe('untrusted');
    // The trusted folder itself, reached through a link, is still trusted.
    const links = await temp.make({});
    symlinkSync(trusted.root, path.join(links.root, 'models'));
    const viaLink = new Lab({ repository: { runtime: false } });
    labs.push(viaLink);
    viaLink.settings.trust(trusted.root);
    expect((await viaLink.openRepository(path.join(links.root, 'models'))).trust).toBe('trusted');
  });

  it('reads files of a repository opened through a linked folder', async () => {
    const d = await temp.make({ 'a/config.pbtxt': identityConfig('a'), 'a/1': null });
    const links = await temp.make({});
    symlinkSync(d.root, path.join(links.root, 'repo'));
    const lab = new Lab();
    labs.push(lab);
    const info = await lab.openRepository(path.join(links.root, 'repo'));
    expect(await lab.readFile(info.id, 'a/config.pbtxt')).toMatchObject({ text: identityConfig('a') });
  });

  it('validates the poll interval and closes repositories', async () => {
    const { lab, info } = await open();
    expect(() => lab.setWatch(info.id, true, 0)).toThrow('poll interval must be between 1 and 3600 seconds');
    expect(lab.setWatch(info.id, true, 30)).toMatchObject({ watching: true, controlMode: 'poll', pollSecs: 30 });
    expect(lab.setWatch(info.id, false)).toMatchObject({ watching: false });
    expect(lab.closeRepository(info.id)).toBe(true);
    expect(lab.closeRepository(info.id)).toBe(false);
  });
});
