/**
 * Triton's load-time checks of a single model config (core
 * model_config_utils.cc: ValidateModelConfig, ValidateInstanceGroup,
 * ValidateModelIOConfig), with Triton's messages. Triton stops at the first
 * failure; the lab collects them all in the same order so the first error is
 * Triton's and the rest are there to fix in one go.
 */
import {
  DataType,
  type ModelConfig,
  type ModelInput,
  ModelInput_Format,
  ModelInstanceGroup_Kind,
  type ModelOutput,
  ModelQueuePolicy_TimeoutAction,
  ModelSequenceBatching_Control_Kind,
  BatchInput_Kind,
  BatchOutput_Kind,
  type ModelSequenceBatching,
  type ModelSequenceBatching_InitialState,
  type ModelSequenceBatching_State,
} from './gen/model_config_pb';
import { BACKEND, PLATFORM } from './constants';
import { type ConfigIssue, issue } from './issues';
import type { FieldPath } from './text/source-map';
import { WILDCARD_DIM } from './shape';
import { validateEnsembleScheduling } from './ensemble-graph';

const PLATFORM_TYPE: Record<string, string> = {
  [PLATFORM.tensorflowGraphdef]: 'tensorflow',
  [PLATFORM.tensorflowSavedmodel]: 'tensorflow',
  [PLATFORM.tensorrtPlan]: 'tensorrt',
  [PLATFORM.onnxruntimeOnnx]: 'onnxruntime',
  [PLATFORM.pytorchLibtorch]: 'pytorch',
  [PLATFORM.torchAoti]: 'torch_aoti',
};
const BACKENDS_WITH_PLATFORM_TYPE = new Set<string>([BACKEND.tensorflow, BACKEND.tensorrt, BACKEND.onnxruntime, BACKEND.pytorch]);

