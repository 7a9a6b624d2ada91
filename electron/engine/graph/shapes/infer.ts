/**
 * Static shape inference over a graph summary: every node's output types from
 * its inputs', in dependency order (Kahn's algorithm, iterative: nodes caught
 * in a cycle are left untyped instead of looping), with the values of small
 * integer tensors carried along so Shape→Gather→Concat→Reshape chains resolve.
 * Declared types (graph I/O, value_info) win where both exist; inference fills
 * what they leave open. If/Loop/Scan bodies are inferred when their node is,
 * seeing the enclosing graph's values; their nesting depth is bounded.
 */
import type { GraphBody, GraphDim, GraphIo, GraphNode, GraphSummary, GraphValueType } from '../../../contract/inspect-api';
import { DimAlgebra } from './dim-math';
import { bodyInputTypes } from './rules-control';
import { ruleFor } from './rules';
import { MAX_VALUES, type RuleCtx, type VT } from './types';

export type InferInput = Pick<GraphSummary, 'inputs' | 'outputs' | 'nodes' | 'initializers' | 'valueTypes' | 'opsets' | 'subgraphs'>;

/** Values of small constant tensors, by index in `initializers`. */
export type ConstValues = Map<number, GraphDim[]>;

export interface InferOptions {
  /** Stop after this many milliseconds (the rest stays untyped). */
  budgetMs?: number;
}

export interface InferResult {
  /** Main graph's inferred types (not fully declared elsewhere). */
  inferred: Record<string, VT>;
  /** Per GraphBody id. */
  bodies: Map<number, Record<string, VT>>;
  typed: number;
  untyped: number;
  unknownOps: string[];
  /** Why inference stopped early, if it did. */
  cutOff?: string;
}

/** Deepest If/Loop/Scan nesting inferred; deeper bodies stay untyped. */
const MAX_DEPTH = 32;

interface GraphView {
  id: number;
  nodes: GraphNode[];
  inputs: GraphIo[];
  outputs: GraphIo[];
  initializers: number[];
  valueTypes: Record<string, GraphValueType>;
  outerInputs: string[];
}

class Scope {
  readonly types = new Map<string, VT>();
  constructor(readonly parent?: Scope) {}
  /** Scopes nest as deep as bodies do (bounded by MAX_DEPTH). */
  get(name: string): VT | undefined {
    return this.types.get(name) ?? this.parent?.get(name);
  }
}

/** Declared wins dim by dim; inference fills the open ones and keeps its values. */
export function mergeDeclared(declared: GraphValueType | undefined, inferred: VT | undefined): VT | undefined {
  if (!declared) return inferred;
  if (!inferred) return declared.dtype === 'unknown' && !declared.dims ? undefined : declared;
  // Fully declared and nothing to add: the declared type as it is (no copy per value on big graphs).
  if (!inferred.values && fullyDeclared(declared)) return declared;
  const dtype = declared.dtype === 'unknown' || declared.dtype === 'UNDEFINED' ? inferred.dtype : declared.dtype;
  let dims = declared.dims ?? inferred.dims;
  if (declared.dims && inferred.dims && declared.dims.length === inferred.dims.length) dims = declared.dims.map((d, i) => d ?? inferred.dims![i]!);
  const out: VT = { dtype, ...(dims ? { dims } : {}) };
  if (inferred.values && (!dims || !inferred.dims || dims.length === inferred.dims.length)) out.values = inferred.values;
  return out;
}

function fullyDeclared(t: GraphValueType | undefined): boolean {
  return !!t && t.dtype !== 'unknown' && !!t.dims && !t.dims.includes(null);
}

/** Node order where each node follows the producers of its inputs; nodes in a cycle are left out. */
export function topoOrder(nodes: GraphNode[], implicit: (i: number) => string[]): number[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)));
  const waiting = new Array<number>(nodes.length).fill(0);
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    const extra = implicit(i);
    const names = extra.length ? [...n.inputs, ...extra] : n.inputs;
    names.forEach((name, k) => {
      const p = name ? producer.get(name) : undefined;
      // A value read twice is one dependency.
      if (p === undefined || p === i || names.indexOf(name) !== k) return;
      waiting[i]!++;
      consumers[p]!.push(i);
    });
  });
  const order: number[] = [];
  const ready = nodes.map((_, i) => i).filter((i) => waiting[i] === 0);
  // Ready nodes are taken in file order, so a sorted graph keeps its order.
  for (let head = 0; head < ready.length; head++) {
    const i = ready[head]!;
    order.push(i);
    for (const c of consumers[i]!) if (--waiting[c]! === 0) ready.push(c);
  }
  return order;
}

