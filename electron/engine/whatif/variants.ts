/**
 * The what-if search space, as Model Analyzer builds it: every combination of the knobs the user
 * picked (instance count, dynamic batching on/off, preferred batch sizes, max queue delay), the
 * current config first as the baseline. Knobs that make no sense for the model are refused with
 * the reason before anything loads (dynamic batching for a model with max_batch_size 0 or for a
 * sequence-batching one, preferred sizes above max_batch_size), and the number of variants is
 * bounded so a search cannot grow unnoticed.
 */
import { clone, create, toBinary } from '@bufbuild/protobuf';
import type { WhatIfKnobs } from '../../contract/profile-api';
import { type ModelConfig, ModelConfigSchema, ModelDynamicBatchingSchema, ModelInstanceGroupSchema, ModelInstanceGroup_Kind } from '../config/gen/model_config_pb';
import { LabError } from '../errors';

export const DEFAULT_MAX_VARIANTS = 8;
export const MAX_VARIANTS_LIMIT = 32;
export const MAX_INSTANCE_COUNT = 16;
/** Triton accepts any uint64; a queue delay over 10 s is a typo, not a search point. */
export const MAX_QUEUE_DELAY_US = 10_000_000;

/** One combination of knob values; undefined: as the current config has it. */
export interface KnobValues {
  instanceCount?: number;
  dynamicBatching?: boolean;
  preferredBatchSizes?: number[];
  maxQueueDelayUs?: number;
}

export interface PlannedVariant {
  name: string;
  changes: string[];
  values: KnobValues;
  config: ModelConfig;
}

function refuse(message: string): LabError {
  return new LabError('INVALID_ARG', message);
}

/** Refuses knobs that make no sense for this model, saying why. `completed`: the config as loaded (auto-completed). */
export function checkKnobs(knobs: WhatIfKnobs, completed: ModelConfig, model: string): void {
  const mbs = completed.maxBatchSize;
  const counts = knobs.instanceCounts ?? [];
  for (const c of counts) if (!Number.isInteger(c) || c < 1 || c > MAX_INSTANCE_COUNT) throw refuse(`instance count ${c}: give whole numbers from 1 to ${MAX_INSTANCE_COUNT}`);
  const batchingKnobs = (knobs.dynamicBatching ?? []).includes(true) || (knobs.preferredBatchSizes?.length ?? 0) > 0 || (knobs.maxQueueDelayUs?.length ?? 0) > 0;
  if (batchingKnobs && mbs <= 0) throw refuse(`dynamic batching does not apply to '${model}': its max_batch_size is 0, so Triton cannot batch its requests`);
  if (batchingKnobs && completed.schedulingChoice.case === 'sequenceBatching') throw refuse(`dynamic batching does not apply to '${model}': it uses the sequence batcher`);
  if (completed.schedulingChoice.case === 'ensembleScheduling' || completed.platform === 'ensemble') {
    throw refuse(`'${model}' is an ensemble: it has no instances or batcher of its own; run the what-if on its member models`);
  }
  for (const sizes of knobs.preferredBatchSizes ?? []) {
    if (sizes.length === 0) throw refuse('preferred batch sizes: a set is empty');
    for (const s of sizes) {
      if (!Number.isInteger(s) || s < 1) throw refuse(`preferred batch size ${s}: give whole numbers of 1 or more`);
      if (s > mbs) throw refuse(`preferred batch size ${s} is above the model's max_batch_size ${mbs}`);
    }
  }
  for (const d of knobs.maxQueueDelayUs ?? []) {
    if (!Number.isInteger(d) || d < 0 || d > MAX_QUEUE_DELAY_US) throw refuse(`max_queue_delay_microseconds ${d}: give whole numbers from 0 to ${MAX_QUEUE_DELAY_US}`);
  }
}

