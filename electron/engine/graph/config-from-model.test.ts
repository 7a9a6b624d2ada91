/** "Use in config": the I/O block a model calls for, the batching rule, and config-vs-model mismatches. */
import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../config/gen/model_config_pb';
import { parseConfigText } from '../config/text/parse';
import { toNumbers } from '../config/shape';
import type { OnnxModelIO, OnnxValueInfo } from '../onnx/model-io';
import { configFromModel } from './config-from-model';

function t(name: string, elemType: number, dims: (number | string | null)[] | undefined): OnnxValueInfo {
  return { name, kind: 'tensor', elemType, ...(dims ? { dims } : {}) };
}

function io(inputs: OnnxValueInfo[], outputs: OnnxValueInfo[], overridable: OnnxValueInfo[] = []): OnnxModelIO {
  return { irVersion: 8, producer: '', opsets: [], inputs, outputs, overridableInitializers: overridable };
}

function config(text: string): ModelConfig {
  const parsed = parseConfigText(text);
  if (!parsed.config) throw new Error(parsed.error?.message);
  return parsed.config;
}

/** The suggestion must be a config Triton's parser accepts; returns it parsed. */
function parsedText(text: string): ModelConfig {
  const parsed = parseConfigText(text);
  expect(parsed.error).toBeUndefined();
  return parsed.config!;
}

const DET = io([t('x', 1, ['n', 3, 'h', 'w'])], [t('sigmoid_0.tmp_0', 1, ['n', 1, 'h', 'w'])]);
const FIXED = io([t('images', 1, [1, 3, 224, 224])], [t('scores', 1, [1, 1000])]);

