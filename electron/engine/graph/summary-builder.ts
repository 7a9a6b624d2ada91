/**
 * Collects a model's parts into a GraphSummary. Both parsers feed it (the
 * in-memory one from a decoded ModelProto, the wire scanner field by field in
 * file order), so what they produce cannot drift apart.
 *
 * If/Loop/Scan bodies (nested ones too) become GraphSummary.subgraphs, numbered
 * in pre-order (a body before the bodies inside it). Their initializers join the
 * one initializer list after the main graph's entries, named by the path to them
 * (`If_3/then_branch/w`, `If_3/then_branch/Loop_1/body/w`) because names repeat
 * across scopes; `localName` keeps the name the body's nodes use, and
 * GraphBody.initializers lists the body's own entries. The renderer's subgraph
 * view maps the body's references to those entries.
 */
import type { OperatorSetIdProto, StringStringEntryProto, ValueInfoProto } from 'onnx-buf';
import type { GraphBody, GraphIo, GraphNode, GraphSummary } from '../../contract/inspect-api';
import { type OnnxModelIO, type OnnxValueInfo, toValueInfo } from '../onnx/model-io';
import { type Entry, GraphScope } from './graph-scope';
import type { TensorLocator } from './initializers';
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

function io(v: ValueInfoProto): GraphIo {
  return { name: v.name, ...valueType(v.type), ...(v.docString ? { doc: v.docString } : {}) };
}

/** A scope with its place in the tree, in pre-order. */
interface Placed {
  scope: GraphScope;
  /** -1 for the main graph. */
  id: number;
  parent: number;
  /** Initializer names start with this (`''` in the main graph). */
  prefix: string;
  held?: GraphScope['bodies'][number];
}

