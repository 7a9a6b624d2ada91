/** The lab's "Python interpreter" setting: used by Python models, changed at runtime, and a model's own config parameter still wins. */
import { afterAll, describe, expect, it } from 'vitest';
import { Lab } from '../../lab';
import { TempDirs } from '../../repository/testing/temp-repo';
import { pyModel, pythonConfig, pythonMissing } from './testing/repo';

const temp = new TempDirs();
const labs: Lab[] = [];
afterAll(async () => {
  await Promise.all(labs.map((l) => l.close()));
  temp.cleanup();
});

const io = { inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] };

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
}

describe.skipIf(pythonMissing)('the Python interpreter setting', () => {
  it('reloads Python models with the chosen interpreter and says which setting failed', async () => {
    const d = await temp.make({ 'py/config.pbtxt': pythonConfig('py', io), 'py/1/model.py': pyModel('echo') });
    const lab = new Lab();
    labs.push(lab);
    const info = await lab.openRepository(d.root, { sample: true });
    const state = () => lab.getModel(info.id, 'py').summary;
    expect(state().state).toBe('READY');

    // A reload with an interpreter that does not work fails; as in Triton, the loaded model keeps serving and the failure is shown.
    expect(lab.setSettings({ pythonExecutable: '/nowhere/python3' }).pythonExecutable).toBe('/nowhere/python3');
    await until(() => state().reloadFailure !== undefined);
    expect(state().state).toBe('READY');
    expect(state().reloadFailure?.reason).toContain('/nowhere/python3');
    expect(state().reloadFailure?.reason).toContain('the lab setting "Python interpreter"');

    expect(lab.setSettings({ pythonExecutable: '' }).pythonExecutable).toBeUndefined();
    await until(() => state().reloadFailure === undefined);
    expect(state().state).toBe('READY');
    expect(() => lab.setSettings({ pythonExecutable: 'bad\nname' })).toThrow('pythonExecutable must be a path or a command name');
  }, 60_000);
});
