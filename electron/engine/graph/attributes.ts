/** Node attributes as short display text; tensors become viewable entries, subgraphs a node count (their bodies are parsed by graph-scope). */
import type { AttributeProto, TensorProto } from 'onnx-buf';
import type { GraphAttribute } from '../../contract/inspect-api';
import { tensorPage } from '../runs/tensor-access';
import { describeType, elementsOf, onnxDTypeName, valueType } from './onnx-types';
import { tensorFromProto } from './tensor-values';

const TYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED',
  1: 'FLOAT',
  2: 'INT',
  3: 'STRING',
  4: 'TENSOR',
  5: 'GRAPH',
  6: 'FLOATS',
  7: 'INTS',
  8: 'STRINGS',
  9: 'TENSORS',
  10: 'GRAPHS',
  11: 'SPARSE_TENSOR',
  12: 'SPARSE_TENSORS',
  13: 'TYPE_PROTO',
  14: 'TYPE_PROTOS',
};

/** Items a list shows before it is cut. */
const LIST_ITEMS = 16;
const MAX_TEXT = 160;
/** Tensors this small show their values inline (Constant's scalars, Reshape targets). */
const INLINE_VALUES = 8;

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function formatFloat(f: number): string {
  if (!Number.isFinite(f)) return String(f);
  // Float32 values read back as doubles; six digits hide the noise (0.1, not 0.10000000149).
  return String(Number(f.toPrecision(6)));
}

function cut(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

function list(items: string[]): string {
  const shown = items.slice(0, LIST_ITEMS).join(', ');
  return cut(items.length > LIST_ITEMS ? `[${shown}, … (${items.length} in all)]` : `[${shown}]`);
}

/** Old exporters leave `type` unset; which field holds a value then says what it is. */
function inferredType(a: AttributeProto): number {
  if (a.type) return a.type;
  if (a.g) return 5;
  if (a.t) return 4;
  if (a.graphs.length) return 10;
  if (a.tensors.length) return 9;
  if (a.floats.length) return 6;
  if (a.ints.length) return 7;
  if (a.strings.length) return 8;
  if (a.s.byteLength) return 3;
  if (a.f) return 1;
  return 2;
}

function tensorText(t: TensorProto): string {
  const dims = t.dims.map(Number);
  const head = `${onnxDTypeName(t.dataType)} [${dims.join(', ')}]`;
  if (elementsOf(dims) > INLINE_VALUES || t.dataLocation === 1) return head;
  try {
    const v = tensorFromProto({ name: t.name, dataType: t.dataType, dims }, t);
    const float = v.dtype.startsWith('FP') || v.dtype === 'BF16';
    const values = tensorPage(v, 0, INLINE_VALUES).values.map((x) => (typeof x === 'number' && float ? formatFloat(x) : v.dtype === 'BYTES' ? JSON.stringify(x) : String(x)));
    return cut(`${head} = ${dims.length === 0 ? values[0] : `[${values.join(', ')}]`}`);
  } catch {
    return head;
  }
}

/** A GRAPH or GRAPHS attribute's text and node count, from the bodies as parsed (the scanner leaves big ones undecoded in the attribute). */
export function bodyAttributeText(type: 'GRAPH' | 'GRAPHS', bodies: readonly { name: string; nodes: readonly unknown[] }[]): Pick<GraphAttribute, 'value' | 'subgraphNodes'> {
  const nodes = bodies.reduce((n, b) => n + b.nodes.length, 0);
  if (type === 'GRAPHS') return { subgraphNodes: nodes, value: `${bodies.length} graphs, ${nodes} nodes` };
  const name = bodies[0]?.name;
  return { subgraphNodes: nodes, value: `${name ? `'${name}', ` : ''}${nodes} nodes` };
}

/**
 * `onTensor` registers a TENSOR attribute's value as a viewable entry and
 * returns its index (or undefined when it cannot be located).
 */
export function toAttribute(a: AttributeProto, onTensor: (t: TensorProto) => number | undefined): GraphAttribute {
  const type = inferredType(a);
  const out: GraphAttribute = { name: a.name, type: TYPE_NAMES[type] ?? `TYPE_${type}`, value: '' };
  if (a.refAttrName) {
    out.value = `→ ${a.refAttrName}`;
    return out;
  }
  switch (type) {
    case 1:
      out.value = formatFloat(a.f);
      break;
    case 2:
      out.value = a.i.toString();
      break;
    case 3:
      out.value = cut(utf8.decode(a.s));
      break;
    case 4:
      if (a.t) {
        out.value = tensorText(a.t);
        const index = onTensor(a.t);
        if (index !== undefined) out.tensor = index;
      }
      break;
    case 5:
      out.subgraphNodes = a.g?.node.length ?? 0;
      out.value = `${a.g?.name ? `'${a.g.name}', ` : ''}${out.subgraphNodes} nodes`;
      break;
    case 6:
      out.value = list(a.floats.map(formatFloat));
      break;
    case 7:
      out.value = list(a.ints.map(String));
      break;
    case 8:
      out.value = list(a.strings.map((s) => JSON.stringify(utf8.decode(s))));
      break;
    case 9:
      out.value = `${a.tensors.length} tensors`;
      break;
    case 10:
      out.subgraphNodes = a.graphs.reduce((n, g) => n + g.node.length, 0);
      out.value = `${a.graphs.length} graphs, ${out.subgraphNodes} nodes`;
      break;
    case 11:
      out.value = a.sparseTensor?.values ? `sparse ${onnxDTypeName(a.sparseTensor.values.dataType)} [${a.sparseTensor.dims.map(String).join(', ')}]` : 'sparse tensor';
      break;
    case 12:
      out.value = `${a.sparseTensors.length} sparse tensors`;
      break;
    case 13:
      out.value = describeType(valueType(a.tp));
      break;
    case 14:
      out.value = list(a.typeProtos.map((t) => describeType(valueType(t))));
      break;
  }
  return out;
}