export class ShapeInference {
  readonly alg = new DimAlgebra();
  private readonly bodiesOf = new Map<string, GraphBody[]>();
  private readonly opsets = new Map<string, number>();
  private readonly result: InferResult = { inferred: {}, bodies: new Map(), typed: 0, untyped: 0, unknownOps: [] };
  private readonly unknown = new Set<string>();
  private readonly deadline: number;
  private steps = 0;

  constructor(
    private readonly g: InferInput,
    private readonly consts: ConstValues,
    opts: InferOptions = {},
  ) {
    this.deadline = performance.now() + (opts.budgetMs ?? 10_000);
    for (const o of g.opsets) this.opsets.set(o.domain === 'ai.onnx' ? '' : o.domain, o.version);
    for (const b of g.subgraphs ?? []) {
      const key = `${b.parent}:${b.node}`;
      this.bodiesOf.set(key, [...(this.bodiesOf.get(key) ?? []), b]);
    }
    // Fresh symbols must not collide with any the model declares, in bodies too.
    for (const view of [g, ...(g.subgraphs ?? [])]) {
      for (const io of [...view.inputs, ...view.outputs]) this.alg.reserve(io.dims);
      for (const name in view.valueTypes) this.alg.reserve(view.valueTypes[name]!.dims);
    }
  }

  run(): InferResult {
    const main: GraphView = { id: -1, nodes: this.g.nodes, inputs: this.g.inputs, outputs: this.g.outputs, initializers: [], valueTypes: this.g.valueTypes, outerInputs: [] };
    // Every initializer of the main graph (and TENSOR attributes, which no node input names).
    const scope = new Scope();
    const inBodies = new Set((this.g.subgraphs ?? []).flatMap((b) => b.initializers));
    this.g.initializers.forEach((init, i) => {
      if (!inBodies.has(i)) scope.types.set(init.name, this.initType(i));
    });
    this.result.inferred = this.graph(main, scope, 0, new Map());
    this.result.unknownOps = [...this.unknown].sort();
    return this.result;
  }

  private initType(i: number): VT {
    const init = this.g.initializers[i]!;
    const values = this.consts.get(i);
    return { dtype: init.dtype, dims: init.dims ?? [], ...(values ? { values } : {}) };
  }

  /** Infers one graph; `given` are types of its inputs from the owning node (body inputs). */
  private graph(view: GraphView, scope: Scope, depth: number, given: Map<string, VT>): Record<string, VT> {
    const inferred: Record<string, VT> = Object.create(null) as Record<string, VT>;
    for (const i of view.initializers) {
      const init = this.g.initializers[i];
      if (init) scope.types.set(init.localName ?? init.name, this.initType(i));
    }
    for (const io of view.inputs) {
      const t = mergeDeclared(io, given.get(io.name));
      if (t) scope.types.set(io.name, t);
      if (t && !fullyDeclared(io) && given.has(io.name)) inferred[io.name] = t;
    }
    const outputs = new Map<string, GraphValueType>(view.outputs.map((o) => [o.name, o]));
    const declared = (name: string): GraphValueType | undefined => outputs.get(name) ?? (Object.hasOwn(view.valueTypes, name) ? view.valueTypes[name] : undefined);
    const bodies = (i: number): GraphBody[] => this.bodiesOf.get(`${view.id}:${i}`) ?? [];
    // What a node's bodies read from this graph orders it too (the summary lists it; else the bodies' outer inputs).
    const order = topoOrder(view.nodes, (i) => view.nodes[i]!.implicitInputs ?? bodies(i).flatMap((b) => b.outerInputs));
    const done = new Set<number>();
    for (const i of order) {
      if (this.result.cutOff || (++this.steps % 128 === 0 && performance.now() > this.deadline)) {
        this.result.cutOff ??= `stopped after ${this.steps} nodes: shape inference has a time budget`;
        break;
      }
      done.add(i);
      this.node(view.nodes[i]!, bodies(i), scope, depth, declared, inferred);
    }
    for (let i = 0; i < view.nodes.length; i++) if (!done.has(i)) this.result.untyped += view.nodes[i]!.outputs.filter(Boolean).length;
    return inferred;
  }