export function validateModelConfig(c: ModelConfig): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const name = c.name;
  if (!name) out.push(issue('config.name-missing', "model configuration must specify 'name'", ['name']));
  if (!c.backend && c.platform !== PLATFORM.ensemble) {
    out.push(issue('config.platform-unexpected', `unexpected platform type '${c.platform}' for ${name}`, c.platform ? ['platform'] : undefined));
  }
  if (c.backend && c.platform === PLATFORM.ensemble) {
    out.push(issue('config.ensemble-backend', `Ensemble model '${name}' must have platform type '${c.platform}' and empty backend type`, ['backend']));
  }
  if (BACKENDS_WITH_PLATFORM_TYPE.has(c.backend) && PLATFORM_TYPE[c.platform] !== c.backend) {
    // An empty platform is of no type, so it fails here too (e.g. backend tensorflow with no model file to name the platform).
    out.push(issue('config.platform-backend-pair', `unexpected 'platform' and 'backend' pair, got:${c.platform}, ${c.backend}`, ['platform']));
  }
  if (c.maxBatchSize < 0) out.push(issue('config.max-batch-size-negative', `'max_batch_size' must be non-negative value for ${name}`, ['max_batch_size']));
  if (!c.versionPolicy) out.push(issue('config.version-policy-missing', `must specify 'version policy' for ${name}`, ['version_policy']));

  const sched = c.schedulingChoice;
  if (sched.case === 'dynamicBatching') {
    const db = sched.value;
    db.preferredBatchSize.forEach((size, i) => {
      const at: FieldPath = ['dynamic_batching', 'preferred_batch_size', i];
      if (size <= 0) out.push(issue('dynamic-batching.preferred-size', `dynamic batching preferred size must be positive for ${name}`, at));
      else if (size > c.maxBatchSize) out.push(issue('dynamic-batching.preferred-size', `dynamic batching preferred size must be <= max batch size for ${name}`, at));
    });
    if (db.priorityLevels !== 0n) {
      if (db.defaultPriorityLevel === 0n || db.defaultPriorityLevel > db.priorityLevels) {
        out.push(issue('dynamic-batching.priority', `default priority level must be in range [1, ${db.priorityLevels}] for ${name}`, ['dynamic_batching', 'default_priority_level']));
      }
      for (const key of Object.keys(db.priorityQueuePolicy)) {
        const level = BigInt(key);
        if (level === 0n || level > db.priorityLevels) {
          out.push(
            issue('dynamic-batching.priority', `priority queue policy must have priority level in range [1, ${db.priorityLevels}] for ${name}`, ['dynamic_batching', 'priority_queue_policy', { key }]),
          );
        }
      }
    }
    if (db.preserveOrdering) {
      if (db.priorityLevels > 1n) {
        out.push(issue('dynamic-batching.preserve-ordering', `Only one priority level is allowed when 'preserve_ordering' is true for ${name}`, ['dynamic_batching', 'priority_levels']));
      }
      const policies = [db.defaultQueuePolicy, ...Object.values(db.priorityQueuePolicy)];
      if (policies.some((p) => p && p.defaultTimeoutMicroseconds !== 0n && p.timeoutAction === ModelQueuePolicy_TimeoutAction.DELAY)) {
        out.push(issue('dynamic-batching.preserve-ordering', `Queue policy can not have DELAY as timeout action when 'preserve_ordering' is true for ${name}`, ['dynamic_batching']));
      }
    }
  }
  if (sched.case === 'sequenceBatching') out.push(...validateSequenceBatching(c, sched.value));
  if (sched.case === 'ensembleScheduling') out.push(...validateEnsembleScheduling(c));
  else if (c.platform === PLATFORM.ensemble) {
    out.push(issue('ensemble.scheduling-missing', `ensemble scheduling must be set for ensemble ${name} whose platform is ensemble`, ['platform']));
  }
  if (c.modelTransactionPolicy?.decoupled && c.responseCache?.enable) {
    out.push(issue('config.response-cache', `Response Cache does not currently support model ${name} with 'decoupled' transaction policy. Please disable the response cache.`, ['response_cache']));
  }
  c.modelMetrics?.metricControl.forEach((mc, i) => {
    const at: FieldPath = ['model_metrics', 'metric_control', i];
    if (!mc.metricIdentifier) out.push(issue('metrics.identifier', "metric control must specify 'metric_identifier'", at));
    else if (!mc.metricIdentifier.family) out.push(issue('metrics.family', "metric identifier must specify non-empty 'family'", at));
    if (mc.metricOptions.case !== 'histogramOptions') out.push(issue('metrics.histogram', "metric control must specify 'histogram_options'", at));
    else if (mc.metricOptions.value.buckets.length === 0) out.push(issue('metrics.buckets', "histogram options must specify non-empty 'buckets'", at));
  });
  return out;
}

const BOOLEAN_CONTROLS = [
  ModelSequenceBatching_Control_Kind.CONTROL_SEQUENCE_START,
  ModelSequenceBatching_Control_Kind.CONTROL_SEQUENCE_END,
  ModelSequenceBatching_Control_Kind.CONTROL_SEQUENCE_READY,
];

