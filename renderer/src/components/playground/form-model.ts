/**
 * The playground form as data: which editor each model input gets (from its
 * data type, dims and name), sensible defaults, validation in place, and the
 * `InputSpec` a valid editor turns into. No Vue here, so it is tested alone.
 */
import type { ImageSource, InputSpec, IoRow, TensorDType } from '@contract/lab-api';
import type { PlaygroundKey } from '../../i18n/playground.en';
import type { runsEn } from '../../i18n/runs.en';

export type EditorKind = 'bytes' | 'image' | 'text' | 'values';
export type SourceMode = 'sample' | 'file' | 'path';
export type Fill = 'zeros' | 'ones' | 'random' | 'range';
export type NormPreset = 'none' | 'imagenet' | 'paddle' | 'custom';

export interface SourceForm {
  mode: SourceMode;
  sample: string;
  path: string;
  /** A file the user picked or dropped, read in the renderer. */
  file?: { name: string; size: number; base64: string };
}

export interface ImageForm {
  layout: 'HWC' | 'CHW';
  channels: 1 | 3;
  order: 'RGB' | 'BGR';
  resize: boolean;
  /** The model fixes height and/or width: resizing is not optional. */
  resizeRequired: boolean;
  width: string;
  height: string;
  /** "1/255", "0.5", or empty for none. */
  scale: string;
  preset: NormPreset;
  mean: string[];
  std: string[];
  /** 4-D dims on a model that does not batch: the leading 1 the image needs. */
  leadingOne: boolean;
}

export interface InputForm {
  name: string;
  dtype: TensorDType;
  /** The config's dims, without the batch dimension. */
  dims: number[];
  /** max_batch_size > 0: the request carries a leading batch dimension (1 here). */
  batching: boolean;
  optional: boolean;
  /** Optional inputs can be left out of the request. */
  include: boolean;
  editor: EditorKind;
  /** The editors this input can switch between, the default first. */
  editors: EditorKind[];
  /** values/generate: one size per dim (fixed dims prefilled and locked). */
  sizes: string[];
  valuesMode: 'values' | 'generate';
  valuesText: string;
  fill: Fill;
  /** BOOL with a small shape: one toggle per element. */
  flags: boolean[];
  text: string;
  source: SourceForm;
  image: ImageForm;
}

export interface Issue {
  key: PlaygroundKey | keyof typeof runsEn;
  params?: Record<string, string | number>;
}

/** BOOL shapes up to this many elements get toggles instead of a text box. */
export const MAX_TOGGLES = 32;
/** Files larger than this are refused before they are read. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

export const PRESETS: Record<Exclude<NormPreset, 'custom'>, { scale?: string; mean?: number[]; std?: number[] }> = {
  none: {},
  imagenet: { scale: '1/255', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  paddle: { scale: '1/255', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
};

const DTYPES: readonly TensorDType[] = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BF16', 'BYTES'];
const INT_RANGES: Partial<Record<TensorDType, [number, number]>> = {
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};
const IMAGE_NAME = /image|img|picture|photo|jpe?g|png|encoded|file|bytes/i;

export function toDType(datatype: string): TensorDType {
  const d = datatype.toUpperCase().replace(/^TYPE_/, '');
  if (d === 'STRING') return 'BYTES';
  return (DTYPES as readonly string[]).includes(d) ? (d as TensorDType) : 'FP32';
}

export function isInteger(dtype: TensorDType): boolean {
  return dtype in INT_RANGES;
}

function isFloat(dtype: TensorDType): boolean {
  return dtype === 'FP16' || dtype === 'FP32' || dtype === 'FP64' || dtype === 'BF16';
}

/** The three image dims of an input, when it looks like one image: [C,H,W] / [H,W,C], or a 4-D non-batching [1|-1, ...]. */
export function imageDims(dims: number[], batching: boolean): { dims: number[]; leadingOne: boolean } | undefined {
  if (dims.length === 3) return { dims, leadingOne: false };
  if (dims.length === 4 && !batching && (dims[0] === -1 || dims[0] === 1)) return { dims: dims.slice(1), leadingOne: true };
  return undefined;
}

/** CHW when the first image dim is a channel count (1 or 3), HWC when the last one is, else HWC. */
export function guessLayout(img: number[]): { layout: 'HWC' | 'CHW'; channels: 1 | 3; channelFixed: boolean } {
  const first = img[0] ?? -1;
  const last = img[2] ?? -1;
  if (first === 3 || first === 1) return { layout: 'CHW', channels: first, channelFixed: true };
  if (last === 3 || last === 1) return { layout: 'HWC', channels: last, channelFixed: true };
  return { layout: 'HWC', channels: 3, channelFixed: false };
}

