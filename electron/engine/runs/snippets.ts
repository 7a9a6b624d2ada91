/**
 * A playground run written out as a client would send it to `model-lab serve`
 * (or Triton): a curl command and a Python tritonclient script that rebuilds
 * the same inputs (files read from their paths, images decoded the same way).
 */
import path from 'node:path';
import type { ImageSource, InputSpec, RunSnippets } from '../../contract/lab-api';
import { type Tensor, elementCount, isBytesData, stringsFromBytes } from '../tensor/tensor';
import { numberAt } from './tensor-info';

const NP_DTYPE: Record<string, string> = {
  BOOL: 'np.bool_',
  UINT8: 'np.uint8',
  UINT16: 'np.uint16',
  UINT32: 'np.uint32',
  UINT64: 'np.uint64',
  INT8: 'np.int8',
  INT16: 'np.int16',
  INT32: 'np.int32',
  INT64: 'np.int64',
  FP16: 'np.float16',
  FP32: 'np.float32',
  FP64: 'np.float64',
  BF16: 'np.float32',
  BYTES: 'np.object_',
};

/** Inline data is written out only up to this many elements. */
const INLINE = 1024;

function sourcePath(src: ImageSource, sampleImagesDir: string | undefined): string | undefined {
  if ('path' in src) return path.resolve(src.path);
  if ('sample' in src && sampleImagesDir) return path.join(sampleImagesDir, src.sample);
  return undefined;
}

function pyString(s: string): string {
  return JSON.stringify(s);
}

function values(t: Tensor): string {
  if (isBytesData(t.data)) return `[${stringsFromBytes(t.data).map(pyString).join(', ')}]`;
  const n = elementCount(t.shape);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const v = t.dtype === 'BOOL' ? ((t.data as Uint8Array)[i] ? 'True' : 'False') : t.data instanceof BigInt64Array || t.data instanceof BigUint64Array ? String(t.data[i]) : String(numberAt(t, i));
    out.push(v === 'NaN' ? 'float("nan")' : v === 'Infinity' ? 'float("inf")' : v === '-Infinity' ? '-float("inf")' : v);
  }
  return `[${out.join(', ')}]`;
}

function pyInput(spec: InputSpec | undefined, t: Tensor, sampleImagesDir: string | undefined): string[] {
  const v = `x_${t.name.replace(/\W+/g, '_')}`;
  const shape = `(${t.shape.join(', ')}${t.shape.length === 1 ? ',' : ''})`;
  const src = spec && (spec.kind === 'bytes' || spec.kind === 'image') ? sourcePath(spec.source, sampleImagesDir) : undefined;
  const file = src ? pyString(src) : '"your-file"  # the file you picked in the lab';
  if (spec?.kind === 'bytes') {
    if (spec.dtype === 'BYTES') return [`${v} = np.array([open(${file}, "rb").read()], dtype=np.object_).reshape(${shape})`];
    return [`${v} = np.fromfile(${file}, dtype=np.uint8).reshape(${shape})`];
  }
  if (spec?.kind === 'image') {
    const lines = [`img = Image.open(${file}).convert("${spec.channels === 1 ? 'L' : 'RGB'}")`];
    if (spec.resize) lines.push(`img = img.resize((${spec.resize.width}, ${spec.resize.height}), Image.BILINEAR)`);
    lines.push(`${v} = np.asarray(img, dtype=${spec.dtype === 'FP32' ? 'np.float32' : 'np.uint8'})`);
    if (spec.channels === 1) lines.push(`${v} = ${v}[:, :, None]`);
    else if (spec.order === 'BGR') lines.push(`${v} = ${v}[:, :, ::-1]`);
    if (spec.dtype === 'FP32') {
      if (spec.scale !== undefined && spec.scale !== 1) lines.push(`${v} = ${v} * ${spec.scale}`);
      if (spec.mean?.length) lines.push(`${v} = ${v} - np.array(${JSON.stringify(spec.mean)}, dtype=np.float32)`);
      if (spec.std?.length) lines.push(`${v} = ${v} / np.array(${JSON.stringify(spec.std)}, dtype=np.float32)`);
    }
    if (spec.layout === 'CHW') lines.push(`${v} = ${v}.transpose(2, 0, 1)`);
    lines.push(`${v} = np.ascontiguousarray(${v}, dtype=${NP_DTYPE[t.dtype]}).reshape(${shape})`);
    return lines;
  }
  if (spec?.kind === 'generate') {
    const n = elementCount(t.shape);
    const gen =
      spec.fill === 'zeros' ? `np.zeros(${shape}` : spec.fill === 'ones' ? `np.ones(${shape}` : spec.fill === 'range' ? `np.arange(${n}).reshape(${shape}).astype(${NP_DTYPE[t.dtype]}` : `np.random.rand(*${shape}).astype(${NP_DTYPE[t.dtype]}`;
    return [`${v} = ${gen}${spec.fill === 'zeros' || spec.fill === 'ones' ? `, dtype=${NP_DTYPE[t.dtype]})` : ')'}`];
  }
  if (elementCount(t.shape) > INLINE) return [`${v} = np.zeros(${shape}, dtype=${NP_DTYPE[t.dtype]})  # ${elementCount(t.shape)} values: fill in your data`];
  return [`${v} = np.array(${values(t)}, dtype=${NP_DTYPE[t.dtype]}).reshape(${shape})`];
}