function validateSequenceBatching(c: ModelConfig, sb: ModelSequenceBatching): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const name = c.name;
  if (c.responseCache?.enable) {
    out.push(issue('config.response-cache', `Response Cache does not currently support model ${name} with sequence batching scheduler. Please disable the response cache.`, ['response_cache']));
  }
  const kindName = (k: ModelSequenceBatching_Control_Kind): string => ModelSequenceBatching_Control_Kind[k] ?? String(k);
  // Triton refuses a tensor named by two control_input entries (whatever their kinds); one entry may carry several controls.
  const seenTensor = new Set<string>();
  const kindCount = new Map<ModelSequenceBatching_Control_Kind, number>();
  sb.controlInput.forEach((ci, i) => {
    const at: FieldPath = ['sequence_batching', 'control_input', i];
    if (!ci.name) {
      out.push(issue('sequence.control-name', `sequence batching control tensor must have a name for ${name}`, at));
      return;
    }
    if (seenTensor.has(ci.name)) {
      out.push(issue('sequence.control-tensor', `sequence batching control tensor '${ci.name}' is specified for multiple control kinds for ${name}`, at));
      return;
    }
    seenTensor.add(ci.name);
    for (const ctl of ci.control) {
      kindCount.set(ctl.kind, (kindCount.get(ctl.kind) ?? 0) + 1);
      const lists = [
        ['int32_false_true', ctl.int32FalseTrue.length],
        ['fp32_false_true', ctl.fp32FalseTrue.length],
        ['bool_false_true', ctl.boolFalseTrue.length],
      ] as const;
      const given = lists.filter(([, n]) => n > 0);
      const kn = kindName(ctl.kind);
      if (BOOLEAN_CONTROLS.includes(ctl.kind)) {
        if (given.length === 0) {
          out.push(issue('sequence.control-values', `sequence batching must specify either 'int32_false_true', 'fp32_false_true' or 'bool_false_true' for ${kn} for ${name}`, at));
        } else if (given.length > 1) {
          out.push(issue('sequence.control-values', `sequence batching specifies more than one from 'int32_false_true', 'fp32_false_true' and 'bool_false_true' for ${kn} for ${name}`, at));
        } else if (given[0]![1] !== 2) {
          out.push(issue('sequence.control-values', `sequence batching control '${given[0]![0]}' must have exactly 2 entries for ${kn} for ${name}`, at));
        }
      } else if (ctl.kind === ModelSequenceBatching_Control_Kind.CONTROL_SEQUENCE_CORRID) {
        if (given.length > 0) {
          out.push(issue('sequence.control-values', `sequence batching must not specify either 'int32_false_true', 'fp32_false_true' or 'bool_false_true' for ${kn} for ${name}`, at));
        }
        const allowed = [DataType.TYPE_UINT64, DataType.TYPE_INT64, DataType.TYPE_UINT32, DataType.TYPE_INT32, DataType.TYPE_STRING];
        if (!allowed.includes(ctl.dataType)) {
          out.push(
            issue(
              'sequence.corrid-type',
              `unexpected data type for control CONTROL_SEQUENCE_CORRID for ${name}. Allowed data types are TYPE_UINT64, TYPE_INT64, TYPE_UINT32, TYPE_INT32 and TYPE_STRING`,
              at,
            ),
          );
        }
      }
    }
  });
  for (const [kind, n] of kindCount) {
    if (n > 1) out.push(issue('sequence.control-kind', `sequence batching specifies multiple ${kindName(kind)} tensors for ${name}`, ['sequence_batching', 'control_input']));
  }
  const strategy = sb.strategyChoice;
  if (strategy.case === 'oldest') {
    strategy.value.preferredBatchSize.forEach((size, i) => {
      const at: FieldPath = ['sequence_batching', 'oldest', 'preferred_batch_size', i];
      if (size <= 0) out.push(issue('sequence.preferred-size', `sequence batching preferred batch size must be positive for ${name}`, at));
      else if (size > c.maxBatchSize) out.push(issue('sequence.preferred-size', `sequence batching preferred batch size must be <= max batch size for ${name}`, at));
    });
  }
  out.push(...validateStates(sb));
  if (strategy.case === 'direct') {
    const u = strategy.value.minimumSlotUtilization;
    if (u < 0 || u > 1) {
      out.push(issue('sequence.slot-utilization', `sequence batching minimum slot utilization must be in range (0.0, 1.0] for ${name}`, ['sequence_batching', 'direct', 'minimum_slot_utilization']));
    }
  }
  return out;
}

/**
 * The sequence batcher's checks of sequence_batching.state when it is created (core
 * sequence_batch_scheduler.cc Create / GenerateInitialStateData), in Triton's wording: at most one
 * initial_state per state, of the state's type, named, with fixed dims that match the state's.
 */