function fixedHW(img: number[], layout: 'HWC' | 'CHW'): { h: number; w: number } {
  return layout === 'CHW' ? { h: img[1] ?? -1, w: img[2] ?? -1 } : { h: img[0] ?? -1, w: img[1] ?? -1 };
}

function defaultSizes(dims: number[]): string[] {
  return dims.map((d) => (d >= 0 ? String(d) : dims.length === 1 ? '4' : '2'));
}

function defaultValues(dtype: TensorDType, count: number): string {
  const n = Math.min(count, 16);
  const vals = Array.from({ length: n }, (_, i) => (dtype === 'INT8' || dtype.startsWith('INT') ? (i % 2 ? -i : i) : i));
  return vals.join(', ');
}

function product(ns: number[]): number {
  return ns.reduce((a, b) => a * b, 1);
}

function emptyImage(): ImageForm {
  return {
    layout: 'HWC',
    channels: 3,
    order: 'RGB',
    resize: false,
    resizeRequired: false,
    width: '',
    height: '',
    scale: '',
    preset: 'none',
    mean: ['0', '0', '0'],
    std: ['1', '1', '1'],
    leadingOne: false,
  };
}

/** The form for one model input, with the editor its type, shape and name suggest. */
export function createInputForm(row: IoRow, maxBatchSize: number, sample = ''): InputForm {
  const dtype = toDType(row.datatype);
  const batching = maxBatchSize > 0;
  const dims = row.dims.slice();
  const form: InputForm = {
    name: row.name,
    dtype,
    dims,
    batching,
    optional: !!row.optional,
    include: !row.optional,
    editor: 'values',
    editors: ['values'],
    sizes: defaultSizes(dims),
    valuesMode: 'values',
    valuesText: '',
    fill: 'random',
    flags: [],
    text: '',
    source: { mode: 'sample', sample, path: '' },
    image: emptyImage(),
  };
  const count = shapeOf(form) ? product(shapeOf(form) ?? []) : 0;
  form.valuesMode = count > 16 || dims.length > 1 ? 'generate' : 'values';
  form.fill = isFloat(dtype) ? 'random' : 'range';
  form.valuesText = defaultValues(dtype, count);
  form.flags = Array.from({ length: Math.min(count, MAX_TOGGLES) }, (_, i) => i % 2 === 0);

  const img = imageDims(dims, batching);
  if (dtype === 'BYTES') {
    form.editors = ['text', 'bytes'];
    form.text = 'Hello from Model Lab';
  } else if (dtype === 'UINT8' && dims.length === 1 && dims[0] === -1) {
    // An encoded file (PNG, JPEG, ...) as bytes, like the OCR ensemble's input_image — or just an array.
    form.editors = IMAGE_NAME.test(row.name) ? ['bytes', 'values'] : ['values', 'bytes'];
  } else if ((dtype === 'FP32' || dtype === 'UINT8') && img) {
    const g = guessLayout(img.dims);
    const { h, w } = fixedHW(img.dims, g.layout);
    form.image = {
      ...emptyImage(),
      layout: g.layout,
      channels: g.channels,
      leadingOne: img.leadingOne,
      resizeRequired: h > 0 || w > 0,
      resize: h > 0 || w > 0,
      width: w > 0 ? String(w) : '',
      height: h > 0 ? String(h) : '',
      scale: dtype === 'FP32' ? '1/255' : '',
    };
    form.editors = g.channelFixed || IMAGE_NAME.test(row.name) ? ['image', 'values'] : ['values', 'image'];
  }
  form.editor = form.editors[0] ?? 'values';
  return form;
}

export function createForms(inputs: IoRow[], maxBatchSize: number, sample = ''): InputForm[] {
  return inputs.map((r) => createInputForm(r, maxBatchSize, sample));
}

/** What the forms were built from: a changed config rebuilds them. */
export function formSignature(inputs: IoRow[], maxBatchSize: number): string {
  return JSON.stringify([maxBatchSize, inputs.map((r) => [r.name, r.datatype, r.dims, !!r.optional])]);
}

