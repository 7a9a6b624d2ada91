/**
 * The playground's input descriptions turned into request tensors: values
 * and generated data of a given shape, text lines, a file's bytes as they
 * are (an encoded image for the OCR ensemble), or an image decoded to
 * pixels (HWC or CHW, resized, scaled and normalized per channel).
 * Files are read by real path, and only where `InputFiles` allows (open
 * repositories, the sample images, a file picked in the desktop dialog):
 * the lab API must not read any file a caller names.
 */
import path from 'node:path';
import type { ImageSource, InputSpec } from '../../contract/lab-api';
import type { ModelConfig } from '../config/gen/model_config_pb';
import { LabError, errorMessage } from '../errors';
import { apiDType, type ApiDType } from '../tensor/dtype';
import { type Tensor, allocate, bytesFromStrings, elementCount, isApiDType } from '../tensor/tensor';
import { realInside, realPath, withRealFile } from '../util/real-path';
import { readUpTo } from '../util/regular-file';
import { fill, flatten, type Json, withBatch } from './values';

/** Larger requests are refused before anything is allocated (4 GiB would not fit anyway). */
const MAX_ELEMENTS = 256 * 1024 * 1024;
const MAX_FILE_BYTES = 512 * 1024 * 1024;

/** Where `{ path }` sources may be read from; without one, nowhere. */
export interface InputFiles {
  /** `p` (a real path; or the name as given, for one that does not exist) is in an open repository, the sample images, or was picked. */
  allows(p: string): boolean;
}

export interface InputContext {
  config: ModelConfig;
  /** Folder of the bundled sample images ({ sample: file } sources). */
  sampleImagesDir?: string;
  files?: InputFiles;
  addBatchDim: boolean;
}

/** The real path behind a sample name or a typed path, once it is known to be one the lab may read. */
async function locate(src: ImageSource, ctx: InputContext): Promise<{ real: string; shown: string }> {
  if ('sample' in src) {
    if (!ctx.sampleImagesDir) throw new LabError('NOT_FOUND', 'this installation has no sample images');
    if (typeof src.sample !== 'string' || src.sample === '' || src.sample !== path.basename(src.sample)) throw new LabError('INVALID_ARG', `'${String(src.sample)}' is not a sample image name`);
    return { real: await realInside(ctx.sampleImagesDir, path.join(ctx.sampleImagesDir, src.sample), src.sample, 'the sample images'), shown: src.sample };
  }
  if (!('path' in src) || typeof src.path !== 'string' || src.path.trim() === '' || src.path.includes('\0')) {
    throw new LabError('INVALID_ARG', 'an input source needs a path, a sample image name or base64 data');
  }
  const shown = path.resolve(src.path.trim());
  const real = await realPath(shown);
  const allowed = ctx.files?.allows(real ?? shown) ?? false;
  if (!allowed) {
    throw new LabError(
      'INVALID_ARG',
      `'${shown}' is not inside an open repository or the sample images, and was not picked in the file dialog; the lab reads input files only from those (pick the file, or upload it)`,
    );
  }
  if (!real) throw new LabError('NOT_FOUND', `'${shown}' does not exist`);
  return { real, shown };
}

async function readSource(src: ImageSource, ctx: InputContext): Promise<{ bytes: Uint8Array; label: string }> {
  if ('base64' in src) {
    if (typeof src.base64 !== 'string') throw new LabError('INVALID_ARG', 'base64 data must be a string');
    return { bytes: new Uint8Array(Buffer.from(src.base64, 'base64')), label: src.fileName ?? 'uploaded file' };
  }
  const { real, shown } = await locate(src, ctx);
  const buf = await withRealFile(real, shown, async (handle, size) => {
    if (size > MAX_FILE_BYTES) throw new LabError('INVALID_ARG', `'${shown}' is ${(size / 2 ** 20).toFixed(0)} MiB; the playground takes files up to ${MAX_FILE_BYTES / 2 ** 20} MiB`);
    return readUpTo(handle, size);
  });
  return { bytes: new Uint8Array(buf), label: path.basename(shown) };
}

