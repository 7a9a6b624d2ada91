/**
 * A playground run written out as a client would send it to `model-lab serve`
 * (or Triton): a curl command and a Python tritonclient script that rebuilds
 * the same inputs (files read from their paths, images decoded the same way).
 * Model names are folder names and tensor strings are anything, so nothing is
 * pasted raw: shell words go through `shQuote`, the model name is
 * percent-encoded in the URL, comments stay on one line, Python strings are
 * JSON string literals (valid Python for any content) and numbers from the
 * form are written only when they are numbers.
 */
import path from 'node:path';
import type { ImageSource, InputSpec, RunSequence, RunSnippets } from '../../contract/lab-api';
import { type Tensor, elementCount, isBytesData, stringsFromBytes } from '../tensor/tensor';
import { commentText, shQuote } from '../util/shell-quote';
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
  if ('path' in src && typeof src.path === 'string') return path.resolve(src.path);
  if ('sample' in src && typeof src.sample === 'string' && sampleImagesDir) return path.join(sampleImagesDir, src.sample);
  return undefined;
}

/** Lone surrogates (which no file name holds) become U+FFFD, so percent-encoding and Python cannot fail on them. */
function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** A Python string literal for any text: JSON's escapes are Python's. */
function pyString(s: string): string {
  return JSON.stringify(wellFormed(s));
}

/** A Python number for a value from the form: anything that is not a finite number is NaN, never text. */
function pyNumber(v: unknown): string {
  if (typeof v === 'bigint') return String(v);
  if (typeof v !== 'number' || Number.isNaN(v)) return 'float("nan")';
  if (v === Infinity) return 'float("inf")';
  if (v === -Infinity) return '-float("inf")';
  return String(v);
}

function pyNumbers(vs: unknown): string {
  return `[${(Array.isArray(vs) ? vs : []).map(pyNumber).join(', ')}]`;
}

function element(t: Tensor, i: number): number | bigint | boolean {
  if (t.dtype === 'BOOL') return Boolean((t.data as Uint8Array)[i]);
  if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) return t.data[i]!;
  return numberAt(t, i);
}

function pyValues(t: Tensor): string {
  if (isBytesData(t.data)) return `[${stringsFromBytes(t.data).map(pyString).join(', ')}]`;
  const out: string[] = [];
  for (let i = 0; i < elementCount(t.shape); i++) {
    const v = element(t, i);
    out.push(typeof v === 'boolean' ? (v ? 'True' : 'False') : pyNumber(v));
  }
  return `[${out.join(', ')}]`;
}

/** JSON text for a tensor's data (BigInts and non-finite numbers included, which JSON.stringify cannot write). */
function jsonValues(t: Tensor): string {
  if (elementCount(t.shape) > INLINE) return '[]';
  if (isBytesData(t.data)) return JSON.stringify(stringsFromBytes(t.data));
  const out: string[] = [];
  for (let i = 0; i < elementCount(t.shape); i++) {
    const v = element(t, i);
    out.push(typeof v === 'number' && !Number.isFinite(v) ? 'null' : String(v));
  }
  return `[${out.join(',')}]`;
}

function imageLines(spec: Extract<InputSpec, { kind: 'image' }>, t: Tensor, v: string, file: string, shape: string): string[] {
  const lines = [`img = Image.open(${file}).convert("${spec.channels === 1 ? 'L' : 'RGB'}")`];
  if (spec.resize) lines.push(`img = img.resize((${pyNumber(spec.resize.width)}, ${pyNumber(spec.resize.height)}), Image.BILINEAR)`);
  lines.push(`${v} = np.asarray(img, dtype=${spec.dtype === 'FP32' ? 'np.float32' : 'np.uint8'})`);
  if (spec.channels === 1) lines.push(`${v} = ${v}[:, :, None]`);
  else if (spec.order === 'BGR') lines.push(`${v} = ${v}[:, :, ::-1]`);
  if (spec.dtype === 'FP32') {
    if (spec.scale !== undefined && spec.scale !== 1) lines.push(`${v} = ${v} * ${pyNumber(spec.scale)}`);
    if (spec.mean?.length) lines.push(`${v} = ${v} - np.array(${pyNumbers(spec.mean)}, dtype=np.float32)`);
    if (spec.std?.length) lines.push(`${v} = ${v} / np.array(${pyNumbers(spec.std)}, dtype=np.float32)`);
  }
  if (spec.layout === 'CHW') lines.push(`${v} = ${v}.transpose(2, 0, 1)`);
  lines.push(`${v} = np.ascontiguousarray(${v}, dtype=${NP_DTYPE[t.dtype]}).reshape(${shape})`);
  return lines;
}