  private node(n: GraphNode, bodies: GraphBody[], scope: Scope, depth: number, declared: (name: string) => GraphValueType | undefined, inferred: Record<string, VT>): void {
    const ctx = this.ctx(n, scope, bodies, depth);
    const rule = ruleFor(n.domain, n.opType);
    if (!rule) this.unknown.add(n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType);
    let outs: (VT | undefined)[] | undefined;
    try {
      outs = rule?.(ctx);
    } catch {
      outs = undefined; // a malformed node leaves its outputs untyped
    }
    // Bodies the rule did not ask for (unknown operators) are still inferred, from the outer scope alone.
    for (const b of bodies) this.body(b, ctx, scope, depth);
    n.outputs.forEach((name, k) => {
      if (!name) return;
      const decl = declared(name);
      const found = clean(outs?.[k]);
      const t = mergeDeclared(decl, found);
      if (t) scope.types.set(name, t);
      if (t?.dims) this.result.typed++;
      else this.result.untyped++;
      // Only what inference added: a declared type alone stays where it is declared.
      if (found && t && (!fullyDeclared(decl) || t.values)) inferred[name] = shown(t);
    });
  }

  private ctx(node: GraphNode, scope: Scope, bodies: GraphBody[], depth: number): RuleCtx {
    const type = (i: number): VT | undefined => {
      const name = node.inputs[i];
      return name ? scope.get(name) : undefined;
    };
    const self: RuleCtx = {
      node,
      opset: this.opsets.get(node.domain === 'ai.onnx' ? '' : node.domain) ?? (node.domain ? 1 : 21),
      alg: this.alg,
      input: type,
      values: (i) => type(i)?.values,
      numbers: (i) => {
        const v = type(i)?.values;
        return v && v.every((x): x is number => typeof x === 'number') ? v : undefined;
      },
      has: (i) => !!node.inputs[i],
      attr: (name) => node.attributes.find((a) => a.name === name),
      tensorAttr: (name) => {
        const at = node.attributes.find((a) => a.name === name)?.tensor;
        return at !== undefined && this.g.initializers[at] ? this.initType(at) : undefined;
      },
      body: (attribute) => {
        const b = bodies.find((x) => x.attribute === attribute);
        return b ? this.body(b, self, scope, depth) : undefined;
      },
    };
    return self;
  }

  /** Infers a body once, with its inputs typed from the owning node; returns its output types. */
  private body(b: GraphBody, owner: RuleCtx, scope: Scope, depth: number): VT[] | undefined {
    if (depth >= MAX_DEPTH || this.result.bodies.has(b.id)) return undefined;
    const given = new Map<string, VT>();
    bodyInputTypes(owner, b.inputs.length).forEach((t, k) => t && b.inputs[k] && given.set(b.inputs[k].name, t));
    const view: GraphView = { id: b.id, nodes: b.nodes, inputs: b.inputs, outputs: b.outputs, initializers: b.initializers, valueTypes: b.valueTypes, outerInputs: b.outerInputs };
    const inner = new Scope(scope);
    this.result.bodies.set(b.id, {});
    this.result.bodies.set(b.id, this.graph(view, inner, depth + 1, given));
    return b.outputs.map((o) => inner.get(o.name) ?? { dtype: o.dtype });
  }
}

/** Values the summary shows (small shape tensors); longer ones stay internal to inference. */
const SHOWN_VALUES = 64;

function shown(t: VT): VT {
  if (!t.values || t.values.length <= SHOWN_VALUES) return t;
  const { values: _internal, ...rest } = t;
  return rest;
}

/** Drops values that are too many to carry, and anything malformed a rule produced. */
function clean(t: VT | undefined): VT | undefined {
  if (!t || typeof t.dtype !== 'string') return undefined;
  if (t.values && (t.values.length > MAX_VALUES || (t.dims && t.dims.some((d) => d === null)))) {
    const { values: _dropped, ...rest } = t;
    return rest;
  }
  return t;
}

export function inferShapes(g: InferInput, consts: ConstValues, opts: InferOptions = {}): InferResult {
  return new ShapeInference(g, consts, opts).run();
}
