// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelDetail, RepositoryInfo, RunRequest } from '@contract/lab-api';
import { setBackend } from '../api/client';
import { setLocale } from '../i18n';
import { SAMPLES, fakeClient, ocrBls, ocrEnsemble, quickDeploy, repository, runResult, summary, type FakeClient } from '../components/playground/test-support';
import { useModelStore } from '../stores/model';
import { useRepositoriesStore } from '../stores/repositories';
import { useRunStore } from '../stores/run';
import { useServeStore } from '../stores/serve';
import { createTourActions } from './actions';

function repo(id: string, name: string, models: string[]): RepositoryInfo {
  return repository(id, name, `/samples/${name}`, { sample: true, hasCode: true, models: models.map((m) => summary(m)) });
}

const ocrRepo = repo('r1', 'ocr_ensemble', ['ensemble_model', 'text_detection']);
const blsRepo = repo('r5', 'ocr_bls', ['ocr_pipeline']);
const qdRepo = repo('r3', 'quick_deploy_onnx', ['text_direction']);
const details: Record<string, ModelDetail> = { 'r1/ensemble_model': ocrEnsemble, 'r5/ocr_pipeline': ocrBls, 'r3/text_direction': quickDeploy };
let client: FakeClient;

beforeEach(() => {
  setActivePinia(createPinia());
  setLocale('en');
  client = fakeClient({
    openSamples: () => [ocrRepo, blsRepo, qdRepo],
    getModel: (req: { repoId: string; model: string }) => {
      const d = details[`${req.repoId}/${req.model}`];
      if (!d) throw new Error(`no model ${req.model}`);
      return d;
    },
    sampleImages: () => [...SAMPLES, { file: 'upside-down.png', width: 600, height: 232, description: 'turned' }],
    runModel: (req: RunRequest) => runResult('run-1', details[`${req.repoId}/${req.model}`]!),
    startServing: (req: { repoId: string }) => ({
      available: true,
      state: 'running',
      repoId: req.repoId,
      inFlight: 0,
      settings: { host: '127.0.0.1', httpPort: 8000, grpcPort: 8001, metricsPort: 8002 },
    }),
  });
  setBackend(client);
});
afterEach(() => setBackend(undefined));

describe('Show me actions', () => {
  it('open the samples when needed, select the model and wait for its details', async () => {
    const a = createTourActions();
    await a.selectModel('ocr_ensemble', 'ensemble_model');
    expect(client.of('openSamples')).toHaveLength(1);
    expect(useRepositoriesStore().selection).toEqual({ repoId: 'r1', model: 'ensemble_model' });
    expect(useModelStore().detail?.summary.name).toBe('ensemble_model');
    // Already open: no second openSamples.
    await a.selectModel('ocr_bls', 'ocr_pipeline');
    expect(client.of('openSamples')).toHaveLength(1);
    expect(useModelStore().detail?.summary.name).toBe('ocr_pipeline');
  });

  it('fail with a readable reason when the model cannot be shown', async () => {
    const a = createTourActions();
    await expect(a.selectModel('ocr_ensemble', 'text_detection')).rejects.toThrow('no model text_detection');
    await expect(a.selectModel('no_such_sample', 'm')).rejects.toThrow('the sample repository no_such_sample is not open and could not be opened');
  });

  it('switch the model view tab through the model store', () => {
    createTourActions().setTab('ensemble');
    expect(useModelStore().tab).toBe('ensemble');
  });

  it('open a file of a model', async () => {
    await createTourActions().openFile('ocr_bls', 'ocr_pipeline', 'ocr_pipeline/1/ocr.js');
    expect(useRepositoriesStore().selection).toEqual({ repoId: 'r5', model: 'ocr_pipeline', file: 'ocr_pipeline/1/ocr.js' });
  });

  it('run a model from the playground form, with the sample image asked for', async () => {
    await createTourActions().runModel('ocr_bls', 'ocr_pipeline', { sampleImage: 'upside-down.png' });
    expect(useModelStore().tab).toBe('run');
    const [req] = client.of('runModel');
    expect(req?.model).toBe('ocr_pipeline');
    expect(req?.inputs[0]).toMatchObject({ name: 'input_image', source: { sample: 'upside-down.png' } });
    expect(useRunStore().get('r5', 'ocr_pipeline')?.history[0]?.runId).toBe('run-1');
  });

  it('set an image input to the size and normalization asked for', async () => {
    await createTourActions().runModel('quick_deploy_onnx', 'text_direction', { sampleImage: SAMPLES[1]!.file, image: { width: 192, height: 48, preset: 'paddle' } });
    const spec = client.of('runModel')[0]?.inputs[0];
    expect(spec).toMatchObject({ name: 'x', kind: 'image', source: { sample: SAMPLES[1]!.file }, resize: { width: 192, height: 48 }, scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
  });

  it('run with the default sample when none is asked for', async () => {
    await createTourActions().runModel('ocr_ensemble', 'ensemble_model');
    expect(client.of('runModel')[0]?.inputs[0]).toMatchObject({ source: { sample: SAMPLES[0]!.file } });
  });

  it('start serving the sample repository', async () => {
    await createTourActions().startServing('ocr_bls');
    expect(client.of('startServing')).toEqual([{ repoId: 'r5' }]);
    expect(useServeStore().running).toBe(true);
  });
});
