/**
 * AutoCompleteBackendFields: platform, backend and default_model_filename
 * from what the model folder holds, plus the model name rules around it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { autoCompleteBackendFields, firstSubdir, type FolderFacts } from './backend-fields';
import { type ModelConfig, ModelConfigSchema } from '../config/gen/model_config_pb';
import { config } from '../config/testing/config';
import { buildOnnxModel } from '../onnx/testing/build-model';
import { closeRepositories, loadRepository, messagesOf, stateOf, TempDirs } from '../repository/testing/temp-repo';

/** Facts for a model folder whose first version folder holds `entries` (name → is a folder). */
const facts = (entries: Record<string, boolean> = {}, subdirs = ['1']): FolderFacts => ({ subdirs, firstDirEntries: new Map(Object.entries(entries)) });

function complete(entries: Record<string, boolean>, c: ModelConfig = create(ModelConfigSchema), name = 'm') {
  const problem = autoCompleteBackendFields(name, c, facts(entries));
  return { platform: c.platform, backend: c.backend, file: c.defaultModelFilename, name: c.name, problem: problem?.message };
}

describe('backend from the model file', () => {
  it.each([
    ['model.onnx file', { 'model.onnx': false }, { platform: 'onnxruntime_onnx', backend: 'onnxruntime', file: 'model.onnx' }],
    ['model.onnx folder (external data)', { 'model.onnx': true }, { platform: 'onnxruntime_onnx', backend: 'onnxruntime', file: 'model.onnx' }],
    // Triton sets the platform while detecting model.pt, so the file-name default (only for an empty platform) is skipped.
    ['model.pt', { 'model.pt': false }, { platform: 'pytorch_libtorch', backend: 'pytorch', file: '' }],
    ['model.pt2', { 'model.pt2': false }, { platform: 'torch_aoti', backend: 'pytorch', file: 'model.pt2' }],
    ['model.plan', { 'model.plan': false }, { platform: 'tensorrt_plan', backend: 'tensorrt', file: 'model.plan' }],
    ['model.savedmodel folder', { 'model.savedmodel': true }, { platform: 'tensorflow_savedmodel', backend: 'tensorflow', file: 'model.savedmodel' }],
    ['model.graphdef', { 'model.graphdef': false }, { platform: 'tensorflow_graphdef', backend: 'tensorflow', file: 'model.graphdef' }],
    ['model.py', { 'model.py': false }, { platform: '', backend: 'python', file: 'model.py' }],
    ['model.xml', { 'model.xml': false, 'model.bin': false }, { platform: '', backend: 'openvino', file: 'model.xml' }],
    ['model.js', { 'model.js': false }, { platform: '', backend: 'script', file: 'model.js' }],
    ['model.ts', { 'model.ts': false }, { platform: '', backend: 'script', file: 'model.ts' }],
  ])('%s', (_what, entries, expected) => {
    expect(complete(entries)).toMatchObject({ ...expected, problem: undefined });
  });

  it('graphdef wins over savedmodel when both are there (checked second)', () => {
    expect(complete({ 'model.savedmodel': true, 'model.graphdef': false })).toMatchObject({ platform: 'tensorflow_graphdef' });
  });

  it('a model.savedmodel file or a model.plan folder is not recognized', () => {
    expect(complete({ 'model.savedmodel': false }).backend).toBe('');
    expect(complete({ 'model.plan': true }).backend).toBe('');
  });

  it('a given platform, backend or file name decides, whatever the folder holds', () => {
    expect(complete({}, config('platform: "onnxruntime_onnx"'))).toMatchObject({ backend: 'onnxruntime', file: 'model.onnx' });
    expect(complete({}, config('default_model_filename: "model.plan"'))).toMatchObject({ backend: 'tensorrt', platform: 'tensorrt_plan' });
    expect(complete({ 'model.plan': false }, config('backend: "onnxruntime"'))).toMatchObject({ backend: 'onnxruntime', platform: 'onnxruntime_onnx' });
    expect(complete({}, config('default_model_filename: "model.savedmodel"'))).toMatchObject({ backend: 'tensorflow', platform: 'tensorflow_savedmodel' });
    expect(complete({ 'model.onnx': false }, config('backend: "onnxruntime" default_model_filename: "weights.onnx"'))).toMatchObject({ file: 'weights.onnx' });
  });

  it('backend pytorch alone defaults to LibTorch and model.pt', () => {
    expect(complete({}, config('backend: "pytorch"'))).toMatchObject({ platform: 'pytorch_libtorch', file: 'model.pt' });
  });

  it('platform ensemble keeps an empty backend', () => {
    expect(complete({}, config('platform: "ensemble"'))).toMatchObject({ platform: 'ensemble', backend: '', problem: undefined });
  });

  it('a custom backend comes from the folder name after the first dot', () => {
    expect(complete({}, undefined, 'detector.mybackend')).toMatchObject({ backend: 'mybackend', file: 'model.mybackend', problem: undefined });
    expect(complete({}, undefined, 'a.b.c')).toMatchObject({ backend: 'b.c', file: 'model.b.c' });
  });

  it('otherwise the backend cannot be determined', () => {
    expect(complete({ 'weights.bin': false }).problem).toBe(
      "Invalid model name: Could not determine backend for model 'm' with no backend in model configuration. Expected model name of the form 'model.<backend_name>'.",
    );
  });

  it('fills the name from the folder when the config has none', () => {
    expect(complete({ 'model.onnx': false }, undefined, 'densenet').name).toBe('densenet');
    expect(complete({ 'model.onnx': false }, config('name: "given"'), 'densenet').name).toBe('given');
  });

  it('looks in the lexicographically first sub-folder, hidden ones included', () => {
    expect(firstSubdir(['2', '10', '1'])).toBe('1');
    expect(firstSubdir(['2', '10'])).toBe('10');
    expect(firstSubdir(['1', '.ipynb_checkpoints'])).toBe('.ipynb_checkpoints');
  });
});

