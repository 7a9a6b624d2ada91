/**
 * Text for dims and types as the graph view shows them (long symbolic dims
 * shortened per graph so a box or an edge label stays readable, the full
 * name kept for hover and the sidebars), the node counts line, and the
 * TensorInfo the viewers need for an initializer.
 */
import type { GraphDim, GraphInitializer, GraphValueType, TensorDType, TensorInfo } from '@contract/lab-api';

const DTYPES: ReadonlySet<string> = new Set<TensorDType>(['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BF16', 'BYTES']);

/** Symbolic dims up to this long are shown as they are (`batch`, `seq_len`, `unk__612`). */
const KEEP_DIM_NAME = 12;
/** Longer ones made of words stay too (`past_sequence_length`): they read better than any short name. */
const WORDS = /^[A-Za-z]+(?:_[A-Za-z]+)*$/;
const KEEP_WORDS = 24;
/** Names inside a symbolic expression (`p2o.DynamicDimension.1/4`, `N+1`). */
const DIM_NAME = /[A-Za-z_][\w.:]*/g;

export type DimAliases = ReadonlyMap<string, string>;

export function dimText(d: GraphDim, aliases?: DimAliases): string {
  if (d === null) return '?';
  if (typeof d === 'number' || !aliases?.size) return String(d);
  return aliases.get(d) ?? d.replace(DIM_NAME, (name) => aliases.get(name) ?? name);
}

/** `64×3×7×7`; '' for a scalar; '?' when the rank is unknown. With aliases, long symbolic dims come out short (`d0×3×d1×d2`). */
export function dimsText(dims: readonly GraphDim[] | undefined, aliases?: DimAliases): string {
  if (!dims) return '?';
  return dims.map((d) => dimText(d, aliases)).join('×');
}

function symbolNames(d: string): string[] {
  return /[+*/()% ]/.test(d) ? (d.match(DIM_NAME) ?? []) : [d];
}

/**
 * Short, stable names for the long symbolic dims of one graph, in first-seen
 * order: a name ending in a number n becomes `dn` (`p2o.DynamicDimension.0` →
 * `d0`) unless that is taken, any other gets the next free `dk`. A short name
 * never equals a dim name the graph uses as it is. Names of words
 * (`past_sequence_length`) are kept: exporters' machine-made names are the
 * ones that need shortening.
 */
export function dimAliases(types: Iterable<GraphValueType>): Map<string, string> {
  const long: string[] = [];
  const seen = new Set<string>();
  const taken = new Set<string>();
  const read = new Set<string>();
  for (const ty of types) {
    for (const d of ty.dims ?? []) {
      // A big graph repeats the same few dims on every value: each text is read once.
      if (typeof d !== 'string' || read.has(d)) continue;
      read.add(d);
      for (const name of symbolNames(d)) {
        if (seen.has(name)) continue;
        seen.add(name);
        if (name.length > KEEP_DIM_NAME && !(name.length <= KEEP_WORDS && WORDS.test(name))) long.push(name);
        else taken.add(name);
      }
    }
  }
  const out = new Map<string, string>();
  const claim = (name: string, alias: string): void => {
    out.set(name, alias);
    taken.add(alias);
  };
  for (const name of long) {
    const n = /(\d+)$/.exec(name)?.[1];
    if (n !== undefined && n.length <= 6 && !taken.has(`d${Number(n)}`)) claim(name, `d${Number(n)}`);
  }
  let next = 0;
  for (const name of long) {
    if (out.has(name)) continue;
    while (taken.has(`d${next}`)) next++;
    claim(name, `d${next}`);
  }
  return out;
}

/** `d0 = p2o.DynamicDimension.0` for each shortened name among these dims, for a tooltip. */
export function aliasLegend(dims: readonly GraphDim[] | undefined, aliases: DimAliases): string[] {
  const lines: string[] = [];
  for (const d of dims ?? []) {
    if (typeof d !== 'string') continue;
    for (const name of symbolNames(d)) {
      const a = aliases.get(name);
      const line = `${a} = ${name}`;
      if (a && !lines.includes(line)) lines.push(line);
    }
  }
  return lines;
}

/** `FP32[1,3,224,224]` as the sidebars print a type. */
export function typeText(ty: GraphValueType | undefined): string {
  if (!ty) return '?';
  return ty.dims ? `${ty.dtype}[${ty.dims.map((d) => dimText(d)).join(',')}]` : ty.dtype;
}

/** Cuts a label for a box or an edge; the sidebars show it whole. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(1, max - 1))}…` : text;
}

/**
 * Dims in at most `max` characters: the longest dims (symbolic expressions
 * such as `floor(ceil(d1/4)/2)`) give way to `…` first, so the rank and the
 * other dims stay readable; the whole text is for hover.
 */
export function fitDims(dims: readonly GraphDim[], max: number, aliases?: DimAliases): string {
  const parts = dims.map((d) => dimText(d, aliases));
  let len = parts.reduce((n, p) => n + p.length, Math.max(0, parts.length - 1));
  const order = parts.map((_, i) => i).sort((a, b) => parts[b]!.length - parts[a]!.length);
  for (const i of order) {
    if (len <= max || parts[i]!.length <= 2) break;
    len -= parts[i]!.length - 1;
    parts[i] = '…';
  }
  return clip(parts.join('×'), max);
}

/** The short label of an edge: its shape when known (scalars and unknown ranks unlabelled). */
export function edgeLabel(ty: GraphValueType | undefined, aliases?: DimAliases): string {
  if (!ty?.dims?.length) return '';
  return fitDims(ty.dims, 36, aliases);
}

/** The viewer's picture of an initializer, or undefined when its type cannot be paged (strings of unknown dtype, sequences). */
export function initializerInfo(init: GraphInitializer): TensorInfo | undefined {
  if (!DTYPES.has(init.dtype) || !init.dims || init.dims.some((d) => typeof d !== 'number')) return undefined;
  return { name: init.name, dtype: init.dtype as TensorDType, shape: init.dims as number[], elements: init.elements, byteSize: init.bytes, imageLayouts: [] };
}

/**
 * The last part of a value name, for rows in a node box (`model.conv1.weight`
 * → `weight`); a bare number keeps the part before it (`p2o.helper.constant.3`
 * → `constant.3`).
 */
export function shortName(name: string, max = 18): string {
  const parts = name.split(/[/.:]/).filter(Boolean);
  let last = parts[parts.length - 1] ?? name;
  if (/^\d+$/.test(last) && parts.length > 1) last = `${parts[parts.length - 2]}.${last}`;
  return last.length > max ? `${last.slice(0, max - 1)}…` : last;
}
