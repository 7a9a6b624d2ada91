/**
 * What Triton's ONNX Runtime backend does with a config before serving:
 * auto-complete (max_batch_size, dynamic batching, inputs and outputs from the
 * model) and the load-time comparison of config and model, with its messages.
 */
import { create } from '@bufbuild/protobuf';
import {
  DataType,
  type ModelConfig,
  ModelDynamicBatchingSchema,
  ModelInputSchema,
  ModelOutputSchema,
  ModelSequenceBatching_Control_Kind,
  ModelTensorReshapeSchema,
} from '../../config/gen/model_config_pb';
import { type ConfigIssue, issue } from '../../config/issues';
import { dimsToString, toNumbers } from '../../config/shape';
import { apiTypeName, configTypeName, dataTypeFromOnnx } from '../../tensor/dtype';
import { type OnnxModelIO, type OnnxValueInfo, ortShape } from '../../onnx/model-io';
import { DEFAULT_MAX_BATCH_SIZE } from '../../config/constants';

const ONNX_TYPE_NAMES: Record<OnnxValueInfo['kind'], string> = {
  tensor: 'ONNX_TYPE_TENSOR',
  sequence: 'ONNX_TYPE_SEQUENCE',
  map: 'ONNX_TYPE_MAP',
  optional: 'ONNX_TYPE_OPTIONAL',
  sparse_tensor: 'ONNX_TYPE_SPARSETENSOR',
  unknown: 'ONNX_TYPE_UNKNOWN',
};

function nonTensor(io: OnnxModelIO): ConfigIssue | undefined {
  for (const v of [...io.inputs, ...io.outputs]) {
    if (v.kind !== 'tensor') {
      return issue('onnx.non-tensor-io', `Unsupported ONNX Type '${ONNX_TYPE_NAMES[v.kind]}' for I/O '${v.name}', expected 'ONNX_TYPE_TENSOR'.`, undefined, 'UNSUPPORTED');
    }
  }
  return undefined;
}

export interface AutoCompleteResult {
  issues: ConfigIssue[];
  /** True when the backend changed the config (Triton then normalizes again). */
  changed: boolean;
}

/** Auto-complete as the ONNX Runtime backend does; mutates `c`, records filled fields. */
export function autoCompleteOnnx(c: ModelConfig, io: OnnxModelIO, filled: Set<string>, defaultMaxBatchSize = DEFAULT_MAX_BATCH_SIZE): AutoCompleteResult {
  const issues: ConfigIssue[] = [];
  if (c.input.length + c.batchInput.length > 0 && c.output.length > 0) return { issues, changed: false };
  const bad = nonTensor(io);
  if (bad) return { issues: [bad], changed: false };

  const all = [...io.inputs, ...io.outputs];
  const canBatch = all.every((v) => {
    const s = ortShape(v);
    return s.length >= 1 && s[0] === -1;
  });
  let changed = false;
  if (canBatch) {
    if (c.maxBatchSize === 0) {
      c.maxBatchSize = Math.max(defaultMaxBatchSize, 0);
      filled.add('max_batch_size');
      changed = true;
      issues.push({
        severity: 'info',
        code: 'onnx.autofill-max-batch-size',
        // Triton's wording, typo included (onnxruntime_backend AutoCompleteMaxBatch).
        message: `autofilled max_batch_size to ${c.maxBatchSize} for model '${c.name}' since batching is supporrted but no max_batch_size is specified in model configuration. Must specify max_batch_size to utilize autofill with a larger max batch size`,
        path: ['max_batch_size'],
      });
    }
    if (c.maxBatchSize > 1 && c.schedulingChoice.case !== 'dynamicBatching' && c.schedulingChoice.case !== 'sequenceBatching') {
      c.schedulingChoice = { case: 'dynamicBatching', value: create(ModelDynamicBatchingSchema) };
      filled.add('dynamic_batching');
      changed = true;
    }
  } else if (c.maxBatchSize !== 0) {
    issues.push(issue('onnx.autofill-batching', `autofill failed for model '${c.name}': model does not support batching while non-zero max_batch_size is specified`, ['max_batch_size']));
    return { issues, changed };
  }
  const toConfigDims = (v: OnnxValueInfo): { dims: bigint[]; scalarReshape: boolean } => {
    const shape = ortShape(v);
    const dims = c.maxBatchSize > 0 ? shape.slice(1) : shape;
    if (dims.length === 0) return { dims: [1n], scalarReshape: c.maxBatchSize > 0 };
    return { dims: dims.map((d) => BigInt(d)), scalarReshape: false };
  };
  if (c.input.length === 0) {
    for (const v of io.inputs) {
      const { dims, scalarReshape } = toConfigDims(v);
      c.input.push(
        create(ModelInputSchema, {
          name: v.name,
          dataType: dataTypeFromOnnx(v.elemType),
          dims,
          ...(scalarReshape ? { reshape: create(ModelTensorReshapeSchema, { shape: [] }) } : {}),
        }),
      );
    }
    filled.add('input');
    changed = true;
  }
  if (c.output.length === 0) {
    for (const v of io.outputs) {
      const { dims, scalarReshape } = toConfigDims(v);
      c.output.push(
        create(ModelOutputSchema, {
          name: v.name,
          dataType: dataTypeFromOnnx(v.elemType),
          dims,
          ...(scalarReshape ? { reshape: create(ModelTensorReshapeSchema, { shape: [] }) } : {}),
        }),
      );
    }
    filled.add('output');
    changed = true;
  }
  return { issues, changed };
}

