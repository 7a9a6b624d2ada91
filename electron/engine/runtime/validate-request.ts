/**
 * Triton's request checks (core infer_request.cc Normalize /
 * ValidateRequestInputs / ValidateBytesInputs), in Triton's order and
 * wording, including the "[request id: ...] " prefix. Shapes a model
 * produces are never checked, as in Triton.
 */
import type { ModelConfig, ModelInput } from '../config/gen/model_config_pb';
import { dimsToString, toNumbers } from '../config/shape';
import { LabError } from '../errors';
import { logRequest } from '../triton-errors';
import { apiTypeName } from '../tensor/dtype';
import { type Tensor, elementSize, isBytesData } from '../tensor/tensor';
import type { InferRequest, PreparedRequest } from './types';

const IMPLICIT_BATCH_NOTE =
  'NOTE: Setting a non-zero max_batch_size in the model config requires a batch dimension to be prepended to each input shape. If you want to specify the full shape including the batch dim in your input dims config, try setting max_batch_size to zero. See the model configuration docs for more info on max_batch_size.';

function fail(message: string): never {
  throw new LabError('INVALID_ARG', message);
}

/** The outputs asked for (all of the model's when none are), each one the model has. */
function requestedOutputs(config: ModelConfig, req: InferRequest): string[] {
  const requested = req.outputs && req.outputs.length > 0 ? [...new Set(req.outputs)] : config.output.map((o) => o.name);
  for (const name of requested) {
    if (!config.output.some((o) => o.name === name)) fail(`unexpected inference output '${name}' for model '${config.name}'`);
  }
  return requested;
}

/** The request's inputs by name: none twice, and as many as the model takes (its optional ones may be left out). */
function givenInputs(config: ModelConfig, req: InferRequest, prefix: string): Map<string, Tensor> {
  const model = config.name;
  const given = new Map<string, Tensor>();
  for (const t of req.inputs) {
    if (given.has(t.name)) fail(`${prefix}input '${t.name}' already exists in request`);
    given.set(t.name, t);
  }
  const required = config.input.filter((i) => !i.optional);
  if (given.size > config.input.length || given.size < required.length) {
    const missing = required.filter((i) => !given.has(i.name)).map((i) => `'${i.name}'`);
    const got = given.size === 0 ? '[]' : `[${[...given.keys()].map((n) => `'${n}'`).join(',')}]`;
    const missingList = missing.length === 0 ? ']' : `[${missing.join(',')}]`;
    const count =
      config.input.length === required.length
        ? `expected ${config.input.length} inputs but got ${given.size} inputs`
        : `expected number of inputs between ${required.length} and ${config.input.length} but got ${given.size} inputs`;
    fail(`${prefix}${count} for model '${model}'. Got input(s) ${got}, but missing required input(s) ${missingList}. Please provide all required input(s).`);
  }
  return given;
}

/** Splits off the batch dimension (Triton's "shape" vs "original shape"): one batch size for all inputs, within max_batch_size. */
function splitBatch(config: ModelConfig, byName: Map<string, ModelInput>, given: Map<string, Tensor>, prefix: string): { batchSize: number; shapes: Map<string, number[]> } {
  const model = config.name;
  let batchSize = 0;
  const shapes = new Map<string, number[]>();
  for (const t of given.values()) {
    const cfg = byName.get(t.name);
    if (!cfg) fail(`unexpected inference input '${t.name}' for model '${model}'`);
    if (config.maxBatchSize === 0 || cfg.isShapeTensor) {
      shapes.set(t.name, [...t.shape]);
      continue;
    }
    if (t.shape.length === 0) fail(`${prefix}input '${t.name}' has no shape but model requires batch dimension for '${model}'`);
    if (batchSize === 0) batchSize = t.shape[0]!;
    else if (t.shape[0] !== batchSize) fail(`${prefix}input '${t.name}' batch size does not match other inputs for '${model}'`);
    shapes.set(t.name, t.shape.slice(1));
  }
  if (batchSize > config.maxBatchSize) fail(`${prefix}inference request batch-size must be <= ${config.maxBatchSize} for '${model}'`);
  return { batchSize, shapes };
}

