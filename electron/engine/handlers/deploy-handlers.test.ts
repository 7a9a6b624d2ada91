import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab } from '../lab';
import { createLabHandlers, dispatch } from '../lab-handlers';
import { browserHost } from '../testing/host';

const SAMPLES = path.resolve(__dirname, '../../../sample-repos');
const host = browserHost({ samplesDir: SAMPLES });
let lab: Lab | undefined;
const temps: string[] = [];
afterEach(async () => {
  await lab?.close();
  lab = undefined;
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

describe('deploy handlers', () => {
  it('check payloads: repository, absolute folders, GPUs, flags and image', async () => {
    lab = new Lab();
    const h = createLabHandlers(lab, host);
    const { id } = await lab.openRepository(path.join(SAMPLES, 'data_pipeline'), { sample: true });
    await expect(dispatch(h, 'portability', {})).rejects.toThrow("'repoId' must be a non-empty string");
    await expect(dispatch(h, 'portability', { repoId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(dispatch(h, 'portability', { repoId: id, twins: 'relative/folder' })).rejects.toThrow("'twins' must be an absolute folder path");
    await expect(dispatch(h, 'exportDeployment', { repoId: id })).rejects.toThrow("'outDir' must be a non-empty string");
    await expect(dispatch(h, 'exportDeployment', { repoId: id, outDir: 'out' })).rejects.toThrow("'outDir' must be an absolute folder path");
    const outDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'model-lab-deploy-h-')), 'out');
    temps.push(path.dirname(outDir));
    await expect(dispatch(h, 'exportDeployment', { repoId: id, outDir, gpus: 1.5 })).rejects.toThrow("'gpus' must be an integer of at least 0");
    await expect(dispatch(h, 'exportDeployment', { repoId: id, outDir, gpus: 65 })).rejects.toThrow("'gpus' must be at most 64");
    await expect(dispatch(h, 'exportDeployment', { repoId: id, outDir, useTwins: 'yes' })).rejects.toThrow("'useTwins' must be true or false");
    await expect(dispatch(h, 'exportDeployment', { repoId: id, outDir, image: 'Bad Image' })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    expect(existsSync(outDir)).toBe(false);
  });

  it('report an open repository with its twins, and export it with them swapped in', async () => {
    lab = new Lab();
    const h = createLabHandlers(lab, host);
    const { id } = await lab.openRepository(path.join(SAMPLES, 'data_pipeline'), { sample: true });
    const report = await h.portability({ repoId: id });
    expect(report.twinsRepository).toBe(path.join(SAMPLES, 'data_pipeline_python'));
    expect(report.models.map((m) => [m.model, m.verdict, m.twin?.repositoryName ?? null])).toEqual([
      ['ensemble_model', 'lab-only', null],
      ['model1', 'lab-only', 'data_pipeline_python'],
      ['model2', 'lab-only', 'data_pipeline_python'],
    ]);
    const named = await h.portability({ repoId: id, twins: path.join(SAMPLES, 'data_pipeline_python') });
    expect(named.models.filter((m) => m.twin).length).toBe(2);
    const outDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'model-lab-deploy-h-')), 'out');
    temps.push(path.dirname(outDir));
    const e = await h.exportDeployment({ repoId: id, outDir, useTwins: true, gpus: 0 });
    expect(e.swapped).toEqual(['model1', 'model2']);
    expect(e.report.models.every((m) => m.verdict === 'as-is')).toBe(true);
    expect(readdirSync(outDir).sort()).toEqual(['Dockerfile', 'README.md', 'docker-compose.yml', 'kubernetes', 'model_repository']);
  });
});