function compareDims(model: string, tensor: string, modelShape: number[], dims: number[], mbs: number, exact: boolean): string | undefined {
  const matches = (full: number[]): boolean => modelShape.length === full.length && full.every((d, i) => (exact || modelShape[i] !== -1 ? modelShape[i] === d : true));
  if (mbs > 0) {
    if (modelShape.length === 0 || modelShape[0] !== -1) {
      return `model '${model}', tensor '${tensor}': for the model to support batching the shape should have at least 1 dimension and the first dimension must be -1; but shape expected by the model is ${dimsToString(modelShape)}`;
    }
    const full = [-1, ...dims];
    if (!matches(full)) {
      return `model '${model}', tensor '${tensor}': the model expects ${modelShape.length} dimensions (shape ${dimsToString(modelShape)}) but the model configuration specifies ${full.length} dimensions (an initial batch dimension because max_batch_size > 0 followed by the explicit tensor shape, making complete shape ${dimsToString(full)})`;
    }
    return undefined;
  }
  if (!matches(dims)) {
    return `model '${model}', tensor '${tensor}': the model expects ${modelShape.length} dimensions (shape ${dimsToString(modelShape)}) but the model configuration specifies ${dims.length} dimensions (shape ${dimsToString(dims)})`;
  }
  return undefined;
}

function providesType(onnxType: number): string {
  const dt = dataTypeFromOnnx(onnxType);
  return dt === DataType.TYPE_INVALID ? 'TYPE_<invalid>' : `TYPE_${apiTypeName(dt)}`;
}

function allowedList(kind: 'input' | 'output', name: string, names: string[]): string {
  return `unexpected inference ${kind} '${name}', allowed ${kind}s are: ${[...new Set(names)].sort().join(', ')}`;
}

/** The number of inputs the model must have: the config's required inputs, batch inputs, sequence controls and states. */
function expectedInputCount(c: ModelConfig): number {
  const sb = c.schedulingChoice.case === 'sequenceBatching' ? c.schedulingChoice.value : undefined;
  const controls = new Set<ModelSequenceBatching_Control_Kind>();
  for (const ci of sb?.controlInput ?? []) for (const ctl of ci.control) controls.add(ctl.kind);
  return c.input.length - c.input.filter((i) => i.optional).length + c.batchInput.length + controls.size + (sb?.state.length ?? 0);
}

/** A scalar model tensor matches only dims of ones, and only without batching. */
function scalarProblem(name: string, tensor: string, dims: number[]): string | undefined {
  return dims.some((d) => d !== 1)
    ? `unable to load model '${name}', scalar tensor '${tensor}', should only provide 1 in the model configuration when the model doesn't support batching. Model configuration provided: ${dimsToString(dims)}.`
    : undefined;
}

