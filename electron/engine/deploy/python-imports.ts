/**
 * The imports of a Python source file, read with a small tokenizer (no Python
 * needed, nothing executed): `import a.b as c, d`, `from x import y`, relative
 * imports, and `importlib.import_module("m")` / `__import__("m")` with a
 * literal name. An import inside `try:` whose handlers catch ImportError (or
 * ModuleNotFoundError, Exception, BaseException, or everything) is optional:
 * the code runs without the module. Strings, comments, line continuations and
 * brackets are tokenized as Python does, so an "import" in a docstring is not
 * an import.
 */

export interface PythonImport {
  /** Dotted module name as written, with leading dots for relative imports ("..x", "."). */
  module: string;
  /** 1-based line of the statement. */
  line: number;
  optional: boolean;
}

type TokKind = 'name' | 'op' | 'string' | 'number';
interface Tok {
  kind: TokKind;
  text: string;
}

interface LogicalLine {
  indent: number;
  line: number;
  toks: Tok[];
}

const STRING_START = /^(?:[rRbBuUfF]{1,2})?("""|'''|"|')/;
const NAME = /^[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*/;
const NUMBER = /^(?:\d[\d_]*(?:\.[\d_]*)?(?:[eE][+-]?\d+)?[jJ]?|\.\d[\d_]*(?:[eE][+-]?\d+)?[jJ]?|0[xXoObB][\da-fA-F_]+)/;

/** The end index (exclusive) of a string literal opened by `quote` at `i` (just past the quote); unterminated runs to the end. */
function stringEnd(src: string, i: number, quote: string): number {
  const triple = quote.length === 3;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (!triple && c === '\n') return i;
    if (src.startsWith(quote, i)) return i + quote.length;
    i++;
  }
  return i;
}

/** The literal's value for simple strings (no escapes needed for module names); '' for anything else. */
function literalValue(raw: string): string {
  const m = /^(?:[rRuU])?(["'])([\w.]*)\1$/.exec(raw);
  return m ? m[2]! : '';
}

class Tokenizer {
  readonly lines: LogicalLine[] = [];
  private i = 0;
  private line = 1;
  private depth = 0;
  private current: LogicalLine | undefined;
  private atLineStart = true;
  private indent = 0;

  constructor(private readonly src: string) {}

  run(): LogicalLine[] {
    while (this.i < this.src.length) this.step();
    this.endLine();
    return this.lines;
  }

  private push(kind: TokKind, text: string): void {
    if (!this.current) this.current = { indent: this.indent, line: this.line, toks: [] };
    this.current.toks.push({ kind, text });
  }

  private endLine(): void {
    if (this.current && this.current.toks.length > 0) this.lines.push(this.current);
    this.current = undefined;
    this.depth = 0;
    this.atLineStart = true;
  }

  private step(): void {
    const src = this.src;
    const c = src[this.i]!;
    if (this.atLineStart) {
      let n = 0;
      while (src[this.i + n] === ' ' || src[this.i + n] === '\t' || src[this.i + n] === '\f') n += src[this.i + n] === '\t' ? 8 - (n % 8) : 1;
      this.indent = n;
      this.i += src.slice(this.i).match(/^[ \t\f]*/)![0].length;
      this.atLineStart = false;
      return;
    }
    if (c === '\n') {
      this.line++;
      this.i++;
      if (this.depth === 0) this.endLine();
      return;
    }
    if (c === '#') {
      while (this.i < src.length && src[this.i] !== '\n') this.i++;
      return;
    }
    if (c === '\\' && src[this.i + 1] === '\n') {
      this.i += 2;
      this.line++;
      return;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      this.i++;
      return;
    }
    this.token();
  }

  private token(): void {
    const rest = this.src.slice(this.i, this.i + 256);
    const s = STRING_START.exec(rest);
    if (s) {
      const start = this.i;
      const end = stringEnd(this.src, start + s[0].length, s[1]!);
      const raw = this.src.slice(start, end);
      this.line += raw.split('\n').length - 1;
      this.i = end;
      this.push('string', raw);
      return;
    }
    const name = NAME.exec(rest);
    if (name) return this.take('name', name[0]);
    const num = NUMBER.exec(rest);
    if (num) return this.take('number', num[0]);
    const c = rest[0]!;
    if ('([{'.includes(c)) this.depth++;
    else if (')]}'.includes(c)) this.depth = Math.max(0, this.depth - 1);
    this.take('op', c);
  }

  private take(kind: TokKind, text: string): void {
    this.i += text.length;
    this.push(kind, text);
  }
}

/** Splits a logical line into simple statements: at `;`, and after a compound header's `:` (`try: import x`). */
function statements(toks: Tok[]): Tok[][] {
  const out: Tok[][] = [];
  let cur: Tok[] = [];
  let depth = 0;
  const headers = new Set(['try', 'except', 'else', 'finally', 'if', 'elif', 'while', 'for', 'with', 'def', 'class', 'async']);
  for (const t of toks) {
    if (t.kind === 'op' && '([{'.includes(t.text)) depth++;
    if (t.kind === 'op' && ')]}'.includes(t.text)) depth--;
    const endsHeader = t.kind === 'op' && t.text === ':' && depth === 0 && cur[0]?.kind === 'name' && headers.has(cur[0].text) && !cur.some((x) => x.text === 'lambda');
    if (t.kind === 'op' && t.text === ';' && depth === 0) {
      out.push(cur);
      cur = [];
    } else if (endsHeader) {
      cur.push(t);
      out.push(cur);
      cur = [];
    } else cur.push(t);
  }
  if (cur.length > 0) out.push(cur);
  return out.filter((s) => s.length > 0);
}

/** Dotted name starting at `i` (leading dots allowed when `relative`): the name and the index after it. */
function dotted(toks: Tok[], i: number, relative: boolean): { name: string; next: number } {
  let name = '';
  if (relative) {
    while (toks[i]?.kind === 'op' && toks[i]!.text === '.') {
      name += '.';
      i++;
    }
  }
  while (toks[i]?.kind === 'name' && toks[i]!.text !== 'import') {
    name += toks[i]!.text;
    i++;
    if (toks[i]?.text === '.' && toks[i + 1]?.kind === 'name') {
      name += '.';
      i++;
    } else break;
  }
  return { name, next: i };
}

/** The modules one simple statement imports. */
function importsOf(st: Tok[]): string[] {
  const head = st[0];
  if (head?.kind === 'name' && head.text === 'import') {
    const out: string[] = [];
    let i = 1;
    while (i < st.length) {
      const { name, next } = dotted(st, i, false);
      if (name) out.push(name);
      i = next;
      while (i < st.length && st[i]!.text !== ',') i++;
      i++;
    }
    return out;
  }
  if (head?.kind === 'name' && head.text === 'from') {
    const { name } = dotted(st, 1, true);
    return name ? [name] : [];
  }
  return dynamicImports(st);
}

/** `importlib.import_module("m")`, `import_module("m")`, `__import__("m")` with a literal first argument. */
function dynamicImports(st: Tok[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 2 < st.length; i++) {
    const t = st[i]!;
    if (t.kind !== 'name' || (t.text !== 'import_module' && t.text !== '__import__')) continue;
    if (st[i + 1]!.text !== '(' || st[i + 2]!.kind !== 'string') continue;
    const v = literalValue(st[i + 2]!.text);
    if (v && !v.startsWith('.')) out.push(v);
  }
  return out;
}

const CATCHES_IMPORT = new Set(['ImportError', 'ModuleNotFoundError', 'Exception', 'BaseException']);

interface TryBlock {
  indent: number;
  id: number;
  inBody: boolean;
}

export interface ModelNames {
  /** Literals passed as `model_name=` (a BLS InferenceRequest's target). */
  called: string[];
  /** Every other simple string literal that could be a model name (letters, digits, '_', '-', '.'). */
  mentioned: string[];
}

/** The model names a Python source names: BLS targets given as `model_name="x"`, and other name-like literals. */
export function modelNames(src: string): ModelNames {
  return namesIn(new Tokenizer(src).run());
}

function namesIn(lines: LogicalLine[]): ModelNames {
  const called = new Set<string>();
  const mentioned = new Set<string>();
  for (const l of lines) {
    l.toks.forEach((t, i) => {
      if (t.kind !== 'string') return;
      const m = /^(["'])([\w.-]{1,128})\1$/.exec(t.text);
      if (!m) return;
      const isTarget = l.toks[i - 1]?.text === '=' && l.toks[i - 2]?.text === 'model_name';
      (isTarget ? called : mentioned).add(m[2]!);
    });
  }
  return { called: [...called], mentioned: [...mentioned].filter((n) => !called.has(n)) };
}

/** Every import of `src`, in order. */
export function pythonImports(src: string): PythonImport[] {
  return importsIn(new Tokenizer(src).run());
}

/** Imports and model names of `src`, tokenized once. */
export function scanPython(src: string): { imports: PythonImport[]; names: ModelNames } {
  const lines = new Tokenizer(src).run();
  return { imports: importsIn(lines), names: namesIn(lines) };
}

function importsIn(lines: LogicalLine[]): PythonImport[] {
  const catches = new Map<number, boolean>();
  const found: { module: string; line: number; tries: number[] }[] = [];
  const stack: TryBlock[] = [];
  let nextId = 0;
  for (const l of lines) {
    const first = l.toks[0]!.text;
    while (stack.length > 0 && stack[stack.length - 1]!.indent > l.indent) stack.pop();
    const top = stack[stack.length - 1];
    if (top && top.indent === l.indent) {
      if (first === 'except') {
        top.inBody = false;
        const colon = l.toks.findIndex((t) => t.text === ':');
        const names = l.toks.slice(1, colon < 0 ? undefined : colon).filter((t) => t.kind === 'name' && t.text !== 'as');
        const handler = names.length === 0 || names.some((t) => CATCHES_IMPORT.has(t.text));
        catches.set(top.id, (catches.get(top.id) ?? false) || handler);
      } else if (first === 'else' || first === 'finally') top.inBody = false;
      else stack.pop();
    }
    for (const st of statements(l.toks)) {
      if (st[0]!.text === 'try' && st[1]?.text === ':') {
        stack.push({ indent: l.indent, id: nextId++, inBody: true });
        continue;
      }
      for (const module of importsOf(st)) found.push({ module, line: l.line, tries: stack.filter((b) => b.inBody).map((b) => b.id) });
    }
  }
  return found.map((f) => ({ module: f.module, line: f.line, optional: f.tries.some((id) => catches.get(id) === true) }));
}