function checkShape(name: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || (d as number) < 0)) {
    throw new LabError('INVALID_ARG', `input '${name}': the shape must be a list of sizes (non-negative integers), got ${JSON.stringify(shape)}`);
  }
  const n = elementCount(shape as number[]);
  if (n > MAX_ELEMENTS) throw new LabError('INVALID_ARG', `input '${name}': shape [${(shape as number[]).join(', ')}] is ${n} elements, more than the playground sends (${MAX_ELEMENTS})`);
  return shape as number[];
}

function dtypeOf(name: string, dtype: unknown): ApiDType {
  if (typeof dtype !== 'string' || !isApiDType(dtype)) throw new LabError('INVALID_ARG', `input '${name}': unknown data type '${String(dtype)}'`);
  return dtype;
}

function generated(dtype: ApiDType, count: number, fillKind: string): Tensor['data'] {
  const values: number[] = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    if (fillKind === 'zeros') values[i] = 0;
    else if (fillKind === 'ones') values[i] = 1;
    else if (fillKind === 'range') values[i] = i;
    else if (fillKind === 'random') values[i] = dtype.startsWith('FP') || dtype === 'BF16' ? Math.random() : dtype === 'BOOL' ? Math.round(Math.random()) : Math.floor(Math.random() * 10);
    else throw new LabError('INVALID_ARG', `unknown fill '${fillKind}' (zeros, ones, random or range)`);
  }
  return fill(dtype, values);
}

async function decodeImage(spec: Extract<InputSpec, { kind: 'image' }>, bytes: Uint8Array, label: string): Promise<Tensor> {
  const { default: sharp } = await import('sharp');
  let img = sharp(bytes, { failOn: 'error' }).rotate();
  if (spec.resize) {
    const { width, height } = spec.resize;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 16384 || height > 16384) {
      throw new LabError('INVALID_ARG', `input '${spec.name}': resize needs a width and height from 1 to 16384`);
    }
    img = img.resize(width, height, { fit: 'fill' });
  }
  const channels = spec.channels === 1 ? 1 : 3;
  img = channels === 1 ? img.grayscale() : img.removeAlpha().toColorspace('srgb');
  let raw: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    raw = await img.raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new LabError('INVALID_ARG', `input '${spec.name}': ${label} could not be decoded as an image (${errorMessage(err)})`);
  }
  const { width, height } = raw.info;
  const got = raw.info.channels;
  const bgr = channels === 3 && spec.order === 'BGR';
  const scale = spec.scale ?? 1;
  const mean = spec.mean ?? [];
  const std = spec.std ?? [];
  if (mean.length > channels || std.length > channels || std.some((s) => s === 0)) {
    throw new LabError('INVALID_ARG', `input '${spec.name}': mean and std take up to ${channels} values, and std cannot be 0`);
  }
  const n = width * height * channels;
  const data = allocate(spec.dtype, n) as Float32Array | Uint8Array;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const srcC = bgr ? channels - 1 - c : c;
        let v = raw.data[(y * width + x) * got + Math.min(srcC, got - 1)]!;
        if (spec.dtype === 'FP32') v = (v * scale - (mean[c] ?? mean[0] ?? 0)) / (std[c] ?? std[0] ?? 1);
        const at = spec.layout === 'CHW' ? c * width * height + y * width + x : (y * width + x) * channels + c;
        data[at] = v;
      }
    }
  }
  const shape = spec.layout === 'CHW' ? [channels, height, width] : [height, width, channels];
  return { name: spec.name, dtype: spec.dtype, shape, data };
}

/** A value problem of an input, with the input named (a form with several inputs says which one). */
function named<T>(name: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof LabError && err.code === 'INVALID_ARG') throw new LabError('INVALID_ARG', `input '${name}': ${err.message}`);
    throw err;
  }
}