/** Every scope in pre-order, walked with a stack of its own (depth is bounded anyway). */
function placeScopes(main: GraphScope): Placed[] {
  const out: Placed[] = [];
  const stack: Placed[] = [{ scope: main, id: -1, parent: -1, prefix: '' }];
  while (stack.length) {
    const p = stack.pop()!;
    if (out.length) p.id = out.length - 1;
    out.push(p);
    // Names the bodies' entries after their owner, so node names are settled first.
    p.scope.settleNodeNames();
    const children = p.scope.bodies.map((held): Placed => {
      const owner = p.scope.nodes[held.node]!;
      const where = `${owner.name}/${owner.attributes[held.attr]!.name}${held.position !== undefined ? `[${held.position}]` : ''}`;
      return { scope: held.scope, id: 0, parent: p.id, prefix: `${p.prefix}${where}/`, held };
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return out;
}

/** Values each body reads from enclosing graphs (its nested bodies' reads included), by body id. */
function outerReads(placed: Placed[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  /** What the bodies inside each body read from outside them. */
  const fromInner = new Map<number, string[]>();
  // Reverse pre-order visits every body after the bodies inside it.
  for (let i = placed.length - 1; i >= 1; i--) {
    const p = placed[i]!;
    const defined = p.scope.defines();
    const reads = new Set(p.scope.reads());
    for (const v of fromInner.get(p.id) ?? []) reads.add(v);
    const outer = [...reads].filter((v) => !defined.has(v));
    out.set(p.id, outer);
    if (p.parent < 0) continue;
    const acc = fromInner.get(p.parent);
    if (acc) for (const v of outer) acc.push(v);
    else fromInner.set(p.parent, [...outer]);
  }
  return out;
}

/** Appends a scope's initializers and TENSOR attribute values to `all`, names unique across scopes; returns the indices of its initializers. */
function collectEntries(p: Placed, all: Entry[], names: Set<string>): number[] {
  const unique = (base: string): string => {
    let name = base;
    for (let k = 2; names.has(name); k++) name = `${base}#${k}`;
    names.add(name);
    return name;
  };
  const own: number[] = [];
  for (const e of p.scope.initializers) {
    if (p.prefix) {
      e.entry.localName = e.entry.name;
      e.entry.name = unique(`${p.prefix}${e.entry.name}`);
      e.locator.name = e.entry.name;
    } else names.add(e.entry.name);
    own.push(all.length);
    all.push(e);
  }
  return own;
}

function collectAttrTensors(p: Placed, all: Entry[], names: Set<string>): void {
  for (const t of p.scope.attrTensors) {
    // Named after the node's final name; kept apart from real initializers.
    const node = p.scope.nodes[t.node]!;
    const base = `${p.prefix}${node.name}:${node.attributes[t.attr]!.name}`;
    let name = base;
    for (let k = 2; names.has(name); k++) name = `${base}#${k}`;
    names.add(name);
    t.entry.name = name;
    t.locator.name = name;
    node.attributes[t.attr]!.tensor = all.length;
    all.push(t);
  }
}

/** What a node's bodies read from outside them, once each, in first-use order. */
function addImplicit(owner: GraphNode, reads: string[]): void {
  if (!reads.length) return;
  const all = new Set([...(owner.implicitInputs ?? []), ...reads]);
  owner.implicitInputs = [...all];
}

function graphInputs(scope: GraphScope): ValueInfoProto[] {
  const initNames = new Set(scope.initializers.map((e) => e.entry.localName ?? e.entry.name));
  return scope.inputs.filter((v) => !initNames.has(v.name));
}

/** Bodies, initializer entries (main graph's first, as before bodies existed) and the links from attributes to bodies. */
function assemble(main: GraphScope): { bodies: GraphBody[]; entries: Entry[] } {
  const placed = placeScopes(main);
  const outer = outerReads(placed);
  const entries: Entry[] = [];
  const names = new Set<string>();
  const own = new Map<number, number[]>();
  // The main graph's initializers keep their names, so they are taken first.
  own.set(-1, collectEntries(placed[0]!, entries, names));
  collectAttrTensors(placed[0]!, entries, names);
  const bodies: GraphBody[] = [];
  for (const p of placed.slice(1)) {
    const inputs = graphInputs(p.scope).map(io);
    own.set(p.id, collectEntries(p, entries, names));
    collectAttrTensors(p, entries, names);
    const held = p.held!;
    const owner = (p.parent < 0 ? placed[0]! : placed[p.parent + 1]!).scope.nodes[held.node]!;
    const attribute = owner.attributes[held.attr]!;
    (attribute.subgraphs ??= []).push(p.id);
    addImplicit(owner, outer.get(p.id) ?? []);
    bodies.push({
      id: p.id,
      parent: p.parent,
      node: held.node,
      attribute: attribute.name,
      ...(held.position !== undefined ? { position: held.position } : {}),
      name: p.scope.name,
      inputs,
      outputs: p.scope.outputs.map(io),
      nodes: p.scope.nodes,
      initializers: own.get(p.id)!,
      valueTypes: p.scope.valueTypes,
      outerInputs: outer.get(p.id) ?? [],
    });
  }
  return { bodies, entries };
}

/** Op types of every graph, bodies included, sorted by name. */
function usedOps(main: GraphScope): [string, string][] {
  const all = new Map<string, string>();
  const stack = [main];
  while (stack.length) {
    const s = stack.pop()!;
    for (const n of s.nodes) if (!all.has(n.opType)) all.set(n.opType, n.domain);
    for (const b of s.bodies) stack.push(b.scope);
  }
  return [...all.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export class SummaryBuilder {
  irVersion = 0;
  producer = '';
  producerVersion = '';
  domain = '';
  modelVersion = 0;
  doc = '';
  sawGraph = false;
  readonly opsets: { domain: string; version: number }[] = [];
  readonly metadata: { key: string; value: string }[] = [];
  /** The main graph; bodies hang off its nodes' attributes. */
  readonly main = new GraphScope();

  addOpset(o: OperatorSetIdProto): void {
    this.opsets.push({ domain: o.domain, version: Number(o.version) });
  }

  addMetadata(m: StringStringEntryProto): void {
    this.metadata.push({ key: m.key, value: m.value });
  }

  finish(fileBytes: number, parseMs: number): ParsedOnnx {
    const { bodies, entries: all } = assemble(this.main);
    const nodes: GraphNode[] = this.main.nodes;
    const initNames = new Set(this.main.initializers.map((e) => e.entry.name));
    const inputs = graphInputs(this.main);
    const opTypes = usedOps(this.main);
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
      graphName: this.main.name,
      opsets: this.opsets,
      metadata: this.metadata,
      inputs: inputs.map(io),
      outputs: this.main.outputs.map(io),
      nodes,
      initializers: all.map((e) => e.entry),
      valueTypes: this.main.valueTypes,
      ops: opTypes.map(([op, domain]) => opDoc(op, domain, this.opsets)),
      parseMs,
      ...(bodies.length ? { subgraphs: bodies } : {}),
    };
    return {
      summary,
      locators: all.map((e) => e.locator),
      io: {
        irVersion: this.irVersion,
        producer: `${this.producer} ${this.producerVersion}`.trim(),
        opsets: this.opsets,
        inputs: inputs.map(tensorInfo),
        overridableInitializers: this.main.inputs.filter((v) => initNames.has(v.name)).map(tensorInfo),
        outputs: this.main.outputs.map(tensorInfo),
      },
    };
  }
}