function validateStates(sb: ModelSequenceBatching): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const seen = new Set<string>();
  sb.state.forEach((st, i) => {
    const at: FieldPath = ['sequence_batching', 'state', i];
    const input = st.inputName;
    if (st.initialState.length > 1) {
      out.push(
        issue('sequence.initial-state', `initial_state field for state input '${input}' must contain exactly one or zero element. Found '${st.initialState.length}' elements.`, [
          ...at,
          'initial_state',
        ]),
      );
      return;
    }
    const init = st.initialState[0];
    if (!init) return;
    const first = initialStateProblem(st, init, seen.has(input));
    seen.add(input);
    if (first) out.push(issue('sequence.initial-state', first, [...at, 'initial_state']));
  });
  return out;
}

function initialStateProblem(st: ModelSequenceBatching_State, init: ModelSequenceBatching_InitialState, repeated: boolean): string | undefined {
  const input = st.inputName;
  if (init.dataType !== st.dataType) return `The data type used for 'initial_state' field of state '${input}' does not match the state data type.`;
  if (!init.name) return `Field 'name' must be set when using initial_state for state input '${input}'.`;
  if (repeated) return `State input name '${input}' specified more than once.`;
  if (init.dims.length !== st.dims.length) {
    return `Number of dimensions in 'initial_state' doesn't match the size of 'state' dimensions for state input '${input}'. ${init.dims.length} != ${st.dims.length}`;
  }
  for (const [k, d] of init.dims.entries()) {
    if (d === BigInt(WILDCARD_DIM)) return `'initial_state' field for state input name '${input}' contains variable dimensions.`;
    const want = st.dims[k]!;
    if (want !== BigInt(WILDCARD_DIM) && d !== want) return `'initial_state' dim for input name '${input}' doesn't match 'state' dim description. ${d} != ${want}`;
  }
  if (init.stateData.case === undefined) return `initial_state setting expects state'${input}' to have state_data set`;
  return undefined;
}

/**
 * ValidateInstanceGroup for a machine with the given GPUs. KIND_GPU without
 * GPUs is reported by normalization as a warning (the lab falls back to CPU).
 */
/**
 * The most instances the lab starts for one model version. Triton sets no limit; here each instance
 * is an ONNX Runtime session, a worker or a Python process, and a config (even in a folder that is
 * only opened, never trusted) could otherwise ask for millions. 128 is far more than any workstation
 * has cores or GPUs to use.
 */
export const MAX_INSTANCES = 128;

/** How many instances the groups start: `count` for each listed GPU of a KIND_GPU group, else `count`. */
export function instanceTotal(c: ModelConfig): number {
  let n = 0;
  for (const g of c.instanceGroup) n += Math.max(1, g.count) * (g.kind === ModelInstanceGroup_Kind.GPU && g.gpus.length > 0 ? g.gpus.length : 1);
  return n;
}

export function validateInstanceGroups(c: ModelConfig, gpus: readonly number[]): ConfigIssue[] {
  if (c.schedulingChoice.case === 'ensembleScheduling') return [];
  const name = c.name;
  if (c.instanceGroup.length === 0) return [issue('instance-group.missing', `must specify one or more 'instance group's for ${name}`, ['instance_group'])];
  const out: ConfigIssue[] = [];
  c.instanceGroup.forEach((g, i) => {
    const at: FieldPath = ['instance_group', i];
    const group = g.name;
    switch (g.kind) {
      case ModelInstanceGroup_Kind.MODEL:
        if (g.gpus.length > 0) out.push(issue('instance-group.kind', `instance group ${group} of model ${name} has kind KIND_MODEL but specifies one or more GPUs`, at));
        break;
      case ModelInstanceGroup_Kind.GPU:
        for (const id of g.gpus) {
          if (gpus.length > 0 && !gpus.includes(id)) {
            out.push(
              issue(
                'instance-group.gpu-id',
                `instance group ${group} of model ${name} specifies invalid or unsupported gpu id ${id}. GPUs with at least the minimum required CUDA compute compatibility of 6.000000 are: ${gpus.join(', ')}`,
                at,
              ),
            );
          }
        }
        break;
      case ModelInstanceGroup_Kind.CPU:
        if (g.gpus.length > 0) out.push(issue('instance-group.kind', `instance group ${group} of model ${name} has kind KIND_CPU but specifies one or more GPUs`, at));
        break;
      default:
        out.push(issue('instance-group.kind', `instance group ${group} of model ${name} has unexpected kind KIND_AUTO`, at, 'INTERNAL'));
    }
    if (g.profile.length > 0 && c.platform !== PLATFORM.tensorrtPlan) {
      out.push(issue('instance-group.profile', `instance group ${group} of model ${name} and platform ${c.platform}specifies profile field which is only supported for TensorRT models`, at));
    }
  });
  const total = instanceTotal(c);
  if (total > MAX_INSTANCES) {
    out.push(
      issue('instance-group.too-many', `model ${name} asks for ${total} instances (count × GPUs over its instance groups); Model Lab starts at most ${MAX_INSTANCES} instances of a model version`, [
        'instance_group',
      ]),
    );
  }
  return out;
}

