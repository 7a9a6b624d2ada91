/**
 * How much memory one observation will need, before it runs. ONNX Runtime
 * returns every intermediate value at once (a detector at 640×640: 660 MiB;
 * the same at 4096×4096: about 27 GiB), so a large input must be refused
 * with a number rather than take the lab down. The estimate reads the types
 * static shape inference gave each value (`GraphSummary.inferred`), binds the
 * symbolic dims of the graph inputs to the sizes actually given, and
 * evaluates dims written as small expressions (`16*ceil(h/64)`). A dim it
 * cannot evaluate leaves that value out, so the figure is a lower bound.
 */
import type { GraphDim, GraphSummary, GraphValueType } from '../../../contract/inspect-api';
import { type Tensor, elementSize, isApiDType } from '../../tensor/tensor';

/** Longest dim expression evaluated (longer ones count as unknown). */
const MAX_EXPRESSION = 200;

type Token = { kind: 'num'; value: number } | { kind: 'id'; name: string } | { kind: 'op'; op: string };

function tokens(text: string): Token[] | undefined {
  const out: Token[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][\w.]*)|([-+*/(),]))/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return text.slice(at).trim() === '' ? out : undefined;
    at = re.lastIndex;
    if (m[1] !== undefined) out.push({ kind: 'num', value: Number(m[1]) });
    else if (m[2] !== undefined) out.push({ kind: 'id', name: m[2] });
    else out.push({ kind: 'op', op: m[3]! });
  }
  return out;
}

const FUNCTIONS: Record<string, (...a: number[]) => number> = { ceil: Math.ceil, floor: Math.floor, min: Math.min, max: Math.max };

/** A recursive-descent evaluator over at most MAX_EXPRESSION characters (so its depth is bounded too). */
class Expression {
  private at = 0;
  constructor(
    private readonly toks: Token[],
    private readonly names: ReadonlyMap<string, number>,
  ) {}

  static evaluate(text: string, names: ReadonlyMap<string, number>): number | undefined {
    if (text.length > MAX_EXPRESSION) return undefined;
    const toks = tokens(text);
    if (!toks?.length) return undefined;
    const e = new Expression(toks, names);
    const v = e.sum();
    return e.at === toks.length && Number.isFinite(v) ? v : undefined;
  }

  private peek(op: string): boolean {
    const t = this.toks[this.at];
    return t?.kind === 'op' && t.op === op;
  }

  private sum(): number {
    let v = this.product();
    while (this.peek('+') || this.peek('-')) {
      const plus = this.peek('+');
      this.at++;
      v = plus ? v + this.product() : v - this.product();
    }
    return v;
  }

  private product(): number {
    let v = this.atom();
    while (this.peek('*') || this.peek('/')) {
      const times = this.peek('*');
      this.at++;
      v = times ? v * this.atom() : v / this.atom();
    }
    return v;
  }

  private atom(): number {
    const t = this.toks[this.at++];
    if (!t) return Number.NaN;
    if (t.kind === 'num') return t.value;
    if (t.kind === 'op') {
      if (t.op === '-') return -this.atom();
      if (t.op !== '(') return Number.NaN;
      const v = this.sum();
      return this.peek(')') ? (this.at++, v) : Number.NaN;
    }
    const fn = FUNCTIONS[t.name];
    if (!fn || !this.peek('(')) return this.names.get(t.name) ?? Number.NaN;
    this.at++;
    const args = [this.sum()];
    while (this.peek(',')) {
      this.at++;
      args.push(this.sum());
    }
    return this.peek(')') ? (this.at++, fn(...args)) : Number.NaN;
  }
}

/** A dim's size once the input's sizes are known; undefined when it cannot be told. */
export function dimSize(d: GraphDim, names: ReadonlyMap<string, number>): number | undefined {
  if (typeof d === 'number') return d >= 0 ? d : undefined;
  if (typeof d !== 'string' || d === '') return undefined;
  const v = names.get(d) ?? Expression.evaluate(d, names);
  return v !== undefined && v >= 0 ? Math.ceil(v) : undefined;
}

/** The symbolic dims of the graph inputs, bound to the sizes of the tensors given for them. */
export function bindDims(inputs: readonly { name: string; dims?: GraphDim[] }[], tensors: readonly Tensor[]): Map<string, number> {
  const names = new Map<string, number>();
  for (const io of inputs) {
    const t = tensors.find((x) => x.name === io.name);
    io.dims?.forEach((d, i) => {
      if (t && typeof d === 'string' && d !== '' && t.shape[i] !== undefined && !names.has(d)) names.set(d, t.shape[i]!);
    });
  }
  return names;
}

/** Bytes the fetched values will take, as far as their types tell (a lower bound), and how many could not be told. */
export function estimateBytes(summary: Pick<GraphSummary, 'inputs' | 'outputs' | 'valueTypes' | 'inferred'>, tensors: readonly Tensor[], fetch: readonly string[]): { bytes: number; unknown: number } {
  const names = bindDims(summary.inputs, tensors);
  const declared = new Map<string, GraphValueType>(summary.outputs.map((o) => [o.name, o]));
  let bytes = 0;
  let unknown = 0;
  const sizeOf = (type: GraphValueType | undefined): number | undefined => {
    if (!type?.dims || !isApiDType(type.dtype) || type.dtype === 'BYTES') return undefined;
    let n = elementSize(type.dtype);
    for (const d of type.dims) {
      const s = dimSize(d, names);
      if (s === undefined) return undefined;
      n *= s;
    }
    return n;
  };
  for (const v of fetch) {
    // Declared types first, then what inference derived; the first that can be sized counts.
    const size = sizeOf(summary.valueTypes[v]) ?? sizeOf(declared.get(v)) ?? sizeOf(summary.inferred?.[v]);
    if (size === undefined) unknown++;
    else bytes += size;
  }
  return { bytes, unknown };
}