export function runSnippets(opts: {
  model: string;
  version: number;
  specs: InputSpec[];
  inputs: Tensor[];
  outputs: string[];
  sampleImagesDir?: string;
  host?: string;
}): RunSnippets {
  const host = opts.host ?? '127.0.0.1:8000';
  const url = `http://${host}/v2/models/${opts.model}/versions/${opts.version}/infer`;
  const specOf = (name: string): InputSpec | undefined => opts.specs.find((s) => s.name === name);

  // curl: a raw body for a single file input, JSON otherwise.
  let curl: string;
  const only = opts.inputs.length === 1 ? specOf(opts.inputs[0]!.name) : undefined;
  const onlyFile = only && only.kind === 'bytes' ? sourcePath(only.source, opts.sampleImagesDir) : undefined;
  if (onlyFile) {
    curl = `curl -s -X POST ${url} \\\n  -H 'Inference-Header-Content-Length: 0' \\\n  --data-binary @${JSON.stringify(onlyFile)}`;
  } else {
    const big = opts.inputs.filter((t) => elementCount(t.shape) > INLINE);
    const body = {
      inputs: opts.inputs.map((t) => ({
        name: t.name,
        shape: t.shape,
        datatype: t.dtype,
        data: elementCount(t.shape) > INLINE ? [] : JSON.parse(values(t).replace(/True/g, 'true').replace(/False/g, 'false').replace(/-?float\("[a-z]+"\)/g, 'null')) as unknown,
      })),
      outputs: opts.outputs.map((name) => ({ name })),
    };
    const note = big.length ? `# ${big.map((t) => `'${t.name}' (${elementCount(t.shape)} values)`).join(', ')} left empty: too large for a command line; use the Python script\n` : '';
    curl = `${note}curl -s -X POST ${url} \\\n  -H 'Content-Type: application/json' \\\n  -d '${JSON.stringify(body).replace(/'/g, "'\\''")}'`;
  }

  const needsPil = opts.specs.some((s) => s.kind === 'image');
  const lines = ['import numpy as np', 'import tritonclient.http as httpclient'];
  if (needsPil) lines.push('from PIL import Image');
  lines.push('', `client = httpclient.InferenceServerClient(url=${pyString(host)})`, '');
  for (const t of opts.inputs) lines.push(...pyInput(specOf(t.name), t, opts.sampleImagesDir));
  lines.push('', 'inputs = []');
  for (const t of opts.inputs) {
    const v = `x_${t.name.replace(/\W+/g, '_')}`;
    lines.push(`inputs.append(httpclient.InferInput(${pyString(t.name)}, ${v}.shape, ${pyString(t.dtype)}))`, `inputs[-1].set_data_from_numpy(${v})`);
  }
  lines.push(`outputs = [${opts.outputs.map((o) => `httpclient.InferRequestedOutput(${pyString(o)})`).join(', ')}]`);
  lines.push(`result = client.infer(${pyString(opts.model)}, inputs, model_version=${pyString(String(opts.version))}, outputs=outputs)`);
  for (const o of opts.outputs) lines.push(`print(${pyString(o)}, result.as_numpy(${pyString(o)}))`);
  return { curl, python: `${lines.join('\n')}\n` };
}