describe('in a repository', () => {
  const dirs = new TempDirs();
  afterEach(() => dirs.cleanup());
  const onnx = buildOnnxModel({ inputs: [{ name: 'x', type: 1, dims: [-1, 3] }], outputs: [{ name: 'y', type: 1, dims: [-1, 3] }] });

  it('the name defaults to the folder', async () => {
    const d = await dirs.make({ 'm/config.pbtxt': 'backend: "onnxruntime"', 'm/1/model.onnx': onnx });
    const repo = await loadRepository(d.root);
    expect(stateOf(repo, 'm')?.state).toBe('READY');
    expect(repo.models.get('m')?.versions[0]?.config?.name).toBe('m');
  });

  it('a name that differs from the folder is refused', async () => {
    const d = await dirs.make({ 'm/config.pbtxt': 'name: "other" backend: "onnxruntime"', 'm/1/model.onnx': onnx });
    const repo = await loadRepository(d.root);
    expect(stateOf(repo, 'm')).toEqual({
      state: 'UNAVAILABLE',
      reason: "unexpected directory name 'm' for model 'other', directory name must equal model name",
    });
  });

  it('the file backend detection reads is the first sub-folder, not the newest version', async () => {
    // "10" sorts before "2": Triton looks into the empty 10/ and finds nothing.
    const d = await dirs.make({ 'm/2/model.onnx': onnx, 'm/10': null });
    const repo = await loadRepository(d.root);
    expect(stateOf(repo, 'm')?.reason).toMatch(/^Invalid model name: Could not determine backend for model 'm'/);
  });

  it('default_model_filename names the file the backend loads', async () => {
    const d = await dirs.make({ 'm/config.pbtxt': 'platform: "onnxruntime_onnx" default_model_filename: "weights.onnx"', 'm/1/weights.onnx': onnx });
    const repo = await loadRepository(d.root);
    expect(stateOf(repo, 'm')?.state).toBe('READY');
    expect(repo.models.get('m')?.versions[0]?.modelFile).toMatch(/weights\.onnx$/);
  });

  it('a model.onnx folder holds the model as <folder>/model.onnx', async () => {
    const d = await dirs.make({ 'm/1/model.onnx/model.onnx': onnx });
    const repo = await loadRepository(d.root);
    expect(stateOf(repo, 'm')?.state).toBe('READY');
  });

  it('a script model is detected and loads', async () => {
    const d = await dirs.make({
      'm/config.pbtxt': 'input { name: "x" data_type: TYPE_FP32 dims: [1] } output { name: "y" data_type: TYPE_FP32 dims: [1] }',
      'm/1/model.js': 'export default class TritonPythonModel { execute(requests) { return requests.map(() => new pb_utils.InferenceResponse()); } }',
      'n/config.pbtxt': 'input { name: "x" data_type: TYPE_FP32 dims: [1] } output { name: "y" data_type: TYPE_FP32 dims: [1] }',
      'n/1/model.js': 'export default {}',
    });
    const repo = await loadRepository(d.root);
    expect(repo.models.get('m')?.base?.backend).toBe('script');
    expect(stateOf(repo, 'm')?.state).toBe('READY');
    // A file that exports no model class is refused with a message that says what to export.
    expect(stateOf(repo, 'n')?.state).toBe('UNAVAILABLE');
    expect(stateOf(repo, 'n')?.reason).toContain('must export a class TritonPythonModel');
    await closeRepositories();
  });

  it('an unknown custom backend is named in the reason', async () => {
    const d = await dirs.make({ 'det.mybackend/1': null });
    const repo = await loadRepository(d.root);
    expect(repo.models.get('det.mybackend')?.versions[0]?.reason).toBe("Invalid argument: unable to find backend library for backend 'mybackend', try specifying runtime on the model configuration.");
    expect(messagesOf(repo, 'det.mybackend')).toContain("unable to find backend library for backend 'mybackend', try specifying runtime on the model configuration.");
  });
});
