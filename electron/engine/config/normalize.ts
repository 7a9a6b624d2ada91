/**
 * Triton's NormalizeModelConfig and NormalizeInstanceGroup: the defaults a
 * served config carries. Every field filled is recorded so the lab can show
 * what it (or Triton) added.
 */
import { create } from '@bufbuild/protobuf';
import {
  type ModelConfig,
  ModelInstanceGroup_Kind,
  ModelInstanceGroupSchema,
  ModelOptimizationPolicy_PinnedMemoryBufferSchema,
  ModelOptimizationPolicySchema,
  ModelVersionPolicy_LatestSchema,
  ModelVersionPolicySchema,
} from './gen/model_config_pb';
import { BACKEND } from './constants';
import { type ConfigIssue, warning } from './issues';

const SEQUENCE_IDLE_DEFAULT_MICROSECONDS = 1_000_000n;

export function normalizeModelConfig(c: ModelConfig, filled: Set<string>): void {
  if (!c.versionPolicy) {
    c.versionPolicy = create(ModelVersionPolicySchema, {
      policyChoice: { case: 'latest', value: create(ModelVersionPolicy_LatestSchema, { numVersions: 1 }) },
    });
    filled.add('version_policy');
  }
  const sched = c.schedulingChoice;
  if (sched.case === 'dynamicBatching' && sched.value.preferredBatchSize.length === 0 && c.maxBatchSize > 0) {
    sched.value.preferredBatchSize.push(c.maxBatchSize);
    filled.add('dynamic_batching.preferred_batch_size');
  }
  if (sched.case === 'sequenceBatching') {
    if (sched.value.maxSequenceIdleMicroseconds === 0n) {
      sched.value.maxSequenceIdleMicroseconds = SEQUENCE_IDLE_DEFAULT_MICROSECONDS;
      filled.add('sequence_batching.max_sequence_idle_microseconds');
    }
    const strategy = sched.value.strategyChoice;
    if (strategy.case === 'oldest' && strategy.value.preferredBatchSize.length === 0 && c.maxBatchSize > 0) {
      strategy.value.preferredBatchSize.push(c.maxBatchSize);
      filled.add('sequence_batching.oldest.preferred_batch_size');
    }
  }
  if (sched.case !== 'ensembleScheduling') {
    c.optimization ??= create(ModelOptimizationPolicySchema);
    if (!c.optimization.inputPinnedMemory) {
      c.optimization.inputPinnedMemory = create(ModelOptimizationPolicy_PinnedMemoryBufferSchema, { enable: true });
      filled.add('optimization.input_pinned_memory');
    }
    if (!c.optimization.outputPinnedMemory) {
      c.optimization.outputPinnedMemory = create(ModelOptimizationPolicy_PinnedMemoryBufferSchema, { enable: true });
      filled.add('optimization.output_pinned_memory');
    }
  }
}

export interface DeviceFacts {
  /** GPU ids the lab can use; empty on a CPU-only machine. */
  gpus: number[];
}

/**
 * Resolves instance groups as Triton does before a backend sees them:
 * default group named after the model, KIND_AUTO → CPU or GPU, counts
 * defaulting to 1 (2 for CPU instances of onnxruntime and tensorflow).
 * Unlike Triton, a KIND_GPU group on a machine without usable GPUs is kept
 * and reported as a warning: the lab runs it on the CPU instead of refusing.
 */
export function normalizeInstanceGroups(c: ModelConfig, devices: DeviceFacts, filled: Set<string>): ConfigIssue[] {
  if (c.schedulingChoice.case === 'ensembleScheduling') return [];
  const issues: ConfigIssue[] = [];
  const supported = new Set(devices.gpus);
  if (c.instanceGroup.length === 0) {
    c.instanceGroup.push(create(ModelInstanceGroupSchema, { name: c.name, kind: ModelInstanceGroup_Kind.AUTO, count: 0 }));
    filled.add('instance_group');
  }
  c.instanceGroup.forEach((g, i) => {
    if (!g.name) {
      g.name = `${c.name}_${i}`;
      filled.add(`instance_group[${i}].name`);
    }
    if (g.kind === ModelInstanceGroup_Kind.AUTO) {
      const anyUnsupported = g.gpus.some((id) => !supported.has(id));
      g.kind = supported.size === 0 || anyUnsupported ? ModelInstanceGroup_Kind.CPU : ModelInstanceGroup_Kind.GPU;
      filled.add(`instance_group[${i}].kind`);
    }
    if (g.count < 1) {
      const cpuDefault2 = g.kind === ModelInstanceGroup_Kind.CPU && (c.backend === BACKEND.onnxruntime || c.backend === BACKEND.tensorflow);
      g.count = cpuDefault2 ? 2 : 1;
      filled.add(`instance_group[${i}].count`);
    }
    // Without GPUs the lab warns whether or not the group lists gpu ids (Triton refuses both).
    if (g.kind === ModelInstanceGroup_Kind.GPU && (g.gpus.length === 0 || supported.size === 0)) {
      if (supported.size > 0) {
        g.gpus.push(...[...supported].sort((a, b) => a - b));
        filled.add(`instance_group[${i}].gpus`);
      } else {
        issues.push(
          warning(
            'instance-group.no-gpu',
            `instance group ${g.name} of model ${c.name} has kind KIND_GPU but no GPUs are available`,
            ['instance_group', i, 'kind'],
            'The lab runs these instances on the CPU. Triton on a machine without GPUs refuses to load the model; use kind: KIND_CPU (or KIND_AUTO) to be portable.',
          ),
        );
      }
    }
  });
  return issues;
}
