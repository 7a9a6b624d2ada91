/**
 * The ONNX Runtime backend's auto-complete (AutoCompleteMaxBatch /
 * AutoCompleteIO) and its config-vs-model checks (ValidateInputs /
 * ValidateOutputs), on tiny ONNX models built for the test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DataType, type ModelConfig } from '../../config/gen/model_config_pb';
import { config, errorsOf } from '../../config/testing/config';
import { buildOnnxModel, type ModelSpec, type TensorSpec } from '../../onnx/testing/build-model';
import { readOnnxModelIO } from '../../onnx/model-io';
import { loadRepository, TempDirs } from '../../repository/testing/temp-repo';
import { autoCompleteOnnx, validateOnnxIO } from './config';

const FLOAT = 1;
const INT64 = 7;
const STRING = 8;
const t = (name: string, dims: TensorSpec['dims'], type = FLOAT): TensorSpec => ({ name, type, dims });
const io = (spec: ModelSpec) => readOnnxModelIO(buildOnnxModel(spec));

function autoComplete(text: string, spec: ModelSpec) {
  const c = config(text || 'name: "m"');
  const r = autoCompleteOnnx(c, io(spec), new Set());
  return { c, issues: r.issues, changed: r.changed };
}

const dimsOf = (c: ModelConfig, kind: 'input' | 'output'): number[][] => c[kind].map((x) => x.dims.map(Number));

describe('ONNX auto-complete', () => {
  const batchable: ModelSpec = { inputs: [t('images', ['N', 3, null, null])], outputs: [t('output', [-1, 10])] };

  it('a model whose inputs and outputs all start with a dynamic dim batches: max_batch_size 4 and dynamic batching', () => {
    const { c, issues } = autoComplete('name: "m"', batchable);
    expect(c.maxBatchSize).toBe(4);
    expect(c.schedulingChoice.case).toBe('dynamicBatching');
    expect(dimsOf(c, 'input')).toEqual([[3, -1, -1]]);
    expect(dimsOf(c, 'output')).toEqual([[10]]);
    expect(c.input[0]).toMatchObject({ name: 'images', dataType: DataType.TYPE_FP32 });
    expect(issues.map((i) => i.message)).toEqual([
      "autofilled max_batch_size to 4 for model 'm' since batching is supporrted but no max_batch_size is specified in model configuration. Must specify max_batch_size to utilize autofill with a larger max batch size",
    ]);
  });

  it('a fixed first dim anywhere means no batching: max_batch_size 0 and full dims', () => {
    const { c, issues } = autoComplete('name: "m"', { inputs: [t('x', [-1, 3])], outputs: [t('y', [1, 3])] });
    expect(c.maxBatchSize).toBe(0);
    expect(c.schedulingChoice.case).toBeUndefined();
    expect(dimsOf(c, 'input')).toEqual([[-1, 3]]);
    expect(dimsOf(c, 'output')).toEqual([[1, 3]]);
    expect(issues).toEqual([]);
  });

  it('keeps an explicit max_batch_size and still adds dynamic batching', () => {
    const { c } = autoComplete('name: "m" max_batch_size: 16', batchable);
    expect(c.maxBatchSize).toBe(16);
    expect(c.schedulingChoice.case).toBe('dynamicBatching');
  });

  it('adds no dynamic batching for max_batch_size 1 or when sequence batching is set', () => {
    expect(autoComplete('name: "m" max_batch_size: 1', batchable).c.schedulingChoice.case).toBeUndefined();
    expect(autoComplete('name: "m" sequence_batching { }', batchable).c.schedulingChoice.case).toBe('sequenceBatching');
  });

  it('refuses a non-zero max_batch_size for a model that cannot batch', () => {
    const { issues } = autoComplete('name: "m" max_batch_size: 8', { inputs: [t('x', [1, 3])], outputs: [t('y', [1, 3])] });
    expect(errorsOf(issues)).toEqual(["autofill failed for model 'm': model does not support batching while non-zero max_batch_size is specified"]);
  });

  it('a tensor that is only the batch dim becomes dims [1] with an empty reshape', () => {
    const { c } = autoComplete('name: "m"', { inputs: [t('ids', [-1], INT64)], outputs: [t('score', [-1])] });
    expect(c.maxBatchSize).toBe(4);
    expect(dimsOf(c, 'input')).toEqual([[1]]);
    expect(c.input[0]!.reshape?.shape).toEqual([]);
    expect(c.input[0]!.dataType).toBe(DataType.TYPE_INT64);
  });

  it('a scalar of a non-batching model becomes dims [1] without reshape', () => {
    const { c } = autoComplete('name: "m"', { inputs: [t('s', [])], outputs: [t('y', [2])] });
    expect(c.maxBatchSize).toBe(0);
    expect(dimsOf(c, 'input')).toEqual([[1]]);
    expect(c.input[0]!.reshape).toBeUndefined();
  });

  it('maps ONNX string to TYPE_STRING', () => {
    expect(autoComplete('name: "m"', { inputs: [t('text', [2], STRING)], outputs: [t('y', [2], STRING)] }).c.input[0]!.dataType).toBe(DataType.TYPE_STRING);
  });

  it('is skipped when the config gives inputs and outputs', () => {
    const { c, changed } = autoComplete('name: "m" input { name: "images" data_type: TYPE_FP32 dims: [-1, 3, -1, -1] } output { name: "output" data_type: TYPE_FP32 dims: [-1, 10] }', batchable);
    expect(changed).toBe(false);
    expect(c.maxBatchSize).toBe(0);
  });

  it('fills only what is missing when just the inputs are given', () => {
    const { c } = autoComplete('name: "m" max_batch_size: 2 input { name: "images" data_type: TYPE_FP32 dims: [3, -1, -1] }', batchable);
    expect(c.input).toHaveLength(1);
    expect(c.output.map((o) => o.name)).toEqual(['output']);
  });
});

describe('config against model (ValidateInputs / ValidateOutputs)', () => {
  const model: ModelSpec = { inputs: [t('b', [-1, 3]), t('a', [-1, 3])], outputs: [t('y', [-1, -1])], nodes: [{ op: 'Add', inputs: ['a', 'b'], outputs: ['y'] }] };
  const check = (text: string, spec: ModelSpec = model): string | undefined => validateOnnxIO(config(`name: "m" ${text}`), io(spec))?.message;
  const inp = (name: string, dims: string, type = 'TYPE_FP32', extra = ''): string => `input { name: "${name}" data_type: ${type} dims: ${dims} ${extra} }`;
  const out = (dims: string, type = 'TYPE_FP32', name = 'y'): string => `output { name: "${name}" data_type: ${type} dims: ${dims} }`;

  it('accepts a config that matches', () => {
    expect(check(`max_batch_size: 8 ${inp('a', '[3]')} ${inp('b', '[3]')} ${out('[-1]')}`)).toBeUndefined();
  });

  it('counts inputs', () => {
    expect(check(`max_batch_size: 8 ${inp('a', '[3]')} ${out('[-1]')}`)).toBe("unable to load model 'm', configuration expects 1 inputs, model provides 2");
  });

  it('names the allowed inputs, sorted', () => {
    expect(check(`max_batch_size: 8 ${inp('a', '[3]')} ${inp('z', '[3]')} ${out('[-1]')}`)).toBe("unexpected inference input 'z', allowed inputs are: a, b");
  });

  it('compares data types, naming the model type as Triton does', () => {
    expect(check(`max_batch_size: 8 ${inp('a', '[3]', 'TYPE_INT32')} ${inp('b', '[3]')} ${out('[-1]')}`)).toBe(
      "unable to load model 'm', configuration expects datatype TYPE_INT32 for input 'a', model provides TYPE_FP32",
    );
    const strings: ModelSpec = { inputs: [t('s', [2], STRING)], outputs: [t('o', [2], STRING)] };
    expect(check(`${inp('s', '[2]')} ${out('[2]', 'TYPE_STRING', 'o')}`, strings)).toBe("unable to load model 'm', configuration expects datatype TYPE_FP32 for input 's', model provides TYPE_BYTES");
  });

  it('shape with batching: the model needs a dynamic first dim', () => {
    const fixed: ModelSpec = { inputs: [t('x', [1, 3])], outputs: [t('y', [1, 3])] };
    expect(check(`max_batch_size: 8 ${inp('x', '[3]')} ${out('[3]')}`, fixed)).toBe(
      "model 'm', tensor 'x': for the model to support batching the shape should have at least 1 dimension and the first dimension must be -1; but shape expected by the model is [1,3]",
    );
  });

  it('shape with batching: [-1] + dims must match the model', () => {
    expect(check(`max_batch_size: 8 ${inp('a', '[4]')} ${inp('b', '[3]')} ${out('[-1]')}`)).toBe(
      "model 'm', tensor 'a': the model expects 2 dimensions (shape [-1,3]) but the model configuration specifies 2 dimensions (an initial batch dimension because max_batch_size > 0 followed by the explicit tensor shape, making complete shape [-1,4])",
    );
    // A -1 in the config does not match a fixed model dim.
    expect(check(`max_batch_size: 8 ${inp('a', '[-1]')} ${inp('b', '[3]')} ${out('[-1]')}`)).toMatch(/^model 'm', tensor 'a': the model expects 2 dimensions/);
  });

  it('shape without batching compares dims directly', () => {
    const densenet: ModelSpec = { inputs: [t('data_0', [1, 3, 224, 224])], outputs: [t('fc6_1', [1, 1000, 1, 1])] };
    expect(check(`${inp('data_0', '[3, 224, 224]')} ${out('[1, 1000, 1, 1]', 'TYPE_FP32', 'fc6_1')}`, densenet)).toBe(
      "model 'm', tensor 'data_0': the model expects 4 dimensions (shape [1,3,224,224]) but the model configuration specifies 3 dimensions (shape [3,224,224])",
    );
    expect(check(`${inp('data_0', '[1, 3, 224, 224]')} ${out('[1, 1000, 1, 1]', 'TYPE_FP32', 'fc6_1')}`, densenet)).toBeUndefined();
  });

  it('outputs are compared exactly: a dynamic model dim needs -1 in the config', () => {
    expect(check(`max_batch_size: 8 ${inp('a', '[3]')} ${inp('b', '[3]')} ${out('[5]')}`)).toBe(
      "model 'm', tensor 'y': the model expects 2 dimensions (shape [-1,-1]) but the model configuration specifies 2 dimensions (an initial batch dimension because max_batch_size > 0 followed by the explicit tensor shape, making complete shape [-1,5])",
    );
  });

  it('inputs are not compared exactly: a dynamic model dim takes any config dim', () => {
    const dyn: ModelSpec = { inputs: [t('x', [-1, -1])], outputs: [t('y', [-1, -1])] };
    expect(check(`max_batch_size: 8 ${inp('x', '[5]')} ${out('[-1]')}`, dyn)).toBeUndefined();
    expect(check(`max_batch_size: 8 ${inp('x', '[5]')} ${out('[5]')}`, dyn)).toMatch(/^model 'm', tensor 'y'/);
  });

  it('checks output names and types', () => {
    expect(check(`max_batch_size: 8 ${inp('a', '[3]')} ${inp('b', '[3]')} ${out('[-1]', 'TYPE_FP32', 'z')}`)).toBe("unexpected inference output 'z', allowed outputs are: y");
    expect(check(`max_batch_size: 8 ${inp('a', '[3]')} ${inp('b', '[3]')} ${out('[-1]', 'TYPE_FP16')}`)).toBe(
      "unable to load model 'm', configuration expects datatype TYPE_FP16 for output 'y', model provides TYPE_FP32",
    );
  });

  it('a scalar model tensor accepts only 1s in the config', () => {
    const scalar: ModelSpec = { inputs: [t('s', [])], outputs: [t('y', [])] };
    expect(check(`${inp('s', '[1]')} ${out('[1]')}`, scalar)).toBeUndefined();
    expect(check(`${inp('s', '[2]')} ${out('[1]')}`, scalar)).toBe(
      "unable to load model 'm', scalar tensor 's', should only provide 1 in the model configuration when the model doesn't support batching. Model configuration provided: [2].",
    );
  });

  it('optional inputs are not allowed with batching', () => {
    expect(
      check(`max_batch_size: 8 ${inp('a', '[3]', 'TYPE_FP32', 'optional: true')} ${inp('b', '[3]')} ${out('[-1]')}`, {
        ...model,
        inputs: [t('b', [-1, 3])],
      }),
    ).toBe("unable to load model 'm', optional input 'a' is not supported for models that support batching");
  });

  it('a ragged input needs a [-1] model input (two spaces, verbatim)', () => {
    expect(check(`max_batch_size: 8 ${inp('a', '[3]', 'TYPE_FP32', 'allow_ragged_batch: true')} ${inp('b', '[3]')} ${out('[-1]')}`)).toBe(
      "unable to load model 'm', configuration expects model provides input with shape [-1]  for ragged input 'a', model provides [-1,3]",
    );
  });

  it('an initializer listed as a graph input may be given as an optional input', () => {
    const withWeight: ModelSpec = {
      inputs: [t('x', [2]), t('w', [2])],
      outputs: [t('y', [2])],
      nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }],
      initializers: [{ name: 'w', dims: [2], values: [1, 2] }],
    };
    expect(check(`${inp('x', '[2]')} ${inp('w', '[2]', 'TYPE_FP32', 'optional: true')} ${out('[2]')}`, withWeight)).toBeUndefined();
  });
});

describe('through the repository', () => {
  const dirs = new TempDirs();
  afterEach(() => dirs.cleanup());

  it('a config-less batchable model is served with max_batch_size 4 and preferred_batch_size [4]', async () => {
    const d = await dirs.make({ 'm/1/model.onnx': buildOnnxModel({ inputs: [t('x', [-1, 3])], outputs: [t('y', [-1, 3])] }) });
    const repo = await loadRepository(d.root);
    const v = repo.models.get('m')!.versions[0]!;
    expect(v.state).toBe('READY');
    expect(v.config?.maxBatchSize).toBe(4);
    const sched = v.config?.schedulingChoice;
    expect(sched?.case === 'dynamicBatching' ? sched.value.preferredBatchSize : undefined).toEqual([4]);
  });

  it("a mismatch becomes the version's reason with Triton's code prefix", async () => {
    const d = await dirs.make({
      'm/config.pbtxt': 'max_batch_size: 8 input { name: "x" data_type: TYPE_FP32 dims: [3] } input { name: "x2" data_type: TYPE_FP32 dims: [3] } output { name: "y" data_type: TYPE_FP32 dims: [3] }',
      'm/1/model.onnx': buildOnnxModel({ inputs: [t('x', [-1, 3])], outputs: [t('y', [-1, 3])] }),
    });
    const repo = await loadRepository(d.root);
    expect(repo.models.get('m')!.versions[0]).toMatchObject({
      state: 'UNAVAILABLE',
      reason: "Invalid argument: unable to load model 'm', configuration expects 2 inputs, model provides 1",
    });
  });

  it('the autofill error makes the version unavailable', async () => {
    const d = await dirs.make({ 'm/config.pbtxt': 'max_batch_size: 8', 'm/1/model.onnx': buildOnnxModel({ inputs: [t('x', [1, 3])], outputs: [t('y', [1, 3])] }) });
    const repo = await loadRepository(d.root);
    expect(repo.models.get('m')!.versions[0]!.reason).toBe("Invalid argument: autofill failed for model 'm': model does not support batching while non-zero max_batch_size is specified");
  });
});