/** The sizes of a values editor as numbers, or undefined while one is missing or not a whole number. */
export function shapeOf(form: InputForm): number[] | undefined {
  const out: number[] = [];
  for (const s of form.sizes) {
    const n = Number(s.trim());
    if (s.trim() === '' || !Number.isInteger(n) || n < 0) return undefined;
    out.push(n);
  }
  return out;
}

/** The shape the request carries: a leading 1 when the model batches. */
export function requestShape(form: InputForm, sizes: number[]): number[] {
  return form.batching ? [1, ...sizes] : sizes;
}

function shapeIssues(form: InputForm): Issue[] {
  const issues: Issue[] = [];
  form.sizes.forEach((s, i) => {
    const v = s.trim();
    if (v === '') issues.push({ key: 'play.err.sizeMissing', params: { i: i + 1 } });
    else if (!Number.isInteger(Number(v)) || Number(v) < 0) issues.push({ key: 'play.err.sizeInvalid', params: { i: i + 1, v } });
    else if ((form.dims[i] ?? -1) >= 0 && Number(v) !== form.dims[i]) issues.push({ key: 'play.err.sizeFixed', params: { i: i + 1, n: form.dims[i] ?? 0 } });
  });
  return issues;
}

/** A number as typed: "0.5", "-3", "1e-3" or a fraction "1/255". */
export function parseNumber(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  const frac = /^([-+]?[0-9.]+(?:e[-+]?\d+)?)\s*\/\s*([-+]?[0-9.]+(?:e[-+]?\d+)?)$/i.exec(s);
  const n = frac ? Number(frac[1]) / Number(frac[2]) : Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function flatten(v: unknown, out: unknown[]): void {
  if (Array.isArray(v)) for (const x of v) flatten(x, out);
  else out.push(v);
}

/** Bad values reported one by one before the rest are counted: a pasted list with hundreds of them stays readable. */
export const MAX_VALUE_ISSUES = 20;

/** One typed value checked against the dtype: what it becomes, or why it cannot. */
function parseOne(item: unknown, i: number, dtype: TensorDType): { value: unknown } | { issue: Issue } {
  const shown = String(item);
  if (dtype === 'BOOL') {
    const b = item === true || item === 1 || shown === 'true' || shown === '1' ? true : item === false || item === 0 || shown === 'false' || shown === '0' ? false : undefined;
    return b === undefined ? { issue: { key: 'play.err.notBool', params: { i, v: shown } } } : { value: b };
  }
  const n =
    typeof item === 'number' ? item : typeof item === 'string' && /^[-+]?(\d|\.\d|inf|nan)/i.test(item.trim()) ? Number(item.trim().replace(/^([-+]?)inf(inity)?$/i, '$1Infinity')) : Number.NaN;
  const isNaNText = typeof item === 'string' && /^nan$/i.test(item.trim());
  if (Number.isNaN(n) && !isNaNText) return { issue: { key: 'play.err.notNumber', params: { i, v: shown } } };
  const range = INT_RANGES[dtype];
  if (range) {
    const big = dtype === 'INT64' || dtype === 'UINT64';
    if (!Number.isInteger(n)) {
      // Whole numbers beyond 2^53 travel as strings so they stay exact.
      if (big && typeof item === 'string' && /^[-+]?\d+$/.test(item.trim())) return { value: item.trim() };
      return { issue: { key: 'play.err.notInteger', params: { i, v: shown, dtype } } };
    }
    if (n < range[0] || n > range[1]) {
      if (big && typeof item === 'string' && !(dtype === 'UINT64' && n < 0)) return { value: item.trim() };
      return { issue: { key: 'play.err.range', params: { i, v: shown, dtype, min: range[0], max: range[1] } } };
    }
  }
  return { value: isNaNText ? 'NaN' : Number.isFinite(n) ? n : n > 0 ? 'Infinity' : '-Infinity' };
}

/**
 * Values as typed: a JSON array (flat or nested) or a list separated by commas, spaces or lines.
 * Every bad value is reported (`issues`: the first MAX_VALUE_ISSUES, then how many more), so a
 * pasted list is fixed in one pass; `issue` is the first of them.
 */
export function parseValues(text: string, dtype: TensorDType): { values?: unknown[]; issue?: Issue; issues?: Issue[] } {
  const s = text.trim();
  let raw: unknown[];
  if (s.startsWith('[')) {
    try {
      raw = [];
      flatten(JSON.parse(s) as unknown, raw);
    } catch (err) {
      const issue: Issue = { key: 'play.err.json', params: { msg: err instanceof Error ? err.message : String(err) } };
      return { issue, issues: [issue] };
    }
  } else {
    raw = s === '' ? [] : s.split(/[\s,;]+/).filter((x) => x !== '');
  }
  const values: unknown[] = [];
  const issues: Issue[] = [];
  let bad = 0;
  raw.forEach((item, i) => {
    const r = parseOne(item, i + 1, dtype);
    if ('value' in r) values.push(r.value);
    else if (++bad <= MAX_VALUE_ISSUES) issues.push(r.issue);
  });
  if (bad > MAX_VALUE_ISSUES) issues.push({ key: 'runs.values.more', params: { n: bad - MAX_VALUE_ISSUES } });
  return issues.length ? { issue: issues[0]!, issues } : { values };
}

/** Lines of a text editor and the shape they make: the last free dim takes the lines (or the batch, when every dim is fixed). */
export function textShape(form: InputForm, lines: number): { shape?: number[]; issue?: Issue } {
  const fixed = product(form.dims.filter((d) => d >= 0));
  const free = form.dims.map((d, i) => (d < 0 ? i : -1)).filter((i) => i >= 0);
  if (fixed === 0)
    return {
      shape: requestShape(
        form,
        form.dims.map((d) => Math.max(d, 0)),
      ),
    };
  if (free.length === 0) {
    if (form.batching && lines % fixed === 0 && lines > 0) return { shape: [lines / fixed, ...form.dims] };
    if (!form.batching && lines === fixed) return { shape: form.dims.slice() };
    return { issue: { key: 'play.err.lines', params: { n: lines, m: fixed } } };
  }
  if (lines % fixed !== 0) return { issue: { key: 'play.err.linesMultiple', params: { n: lines, m: fixed } } };
  const sizes = form.dims.map((d) => (d < 0 ? 1 : d));
  sizes[free[free.length - 1] ?? 0] = lines / fixed;
  return { shape: requestShape(form, sizes) };
}

export function textLines(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split('\n');
}

function sourceOf(src: SourceForm): { source?: ImageSource; issue?: Issue } {
  if (src.mode === 'sample') return src.sample ? { source: { sample: src.sample } } : { issue: { key: 'play.err.noSample' } };
  if (src.mode === 'file') return src.file ? { source: { base64: src.file.base64, fileName: src.file.name } } : { issue: { key: 'play.err.noFile' } };
  return src.path.trim() ? { source: { path: src.path.trim() } } : { issue: { key: 'play.err.noPath' } };
}

export function applyPreset(img: ImageForm, preset: NormPreset): void {
  img.preset = preset;
  if (preset === 'custom') return;
  const p = PRESETS[preset];
  const n = img.channels;
  if (p.scale !== undefined) img.scale = p.scale;
  img.mean = Array.from({ length: n }, (_, i) => String(p.mean?.[i] ?? 0));
  img.std = Array.from({ length: n }, (_, i) => String(p.std?.[i] ?? 1));
}

/** Keeps mean/std one per channel after the channel count changes. */
export function setChannels(img: ImageForm, channels: 1 | 3): void {
  img.channels = channels;
  if (img.preset !== 'custom') applyPreset(img, img.preset);
  else {
    img.mean = Array.from({ length: channels }, (_, i) => img.mean[i] ?? img.mean[0] ?? '0');
    img.std = Array.from({ length: channels }, (_, i) => img.std[i] ?? img.std[0] ?? '1');
  }
}

function imageSpec(form: InputForm): { spec?: InputSpec; issues: Issue[] } {
  const issues: Issue[] = [];
  const img = form.image;
  const { source, issue } = sourceOf(form.source);
  if (issue) issues.push(issue);
  let resize: { width: number; height: number } | undefined;
  if (img.resize || img.resizeRequired) {
    const w = Number(img.width.trim());
    const h = Number(img.height.trim());
    if (img.width.trim() === '' || img.height.trim() === '') issues.push({ key: img.resizeRequired ? 'play.err.resizeRequired' : 'play.err.resizeMissing' });
    else if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) issues.push({ key: 'play.err.resizeInvalid' });
    else resize = { width: w, height: h };
  }
  let scale: number | undefined;
  if (img.scale.trim() !== '') {
    scale = parseNumber(img.scale);
    if (scale === undefined) issues.push({ key: 'play.err.scale', params: { v: img.scale } });
  }
  let mean: number[] | undefined;
  let std: number[] | undefined;
  const normalizes = form.dtype === 'FP32' && img.preset !== 'none';
  if (normalizes) {
    mean = img.mean.slice(0, img.channels).map((m) => parseNumber(m) ?? Number.NaN);
    std = img.std.slice(0, img.channels).map((m) => parseNumber(m) ?? Number.NaN);
    if (mean.length !== img.channels || mean.some((m) => Number.isNaN(m))) issues.push({ key: 'play.err.mean', params: { n: img.channels } });
    if (std.length !== img.channels || std.some((m) => Number.isNaN(m) || m === 0)) issues.push({ key: 'play.err.std', params: { n: img.channels } });
  }
  if (issues.length || !source) return { issues };
  const spec: InputSpec = {
    name: form.name,
    kind: 'image',
    source,
    dtype: form.dtype === 'UINT8' ? 'UINT8' : 'FP32',
    layout: img.layout,
    channels: img.channels,
    ...(img.channels === 3 ? { order: img.order } : {}),
    ...(resize ? { resize } : {}),
    ...(scale !== undefined && form.dtype === 'FP32' ? { scale } : {}),
    ...(mean && std ? { mean, std } : {}),
  };
  return { spec, issues };
}