/** One config input against the model's: present, same type, a ragged input's shape [-1], else a matching shape. */
function checkOnnxInput(c: ModelConfig, i: number, inputs: Map<string, OnnxValueInfo>): ConfigIssue | undefined {
  const name = c.name;
  const cfg = c.input[i]!;
  const at = ['input', i];
  if (cfg.optional && c.maxBatchSize !== 0) {
    return issue('onnx.optional-batching', `unable to load model '${name}', optional input '${cfg.name}' is not supported for models that support batching`, [...at, 'optional']);
  }
  const model = inputs.get(cfg.name);
  if (!model) return issue('onnx.unknown-input', allowedList('input', cfg.name, [...inputs.keys()]), [...at, 'name']);
  if (dataTypeFromOnnx(model.elemType) !== cfg.dataType || cfg.dataType === DataType.TYPE_INVALID) {
    if (cfg.dataType === DataType.TYPE_INVALID) {
      return issue('onnx.datatype', `unsupported datatype ${configTypeName(cfg.dataType)} for input '${cfg.name}' for model '${name}'`, [...at, 'data_type'], 'INTERNAL');
    }
    return issue(
      'onnx.datatype',
      `unable to load model '${name}', configuration expects datatype ${configTypeName(cfg.dataType)} for input '${cfg.name}', model provides ${providesType(model.elemType)}`,
      [...at, 'data_type'],
    );
  }
  const dims = toNumbers(cfg.reshape ? cfg.reshape.shape : cfg.dims);
  const modelShape = ortShape(model);
  if (cfg.optional && cfg.allowRaggedBatch) {
    return issue(
      'onnx.ragged',
      `unable to load model '${name}', configuration expects model provides input with shape [-1] for ragged input '${cfg.name}', which is not supported for optional input`,
      at,
    );
  }
  if (cfg.allowRaggedBatch) {
    if (modelShape.length === 1 && modelShape[0] === -1) return undefined;
    return issue(
      'onnx.ragged',
      `unable to load model '${name}', configuration expects model provides input with shape [-1]  for ragged input '${cfg.name}', model provides ${dimsToString(modelShape)}`,
      at,
    );
  }
  const problem = modelShape.length !== 0 ? compareDims(name, cfg.name, modelShape, dims, c.maxBatchSize, false) : scalarProblem(name, cfg.name, dims);
  return problem ? issue('onnx.shape', problem, [...at, 'dims']) : undefined;
}

/** ValidateInputs: the model has as many inputs as the config implies, and each config input matches one. */
function validateOnnxInputs(c: ModelConfig, io: OnnxModelIO): ConfigIssue | undefined {
  const expected = expectedInputCount(c);
  if (io.inputs.length !== expected) {
    return issue('onnx.input-count', `unable to load model '${c.name}', configuration expects ${expected} inputs, model provides ${io.inputs.length}`, ['input']);
  }
  const inputs = new Map([...io.inputs, ...io.overridableInitializers].map((v) => [v.name, v]));
  for (const i of c.input.keys()) {
    const problem = checkOnnxInput(c, i, inputs);
    if (problem) return problem;
  }
  return undefined;
}

/** ValidateOutputs: each config output is one of the model's, of its type, and (unless a batch output fills it) of its exact shape. */
function validateOnnxOutputs(c: ModelConfig, io: OnnxModelIO): ConfigIssue | undefined {
  const name = c.name;
  const outputs = new Map(io.outputs.map((v) => [v.name, v]));
  const batchTargets = new Set(c.batchOutput.flatMap((b) => b.targetName));
  for (const [i, cfg] of c.output.entries()) {
    const at = ['output', i];
    const model = outputs.get(cfg.name);
    if (!model) return issue('onnx.unknown-output', allowedList('output', cfg.name, [...outputs.keys()]), [...at, 'name']);
    if (cfg.dataType === DataType.TYPE_INVALID) {
      return issue('onnx.datatype', `unsupported datatype ${configTypeName(cfg.dataType)} for output '${cfg.name}' for model '${name}'`, [...at, 'data_type'], 'INTERNAL');
    }
    if (dataTypeFromOnnx(model.elemType) !== cfg.dataType) {
      return issue(
        'onnx.datatype',
        `unable to load model '${name}', configuration expects datatype ${configTypeName(cfg.dataType)} for output '${cfg.name}', model provides ${providesType(model.elemType)}`,
        [...at, 'data_type'],
      );
    }
    if (batchTargets.has(cfg.name)) continue;
    const dims = toNumbers(cfg.reshape ? cfg.reshape.shape : cfg.dims);
    const modelShape = ortShape(model);
    const problem = modelShape.length !== 0 ? compareDims(name, cfg.name, modelShape, dims, c.maxBatchSize, true) : scalarProblem(name, cfg.name, dims);
    if (problem) return issue('onnx.shape', problem, [...at, 'dims']);
  }
  return undefined;
}

/** ValidateInputs / ValidateOutputs of the ONNX Runtime backend, first failure only, as Triton reports it. */
export function validateOnnxIO(c: ModelConfig, io: OnnxModelIO): ConfigIssue | undefined {
  return validateOnnxInputs(c, io) ?? validateOnnxOutputs(c, io);
}
