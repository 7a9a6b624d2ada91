/** Workspace trust covers Python models: a repository with model.py runs code, and untrusted it starts no Python process. */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab } from '../../lab';
import { UNTRUSTED_REASON } from '../../repository/model-loader';
import { closeRepositories, loadRepository, stateOf, TempDirs } from '../../repository/testing/temp-repo';
import { pyModel, pythonConfig } from './testing/repo';

const temp = new TempDirs();
afterAll(async () => {
  await closeRepositories();
  temp.cleanup();
});

const io = { inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] };

describe('workspace trust', () => {
  it('a model.py, or backend "python", counts as code', async () => {
    const lab = new Lab();
    try {
      const hasCode = async (files: Record<string, string>): Promise<boolean> => (await lab.openRepository((await temp.make(files)).root)).hasCode;
      expect(await hasCode({ 'm/1/model.py': 'x = 1\n' })).toBe(true);
      expect(await hasCode({ 'm/config.pbtxt': pythonConfig('m', io) })).toBe(true);
      expect(await hasCode({ 'm/config.pbtxt': 'backend: "onnxruntime"\n', 'm/1/README.md': 'no code' })).toBe(false);
    } finally {
      await lab.close();
    }
  });

  it('untrusted: the model is read but not started, and auto_complete_config is not run', async () => {
    const d = await temp.make({
      'm/config.pbtxt': pythonConfig('m', io),
      // Would leave a file behind if it ran at import.
      'm/1/model.py': `open(__file__ + ".ran", "w").close()\n${pyModel('echo')}`,
      'auto/config.pbtxt': 'backend: "python"\n',
      'auto/1/model.py': `open(__file__ + ".ran", "w").close()\n${pyModel('auto_complete')}`,
    });
    const repo = await loadRepository(d.root, { runCode: false });
    expect(stateOf(repo, 'm')).toEqual({ state: 'UNAVAILABLE', reason: UNTRUSTED_REASON });
    expect(repo.models.get('m')!.reasonCode).toBe('UNTRUSTED');
    expect(stateOf(repo, 'auto')?.state).toBe('UNAVAILABLE');
    expect(existsSync(`${d.root}/m/1/model.py.ran`)).toBe(false);
    expect(existsSync(`${d.root}/auto/1/model.py.ran`)).toBe(false);
  });
});
