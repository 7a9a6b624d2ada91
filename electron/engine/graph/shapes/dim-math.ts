/**
 * Arithmetic on symbolic dimensions. A dim is a number, a symbol (a model's
 * dim_param such as `batch`) or null. Inference keeps symbolic results readable
 * (`N+1`, `2*h`, `h*w`, `ceil(h/2)`) by working on polynomials with rational
 * coefficients over symbols, and turns them back into strings it remembers, so
 * `2*h` read again later is the polynomial it came from, not a new symbol.
 * Results that are not exact integers become floor/ceil symbols (nested ones
 * merge: ceil(ceil(h/2)/2) is ceil(h/4)); anything too large becomes a fresh
 * symbol rather than an unreadable expression.
 */
import type { GraphDim } from '../../../contract/inspect-api';

interface Frac {
  n: number;
  d: number;
}

/** Monomial key (symbols sorted, joined by SEP; '' for the constant) → coefficient. */
const SEP = '\u0001';
type Poly = Map<string, Frac>;

/** Largest expression kept as text; beyond it a fresh symbol stands in. */
const MAX_TERMS = 4;
const MAX_FACTORS = 4;
const MAX_TEXT = 200;

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a || 1;
}

function frac(n: number, d = 1): Frac | undefined {
  if (d === 0 || !Number.isSafeInteger(n) || !Number.isSafeInteger(d)) return undefined;
  const g = gcd(n, d) * (d < 0 ? -1 : 1);
  return { n: n / g, d: d / g };
}

const fmul = (a: Frac, b: Frac): Frac | undefined => frac(a.n * b.n, a.d * b.d);
const fadd = (a: Frac, b: Frac): Frac | undefined => frac(a.n * b.d + b.n * a.d, a.d * b.d);

/** Symbols that need brackets inside a product (anything but a plain name or a function form). */
function atomText(s: string): string {
  return /^[\w.:]+$/.test(s) || /^(ceil|floor)\(.*\)$/.test(s) ? s : `(${s})`;
}

/** floor/ceil symbols made here, by their text: what they stand for, so nested ones merge. */
interface Rounded {
  kind: 'floor' | 'ceil';
  inner: Poly;
  by: number;
}

export class DimAlgebra {
  /** Expressions made here, by their text. */
  private readonly exprs = new Map<string, Poly>();
  private readonly rounded = new Map<string, Rounded>();
  private readonly used = new Set<string>();
  private fresh = 0;

  /** Symbols the model declares, so fresh ones never collide with them. */
  reserve(dims: readonly GraphDim[] | undefined): void {
    for (const d of dims ?? []) if (typeof d === 'string') this.used.add(d);
  }

  /** A new symbol for a dim that depends on the data or on arithmetic too complex to show. */
  symbol(hint = 'unk'): string {
    const base = hint.replace(/[^\w.]/g, '_') || 'unk';
    let s = `${base}_${++this.fresh}`;
    while (this.used.has(s)) s = `${base}_${++this.fresh}`;
    this.used.add(s);
    return s;
  }

  private poly(d: GraphDim): Poly | undefined {
    if (d === null) return undefined;
    if (typeof d === 'number') return Number.isSafeInteger(d) ? new Map([['', { n: d, d: 1 }]]) : undefined;
    return this.exprs.get(d) ?? new Map([[d, { n: 1, d: 1 }]]);
  }

  private dim(p: Poly | undefined): GraphDim {
    if (!p) return null;
    const terms = [...p].filter(([, c]) => c.n !== 0);
    if (terms.length === 0) return 0;
    if (terms.length === 1 && terms[0]![0] === '') return terms[0]![1].d === 1 ? terms[0]![1].n : null;
    if (terms.length === 1 && terms[0]![1].n === 1 && terms[0]![1].d === 1 && !terms[0]![0].includes(SEP)) return terms[0]![0];
    if (terms.length > MAX_TERMS || terms.some(([k]) => k.split(SEP).length > MAX_FACTORS)) return this.symbol('expr');
    const text = formatPoly(terms);
    if (text.length > MAX_TEXT) return this.symbol('expr');
    this.exprs.set(text, new Map(terms));
    return text;
  }

  add(a: GraphDim, b: GraphDim): GraphDim {
    const [p, q] = [this.poly(a), this.poly(b)];
    if (!p || !q) return null;
    const out = new Map(p);
    for (const [k, c] of q) {
      const s = out.has(k) ? fadd(out.get(k)!, c) : c;
      if (!s) return null;
      out.set(k, s);
    }
    return this.dim(out);
  }

  sub(a: GraphDim, b: GraphDim): GraphDim {
    return this.add(a, this.mul(b, -1));
  }

  mul(a: GraphDim, b: GraphDim): GraphDim {
    if (a === 0 || b === 0) return 0;
    const [p, q] = [this.poly(a), this.poly(b)];
    if (!p || !q) return null;
    const out: Poly = new Map();
    for (const [k1, c1] of p) {
      for (const [k2, c2] of q) {
        const k = [...k1.split(SEP), ...k2.split(SEP)].filter(Boolean).sort().join(SEP);
        const c = fmul(c1, c2);
        const s = c && out.has(k) ? fadd(out.get(k)!, c) : c;
        if (!s) return null;
        out.set(k, s);
      }
    }
    return this.dim(out);
  }