/** One input against its config: data type, shape (then its reshape), and element count or byte size; returns it with its full shape. */
function checkInput(config: ModelConfig, cfg: ModelInput, t: Tensor, shapeWithoutBatch: number[], batchSize: number, prefix: string): Tensor {
  const model = config.name;
  if (t.dtype !== apiTypeName(cfg.dataType)) {
    fail(`${prefix}inference input '${t.name}' data-type is '${t.dtype}', but model '${model}' expects '${apiTypeName(cfg.dataType)}'`);
  }
  let shape = shapeWithoutBatch;
  const dims = toNumbers(cfg.dims);
  let matches = dims.length === shape.length;
  if (matches) {
    for (let i = 0; i < dims.length; i++) {
      if (shape[i] === -1) fail(`${prefix}All input dimensions should be specified for input '${t.name}' for model '${model}', got ${dimsToString(t.shape)}`);
      if (dims[i] !== -1 && dims[i] !== shape[i]) {
        matches = false;
        break;
      }
    }
  }
  if (!matches) {
    const full = config.maxBatchSize > 0 ? [-1, ...dims] : dims;
    fail(`${prefix}unexpected shape for input '${t.name}' for model '${model}'. Expected ${dimsToString(full)}, got ${dimsToString(t.shape)}. ${config.maxBatchSize > 0 ? IMPLICIT_BATCH_NOTE : ''}`);
  }
  if (cfg.reshape) {
    const variable = dims.map((d, i) => (d === -1 ? shape[i]! : undefined)).filter((d): d is number => d !== undefined);
    shape = toNumbers(cfg.reshape.shape).map((d) => (d === -1 ? variable.shift()! : d));
  }
  const withBatch = batchSize === 0 ? shape : [batchSize, ...shape];
  // Triton's core counts in int64 (GetByteSize / GetElementCount): past INT64_MAX it refuses, below it the sizes are exact.
  const bytes = isBytesData(t.data);
  const expected = exactProduct(cfg.isShapeTensor ? t.shape : withBatch, bytes ? 1 : elementSize(t.dtype));
  if (expected > INT64_MAX) fail(`${bytes ? 'element count' : 'byte size'} for tensor '${t.name}' exceeds maximum size of ${INT64_MAX}`);
  if (isBytesData(t.data)) {
    // Triton walks the elements and stops at the first one past the expected count.
    const given = BigInt(t.data.length);
    if (given > expected) fail(`${prefix}unexpected number of string elements ${expected + 1n} for inference input '${t.name}' for model '${model}', expecting ${expected}`);
    if (given < expected) fail(`${prefix}expected ${expected} string elements for inference input '${t.name}' for model '${model}', got ${t.data.length}`);
  } else if (BigInt(t.data.byteLength) !== expected) {
    fail(`${prefix}input byte size mismatch for input '${t.name}' for model '${model}'. Expected ${expected}, got ${t.data.byteLength}`);
  }
  return { name: t.name, dtype: t.dtype, shape: withBatch, data: t.data, ...(t.transferable ? { transferable: true } : {}) };
}

const INT64_MAX = (1n << 63n) - 1n;

/** The product of a shape's dimensions and `size`, exact; past INT64_MAX it stops (any value past it will do). */
function exactProduct(shape: readonly number[], size: number): bigint {
  let n = BigInt(size);
  for (const d of shape) {
    if (!Number.isInteger(d)) return 0n;
    n *= BigInt(d);
    if (n > INT64_MAX || n <= 0n) return n;
  }
  return n;
}

/** Triton's checks in Triton's order: outputs, the inputs given, the batch dimension, then each input. */
export function prepareRequest(config: ModelConfig, req: InferRequest): PreparedRequest {
  const prefix = logRequest(req.id);
  const byName = new Map<string, ModelInput>(config.input.map((i) => [i.name, i]));
  const requested = requestedOutputs(config, req);
  const given = givenInputs(config, req, prefix);
  const { batchSize, shapes } = splitBatch(config, byName, given, prefix);
  const inputs = new Map<string, Tensor>();
  for (const t of given.values()) inputs.set(t.name, checkInput(config, byName.get(t.name)!, t, shapes.get(t.name)!, batchSize, prefix));
  return {
    id: req.id ?? '',
    batchSize,
    inputs,
    requested,
    parameters: req.parameters ?? {},
    ...(req.trace ? { trace: req.trace } : {}),
    ...(req.signal ? { signal: req.signal } : {}),
  };
}