function generateLine(spec: Extract<InputSpec, { kind: 'generate' }>, t: Tensor, v: string, shape: string): string {
  const np = NP_DTYPE[t.dtype];
  if (spec.fill === 'zeros' || spec.fill === 'ones') return `${v} = np.${spec.fill}(${shape}, dtype=${np})`;
  if (spec.fill === 'range') return `${v} = np.arange(${elementCount(t.shape)}).reshape(${shape}).astype(${np})`;
  return `${v} = np.random.rand(*${shape}).astype(${np})`;
}

function pyInput(spec: InputSpec | undefined, t: Tensor, v: string, sampleImagesDir: string | undefined): string[] {
  const shape = `(${t.shape.map(pyNumber).join(', ')}${t.shape.length === 1 ? ',' : ''})`;
  const src = spec && (spec.kind === 'bytes' || spec.kind === 'image') ? sourcePath(spec.source, sampleImagesDir) : undefined;
  const file = src ? pyString(src) : '"your-file"  # the file you picked in the lab';
  if (spec?.kind === 'bytes') {
    if (spec.dtype === 'BYTES') return [`${v} = np.array([open(${file}, "rb").read()], dtype=np.object_).reshape(${shape})`];
    return [`${v} = np.fromfile(${file}, dtype=np.uint8).reshape(${shape})`];
  }
  if (spec?.kind === 'image') return imageLines(spec, t, v, file, shape);
  if (spec?.kind === 'generate') return [generateLine(spec, t, v, shape)];
  if (elementCount(t.shape) > INLINE) return [`${v} = np.zeros(${shape}, dtype=${NP_DTYPE[t.dtype]})  # ${elementCount(t.shape)} values: fill in your data`];
  return [`${v} = np.array(${pyValues(t)}, dtype=${NP_DTYPE[t.dtype]}).reshape(${shape})`];
}

/** One Python variable per input: its name made an identifier, numbered where two names would meet. */
function variables(inputs: Tensor[]): string[] {
  const seen = new Set<string>();
  return inputs.map((t, i) => {
    const base = `x_${t.name.replace(/\W+/g, '_')}`;
    const v = seen.has(base) ? `${base}_${i}` : base;
    seen.add(v);
    return v;
  });
}

export interface SnippetRun {
  model: string;
  version: number;
  specs: InputSpec[];
  inputs: Tensor[];
  outputs: string[];
  sampleImagesDir?: string;
  host?: string;
  /** The run's sequence flags (sequence_batching models), sent as Triton's request parameters. */
  sequence?: RunSequence;
  /** The run's own request parameters (bool, integer or string values). */
  parameters?: Record<string, string | number | boolean>;
  /** A remote server over HTTPS (the default is http). */
  scheme?: 'http' | 'https';
  /** Header NAMES a remote server needs; their values are read from environment variables, never written here. */
  headerNames?: string[];
}

/** The environment variable a header's value is read from in a snippet (authorization → AUTHORIZATION). */
export function headerEnvName(name: string): string {
  return name
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '_')
    .replace(/^(\d)/, '_$1');
}

function curlHeaders(opts: SnippetRun): string {
  return (opts.headerNames ?? []).map((h) => ` \\\n  -H "${h}: $${headerEnvName(h)}"`).join('');
}

/** A uint64 id as its digits (exact, as Triton reads it), a string id as a JSON string. */
function sequenceIdJson(seq: RunSequence): string {
  return seq.idIsString || !/^\d+$/.test(seq.id) ? JSON.stringify(seq.id) : seq.id;
}

/** The request's `parameters` object for curl: the sequence flags, then the run's own parameters. */
function jsonSequenceParameters(seq: RunSequence | undefined, own: SnippetRun['parameters'] = {}): string {
  const entries = Object.entries(own).map(([k, v]) => `${JSON.stringify(wellFormed(k))}:${typeof v === 'string' ? JSON.stringify(wellFormed(v)) : String(v)}`);
  if (seq) entries.unshift(`"sequence_id":${sequenceIdJson(seq)}`, `"sequence_start":${seq.start === true}`, `"sequence_end":${seq.end === true}`);
  return entries.length > 0 ? `"parameters":{${entries.join(',')}},` : '';
}

/** Parameters tritonclient's infer() takes as its own keywords (it refuses them in `parameters=`), as Triton's frontends read them. */
const PY_KEYWORDS = new Set(['priority', 'timeout']);

/** tritonclient's infer() keywords for the run's own parameters: `priority=`/`timeout=`, then `parameters=` for the rest. */
function pyParameters(own: SnippetRun['parameters']): string {
  const py = (v: string | number | boolean): string => (typeof v === 'string' ? pyString(v) : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));
  const all = Object.entries(own ?? {});
  const keywords = all.filter(([k]) => PY_KEYWORDS.has(k)).map(([k, v]) => `, ${k}=${py(v)}`);
  const entries = all.filter(([k]) => !PY_KEYWORDS.has(k)).map(([k, v]) => `${pyString(k)}: ${py(v)}`);
  return `${keywords.join('')}${entries.length > 0 ? `, parameters={${entries.join(', ')}}` : ''}`;
}

