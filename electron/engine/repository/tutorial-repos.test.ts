/**
 * The repositories the lab must handle out of the box: the Triton tutorials'
 * layouts as published (fixtures) and the bundled, runnable samples.
 */
import { cpSync, existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataType } from '../config/gen/model_config_pb';
import { validateEnsembleScheduling } from '../config/ensemble-graph';
import { config, errorsOf } from '../config/testing/config';
import type { Repository } from './repository';
import { loadRepository, stateOf, TempDirs } from './testing/temp-repo';
import { diagnosticsOf } from './views';

const FIXTURES = path.join(__dirname, '__fixtures__');
const SAMPLES = path.join(__dirname, '..', '..', '..', 'sample-repos');
/** The fixtures' model.py files are placeholders: they load, and fail for want of a TritonPythonModel (or of a Python with numpy). */
const PYTHON = /^(?:Internal: failed to start instance \w+: failed to load model\.py: TritonModelException: .*\/model\.py must define a class TritonPythonModel$|Unavailable: Python backend: )/;

describe('Part 5 OCR ensemble, as published (no ONNX files, Python steps)', () => {
  let repo: Repository;
  beforeAll(async () => {
    repo = await loadRepository(path.join(FIXTURES, 'part5_ocr'));
  });

  it('the Python steps are read and completed; their placeholder model.py files do not load', () => {
    for (const name of ['detection_preprocessing', 'detection_postprocessing', 'recognition_postprocessing']) {
      expect(stateOf(repo, name)?.reason, name).toMatch(PYTHON);
      const v = repo.models.get(name)!.versions[0]!;
      expect(v.version).toBe(1);
      expect(v.config?.instanceGroup.map((g) => [g.name, g.count])).toEqual([[`${name}_0`, 1]]);
    }
  });

  it('the ONNX models have no version folder', () => {
    for (const name of ['text_detection', 'text_recognition']) {
      expect(stateOf(repo, name)).toEqual({ state: 'UNAVAILABLE', reason: `at least one version must be available under the version policy of model '${name}'` });
    }
    // The two output blocks of text_detection are one list.
    expect(repo.models.get('text_detection')!.base!.output.map((o) => o.name)).toEqual(['feature_fusion/Conv_7/Sigmoid:0', 'feature_fusion/concat_3:0']);
  });

  it('the ensemble is unavailable because of its first member, and the graph itself is sound', () => {
    expect(stateOf(repo, 'ensemble_model')?.reason).toMatch(
      /^Invalid argument: ensemble 'ensemble_model' depends on 'detection_preprocessing' which has no loaded version\. Model 'detection_preprocessing' loading failed with error: version 1 is at UNAVAILABLE state: (?:Internal|Unavailable): /,
    );
    expect(errorsOf(validateEnsembleScheduling(repo.models.get('ensemble_model')!.base!))).toEqual([]);
  });

  it("reports the INPUT__0 mapping: text_recognition's input is input.1, at the line that maps it", () => {
    const rec = repo.models.get('ensemble_model')!;
    const diag = diagnosticsOf(rec, repo.root).find((x) => x.code === 'ensemble.map-unknown-input');
    expect(diag).toMatchObject({
      severity: 'error',
      message: 'in ensemble ensemble_model, ensemble tensor cropped_images is mapping to non-existing input INPUT__0 in model text_recognition',
      file: 'ensemble_model/config.pbtxt',
    });
    const lines = readFileSync(path.join(FIXTURES, 'part5_ocr', 'ensemble_model', 'config.pbtxt'), 'utf8').split('\n');
    expect(lines[diag!.line! - 1]).toContain('key: "INPUT__0"');
  });

  it('lists every model in the index', () => {
    expect(repo.index().map((e) => e.name)).toEqual(['detection_postprocessing', 'detection_preprocessing', 'ensemble_model', 'recognition_postprocessing', 'text_detection', 'text_recognition']);
  });
});

