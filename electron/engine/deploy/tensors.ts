/**
 * A model's interface as a client sees it (max_batch_size, inputs, outputs:
 * name, type, dims, reshape), and the differences between two of them: a
 * Python twin may stand in for a lab-only model only when nothing a client or
 * an ensemble step relies on changes.
 */
import { DataType, type ModelConfig, type ModelInput, type ModelOutput } from '../config/gen/model_config_pb';

function tensorText(t: ModelInput | ModelOutput): string {
  const reshape = t.reshape ? ` reshape [${t.reshape.shape.join(', ')}]` : '';
  return `${DataType[t.dataType] ?? t.dataType} [${t.dims.join(', ')}]${reshape}${'optional' in t && t.optional ? ' optional' : ''}`;
}

function sideDiffs(side: 'input' | 'output', a: (ModelInput | ModelOutput)[], b: (ModelInput | ModelOutput)[]): string[] {
  const out: string[] = [];
  const bByName = new Map(b.map((t) => [t.name, t]));
  for (const t of a) {
    const other = bByName.get(t.name);
    if (!other) out.push(`${side} '${t.name}' is missing`);
    else if (tensorText(t) !== tensorText(other)) out.push(`${side} '${t.name}' is ${tensorText(other)}, not ${tensorText(t)}`);
  }
  const aNames = new Set(a.map((t) => t.name));
  for (const t of b) if (!aNames.has(t.name)) out.push(`${side} '${t.name}' is extra`);
  return out;
}

/** How `twin` differs from `original` for a client (empty when they match). */
export function interfaceDiffs(original: ModelConfig, twin: ModelConfig): string[] {
  const out: string[] = [];
  if (original.maxBatchSize !== twin.maxBatchSize) out.push(`max_batch_size is ${twin.maxBatchSize}, not ${original.maxBatchSize}`);
  return [...out, ...sideDiffs('input', original.input, twin.input), ...sideDiffs('output', original.output, twin.output)];
}