async function one(spec: InputSpec, ctx: InputContext): Promise<Tensor> {
  const name = spec.name;
  if (typeof name !== 'string' || name === '') throw new LabError('INVALID_ARG', 'every input needs a name');
  const cfg = ctx.config.input.find((i) => i.name === name);
  if (!cfg) throw new LabError('INVALID_ARG', `model '${ctx.config.name}' has no input '${name}' (inputs: ${ctx.config.input.map((i) => i.name).join(', ')})`);
  const dims = cfg.dims.length;
  const batch = (t: Tensor): Tensor => {
    if (!ctx.addBatchDim) return t;
    const shape = withBatch(ctx.config, name, t.shape);
    // A non-batching model that writes its own leading dimension ([-1, 3, -1, -1]) gets a 1 there for a single image.
    if (ctx.config.maxBatchSize === 0 && shape.length + 1 === dims && (spec.kind === 'image' || spec.kind === 'bytes')) return { ...t, shape: [1, ...shape] };
    return { ...t, shape };
  };
  switch (spec.kind) {
    case 'values': {
      const dtype = dtypeOf(name, spec.dtype);
      const shape = checkShape(name, spec.shape);
      if (!Array.isArray(spec.values)) throw new LabError('INVALID_ARG', `input '${name}': values must be a list`);
      const flat = flatten(spec.values as Json[]);
      if (flat.length !== elementCount(shape)) {
        throw new LabError('INVALID_ARG', `input '${name}': shape [${shape.join(', ')}] needs ${elementCount(shape)} values, got ${flat.length}`);
      }
      return batch({ name, dtype, shape, data: named(name, () => fill(dtype, flat)) });
    }
    case 'generate': {
      const dtype = dtypeOf(name, spec.dtype);
      const shape = checkShape(name, spec.shape);
      if (dtype === 'BYTES') throw new LabError('INVALID_ARG', `input '${name}': generated data is numeric; use text lines for BYTES`);
      return batch({ name, dtype, shape, data: generated(dtype, elementCount(shape), spec.fill) });
    }
    case 'text': {
      if (!Array.isArray(spec.lines) || spec.lines.some((l) => typeof l !== 'string')) throw new LabError('INVALID_ARG', `input '${name}': lines must be a list of strings`);
      const shape = spec.shape ? checkShape(name, spec.shape) : [spec.lines.length];
      if (elementCount(shape) !== spec.lines.length) throw new LabError('INVALID_ARG', `input '${name}': shape [${shape.join(', ')}] needs ${elementCount(shape)} lines, got ${spec.lines.length}`);
      return batch({ name, dtype: 'BYTES', shape, data: bytesFromStrings(spec.lines) });
    }
    case 'bytes': {
      const { bytes } = await readSource(spec.source, ctx);
      if (spec.dtype === 'BYTES') return batch({ name, dtype: 'BYTES', shape: [1], data: [bytes] });
      return batch({ name, dtype: 'UINT8', shape: [bytes.length], data: bytes });
    }
    case 'image': {
      if (spec.dtype !== 'FP32' && spec.dtype !== 'UINT8') throw new LabError('INVALID_ARG', `input '${name}': images decode to FP32 or UINT8`);
      if (spec.layout !== 'HWC' && spec.layout !== 'CHW') throw new LabError('INVALID_ARG', `input '${name}': layout must be HWC or CHW`);
      const { bytes, label } = await readSource(spec.source, ctx);
      return batch(await decodeImage(spec, bytes, label));
    }
    default:
      throw new LabError('INVALID_ARG', `input '${name}': unknown kind '${String((spec as { kind: unknown }).kind)}'`);
  }
}

/** Every input of a playground request, in the order given; each problem names its input. */
export async function buildInputs(specs: InputSpec[], ctx: InputContext): Promise<Tensor[]> {
  if (!Array.isArray(specs)) throw new LabError('INVALID_ARG', 'inputs must be a list');
  const seen = new Set<string>();
  const out: Tensor[] = [];
  for (const spec of specs) {
    if (seen.has(spec.name)) throw new LabError('INVALID_ARG', `input '${spec.name}' is given twice`);
    seen.add(spec.name);
    out.push(await one(spec, ctx));
  }
  return out;
}

/** The dtype a config input declares, for messages. */
export function declaredDType(config: ModelConfig, name: string): ApiDType | undefined {
  const cfg = config.input.find((i) => i.name === name);
  return cfg ? apiDType(cfg.dataType) : undefined;
}