function elementCount(dims: readonly bigint[]): bigint {
  if (dims.length === 0) return 0n;
  let n = 1n;
  for (const d of dims) {
    if (d === BigInt(WILDCARD_DIM)) return -1n;
    n *= d;
  }
  return n;
}

function chunkCounts(dims: readonly bigint[]): bigint[] {
  const out: bigint[] = [];
  let cur = 1n;
  for (const d of dims) {
    if (d === BigInt(WILDCARD_DIM)) {
      out.push(cur);
      cur = 1n;
    } else cur *= d;
  }
  out.push(cur);
  return out;
}

const INT64_MAX = 9223372036854775807n;

/** ValidateIOShape; messages without the " for <model>" suffix, which the caller adds. */
function ioShapeProblem(io: ModelInput | ModelOutput, mbs: number, prefix: string): { message: string; field?: string } | undefined {
  if (!io.name) return { message: `${prefix}must specify 'name'`, field: 'name' };
  const p = `${prefix}'${io.name}' `;
  if (io.dataType === DataType.TYPE_INVALID) return { message: `${p}must specify 'data_type'`, field: 'data_type' };
  if (io.dims.length === 0) return { message: `${p}must specify 'dims'` };
  if (io.reshape && io.reshape.shape.length === 0 && mbs === 0) {
    return { message: `${p}cannot have empty reshape for non-batching model as scalar tensors are not supported`, field: 'reshape' };
  }
  if (io.dims.some((d) => d < 1n && d !== -1n)) return { message: `${p}dimension must be integer >= 1, or -1 to indicate a variable-size dimension`, field: 'dims' };
  if (io.reshape) {
    const shape = io.reshape.shape;
    if (shape.some((d) => d < 1n && d !== -1n)) return { message: `${p}reshape dimensions must be integer >= 1, or -1 to indicate a variable-size dimension`, field: 'reshape' };
    const dimsSize = elementCount(io.dims);
    const reshapeSize = elementCount(shape);
    if (dimsSize > INT64_MAX) return { message: `element count for tensor '${io.name} dims' exceeds maximum size of ${INT64_MAX}`, field: 'dims' };
    if (reshapeSize > INT64_MAX) return { message: `element count for tensor '${io.name} reshape' exceeds maximum size of ${INT64_MAX}`, field: 'reshape' };
    if (dimsSize !== reshapeSize && (reshapeSize !== 0n || dimsSize !== 1n)) return { message: `${p}has different size for dims and reshape`, field: 'reshape' };
    if (dimsSize === -1n) {
      const a = chunkCounts(io.dims);
      const b = chunkCounts(shape);
      if (a.length !== b.length) return { message: `${p}has different number of variable-size dimensions for dims and reshape`, field: 'reshape' };
      if (a.some((n, i) => n !== b[i])) return { message: `${p}has different size for dims and reshape`, field: 'reshape' };
    }
  }
  return undefined;
}