describe('Data Pipelines, as published (ensemble config inside the version folder)', () => {
  let repo: Repository;
  beforeAll(async () => {
    repo = await loadRepository(path.join(FIXTURES, 'data_pipelines_published'));
  });

  it("the ensemble folder has no config Triton reads, so its backend can't be determined", () => {
    expect(stateOf(repo, 'ensemble_model')).toEqual({
      state: 'UNAVAILABLE',
      reason: "Invalid model name: Could not determine backend for model 'ensemble_model' with no backend in model configuration. Expected model name of the form 'model.<backend_name>'.",
    });
    expect(stateOf(repo, 'model1')?.reason).toMatch(PYTHON);
  });

  function suggestedConfig(r: Repository): string {
    const d = r.models.get('ensemble_model')!.fileDiagnostics.find((x) => x.code === 'layout.config-in-version');
    expect(d).toMatchObject({ severity: 'warning', file: 'ensemble_model/1/config.pbtxt' });
    expect(d!.fix).toContain("Create 'ensemble_model/config.pbtxt'");
    return d!.fix!.slice(d!.fix!.indexOf('\n\n') + 2);
  }

  it('the layout warning carries a complete ensemble config', () => {
    const c = config(suggestedConfig(repo));
    expect(c).toMatchObject({ name: 'ensemble_model', platform: 'ensemble', maxBatchSize: 8 });
    const types = (list: { name: string; dataType: DataType; dims: bigint[] }[]) => list.map((t) => [t.name, DataType[t.dataType], t.dims.map(Number)]);
    expect(types(c.input)).toEqual([
      ['ensemble_input_string', 'TYPE_STRING', [-1]],
      ['ensemble_input_UINT8_array', 'TYPE_UINT8', [-1]],
      ['ensemble_input_INT8_array', 'TYPE_INT8', [-1]],
      ['ensemble_input_FP32_image', 'TYPE_FP32', [-1, -1, -1]],
      ['ensemble_input_bool', 'TYPE_BOOL', [-1]],
    ]);
    expect(types(c.output)).toEqual([
      ['ensemble_output_string', 'TYPE_STRING', [-1]],
      ['ensemble_output_UINT8_array', 'TYPE_UINT8', [-1]],
      ['ensemble_output_INT8_array', 'TYPE_INT8', [-1]],
      ['ensemble_output_FP32_image', 'TYPE_FP32', [-1, -1, -1]],
      ['ensemble_output_bool', 'TYPE_BOOL', [-1]],
    ]);
    expect(errorsOf(validateEnsembleScheduling(c))).toEqual([]);
  });

  describe('applying the fix', () => {
    const temp = new TempDirs();
    afterAll(() => temp.cleanup());

    it('makes the ensemble load once its members can run', async () => {
      const d = await temp.make();
      cpSync(path.join(FIXTURES, 'data_pipelines_published'), d.root, { recursive: true });
      writeFileSync(path.join(d.root, 'ensemble_model', 'config.pbtxt'), suggestedConfig(repo));
      rmSync(path.join(d.root, 'ensemble_model', '1', 'config.pbtxt'));
      // Stand the Python echo models in with script models that do the same.
      const echo =
        'export default class TritonPythonModel { execute(requests) { return requests.map((r) => new pb_utils.InferenceResponse({ output_tensors: r.inputs().map((t) => new pb_utils.Tensor(t.name.replace("input", "output"), t.data, t.shape, t.dtype)) })); } }';
      for (const m of ['model1', 'model2']) {
        const file = path.join(d.root, m, 'config.pbtxt');
        writeFileSync(file, readFileSync(file, 'utf8').replace('backend: "python"', 'backend: "script"'));
        rmSync(path.join(d.root, m, '1', 'model.py'));
        writeFileSync(path.join(d.root, m, '1', 'model.js'), echo);
      }
      const fixed = await loadRepository(d.root);
      expect(stateOf(fixed, 'ensemble_model')).toEqual({ state: 'READY', reason: '' });
    });
  });
});

describe('bundled sample repositories', () => {
  const weights = existsSync(path.join(SAMPLES, 'ocr_ensemble', 'text_detection', '1', 'model.onnx'));

  it.skipIf(!weights)('every sample repository loads READY (weights copied by scripts/prepare-samples.mjs)', async () => {
    for (const name of ['ocr_ensemble', 'ocr_bls', 'quick_deploy_onnx']) {
      const repo = await loadRepository(path.join(SAMPLES, name));
      expect(
        repo.index().every((e) => e.state === 'READY'),
        `${name}: ${JSON.stringify(repo.index())}`,
      ).toBe(true);
    }
  });

  it.skipIf(!weights)('quick_deploy_onnx: a model with no config at all is completed from the ONNX file', async () => {
    const repo = await loadRepository(path.join(SAMPLES, 'quick_deploy_onnx'), { runtime: false });
    const rec = repo.models.get('text_direction')!;
    expect(rec.configPath).toBeUndefined();
    const c = rec.versions[0]!.config!;
    expect(c.maxBatchSize).toBe(4);
    expect(c.input.map((i) => [i.name, i.dims.map(Number)])).toEqual([['x', [3, -1, -1]]]);
  });

  it('data_pipeline: the ensemble and both members are READY', async () => {
    const repo = await loadRepository(path.join(SAMPLES, 'data_pipeline'));
    expect(repo.index()).toEqual([
      { name: 'ensemble_model', version: '1', state: 'READY' },
      { name: 'model1', version: '1', state: 'READY' },
      { name: 'model2', version: '1', state: 'READY' },
    ]);
    expect(diagnosticsOf(repo.models.get('ensemble_model')!, repo.root).filter((x) => x.severity !== 'info')).toEqual([]);
  });
});