function uniq<T>(values: T[] | undefined): (T | undefined)[] {
  if (!values || values.length === 0) return [undefined];
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = JSON.stringify(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Every combination; with batching off, preferred sizes and delay have nothing to apply to and collapse. */
export function combinations(knobs: WhatIfKnobs): KnobValues[] {
  const out = new Map<string, KnobValues>();
  for (const instanceCount of uniq(knobs.instanceCounts))
    for (const dynamicBatching of uniq(knobs.dynamicBatching))
      for (const preferredBatchSizes of uniq(knobs.preferredBatchSizes))
        for (const maxQueueDelayUs of uniq(knobs.maxQueueDelayUs)) {
          const v: KnobValues = {};
          if (instanceCount !== undefined) v.instanceCount = instanceCount;
          if (dynamicBatching !== undefined) v.dynamicBatching = dynamicBatching;
          if (dynamicBatching !== false) {
            if (preferredBatchSizes !== undefined) v.preferredBatchSizes = [...preferredBatchSizes].sort((a, b) => a - b);
            if (maxQueueDelayUs !== undefined) v.maxQueueDelayUs = maxQueueDelayUs;
          }
          out.set(JSON.stringify(v), v);
        }
  return [...out.values()];
}

function setInstances(c: ModelConfig, count: number): void {
  if (c.instanceGroup.length === 0) c.instanceGroup = [create(ModelInstanceGroupSchema, { count, kind: ModelInstanceGroup_Kind.AUTO })];
  else for (const g of c.instanceGroup) g.count = count;
}

function setBatching(c: ModelConfig, v: KnobValues): void {
  const wants = v.dynamicBatching === true || v.preferredBatchSizes !== undefined || v.maxQueueDelayUs !== undefined;
  if (v.dynamicBatching === false) {
    if (c.schedulingChoice.case === 'dynamicBatching') c.schedulingChoice = { case: undefined };
    return;
  }
  if (!wants) return;
  const db = c.schedulingChoice.case === 'dynamicBatching' ? c.schedulingChoice.value : create(ModelDynamicBatchingSchema);
  if (v.preferredBatchSizes) db.preferredBatchSize = [...v.preferredBatchSizes];
  if (v.maxQueueDelayUs !== undefined) db.maxQueueDelayMicroseconds = BigInt(v.maxQueueDelayUs);
  c.schedulingChoice = { case: 'dynamicBatching', value: db };
}

/** The variant's config: the model's own config.pbtxt with the knob values set (nothing else changes). */
export function applyKnobs(base: ModelConfig, v: KnobValues): ModelConfig {
  const c = clone(ModelConfigSchema, base);
  if (v.instanceCount !== undefined) setInstances(c, v.instanceCount);
  setBatching(c, v);
  return c;
}

/** Equal configs have equal keys (field by field, as serialized). */
export function configKey(c: ModelConfig): string {
  return Buffer.from(toBinary(ModelConfigSchema, c)).toString('base64');
}

/** The knob values in words, and a short unique name. */
export function describe(v: KnobValues): { name: string; changes: string[] } {
  const changes: string[] = [];
  const parts: string[] = [];
  if (v.instanceCount !== undefined) {
    changes.push(`instance count ${v.instanceCount}`);
    parts.push(`instances ${v.instanceCount}`);
  }
  if (v.dynamicBatching !== undefined) {
    changes.push(`dynamic batching ${v.dynamicBatching ? 'on' : 'off'}`);
    parts.push(`batching ${v.dynamicBatching ? 'on' : 'off'}`);
  }
  if (v.preferredBatchSizes) {
    changes.push(`preferred batch sizes [${v.preferredBatchSizes.join(', ')}]`);
    parts.push(`preferred [${v.preferredBatchSizes.join(',')}]`);
  }
  if (v.maxQueueDelayUs !== undefined) {
    changes.push(`max queue delay ${v.maxQueueDelayUs} µs`);
    parts.push(`delay ${v.maxQueueDelayUs}us`);
  }
  return { name: parts.join(', '), changes };
}

/**
 * The baseline (the config as it is) then each combination whose config differs from every
 * earlier one; more than `maxVariants` in all is refused (pick fewer values).
 */
export function planVariants(base: ModelConfig, completed: ModelConfig, knobs: WhatIfKnobs, model: string, maxVariants = DEFAULT_MAX_VARIANTS): PlannedVariant[] {
  if (!Number.isInteger(maxVariants) || maxVariants < 1 || maxVariants > MAX_VARIANTS_LIMIT) throw refuse(`maxVariants must be a whole number from 1 to ${MAX_VARIANTS_LIMIT}`);
  checkKnobs(knobs, completed, model);
  const planned: PlannedVariant[] = [{ name: 'baseline', changes: ['the current config'], values: {}, config: clone(ModelConfigSchema, base) }];
  const seen = new Set([configKey(base)]);
  for (const values of combinations(knobs)) {
    const config = applyKnobs(base, values);
    const key = configKey(config);
    if (seen.has(key)) continue;
    seen.add(key);
    planned.push({ ...describe(values), values, config });
  }
  if (planned.length === 1) throw refuse('the knobs picked give no config different from the current one: pick other values');
  if (planned.length > maxVariants) {
    throw refuse(`these knobs make ${planned.length} variants (the baseline included), more than the limit of ${maxVariants}: pick fewer values or raise the limit (at most ${MAX_VARIANTS_LIMIT})`);
  }
  return planned;
}
