/** Text for dims and types as the graph view shows them, and the TensorInfo the viewers need for an initializer. */
import type { GraphDim, GraphInitializer, GraphValueType, TensorDType, TensorInfo } from '@contract/lab-api';

const DTYPES: ReadonlySet<string> = new Set<TensorDType>(['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BF16', 'BYTES']);

export function dimText(d: GraphDim): string {
  return d === null ? '?' : String(d);
}

/** `64×3×7×7`; '' for a scalar; '?' when the rank is unknown. */
export function dimsText(dims: readonly GraphDim[] | undefined): string {
  if (!dims) return '?';
  return dims.map(dimText).join('×');
}

/** `FP32[1,3,224,224]` as the sidebars print a type. */
export function typeText(t: GraphValueType | undefined): string {
  if (!t) return '?';
  return t.dims ? `${t.dtype}[${t.dims.map(dimText).join(',')}]` : t.dtype;
}

/** Cuts a label for a box or an edge; the sidebars show it whole. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(1, max - 1))}…` : text;
}

/** The short label of an edge: its shape when known (scalars and unknown ranks unlabelled). */
export function edgeLabel(t: GraphValueType | undefined): string {
  if (!t?.dims?.length) return '';
  return clip(dimsText(t.dims), 32);
}

/** The viewer's picture of an initializer, or undefined when its type cannot be paged (strings of unknown dtype, sequences). */
export function initializerInfo(t: GraphInitializer): TensorInfo | undefined {
  if (!DTYPES.has(t.dtype) || !t.dims || t.dims.some((d) => typeof d !== 'number')) return undefined;
  return { name: t.name, dtype: t.dtype as TensorDType, shape: t.dims as number[], elements: t.elements, byteSize: t.bytes, imageLayouts: [] };
}

/** The last part of a value name, for rows in a node box (`model.conv1.weight` → `weight`). */
export function shortName(name: string, max = 18): string {
  const parts = name.split(/[/.:]/).filter(Boolean);
  const last = parts[parts.length - 1] ?? name;
  return last.length > max ? `${last.slice(0, max - 1)}…` : last;
}
