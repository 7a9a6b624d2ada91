/**
 * The playground's input for "Run to see": the same input descriptions a run
 * sends, turned into tensors by the same code (`runs/inputs.ts`, so files are
 * read under the same rules), then checked against the graph's own inputs so
 * a wrong name, type or size is said plainly instead of as ONNX Runtime's
 * message. A model without a config (or whose config lists no inputs) is
 * described from the graph itself.
 */
import { create } from '@bufbuild/protobuf';
import type { GraphIo } from '../../../contract/inspect-api';
import type { InputSpec } from '../../../contract/lab-api';
import { type ModelConfig, ModelConfigSchema, ModelInputSchema } from '../../config/gen/model_config_pb';
import { LabError } from '../../errors';
import { buildInputs, type InputFiles } from '../../runs/inputs';
import type { Tensor } from '../../tensor/tensor';
import path from 'node:path';

export interface RequestInputOptions {
  sampleImagesDir?: string;
  files?: InputFiles;
}

/** The config to read the form against: the model's, or one written from the graph's inputs. */
export function inputConfig(config: ModelConfig | undefined, model: string, inputs: readonly GraphIo[]): ModelConfig {
  if (config && inputs.every((io) => config.input.some((c) => c.name === io.name))) return config;
  return create(ModelConfigSchema, {
    name: config?.name ?? model,
    maxBatchSize: 0,
    input: inputs.map((io) => create(ModelInputSchema, { name: io.name, dims: (io.dims ?? []).map((d) => (typeof d === 'number' ? BigInt(d) : -1n)) })),
  });
}

function describe(spec: InputSpec): string {
  switch (spec.kind) {
    case 'image':
    case 'bytes': {
      const src = spec.source;
      if ('sample' in src) return `sample image ${src.sample}`;
      if ('path' in src) return path.basename(src.path);
      return src.fileName ?? 'uploaded file';
    }
    case 'generate':
      return `generated ${spec.fill}`;
    case 'text':
      return `${spec.lines.length} text line${spec.lines.length === 1 ? '' : 's'}`;
    default:
      return 'typed values';
  }
}

function check(io: GraphIo, t: Tensor): void {
  if (t.dtype !== io.dtype) throw new LabError('INVALID_ARG', `input '${io.name}' is ${t.dtype} in the Run tab but the model takes ${io.dtype}; change its data type there`);
  const dims = io.dims;
  if (!dims) return;
  const wrong = t.shape.length !== dims.length || dims.some((d, i) => typeof d === 'number' && d >= 0 && d !== t.shape[i]);
  if (wrong) {
    const want = dims.map((d) => (typeof d === 'number' && d >= 0 ? String(d) : typeof d === 'string' && d ? d : '?')).join('×');
    throw new LabError('INVALID_ARG', `input '${io.name}' is ${t.shape.join('×')} but the model takes ${want}; change its shape in the Run tab`);
  }
}

/** The playground's input as tensors in the graph's input order, and a sentence naming it. */
export async function requestInputs(
  specs: InputSpec[],
  graphInputs: readonly GraphIo[],
  config: ModelConfig,
  addBatchDim: boolean,
  opts: RequestInputOptions,
): Promise<{ tensors: Tensor[]; note: string }> {
  const built = await buildInputs(specs, { config, addBatchDim, ...(opts.sampleImagesDir ? { sampleImagesDir: opts.sampleImagesDir } : {}), ...(opts.files ? { files: opts.files } : {}) });
  const tensors: Tensor[] = [];
  const parts: string[] = [];
  for (const io of graphInputs) {
    const t = built.find((x) => x.name === io.name);
    if (!t) {
      throw new LabError('INVALID_ARG', `the Run tab's input has no '${io.name}', which the model needs; fill it in there, or run "Run to see" without an input to use generated data`);
    }
    check(io, t);
    tensors.push(t);
    const spec = specs.find((s) => s.name === io.name)!;
    parts.push(`${io.name} (${describe(spec)}, ${t.shape.join('×')})`);
  }
  return { tensors, note: `the playground's input: ${parts.join('; ')}` };
}
