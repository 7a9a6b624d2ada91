/**
 * One graph of a model, the main one or an If/Loop/Scan body, as both parsers
 * fill it. Bodies hang off the attribute that holds them; the summary builder
 * numbers them, names their initializers apart from other scopes' and works out
 * which values each body reads from outside once everything is known, so the
 * in-memory parser and the wire scanner cannot drift apart.
 */
import type { AttributeProto, GraphProto, NodeProto, TensorProto, ValueInfoProto } from 'onnx-buf';
import type { GraphInitializer, GraphNode, GraphValueType } from '../../contract/inspect-api';
import { bodyAttributeText, toAttribute } from './attributes';
import { type FileBase, type TensorLocator, type TensorMeta, type TensorSource, initializerEntry, sourceOfDecoded } from './initializers';
import { MAX_BODY_DEPTH, tooDeep } from './nesting';
import { valueType } from './onnx-types';

export interface Entry {
  entry: GraphInitializer;
  locator: TensorLocator;
}

/** Where the scanner found each TENSOR attribute's data (tensors it walked instead of decoding). */
export type Located = Map<TensorProto, { source: TensorSource; stringBytes: number }>;

/** A body held by an attribute of one of this graph's nodes. */
export interface HeldBody {
  node: number;
  attr: number;
  /** For GRAPHS attributes: which of them. */
  position?: number;
  scope: GraphScope;
}

export function locator(t: TensorMeta, source: TensorSource): TensorLocator {
  return { name: t.name, dataType: t.dataType, dims: t.dims.map(Number), source };
}

export class GraphScope {
  name = '';
  readonly nodes: GraphNode[] = [];
  readonly initializers: Entry[] = [];
  /** TENSOR attribute values: named and appended after the initializers once node names are final. */
  readonly attrTensors: (Entry & { node: number; attr: number })[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  readonly valueTypes: Record<string, GraphValueType> = Object.create(null) as Record<string, GraphValueType>;
  readonly bodies: HeldBody[] = [];

  /** `depth`: 0 for the main graph, 1 for its bodies, and so on. */
  constructor(readonly depth = 0) {}

  /** An empty body one level down; refused past MAX_BODY_DEPTH (the parsers check first, this keeps the recursion bounded whatever calls it). */
  child(): GraphScope {
    if (this.depth + 1 > MAX_BODY_DEPTH) throw tooDeep();
    return new GraphScope(this.depth + 1);
  }

  /**
   * `base` locates raw_data of TENSOR attributes and of decoded bodies' initializers
   * (views of the buffer the node was decoded from); `located` gives the sources of
   * tensors the scanner walked; `scanned` the bodies it walked instead of decoding.
   */
  addNode(n: NodeProto, base: FileBase, located?: Located, scanned?: Map<AttributeProto, GraphScope[]>): void {
    const index = this.nodes.length;
    const name = n.name || `${n.opType}_${index}`;
    const node: GraphNode = { name, opType: n.opType, domain: n.domain, inputs: [...n.input], outputs: [...n.output], attributes: [] };
    if (!n.name) node.unnamed = true;
    if (n.docString) node.doc = n.docString;
    for (const a of n.attribute) {
      const attrIndex = node.attributes.length;
      const attribute = toAttribute(a, (t: TensorProto) => {
        const { source, stringBytes } = located?.get(t) ?? sourceOfDecoded(t, base);
        // Named after node and attribute (in finish), never after a value: a value name would pass for a graph initializer.
        const named = { ...t, name: '' };
        this.attrTensors.push({ entry: initializerEntry(named, source, stringBytes), locator: locator(named, source), node: index, attr: attrIndex });
        return -1; // fixed in finish()
      });
      // A reference to a function's attribute (`→ name`) holds no body of its own.
      if ((attribute.type === 'GRAPH' || attribute.type === 'GRAPHS') && !a.refAttrName) {
        const bodies = scanned?.get(a) ?? this.decodedBodies(a, base);
        Object.assign(attribute, bodyAttributeText(attribute.type, bodies));
        bodies.forEach((scope, k) => this.bodies.push({ node: index, attr: attrIndex, ...(attribute.type === 'GRAPHS' ? { position: k } : {}), scope }));
      }
      node.attributes.push(attribute);
    }
    this.nodes.push(node);
  }

  private decodedBodies(a: AttributeProto, base: FileBase): GraphScope[] {
    const graphs = a.g ? [a.g, ...a.graphs] : a.graphs;
    return graphs.map((g) => {
      const s = this.child();
      s.addGraph(g, base);
      return s;
    });
  }

  /** A decoded graph (a body, or the main graph of a whole-decoded model). */
  addGraph(g: GraphProto, base: FileBase): void {
    this.name = g.name;
    for (const n of g.node) this.addNode(n, base);
    for (const t of g.initializer) this.addDecodedInitializer(t, base);
    for (const v of g.input) this.inputs.push(v);
    for (const v of g.output) this.outputs.push(v);
    for (const v of g.valueInfo) this.addValueInfo(v);
  }

  addDecodedInitializer(t: TensorProto, base: FileBase): void {
    const { source, stringBytes } = sourceOfDecoded(t, base);
    this.addInitializer(t, source, stringBytes);
  }

  addInitializer(t: TensorMeta, source: TensorSource, stringBytes = 0): void {
    this.initializers.push({ entry: initializerEntry(t, source, stringBytes), locator: locator(t, source) });
  }

  addValueInfo(v: ValueInfoProto): void {
    this.valueTypes[v.name] = valueType(v.type);
  }

  /** Makes up names for unnamed nodes that cannot pass for names the model gives. */
  settleNodeNames(): void {
    const given = new Set(this.nodes.filter((n) => !n.unnamed).map((n) => n.name));
    for (const n of this.nodes) {
      if (!n.unnamed || !given.has(n.name)) continue;
      const base = n.name;
      for (let k = 2; given.has(n.name); k++) n.name = `${base}#${k}`;
      given.add(n.name);
    }
  }

  /** Values the graph's nodes read (omitted optional inputs left out), in first-use order, then its outputs (a branch may pass an outer value straight out). */
  reads(): string[] {
    const out = new Set<string>();
    for (const n of this.nodes) for (const v of n.inputs) if (v) out.add(v);
    for (const v of this.outputs) if (v.name) out.add(v.name);
    return [...out];
  }

  /** Values the graph defines itself: its inputs, initializers and node outputs. */
  defines(): Set<string> {
    const out = new Set<string>();
    for (const v of this.inputs) out.add(v.name);
    for (const e of this.initializers) out.add(e.entry.localName ?? e.entry.name);
    for (const n of this.nodes) for (const v of n.outputs) if (v) out.add(v);
    return out;
  }
}
