/**
 * What a model's own auto-complete (a script's autoCompleteConfig, model.py's
 * auto_complete_config) may change in its config, as Triton's
 * UpdateModelConfig takes it: batching, inputs, outputs, the scheduler and the
 * transaction policy. Shared by the script and Python backends.
 */
import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import { type ModelConfig, ModelConfigSchema } from '../config/gen/model_config_pb';

/** Applies the config the model's auto-complete returned (Triton's JSON shape); true when something changed. */
export function applyAutoCompleted(c: ModelConfig, json: Record<string, unknown>, filled: Set<string>): boolean {
  const next = fromJson(ModelConfigSchema, json as JsonValue);
  let changed = false;
  if (next.maxBatchSize !== c.maxBatchSize) {
    c.maxBatchSize = next.maxBatchSize;
    filled.add('max_batch_size');
    changed = true;
  }
  if (next.input.length !== c.input.length) {
    c.input = next.input;
    filled.add('input');
    changed = true;
  }
  if (next.output.length !== c.output.length) {
    c.output = next.output;
    filled.add('output');
    changed = true;
  }
  if (c.schedulingChoice.case === undefined && next.schedulingChoice.case !== undefined) {
    c.schedulingChoice = next.schedulingChoice;
    filled.add(next.schedulingChoice.case === 'dynamicBatching' ? 'dynamic_batching' : 'sequence_batching');
    changed = true;
  }
  if (next.modelTransactionPolicy && !c.modelTransactionPolicy) {
    c.modelTransactionPolicy = next.modelTransactionPolicy;
    filled.add('model_transaction_policy');
    changed = true;
  }
  return changed;
}