function nonLinearProblem(io: ModelInput | ModelOutput, platform: string, isInput: boolean): string | undefined {
  if (!io.isNonLinearFormatIo) return undefined;
  if (platform !== PLATFORM.tensorrtPlan) return 'Non-linear IO format is only supported for the TensorRT platform';
  if (io.dims.length !== 3) return `Non-linear IO format ${isInput ? 'input' : 'output'} requires 3 dims`;
  return undefined;
}

export function validateModelIO(c: ModelConfig): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const suffix = ` for ${c.name}`;
  const push = (code: string, message: string, path: FieldPath): void => {
    out.push(issue(code, message + suffix, path));
  };
  c.input.forEach((io, i) => {
    const at: FieldPath = ['input', i];
    const shape = ioShapeProblem(io, c.maxBatchSize, 'model input ');
    if (shape) return push('io.shape', shape.message, shape.field ? [...at, shape.field] : at);
    if ((io.format === ModelInput_Format.NHWC || io.format === ModelInput_Format.NCHW) && io.dims.length !== 3) {
      return push('io.format', 'model input NHWC/NCHW require 3 dims', [...at, 'format']);
    }
    if (c.platform !== PLATFORM.tensorrtPlan && io.isShapeTensor) return push('io.shape-tensor', 'shape tensors are only supported for TensorRT platform', [...at, 'is_shape_tensor']);
    const nl = nonLinearProblem(io, c.platform, true);
    if (nl) push('io.non-linear', nl, at);
  });
  c.output.forEach((io, i) => {
    const at: FieldPath = ['output', i];
    const shape = ioShapeProblem(io, c.maxBatchSize, 'model output ');
    if (shape) return push('io.shape', shape.message, shape.field ? [...at, shape.field] : at);
    if (c.platform !== PLATFORM.tensorrtPlan && io.isShapeTensor) return push('io.shape-tensor', 'shape tensors are only supported for TensorRT platform', [...at, 'is_shape_tensor']);
    const nl = nonLinearProblem(io, c.platform, false);
    if (nl) push('io.non-linear', nl, at);
  });
  const inputNames = new Set(c.input.map((i) => i.name));
  c.batchInput.forEach((bi, i) => {
    const at: FieldPath = ['batch_input', i];
    const kn = BatchInput_Kind[bi.kind] ?? String(bi.kind);
    if (BatchInput_Kind[bi.kind] === undefined) push('batch-io.kind', `unknown batch input kind '${kn}'`, at);
    else if (bi.sourceInput.length !== 1) push('batch-io.sources', `batch input kind '${kn}' expects 1 source input, got ${bi.sourceInput.length}`, at);
    if (bi.dataType !== DataType.TYPE_INT32 && bi.dataType !== DataType.TYPE_FP32) push('batch-io.type', 'batch input data type must be TYPE_INT32 or TYPE_FP32', [...at, 'data_type']);
    for (const s of bi.sourceInput) if (!inputNames.has(s)) push('batch-io.source', `unknown source input name '${s}'`, at);
  });
  const outputNames = new Set(c.output.map((o) => o.name));
  c.batchOutput.forEach((bo, i) => {
    const at: FieldPath = ['batch_output', i];
    // Triton checks duplicate targets within one batch_output only.
    const targets = new Set<string>();
    const kn = BatchOutput_Kind[bo.kind] ?? String(bo.kind);
    if (BatchOutput_Kind[bo.kind] === undefined) push('batch-io.kind', `unknown batch output kind '${kn}'`, at);
    else if (bo.sourceInput.length !== 1) push('batch-io.sources', `batch output kind '${kn}' expects 1 source input, got ${bo.sourceInput.length}`, at);
    for (const s of bo.sourceInput) if (!inputNames.has(s)) push('batch-io.source', `unknown source input name '${s}'`, at);
    for (const t of bo.targetName) {
      if (!outputNames.has(t)) push('batch-io.target', `unknown target output name '${t}'`, at);
      else if (targets.has(t)) push('batch-io.target', `target output name '${t}' can only be specified once`, at);
      targets.add(t);
    }
  });
  return out;
}
