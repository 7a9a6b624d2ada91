import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab } from './lab';
import { UNTRUSTED_REASON } from './repository/model-loader';
import { TempDirs } from './repository/testing/temp-repo';

const temp = new TempDirs();
const labs: Lab[] = [];
afterAll(async () => {
  await Promise.all(labs.map((l) => l.close()));
  temp.cleanup();
});

describe('workspace trust', () => {
  it('finds code as the loader reads the models: the backend in any spelling, model files, model.<backend> folders', async () => {
    const lab = new Lab();
    labs.push(lab);
    const code = async (files: Record<string, string | null>, folder?: string): Promise<[boolean, string]> => {
      const d = await temp.make(files);
      if (folder) mkdirSync(path.join(d.root, folder, '1'), { recursive: true });
      const info = await lab.openRepository(d.root);
      return [info.hasCode, info.trust];
    };
    expect(await code({ 'single/config.pbtxt': "backend: 'python'\ndefault_model_filename: 'main.py'\n", 'single/1/main.py': 'x = 1\n' })).toEqual([true, 'untrusted']);
    expect(await code({ 'comment/config.pbtxt': 'backend: # run it\n  "script"\n', 'comment/1/model.js': 'export {}' })).toEqual([true, 'untrusted']);
    expect(await code({ 'by_file/1/model.ts': 'export {}' })).toEqual([true, 'untrusted']);
    expect(await code({ 'by_py/1/model.py': 'x = 1\n' })).toEqual([true, 'untrusted']);
    expect(await code({}, 'named.python')).toEqual([true, 'untrusted']);
    expect(await code({ 'plain/config.pbtxt': 'backend: "onnxruntime"\n', 'plain/1/model.onnx': 'x' })).toEqual([false, 'trusted']);
  }, 30_000);

  it('asks before running code that appears after a folder without code was opened', async () => {
    const d = await temp.make({
      'plain/1': null,
      'plain/config.pbtxt': 'backend: "identity"\nmax_batch_size: 0\ninput [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 1 ] } ]\noutput [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 1 ] } ]\n',
    });
    const lab = new Lab();
    labs.push(lab);
    const info = await lab.openRepository(d.root);
    expect([info.trust, info.hasCode]).toEqual(['trusted', false]);
    // A pull brings a script model whose load would leave a mark.
    mkdirSync(path.join(d.root, 'late', '1'), { recursive: true });
    writeFileSync(
      path.join(d.root, 'late', 'config.pbtxt'),
      'backend: \'script\'\nmax_batch_size: 0\ninput [ { name: "IN" data_type: TYPE_FP32 dims: [ 1 ] } ]\noutput [ { name: "OUT" data_type: TYPE_FP32 dims: [ 1 ] } ]\n',
    );
    writeFileSync(
      path.join(d.root, 'late', '1', 'model.js'),
      `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(path.join(d.root, 'ran'))}, 'x');\nexport default class TritonPythonModel { execute(r) { return []; } }\n`,
    );
    const after = await lab.reloadRepository(info.id);
    expect([after.trust, after.hasCode]).toEqual(['untrusted', true]);
    expect(after.models.find((m) => m.name === 'late')!.versions[0]).toMatchObject({ state: 'UNAVAILABLE', reason: UNTRUSTED_REASON });

    expect(after.models.find((m) => m.name === 'plain')!.state).toBe('READY');
    expect(existsSync(path.join(d.root, 'ran'))).toBe(false);
    expect((await lab.setTrust(info.id, 'once')).models.find((m) => m.name === 'late')!.state).toBe('READY');
    expect(existsSync(path.join(d.root, 'ran'))).toBe(true);
  }, 30_000);
});
