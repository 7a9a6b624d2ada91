/**
 * Writes the config an ensemble needs from its scheduling alone: tensors that
 * steps read but no step writes become the ensemble's inputs, tensors written
 * but never read become its outputs, with types and dims taken from the
 * member models. Used to repair the published Data Pipelines layout, whose
 * ensemble config holds nothing but the scheduling.
 */
import { create } from '@bufbuild/protobuf';
import { type ModelConfig, ModelConfigSchema, ModelInputSchema, ModelOutputSchema } from './gen/model_config_pb';
import { PLATFORM } from './constants';
import { ensembleSteps } from './ensemble-graph';

export function suggestEnsembleConfig(name: string, scheduling: ModelConfig, member: (model: string) => ModelConfig | undefined): ModelConfig | undefined {
  if (scheduling.schedulingChoice.case !== 'ensembleScheduling') return undefined;
  const steps = ensembleSteps(scheduling);
  const written = new Set(steps.flatMap((s) => Object.values(s.outputMap)));
  const read = new Set(steps.flatMap((s) => Object.values(s.inputMap)));
  const sizes = steps.map((s) => member(s.modelName)?.maxBatchSize ?? 0).filter((n) => n > 0);
  const c = create(ModelConfigSchema, {
    name,
    platform: PLATFORM.ensemble,
    maxBatchSize: scheduling.maxBatchSize || (sizes.length ? Math.min(...sizes) : 0),
    schedulingChoice: scheduling.schedulingChoice,
  });
  const seen = new Set<string>();
  for (const s of steps) {
    const m = member(s.modelName);
    for (const [key, tensor] of Object.entries(s.inputMap)) {
      if (written.has(tensor) || seen.has(tensor)) continue;
      seen.add(tensor);
      const io = m?.input.find((i) => i.name === key);
      c.input.push(create(ModelInputSchema, { name: tensor, ...(io ? { dataType: io.dataType, dims: [...io.dims] } : {}) }));
    }
    for (const [key, tensor] of Object.entries(s.outputMap)) {
      if (read.has(tensor) || seen.has(tensor)) continue;
      seen.add(tensor);
      const io = m?.output.find((o) => o.name === key);
      c.output.push(create(ModelOutputSchema, { name: tensor, ...(io ? { dataType: io.dataType, dims: [...io.dims] } : {}) }));
    }
  }
  return c;
}
