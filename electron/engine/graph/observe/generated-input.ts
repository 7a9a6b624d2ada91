/**
 * The input "Run to see" makes up when the user gave none: each graph input
 * at the size the model declares, open dims taken from the config where it
 * names them, else a size that suits the input (a batch of 1, 640×640 for an
 * image-like input, 16 for other open dims). Symbolic dims with the same name
 * get the same size, so an attention mask matches its token ids. Floats are
 * a fixed pseudo-random pattern in [0, 1) (the same on every run, so two
 * observations can be compared), integers are zeros, and masks are ones. The
 * note says all of this, since what is shown depends on it.
 */
import type { GraphDim, GraphIo } from '../../../contract/inspect-api';
import type { ModelConfig } from '../../config/gen/model_config_pb';
import { toNumbers } from '../../config/shape';
import { LabError } from '../../errors';
import type { ApiDType } from '../../tensor/dtype';
import { type Tensor, allocate, elementCount, isApiDType } from '../../tensor/tensor';
import { floatToBf16, floatToHalf } from '../../tensor/half';

/** Side of an image-like input whose height and width are open (PaddleOCR's detector is trained near it). */
export const IMAGE_SIDE = 640;
/** Any other open dimension (a sequence length, a count). */
export const OTHER_SIDE = 16;
/** Largest generated input, in elements. */
export const MAX_GENERATED_ELEMENTS = 64 * 2 ** 20;

export interface GeneratedInputs {
  tensors: Tensor[];
  note: string;
}

const CHANNELS = new Set([1, 3, 4]);

/** The size the config gives at position i of the model's dims, if it gives one. */
function configDim(config: ModelConfig | undefined, name: string, rank: number, i: number): number | undefined {
  const cfg = config?.input.find((x) => x.name === name);
  if (!cfg) return undefined;
  const dims = toNumbers(cfg.dims);
  const batched = (config?.maxBatchSize ?? 0) > 0;
  const full = batched ? [-1, ...dims] : dims;
  if (full.length !== rank) return undefined;
  const d = full[i]!;
  return d > 0 ? d : undefined;
}

/** Which positions hold an image's height and width, when the dims look like one (NCHW, NHWC, CHW, HWC). */
function imageAxes(dims: readonly GraphDim[]): Set<number> {
  const fixed = (i: number): number | undefined => (typeof dims[i] === 'number' ? (dims[i] as number) : undefined);
  const rank = dims.length;
  const first = rank === 4 ? 1 : 0;
  if (rank !== 3 && rank !== 4) return new Set();
  if (CHANNELS.has(fixed(first) ?? 0)) return new Set([first + 1, first + 2]);
  if (CHANNELS.has(fixed(rank - 1) ?? 0)) return new Set([first, first + 1]);
  return new Set();
}

function sizeOf(io: GraphIo, i: number, config: ModelConfig | undefined, named: Map<string, number>): { size: number; why?: string } {
  const dims = io.dims ?? [];
  const d = dims[i];
  if (typeof d === 'number' && d >= 0) return { size: d };
  const label = typeof d === 'string' && d !== '' ? d : `${io.name}[${i}]`;
  if (typeof d === 'string' && named.has(d)) return { size: named.get(d)! };
  const fromConfig = configDim(config, io.name, dims.length, i);
  const size = fromConfig ?? (i === 0 && dims.length > 1 ? 1 : imageAxes(dims).has(i) ? IMAGE_SIDE : OTHER_SIDE);
  if (typeof d === 'string' && d !== '') named.set(d, size);
  return { size, why: `${label} → ${size}${fromConfig !== undefined ? ' (config)' : ''}` };
}

/** A fixed pseudo-random sequence (mulberry32), so generated input is the same every time. */
function pattern(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fillKind(dtype: ApiDType, name: string): 'random' | 'ones' | 'zeros' {
  if (dtype === 'FP32' || dtype === 'FP64' || dtype === 'FP16' || dtype === 'BF16') return 'random';
  return /mask/i.test(name) || dtype === 'BOOL' ? 'ones' : 'zeros';
}

function generate(dtype: ApiDType, count: number, kind: 'random' | 'ones' | 'zeros', seed: number): Tensor['data'] {
  const data = allocate(dtype, count);
  if (kind === 'zeros') return data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return data.fill(1n);
  const next = pattern(seed);
  const typed = data as Float32Array;
  for (let i = 0; i < count; i++) {
    const v = kind === 'ones' ? 1 : next();
    typed[i] = dtype === 'FP16' ? floatToHalf(v) : dtype === 'BF16' ? floatToBf16(v) : v;
  }
  return data;
}

/** One tensor per graph input, and a sentence on how it was made. */
export function generatedInputs(inputs: readonly GraphIo[], config: ModelConfig | undefined): GeneratedInputs {
  const named = new Map<string, number>();
  const tensors: Tensor[] = [];
  const parts: string[] = [];
  const choices: string[] = [];
  inputs.forEach((io, k) => {
    const dtype = io.dtype;
    if (!isApiDType(dtype) || dtype === 'BYTES') {
      throw new LabError('UNSUPPORTED', `input '${io.name}' is ${dtype}; "Run to see" generates numeric inputs only: give an input in the Run tab first`);
    }
    if (!io.dims) throw new LabError('UNSUPPORTED', `input '${io.name}' has no declared rank, so no input can be generated for it: give an input in the Run tab first`);
    const shape = io.dims.map((_, i) => {
      const { size, why } = sizeOf(io, i, config, named);
      if (why && !choices.includes(why)) choices.push(why);
      return size;
    });
    const n = elementCount(shape);
    if (n > MAX_GENERATED_ELEMENTS) throw new LabError('INVALID_ARG', `input '${io.name}' would be ${shape.join('×')} (${n} elements); give a smaller input in the Run tab`);
    const kind = fillKind(dtype, io.name);
    tensors.push({ name: io.name, dtype, shape, data: generate(dtype, n, kind, k + 1) });
    parts.push(`${io.name} ${dtype} ${shape.join('×')} (${kind === 'random' ? 'pseudo-random in [0, 1)' : kind})`);
  });
  const note = `generated input: ${parts.join('; ')}${choices.length ? `; open dims: ${choices.join(', ')}` : ''}`;
  return { tensors, note };
}