function valuesSpec(form: InputForm): { spec?: InputSpec; issues: Issue[] } {
  const issues = shapeIssues(form);
  const sizes = shapeOf(form);
  if (!sizes || issues.length) return { issues };
  const shape = requestShape(form, sizes);
  const count = product(shape);
  if (form.valuesMode === 'generate') return { spec: { name: form.name, kind: 'generate', dtype: form.dtype, shape, fill: form.fill }, issues };
  let values: unknown[];
  if (form.dtype === 'BOOL' && count <= MAX_TOGGLES) {
    values = Array.from({ length: count }, (_, i) => !!form.flags[i]);
  } else {
    const parsed = parseValues(form.valuesText, form.dtype);
    if (parsed.issues) return { issues: parsed.issues };
    values = parsed.values ?? [];
  }
  if (values.length !== count) return { issues: [{ key: 'play.err.count', params: { n: values.length, shape: `[${shape.join(', ')}]`, m: count } }] };
  return { spec: { name: form.name, kind: 'values', dtype: form.dtype, shape, values }, issues };
}

/** Validates one input's editor and builds its spec; `spec` is set only when there are no issues. */
export function buildSpec(form: InputForm): { spec?: InputSpec; issues: Issue[] } {
  switch (form.editor) {
    case 'bytes': {
      const { source, issue } = sourceOf(form.source);
      if (issue || !source) return { issues: issue ? [issue] : [] };
      return { spec: { name: form.name, kind: 'bytes', source, dtype: form.dtype === 'BYTES' ? 'BYTES' : 'UINT8' }, issues: [] };
    }
    case 'text': {
      const lines = textLines(form.text);
      const { shape, issue } = textShape(form, lines.length);
      if (issue || !shape) return { issues: issue ? [issue] : [] };
      return { spec: { name: form.name, kind: 'text', lines, shape }, issues: [] };
    }
    case 'image':
      return imageSpec(form);
    default:
      return valuesSpec(form);
  }
}

