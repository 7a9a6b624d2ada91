import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { Lab } from './lab';
import { createLabHandlers, dispatch } from './lab-handlers';
import { LabError } from './errors';

const host = {
  info: () => ({ mode: 'browser' as const, appVersion: 't', platform: 'linux', canPickFolder: false, samplesDir: path.resolve('sample-repos') }),
  pickFolder: () => Promise.resolve(null),
};
let lab: Lab;
afterEach(() => lab?.close());

describe('lab handlers', () => {
  it('check every payload before the lab sees it', async () => {
    lab = new Lab();
    const h = createLabHandlers(lab, host);
    await expect(dispatch(h, 'openRepository', 'x')).rejects.toThrow('the request must be a JSON object');
    await expect(dispatch(h, 'openRepository', [])).rejects.toThrow('the request must be a JSON object');
    await expect(dispatch(h, 'openRepository', {})).rejects.toThrow("'path' must be a non-empty string");
    await expect(dispatch(h, 'openRepository', { path: 'a\0b' })).rejects.toThrow("'path' is not a valid value");
    await expect(dispatch(h, 'getModel', { repoId: 'x' })).rejects.toThrow("'model' must be a non-empty string");
    await expect(dispatch(h, 'setWatch', { repoId: 'x', enabled: 'yes' })).rejects.toThrow("'enabled' must be true or false");
    await expect(dispatch(h, 'setWatch', { repoId: 'x', enabled: true, pollSecs: 'fast' })).rejects.toThrow("'pollSecs' must be a number");
    await expect(dispatch(h, 'toString', {})).rejects.toThrow("unknown lab method 'toString'");
    await expect(dispatch(h, 'getModel', { repoId: 'nope', model: 'm' })).rejects.toBeInstanceOf(LabError);
  });

  it('open the bundled samples and read files inside a repository only', async () => {
    lab = new Lab();
    const h = createLabHandlers(lab, host);
    const repos = await h.openSamples({});
    expect(repos.map((r) => r.name).sort()).toEqual(['data_pipeline', 'ocr_bls', 'ocr_ensemble', 'quick_deploy_onnx']);
    expect(repos.every((r) => r.sample)).toBe(true);
    const ocr = repos.find((r) => r.name === 'ocr_ensemble')!;
    const file = await h.readFile({ repoId: ocr.id, path: 'text_detection/config.pbtxt' });
    expect(file.text).toContain('name: "text_detection"');
    const binary = await h.readFile({ repoId: ocr.id, path: 'text_detection/1/model.onnx' });
    expect(binary.text).toBeUndefined();
    expect(binary.note).toBeDefined();
    await expect(h.readFile({ repoId: ocr.id, path: '../../package.json' })).rejects.toThrow('is outside the repository');
    await expect(h.readFile({ repoId: ocr.id, path: '/etc/passwd' })).rejects.toThrow('relative to the repository');
    await expect(h.setWatch({ repoId: ocr.id, enabled: true, pollSecs: 0 })).rejects.toThrow('between 1 and 3600');
    const watching = await h.setWatch({ repoId: ocr.id, enabled: true, pollSecs: 5 });
    expect(watching.watching).toBe(true);
    expect((await h.closeRepository({ repoId: ocr.id })).closed).toBe(true);
    expect((await h.listRepositories({})).map((r) => r.name).sort()).toEqual(['data_pipeline', 'ocr_bls', 'quick_deploy_onnx']);
  });
});
