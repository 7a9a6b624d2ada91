/**
 * Collects a model's parts into a GraphSummary. Both parsers feed it (the
 * in-memory one from a decoded ModelProto, the wire scanner field by field in
 * file order), so what they produce cannot drift apart.
 */
import type { NodeProto, OperatorSetIdProto, StringStringEntryProto, TensorProto, ValueInfoProto } from 'onnx-buf';
import type { GraphInitializer, GraphIo, GraphNode, GraphSummary, GraphValueType } from '../../contract/inspect-api';
import { type OnnxModelIO, type OnnxValueInfo, toValueInfo } from '../onnx/model-io';
import { toAttribute } from './attributes';
import { type FileBase, type TensorLocator, type TensorMeta, type TensorSource, initializerEntry, sourceOfDecoded } from './initializers';
import { opDoc } from './op-docs';
import { valueType } from './onnx-types';

export type OnnxSummary = Omit<GraphSummary, 'graphId' | 'repoId' | 'model' | 'version' | 'file'>;

export interface ParsedOnnx {
  summary: OnnxSummary;
  /** Where each entry of `summary.initializers` keeps its values (same order). */
  locators: TensorLocator[];
  /** The graph's inputs and outputs as the config checks read them. */
  io: OnnxModelIO;
}

interface Entry {
  entry: GraphInitializer;
  locator: TensorLocator;
}

function io(v: ValueInfoProto): GraphIo {
  return { name: v.name, ...valueType(v.type), ...(v.docString ? { doc: v.docString } : {}) };
}

function locator(t: TensorMeta, source: TensorSource): TensorLocator {
  return { name: t.name, dataType: t.dataType, dims: t.dims.map(Number), source };
}

export class SummaryBuilder {
  irVersion = 0;
  producer = '';
  producerVersion = '';
  domain = '';
  modelVersion = 0;
  doc = '';
  graphName = '';
  sawGraph = false;
  readonly opsets: { domain: string; version: number }[] = [];
  readonly metadata: { key: string; value: string }[] = [];
  private readonly nodes: GraphNode[] = [];
  private readonly initializers: Entry[] = [];
  /** TENSOR attribute values: appended after the graph's initializers once all are known. */
  private readonly attrTensors: (Entry & { node: number; attr: number })[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly valueTypes: Record<string, GraphValueType> = Object.create(null) as Record<string, GraphValueType>;

  addOpset(o: OperatorSetIdProto): void {
    this.opsets.push({ domain: o.domain, version: Number(o.version) });
  }

  addMetadata(m: StringStringEntryProto): void {
    this.metadata.push({ key: m.key, value: m.value });
  }

  /**
   * `base` locates raw_data of TENSOR attributes (views of the buffer the node
   * was decoded from); `located` gives the sources of tensors the scanner walked.
   */
  addNode(n: NodeProto, base: FileBase, located?: Map<TensorProto, { source: TensorSource; stringBytes: number }>): void {
    const index = this.nodes.length;
    const name = n.name || `${n.opType}_${index}`;
    const node: GraphNode = { name, opType: n.opType, domain: n.domain, inputs: [...n.input], outputs: [...n.output], attributes: [] };
    if (!n.name) node.unnamed = true;
    if (n.docString) node.doc = n.docString;
    for (const a of n.attribute) {
      const attrIndex = node.attributes.length;
      node.attributes.push(
        toAttribute(a, (t: TensorProto) => {
          const { source, stringBytes } = located?.get(t) ?? sourceOfDecoded(t, base);
          // Named after node and attribute (in finish), never after a value: a value name would pass for a graph initializer.
          const named = { ...t, name: '' };
          this.attrTensors.push({ entry: initializerEntry(named, source, stringBytes), locator: locator(named, source), node: index, attr: attrIndex });
          return -1; // fixed in finish()
        }),
      );
    }
    this.nodes.push(node);
  }

  addDecodedInitializer(t: TensorProto, base: FileBase): void {
    const { source, stringBytes } = sourceOfDecoded(t, base);
    this.addInitializer(t, source, stringBytes);
  }

  addInitializer(t: TensorMeta, source: TensorSource, stringBytes = 0): void {
    this.initializers.push({ entry: initializerEntry(t, source, stringBytes), locator: locator(t, source) });
  }

  addInput(v: ValueInfoProto): void {
    this.inputs.push(v);
  }

  addOutput(v: ValueInfoProto): void {
    this.outputs.push(v);
  }

  addValueInfo(v: ValueInfoProto): void {
    this.valueTypes[v.name] = valueType(v.type);
  }

  finish(fileBytes: number, parseMs: number): ParsedOnnx {
    // A made-up name must not pass for a node the model named itself.
    const given = new Set(this.nodes.filter((n) => !n.unnamed).map((n) => n.name));
    for (const n of this.nodes) {
      if (!n.unnamed || !given.has(n.name)) continue;
      const base = n.name;
      for (let k = 2; given.has(n.name); k++) n.name = `${base}#${k}`;
      given.add(n.name);
    }
    const all = [...this.initializers];
    const names = new Set(all.map((e) => e.entry.name));
    for (const t of this.attrTensors) {
      // Named after the node's final name; kept apart from real initializers.
      const node = this.nodes[t.node]!;
      const base = `${node.name}:${node.attributes[t.attr]!.name}`;
      let name = base;
      for (let k = 2; names.has(name); k++) name = `${base}#${k}`;
      names.add(name);
      t.entry.name = name;
      t.locator.name = name;
      node.attributes[t.attr]!.tensor = all.length;
      all.push(t);
    }
    const initNames = new Set(this.initializers.map((e) => e.entry.name));
    const graphInputs = this.inputs.filter((v) => !initNames.has(v.name));
    const opTypes = [...new Map(this.nodes.map((n) => [n.opType, n.domain])).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const tensorInfo = (v: ValueInfoProto): OnnxValueInfo => toValueInfo(v);
    const summary: OnnxSummary = {
      fileBytes,
      format: `ONNX v${this.irVersion}`,
      irVersion: this.irVersion,
      producer: this.producer,
      producerVersion: this.producerVersion,
      domain: this.domain,
      modelVersion: this.modelVersion,
      doc: this.doc,
      graphName: this.graphName,
      opsets: this.opsets,
      metadata: this.metadata,
      inputs: graphInputs.map(io),
      outputs: this.outputs.map(io),
      nodes: this.nodes,
      initializers: all.map((e) => e.entry),
      valueTypes: this.valueTypes,
      ops: opTypes.map(([op, domain]) => opDoc(op, domain)),
      parseMs,
    };
    return {
      summary,
      locators: all.map((e) => e.locator),
      io: {
        irVersion: this.irVersion,
        producer: `${this.producer} ${this.producerVersion}`.trim(),
        opsets: this.opsets,
        inputs: graphInputs.map(tensorInfo),
        overridableInitializers: this.inputs.filter((v) => initNames.has(v.name)).map(tensorInfo),
        outputs: this.outputs.map(tensorInfo),
      },
    };
  }
}
