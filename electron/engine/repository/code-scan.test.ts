import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab } from '../lab';
import { UNTRUSTED_REASON } from './model-loader';
import { modelRunsCode, repositoryRunsCode } from './code-scan';
import { TempDirs } from './testing/temp-repo';

const temp = new TempDirs();
const labs: Lab[] = [];
afterAll(async () => {
  await Promise.all(labs.map((l) => l.close()));
  temp.cleanup();
});

describe('finding code in a repository', () => {
  it('reads the backend and the model file name from the parsed config, in any spelling the parser accepts', async () => {
    const d = await temp.make({
      'single/config.pbtxt': "backend: 'python'\ndefault_model_filename: 'main.py'\n",
      'single/1/main.py': 'x = 1\n',
      'comment/config.pbtxt': 'backend: # run it\n  "script"\n',
      'renamed/config.pbtxt': 'backend: "onnxruntime"\ndefault_model_filename: "loader.mjs"\n',
      'broken/config.pbtxt': 'backend: "python\n',
      'plain/config.pbtxt': 'backend: "onnxruntime"\n',
      'plain/1/model.onnx': 'x',
      'by_file/1/model.ts': 'export {}',
    });
    mkdirSync(path.join(d.root, 'named.python', '1'), { recursive: true });
    const runs = async (m: string) => modelRunsCode(path.join(d.root, m));
    expect(await runs('single')).toBe(true);
    expect(await runs('comment')).toBe(true);
    expect(await runs('renamed')).toBe(true);
    expect(await runs('broken')).toBe(true);
    expect(await runs('by_file')).toBe(true);
    expect(await runs('named.python')).toBe(true);
    expect(await runs('plain')).toBe(false);
    expect(await repositoryRunsCode((await temp.make({ 'm/config.pbtxt': 'backend: "onnxruntime"\n', 'm/1/model.onnx': 'x' })).root)).toBe(false);
  });

  it('asks before running code that appears after a folder without code was opened', async () => {
    const d = await temp.make({ 'plain/1': null, 'plain/config.pbtxt': 'backend: "identity"\nmax_batch_size: 0\ninput [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 1 ] } ]\noutput [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 1 ] } ]\n' });
    const lab = new Lab();
    labs.push(lab);
    const info = await lab.openRepository(d.root);
    expect([info.trust, info.hasCode]).toEqual(['trusted', false]);
    // A pull brings a script model whose load would leave a mark.
    mkdirSync(path.join(d.root, 'late', '1'), { recursive: true });
    writeFileSync(path.join(d.root, 'late', 'config.pbtxt'), 'backend: \'script\'\nmax_batch_size: 0\ninput [ { name: "IN" data_type: TYPE_FP32 dims: [ 1 ] } ]\noutput [ { name: "OUT" data_type: TYPE_FP32 dims: [ 1 ] } ]\n');
    writeFileSync(path.join(d.root, 'late', '1', 'model.js'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(path.join(d.root, 'ran'))}, 'x');\nexport default class TritonPythonModel { execute(r) { return []; } }\n`);
    const after = await lab.reloadRepository(info.id);
    expect([after.trust, after.hasCode]).toEqual(['untrusted', true]);
    expect(after.models.find((m) => m.name === 'late')!.versions[0]).toMatchObject({ state: 'UNAVAILABLE', reason: UNTRUSTED_REASON });

    expect(after.models.find((m) => m.name === 'plain')!.state).toBe('READY');
    expect(existsSync(path.join(d.root, 'ran'))).toBe(false);
    expect((await lab.setTrust(info.id, 'once')).models.find((m) => m.name === 'late')!.state).toBe('READY');
    expect(existsSync(path.join(d.root, 'ran'))).toBe(true);
  }, 30_000);
});