/** Every included input's spec, or the issues per input name. */
export function buildRequestInputs(forms: InputForm[]): { inputs: InputSpec[]; issues: Record<string, Issue[]> } {
  const inputs: InputSpec[] = [];
  const issues: Record<string, Issue[]> = {};
  for (const f of forms) {
    if (!f.include) continue;
    const r = buildSpec(f);
    if (r.issues.length) issues[f.name] = r.issues;
    else if (r.spec) inputs.push(r.spec);
  }
  return { inputs, issues };
}

/** Resizes the toggles of a BOOL editor to its shape, keeping what was set. */
export function syncFlags(form: InputForm): void {
  const sizes = shapeOf(form);
  if (!sizes) return;
  const count = product(requestShape(form, sizes));
  if (count > MAX_TOGGLES || count === form.flags.length) return;
  form.flags = Array.from({ length: count }, (_, i) => form.flags[i] ?? false);
}

/** Element count of a values editor's request shape, when its sizes are complete. */
export function elementCount(form: InputForm): number | undefined {
  const sizes = shapeOf(form);
  return sizes ? product(requestShape(form, sizes)) : undefined;
}

/** Base64 of bytes, in chunks so large files do not overflow the argument list. */
export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(bin);
}

export function newRunId(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c?.randomUUID) return `run-${c.randomUUID()}`;
  return `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
