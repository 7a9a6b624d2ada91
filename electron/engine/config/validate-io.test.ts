/**
 * ValidateModelIOConfig: input/output shape rules, reshape, formats, shape
 * tensors and batch IO, each message with Triton's " for <model>" suffix.
 */
import { describe, expect, it } from 'vitest';
import { validateModelIO } from './validate-model';
import { config, errorsOf } from './testing/config';

const model = (body: string, mbs = 8, platform = 'onnxruntime_onnx'): string => `name: "m" platform: "${platform}" max_batch_size: ${mbs} ${body}`;
const errors = (body: string, mbs = 8, platform?: string): string[] => errorsOf(validateModelIO(config(model(body, mbs, platform))));
const input = (fields: string): string => `input { ${fields} }`;
const OUT = 'output { name: "y" data_type: TYPE_FP32 dims: [ 1 ] }';

describe('IO shape', () => {
  it('accepts a well-formed input and output', () => {
    expect(errors(`${input('name: "x" data_type: TYPE_FP32 dims: [ 3, -1 ]')} ${OUT}`)).toEqual([]);
  });

  it('needs a name, a data type and dims, in that order', () => {
    expect(errors(input('data_type: TYPE_FP32 dims: [1]'))).toEqual(["model input must specify 'name' for m"]);
    expect(errors(input('name: "x" dims: [1]'))).toEqual(["model input 'x' must specify 'data_type' for m"]);
    expect(errors(input('name: "x" data_type: TYPE_FP32'))).toEqual(["model input 'x' must specify 'dims' for m"]);
    expect(errors('output { data_type: TYPE_FP32 dims: [1] }')).toEqual(["model output must specify 'name' for m"]);
    expect(errors('output { name: "y" dims: [1] }')).toEqual(["model output 'y' must specify 'data_type' for m"]);
  });

  it('dims must be >= 1 or -1', () => {
    const message = "model input 'x' dimension must be integer >= 1, or -1 to indicate a variable-size dimension for m";
    expect(errors(input('name: "x" data_type: TYPE_FP32 dims: [ 0 ]'))).toEqual([message]);
    expect(errors(input('name: "x" data_type: TYPE_FP32 dims: [ 2, -2 ]'))).toEqual([message]);
    expect(errors('output { name: "y" data_type: TYPE_FP32 dims: [ 0 ] }')).toEqual(["model output 'y' dimension must be integer >= 1, or -1 to indicate a variable-size dimension for m"]);
  });
});

describe('reshape', () => {
  const reshape = (dims: string, shape: string, mbs = 8): string[] => errors(input(`name: "x" data_type: TYPE_FP32 dims: ${dims} reshape { shape: ${shape} }`), mbs);

  it('an empty reshape is a scalar: fine when batching, refused without batching', () => {
    expect(reshape('[ 1 ]', '[ ]')).toEqual([]);
    expect(reshape('[ 1 ]', '[ ]', 0)).toEqual(["model input 'x' cannot have empty reshape for non-batching model as scalar tensors are not supported for m"]);
  });

  it('an empty reshape needs dims of exactly one element', () => {
    expect(reshape('[ 2 ]', '[ ]')).toEqual(["model input 'x' has different size for dims and reshape for m"]);
  });

  it('reshape dims must be >= 1 or -1', () => {
    expect(reshape('[ 4 ]', '[ 0, 4 ]')).toEqual(["model input 'x' reshape dimensions must be integer >= 1, or -1 to indicate a variable-size dimension for m"]);
  });

  it('element counts must match', () => {
    expect(reshape('[ 2, 3 ]', '[ 6 ]')).toEqual([]);
    expect(reshape('[ 2, 3 ]', '[ 5 ]')).toEqual(["model input 'x' has different size for dims and reshape for m"]);
    expect(reshape('[ -1 ]', '[ 4 ]')).toEqual(["model input 'x' has different size for dims and reshape for m"]);
  });

  it('with wildcards, the chunks between -1s must match in number and size', () => {
    expect(reshape('[ 2, 4, -1, 6 ]', '[ 8, -1, 1, 6 ]')).toEqual([]);
    expect(reshape('[ 2, -1, 3 ]', '[ -1, 6 ]')).toEqual(["model input 'x' has different size for dims and reshape for m"]);
    expect(reshape('[ -1, 4 ]', '[ -1, 2, -1 ]')).toEqual(["model input 'x' has different number of variable-size dimensions for dims and reshape for m"]);
  });
});

