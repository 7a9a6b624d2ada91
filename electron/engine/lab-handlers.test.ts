import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { Lab } from './lab';
import { createLabHandlers, dispatch } from './lab-handlers';
import { LabError } from './errors';
import { browserHost } from './testing/host';

const host = browserHost({ samplesDir: path.resolve('sample-repos') });
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

  it('answer restartEngine UNSUPPORTED where the engine is in-process (desktop main answers it itself)', async () => {
    lab = new Lab();
    await expect(dispatch(createLabHandlers(lab, host), 'restartEngine', {})).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('open the bundled samples and read files inside a repository only', async () => {
    lab = new Lab();
    const h = createLabHandlers(lab, host);
    const repos = await h.openSamples({});
    expect(repos.map((r) => r.name).sort()).toEqual([
      'data_pipeline',
      'data_pipeline_python',
      'ocr_bls',
      'ocr_bls_python',
      'ocr_ensemble',
      'ocr_ensemble_python',
      'quick_deploy_onnx',
      'quick_deploy_pytorch',
      'sequence_accumulator',
    ]);
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
    expect((await h.listRepositories({})).map((r) => r.name).sort()).toEqual([
      'data_pipeline',
      'data_pipeline_python',
      'ocr_bls',
      'ocr_bls_python',
      'ocr_ensemble_python',
      'quick_deploy_onnx',
      'quick_deploy_pytorch',
      'sequence_accumulator',
    ]);
    // Every sample loads: the Python, PyTorch and OCR ones start child processes and sessions.
  }, 90_000);

  it('check the playground and tensor payloads too', async () => {
    lab = new Lab();
    const h = createLabHandlers(lab, host);
    await expect(dispatch(h, 'runModel', { repoId: 'r', model: 'm', inputs: 'x' })).rejects.toThrow("'inputs' must be a list");
    await expect(dispatch(h, 'runModel', { repoId: 'r', model: 'm', inputs: [], outputs: [3] })).rejects.toThrow("'outputs' must be a list of output names");
    await expect(dispatch(h, 'runModel', { repoId: 'r', model: 'm', inputs: [], runId: 'x'.repeat(65) })).rejects.toThrow("'runId' is not a valid value");
    await expect(dispatch(h, 'tensorPage', { runId: 'r', side: 'middle', name: 'x', offset: 0, count: 1 })).rejects.toThrow("'side' must be one of input, output, edge, initializer");
    await expect(dispatch(h, 'tensorPage', { runId: 'r', side: 'input', name: 'x', offset: -1, count: 1 })).rejects.toThrow("'offset' must be an integer of at least 0");
    await expect(dispatch(h, 'tensorImage', { runId: 'r', side: 'input', name: 'x', layout: 'HWC', range: [0] })).rejects.toThrow("'range' must be [min, max]");
    await expect(dispatch(h, 'tensorHeatmap', { runId: 'r', side: 'input', name: 'x', fixed: ['a'] })).rejects.toThrow("'fixed' must be a list of indices");
    await expect(dispatch(h, 'exportTensor', { runId: 'r', side: 'input', name: 'x', format: 'csv' })).rejects.toThrow("'format' must be npy or json");
    await expect(dispatch(h, 'tensorPage', { runId: 'gone', side: 'input', name: 'x', offset: 0, count: 1 })).rejects.toThrow("run 'gone' is not in the history");
    await expect(dispatch(h, 'setTrust', { repoId: 'r', decision: 'maybe' })).rejects.toThrow("no open repository with id 'r'");
    await expect(dispatch(h, 'startServing', { repoId: 'r' })).rejects.toThrow('this host cannot serve repositories');
    expect((await dispatch(h, 'serveStatus', {})) as { available: boolean }).toMatchObject({ available: false });
  });
});
