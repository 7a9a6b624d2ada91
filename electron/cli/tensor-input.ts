/**
 * Turns `--input name=<json>` and `--input name=@file` into tensors for a
 * model's input, using the config for the datatype and the batch dimension.
 */
import { promises as fs } from 'node:fs';
import type { ModelConfig } from '../engine/config/gen/model_config_pb';
import { toNumbers } from '../engine/config/shape';
import { LabError } from '../engine/errors';
import { fill, flatten, type Json, shapeOf, withBatch } from '../engine/runs/values';
import { apiDType } from '../engine/tensor/dtype';
import { type Tensor, elementCount, viewAs } from '../engine/tensor/tensor';

export async function parseInput(config: ModelConfig, spec: string): Promise<Tensor> {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new LabError('INVALID_ARG', `--input expects name=<json> or name=@file, got '${spec}'`);
  const name = spec.slice(0, eq);
  const value = spec.slice(eq + 1);
  const cfg = config.input.find((i) => i.name === name);
  if (!cfg) throw new LabError('INVALID_ARG', `model '${config.name}' has no input '${name}' (inputs: ${config.input.map((i) => i.name).join(', ')})`);
  const dtype = apiDType(cfg.dataType);
  if (!dtype) throw new LabError('INVALID_ARG', `input '${name}' has no data type in the config`);
  const dims = toNumbers(cfg.dims);

  if (value.startsWith('@')) {
    const bytes = new Uint8Array(await fs.readFile(value.slice(1)));
    if (value.endsWith('.json')) return parseInput(config, `${name}=${new TextDecoder().decode(bytes)}`);
    // A file for a variable-length byte input is sent as is (an encoded image, a document).
    if (dtype === 'UINT8' && dims.length === 1 && dims[0] === -1) return { name, dtype, shape: withBatch(config, name, [bytes.length]), data: bytes };
    if (dtype === 'BYTES') return { name, dtype, shape: withBatch(config, name, [1]), data: [bytes] };
    const data = viewAs(dtype, bytes);
    const fixed = dims.every((d) => d > 0) ? dims : [data.length];
    if (elementCount(fixed) !== data.length) throw new LabError('INVALID_ARG', `${value.slice(1)} holds ${data.length} ${dtype} values; input '${name}' needs dims [${dims.join(', ')}]`);
    return { name, dtype, shape: withBatch(config, name, fixed), data };
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(value) as Json;
  } catch {
    parsed = value;
  }
  const shape = shapeOf(parsed);
  const flat = flatten(parsed);
  return { name, dtype, shape: withBatch(config, name, shape.length === 0 ? [1] : shape), data: fill(dtype, flat) };
}