  /** Product of dims (1 for none); null when one is unknown. */
  product(dims: readonly GraphDim[]): GraphDim {
    let out: GraphDim = 1;
    for (const d of dims) out = this.mul(out, d);
    return out;
  }

  /** a / b when it is exact (a whole number, or a polynomial the divisor divides), else undefined. */
  divExact(a: GraphDim, b: GraphDim): GraphDim | undefined {
    if (a === null || b === null || b === 0) return undefined;
    if (typeof a === 'number' && typeof b === 'number') return a % b === 0 ? a / b : undefined;
    const [p, q] = [this.poly(a), this.poly(b)];
    if (!p || !q) return undefined;
    if (q.size !== 1) return a === b || this.same(p, q) ? 1 : undefined;
    const [[qk, qc]] = [...q] as [[string, Frac]];
    const inv = frac(qc.d, qc.n);
    const out: Poly = new Map();
    for (const [k, c] of p) {
      const factors = k ? k.split(SEP) : [];
      for (const f of qk ? qk.split(SEP) : []) {
        const at = factors.indexOf(f);
        if (at < 0) return undefined;
        factors.splice(at, 1);
      }
      const nc = inv && fmul(c, inv);
      if (!nc || nc.d !== 1) return undefined;
      out.set(factors.join(SEP), nc);
    }
    return this.dim(out);
  }

  private same(p: Poly, q: Poly): boolean {
    if (p.size !== q.size) return false;
    for (const [k, c] of p) if (q.get(k)?.n !== c.n || q.get(k)?.d !== c.d) return false;
    return true;
  }

  /** floor(a / by) for a positive integer divisor. */
  floorDiv(a: GraphDim, by: number): GraphDim {
    return this.roundDiv(a, by, 'floor');
  }

  /** ceil(a / by) for a positive integer divisor. */
  ceilDiv(a: GraphDim, by: number): GraphDim {
    return this.roundDiv(a, by, 'ceil');
  }

  private roundDiv(a: GraphDim, by: number, kind: 'floor' | 'ceil'): GraphDim {
    if (a === null || !Number.isSafeInteger(by) || by <= 0) return null;
    if (typeof a === 'number') return kind === 'floor' ? Math.floor(a / by) : Math.ceil(a / by);
    const exact = this.divExact(a, by);
    if (exact !== undefined) return exact;
    const p = this.poly(a);
    if (!p) return null;
    // Split the constant: floor((P + q*by + r) / by) = q + floor((P + r) / by).
    const c = p.get('') ?? { n: 0, d: 1 };
    if (c.d !== 1) return this.symbol(kind);
    const rest = new Map(p);
    rest.delete('');
    const adj = kind === 'ceil' ? c.n + by - 1 : c.n;
    const q = Math.floor(adj / by);
    const r = adj - q * by;
    // floor((P + by - 1) / by) = ceil(P / by); floor(P / by) stays floor.
    const inner = r === 0 ? this.roundAtom(rest, by, 'floor') : r === by - 1 ? this.roundAtom(rest, by, 'ceil') : this.roundAtom(add1(rest, r), by, 'floor');
    return this.add(inner, q);
  }

  private roundAtom(inner: Poly, by: number, kind: 'floor' | 'ceil'): GraphDim {
    const text = this.dim(inner);
    if (text === null) return null;
    const exact = this.divExact(text, by);
    if (exact !== undefined) return exact;
    // ceil(ceil(x/a)/b) = ceil(x/(a*b)), and the same for floor.
    const nested = typeof text === 'string' ? this.rounded.get(text) : undefined;
    if (nested && nested.kind === kind) return this.roundAtom(nested.inner, nested.by * by, kind);
    if (typeof text !== 'string') return kind === 'floor' ? Math.floor(text / by) : Math.ceil(text / by);
    const name = `${kind}(${/[+-]/.test(text.slice(1)) ? `(${text})` : text}/${by})`;
    if (name.length > MAX_TEXT) return this.symbol(kind);
    this.rounded.set(name, { kind, inner, by });
    return name;
  }
}

function add1(p: Poly, r: number): Poly {
  const out = new Map(p);
  out.set('', { n: r, d: 1 });
  return out;
}

function formatTerm(k: string, c: Frac, first: boolean): string {
  const sign = c.n < 0 ? '-' : first ? '' : '+';
  const n = Math.abs(c.n);
  if (!k) return `${sign}${n}${c.d === 1 ? '' : `/${c.d}`}`;
  const body = k.split(SEP).map(atomText).join('*');
  return `${sign}${n === 1 ? '' : `${n}*`}${body}${c.d === 1 ? '' : `/${c.d}`}`;
}

function formatPoly(terms: [string, Frac][]): string {
  const ordered = [...terms.filter(([k]) => k !== ''), ...terms.filter(([k]) => k === '')];
  return ordered.map(([k, c], i) => formatTerm(k, c, i === 0)).join('');
}

/** Whether two dims are known to be the same. */
export function sameDim(a: GraphDim, b: GraphDim): boolean {
  return a !== null && a === b;
}