describe('configFromModel', () => {
  it('suggests batching when every first dimension is variable, and leaves it out of dims', () => {
    const r = configFromModel(DET, { model: 'det', defaultMaxBatchSize: 4 });
    expect(r.maxBatchSize).toBe(4);
    expect(r.batchingNote).toMatch(/^Every input and output has a variable first dimension/);
    expect(r.text).toBe(
      [
        'max_batch_size: 4',
        'input [',
        '  {',
        '    name: "x"',
        '    data_type: TYPE_FP32',
        '    dims: [ 3, -1, -1 ]',
        '  }',
        ']',
        'output [',
        '  {',
        '    name: "sigmoid_0.tmp_0"',
        '    data_type: TYPE_FP32',
        '    dims: [ 1, -1, -1 ]',
        '  }',
        ']',
        '',
      ].join('\n'),
    );
    const c = parsedText(r.text);
    expect(c.maxBatchSize).toBe(4);
    expect(c.input.map((i) => toNumbers(i.dims))).toEqual([[3, -1, -1]]);
    expect(r.mismatches).toEqual([]);
  });

  it('keeps the config’s own max_batch_size when it batches', () => {
    const r = configFromModel(DET, { model: 'det', current: config('max_batch_size: 8'), defaultMaxBatchSize: 4 });
    expect(r.maxBatchSize).toBe(8);
    expect(r.batchingNote).toMatch(/already batches \(max_batch_size 8\)/);
    expect(parsedText(r.text).output[0]!.dims.map(Number)).toEqual([1, -1, -1]);
  });

  it('says why a model cannot batch and gives full shapes', () => {
    const plain = configFromModel(FIXED, { model: 'm', defaultMaxBatchSize: 4 });
    expect(plain.maxBatchSize).toBe(0);
    expect(plain.batchingNote).toBe("The first dimension of 'images' is fixed at 1, so the model cannot batch: max_batch_size 0, and dims are the model's full shapes.");
    expect(parsedText(plain.text).input[0]!.dims.map(Number)).toEqual([1, 3, 224, 224]);
    expect(plain.text).toMatch(/^max_batch_size: 0\n/);
    const refused = configFromModel(FIXED, { model: 'm', current: config('max_batch_size: 8'), defaultMaxBatchSize: 4 });
    expect(refused.maxBatchSize).toBe(0);
    expect(refused.batchingNote).toMatch(/^The config sets max_batch_size 8, but the first dimension of 'images' is fixed at 1/);
  });

  it('mentions an explicit max_batch_size 0 that already declares the I/O', () => {
    const current = config('max_batch_size: 0\ninput [{ name: "x" data_type: TYPE_FP32 dims: [-1, 3, -1, -1] }]');
    const r = configFromModel(DET, { model: 'det', current, defaultMaxBatchSize: 4 });
    expect(r.batchingNote).toMatch(/keeps max_batch_size 0 instead/);
    expect(r.mismatches).toEqual([]);
  });

  it('writes a scalar under batching as dims [1] with an empty reshape, and escapes odd names', () => {
    const r = configFromModel(io([t('in"put\\1', 7, ['b'])], [t('score', 1, ['b'])]), { model: 'm', defaultMaxBatchSize: 4 });
    expect(r.text).toContain('name: "in\\"put\\\\1"');
    expect(r.text).toContain('reshape: { shape: [ ] }');
    const c = parsedText(r.text);
    expect(c.input[0]!.name).toBe('in"put\\1');
    expect(c.input[0]!.reshape?.shape).toEqual([]);
    expect(c.input[0]!.dims.map(Number)).toEqual([1]);
  });

  it('lists names, dtypes and dims that disagree, each with what to change', () => {
    const current = config(`
      max_batch_size: 8
      input [
        { name: "images" data_type: TYPE_FP32 dims: [3, 224, 224] },
        { name: "x" data_type: TYPE_FP16 dims: [3, 224, 224, 1] }
      ]
      output [{ name: "sigmoid_0.tmp_0" data_type: TYPE_FP32 dims: [1, 640, -1] }]`);
    const model = io([t('x', 1, ['n', 3, 'h', 'w']), t('scale', 1, ['n', 1])], [t('sigmoid_0.tmp_0', 1, ['n', 1, 'h', 'w'])]);
    const r = configFromModel(model, { model: 'det', current, defaultMaxBatchSize: 4 });
    expect(r.mismatches.map((m) => [m.side, m.name, m.kind])).toEqual([
      ['input', 'scale', 'missing-in-config'],
      ['input', 'images', 'missing-in-model'],
      ['input', 'x', 'dtype'],
      ['input', 'x', 'dims'],
      ['output', 'sigmoid_0.tmp_0', 'dims'],
    ]);
    const [scale, images, dtype, rank, out] = r.mismatches;
    expect(scale!.message).toBe("the model has input 'scale' (TYPE_FP32 [-1, 1]) but the config does not declare it: add it to input [ ... ]");
    expect(images!.message).toBe("the config declares input 'images', which the model does not have (its inputs: x, scale): rename or remove it");
    expect(dtype).toMatchObject({ model: 'TYPE_FP32', config: 'TYPE_FP16', message: "'x' is TYPE_FP16 in the config but TYPE_FP32 in the model: set data_type: TYPE_FP32" });
    expect(rank!.message).toBe(
      "the model's 'x' has 4 dimensions [-1, 3, -1, -1], the config gives 5 [-1, 3, 224, 224, 1], counting the batch dimension that max_batch_size adds: set dims: [3, -1, -1]",
    );
    // Outputs must match exactly: a config may not fix what the model leaves open.
    expect(out!.message).toBe("the model's 'sigmoid_0.tmp_0' has shape [-1, 1, -1, -1], the config [-1, 1, 640, -1], counting the batch dimension that max_batch_size adds: set dims: [1, -1, -1]");
  });

  it('explains batching a model whose first dimension is fixed, and lets inputs fix open dims', () => {
    const batched = configFromModel(FIXED, { model: 'm', current: config('max_batch_size: 4 input [{ name: "images" data_type: TYPE_FP32 dims: [3, 224, 224] }]'), defaultMaxBatchSize: 4 });
    expect(batched.mismatches).toEqual([
      expect.objectContaining({
        kind: 'dims',
        message:
          "max_batch_size 4 puts a batch dimension in front of 'images', but the model's first dimension is fixed at 1: set max_batch_size: 0 and dims: [1, 3, 224, 224], or export the model with a variable first dimension",
      }),
    ]);
    const fixedInput = configFromModel(DET, { model: 'det', current: config('max_batch_size: 0 input [{ name: "x" data_type: TYPE_FP32 dims: [1, 3, 640, 640] }]'), defaultMaxBatchSize: 4 });
    expect(fixedInput.mismatches).toEqual([]);
  });

  it('accepts overridable initializers in the config and refuses non-tensor I/O', () => {
    const model = io([t('x', 1, [-1, 2])], [t('y', 1, [-1, 2])], [t('w', 1, [2])]);
    const r = configFromModel(model, {
      model: 'm',
      current: config('max_batch_size: 0 input [{ name: "x" data_type: TYPE_FP32 dims: [-1, 2] }, { name: "w" data_type: TYPE_FP32 dims: [2] }]'),
      defaultMaxBatchSize: 4,
    });
    expect(r.mismatches).toEqual([]);
    const seq: OnnxModelIO = io([t('x', 1, [2])], [{ name: 'list', kind: 'sequence', elemType: 0 }]);
    expect(() => configFromModel(seq, { model: 'm', defaultMaxBatchSize: 4 })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED', message: expect.stringContaining("'list' is a sequence") }));
  });
});