describe('format, shape tensors, non-linear IO', () => {
  it('NHWC and NCHW need 3 dims', () => {
    expect(errors(input('name: "x" data_type: TYPE_FP32 format: FORMAT_NHWC dims: [ 224, 224 ]'))).toEqual(['model input NHWC/NCHW require 3 dims for m']);
    expect(errors(input('name: "x" data_type: TYPE_FP32 format: FORMAT_NCHW dims: [ 3, 224, 224, 1 ]'))).toEqual(['model input NHWC/NCHW require 3 dims for m']);
    expect(errors(input('name: "x" data_type: TYPE_FP32 format: FORMAT_NHWC dims: [ 224, 224, 3 ]'))).toEqual([]);
  });

  it('shape tensors are for TensorRT only', () => {
    expect(errors(input('name: "x" data_type: TYPE_INT32 dims: [ 2 ] is_shape_tensor: true'))).toEqual(['shape tensors are only supported for TensorRT platform for m']);
    expect(errors('output { name: "y" data_type: TYPE_INT32 dims: [ 2 ] is_shape_tensor: true }')).toEqual(['shape tensors are only supported for TensorRT platform for m']);
    expect(errors(input('name: "x" data_type: TYPE_INT32 dims: [ 2 ] is_shape_tensor: true'), 8, 'tensorrt_plan')).toEqual([]);
  });

  it('non-linear IO is for TensorRT with 3 dims', () => {
    expect(errors(input('name: "x" data_type: TYPE_FP32 dims: [ 3, 4, 5 ] is_non_linear_format_io: true'))).toEqual(['Non-linear IO format is only supported for the TensorRT platform for m']);
    expect(errors(input('name: "x" data_type: TYPE_FP32 dims: [ 3, 4 ] is_non_linear_format_io: true'), 8, 'tensorrt_plan')).toEqual(['Non-linear IO format input requires 3 dims for m']);
    expect(errors(input('name: "x" data_type: TYPE_FP32 dims: [ 3, 4, 5 ] is_non_linear_format_io: true'), 8, 'tensorrt_plan')).toEqual([]);
  });
});

describe('batch_input and batch_output', () => {
  const X = input('name: "x" data_type: TYPE_FP32 dims: [ -1 ]');

  it('accepts a well-formed batch input and output', () => {
    expect(
      errors(`${X} ${OUT}
        batch_input { kind: BATCH_ELEMENT_COUNT target_name: "count" data_type: TYPE_INT32 source_input: "x" }
        batch_output { kind: BATCH_SCATTER_WITH_INPUT_SHAPE target_name: "y" source_input: "x" }`),
    ).toEqual([]);
  });

  it('a batch input takes exactly one source', () => {
    expect(errors(`${X} batch_input { kind: BATCH_ITEM_SHAPE target_name: "s" data_type: TYPE_INT32 source_input: ["x", "x"] }`)).toEqual([
      "batch input kind 'BATCH_ITEM_SHAPE' expects 1 source input, got 2 for m",
    ]);
  });

  it('a batch input is INT32 or FP32', () => {
    expect(errors(`${X} batch_input { kind: BATCH_ELEMENT_COUNT target_name: "c" data_type: TYPE_INT64 source_input: "x" }`)).toEqual(['batch input data type must be TYPE_INT32 or TYPE_FP32 for m']);
  });

  it('sources must be model inputs', () => {
    expect(errors(`${X} batch_input { kind: BATCH_ELEMENT_COUNT target_name: "c" data_type: TYPE_FP32 source_input: "nope" }`)).toEqual(["unknown source input name 'nope' for m"]);
    expect(errors(`${X} ${OUT} batch_output { kind: BATCH_SCATTER_WITH_INPUT_SHAPE target_name: "y" source_input: "nope" }`)).toEqual(["unknown source input name 'nope' for m"]);
  });

  it('a batch output takes one source and existing, distinct targets', () => {
    expect(errors(`${X} ${OUT} batch_output { kind: BATCH_SCATTER_WITH_INPUT_SHAPE target_name: "y" }`)).toEqual([
      "batch output kind 'BATCH_SCATTER_WITH_INPUT_SHAPE' expects 1 source input, got 0 for m",
    ]);
    expect(errors(`${X} ${OUT} batch_output { kind: BATCH_SCATTER_WITH_INPUT_SHAPE target_name: "z" source_input: "x" }`)).toEqual(["unknown target output name 'z' for m"]);
    expect(errors(`${X} ${OUT} batch_output { kind: BATCH_SCATTER_WITH_INPUT_SHAPE target_name: ["y", "y"] source_input: "x" }`)).toEqual(["target output name 'y' can only be specified once for m"]);
    // The check is per batch_output entry, as in Triton.
    expect(
      errors(`${X} ${OUT}
        batch_output { kind: BATCH_SCATTER_WITH_INPUT_SHAPE target_name: "y" source_input: "x" }
        batch_output { kind: BATCH_SCATTER_WITH_INPUT_SHAPE target_name: "y" source_input: "x" }`),
    ).toEqual([]);
  });
});