/** tritonclient's infer() keywords for the sequence flags. */
function pySequenceArguments(seq: RunSequence | undefined): string {
  if (!seq) return '';
  const py = (b: boolean | undefined): string => (b ? 'True' : 'False');
  const id = seq.idIsString || !/^\d+$/.test(seq.id) ? pyString(seq.id) : seq.id;
  return `, sequence_id=${id}, sequence_start=${py(seq.start)}, sequence_end=${py(seq.end)}`;
}

function curlSnippet(opts: SnippetRun, url: string, specOf: (name: string) => InputSpec | undefined): string {
  // A raw body for a single file input, JSON otherwise.
  const only = opts.inputs.length === 1 ? specOf(opts.inputs[0]!.name) : undefined;
  const onlyFile = only && only.kind === 'bytes' ? sourcePath(only.source, opts.sampleImagesDir) : undefined;
  if (onlyFile) return `curl -s -X POST ${shQuote(url)}${curlHeaders(opts)} \\\n  -H 'Inference-Header-Content-Length: 0' \\\n  --data-binary ${shQuote(`@${onlyFile}`)}`;
  const inputs = opts.inputs.map((t) => `{"name":${JSON.stringify(t.name)},"shape":${JSON.stringify(t.shape)},"datatype":${JSON.stringify(t.dtype)},"data":${jsonValues(t)}}`);
  const body = `{${jsonSequenceParameters(opts.sequence, opts.parameters)}"inputs":[${inputs.join(',')}],"outputs":[${opts.outputs.map((o) => `{"name":${JSON.stringify(o)}}`).join(',')}]}`;
  const big = opts.inputs.filter((t) => elementCount(t.shape) > INLINE);
  const note = big.length ? `# ${commentText(big.map((t) => `'${t.name}' (${elementCount(t.shape)} values)`).join(', '))} left empty: too large for a command line; use the Python script\n` : '';
  return `${note}curl -s -X POST ${shQuote(url)}${curlHeaders(opts)} \\\n  -H 'Content-Type: application/json' \\\n  -d ${shQuote(body)}`;
}

function pythonSnippet(opts: SnippetRun, host: string, specOf: (name: string) => InputSpec | undefined): string {
  const vars = variables(opts.inputs);
  const lines = ['import numpy as np', 'import tritonclient.http as httpclient'];
  if (opts.specs.some((s) => s.kind === 'image')) lines.push('from PIL import Image');
  const names = opts.headerNames ?? [];
  if (names.length) lines.unshift('import os');
  lines.push('', `client = httpclient.InferenceServerClient(url=${pyString(host)}${opts.scheme === 'https' ? ', ssl=True' : ''})`, '');
  if (names.length) lines.push(`headers = {${names.map((h) => `${pyString(h)}: os.environ[${pyString(headerEnvName(h))}]`).join(', ')}}`, '');
  opts.inputs.forEach((t, i) => lines.push(...pyInput(specOf(t.name), t, vars[i]!, opts.sampleImagesDir)));
  lines.push('', 'inputs = []');
  opts.inputs.forEach((t, i) => lines.push(`inputs.append(httpclient.InferInput(${pyString(t.name)}, ${vars[i]}.shape, ${pyString(t.dtype)}))`, `inputs[-1].set_data_from_numpy(${vars[i]})`));
  lines.push(`outputs = [${opts.outputs.map((o) => `httpclient.InferRequestedOutput(${pyString(o)})`).join(', ')}]`);
  lines.push(
    `result = client.infer(${pyString(opts.model)}, inputs, model_version=${pyString(String(opts.version))}, outputs=outputs${pySequenceArguments(opts.sequence)}${pyParameters(opts.parameters)}${names.length ? ', headers=headers' : ''})`,
  );
  for (const o of opts.outputs) lines.push(`print(${pyString(o)}, result.as_numpy(${pyString(o)}))`);
  return `${lines.join('\n')}\n`;
}

export function runSnippets(opts: SnippetRun): RunSnippets {
  const host = opts.host ?? '127.0.0.1:8000';
  const url = `${opts.scheme ?? 'http'}://${host}/v2/models/${encodeURIComponent(wellFormed(opts.model))}/versions/${encodeURIComponent(String(opts.version))}/infer`;
  const specOf = (name: string): InputSpec | undefined => opts.specs.find((s) => s.name === name);
  return { curl: curlSnippet(opts, url, specOf), python: pythonSnippet(opts, host, specOf) };
}
