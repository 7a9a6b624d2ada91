/**
 * A position-keeping tokenizer for the protobuf text format.
 *
 * `@bufbuild/protobuf/txtpb` decodes configs but its errors carry no position;
 * this tokenizer follows the same lexical rules so that the outline built from
 * it can place every field and every error at a line and column.
 */

export interface Pos {
  /** 0-based character offset. */
  offset: number;
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units. */
  column: number;
}

export interface Span {
  start: Pos;
  end: Pos;
}

export type Punct = '{' | '}' | '<' | '>' | '[' | ']' | ':' | ',' | ';' | '-';

export type Token =
  | { type: Punct; span: Span }
  | { type: 'eof'; span: Span }
  | { type: 'identifier'; value: string; span: Span }
  | { type: 'string'; value: string; span: Span }
  | { type: 'int'; text: string; span: Span }
  | { type: 'float'; text: string; span: Span };

export class TextSyntaxError extends Error {
  readonly span: Span;
  constructor(message: string, span: Span) {
    super(message);
    this.name = 'TextSyntaxError';
    this.span = span;
  }
}

const PUNCT = new Set(['{', '}', '<', '>', '[', ']', ':', ',', ';']);

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
function isLetter(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
}
function isIdentChar(c: string | undefined): boolean {
  return isLetter(c) || isDigit(c);
}
function isHexDigit(c: string | undefined): boolean {
  return c !== undefined && /[0-9a-fA-F]/.test(c);
}

export class Tokenizer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private lookahead: Token | undefined;

  constructor(private readonly text: string) {}

  peek(): Token {
    this.lookahead ??= this.scan();
    return this.lookahead;
  }

  next(): Token {
    const tok = this.peek();
    this.lookahead = undefined;
    return tok;
  }

  here(): Pos {
    return { offset: this.pos, line: this.line, column: this.pos - this.lineStart + 1 };
  }

  private spanFrom(start: Pos): Span {
    return { start, end: this.here() };
  }

  private fail(message: string, start: Pos): never {
    const end = this.here();
    throw new TextSyntaxError(message, { start, end: end.offset > start.offset ? end : { ...start, offset: start.offset + 1, column: start.column + 1 } });
  }

  private advance(n = 1): void {
    for (let i = 0; i < n; i++) {
      if (this.text[this.pos] === '\n') {
        this.line++;
        this.lineStart = this.pos + 1;
      }
      this.pos++;
    }
  }

  private skipSpace(): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f') {
        this.advance();
      } else if (c === '#') {
        while (this.pos < this.text.length && this.text[this.pos] !== '\n') this.pos++;
      } else {
        return;
      }
    }
  }

  private scan(): Token {
    this.skipSpace();
    const start = this.here();
    const c = this.text[this.pos];
    if (c === undefined) return { type: 'eof', span: { start, end: start } };
    if (PUNCT.has(c)) {
      this.advance();
      return { type: c as Punct, span: this.spanFrom(start) };
    }
    if (c === '-') {
      if (isLetter(this.text[this.pos + 1])) return this.scanIdentifier(start);
      this.advance();
      return { type: '-', span: this.spanFrom(start) };
    }
    if (c === '"' || c === "'") return this.scanString(c, start);
    if (isDigit(c) || (c === '.' && isDigit(this.text[this.pos + 1]))) return this.scanNumber(start);
    if (isLetter(c)) return this.scanIdentifier(start);
    this.advance();
    return this.fail(`unexpected ${JSON.stringify(c)}`, start);
  }

  private scanIdentifier(start: Pos): Token {
    if (this.text[this.pos] === '-') this.pos++;
    this.pos++;
    while (isIdentChar(this.text[this.pos])) this.pos++;
    return { type: 'identifier', value: this.text.substring(start.offset, this.pos), span: this.spanFrom(start) };
  }

  private scanNumber(start: Pos): Token {
    const t = this.text;
    if (t[this.pos] === '0' && (t[this.pos + 1] === 'x' || t[this.pos + 1] === 'X')) {
      this.pos += 2;
      const digits = this.pos;
      while (isHexDigit(t[this.pos])) this.pos++;
      if (this.pos === digits) this.fail('invalid hexadecimal literal', start);
      this.expectDelimiter(start);
      return { type: 'int', text: t.substring(start.offset, this.pos), span: this.spanFrom(start) };
    }
    if (t[this.pos] === '0' && t[this.pos + 1] !== undefined && t[this.pos + 1]! >= '0' && t[this.pos + 1]! <= '7') {
      this.pos++;
      while (t[this.pos] !== undefined && t[this.pos]! >= '0' && t[this.pos]! <= '7') this.pos++;
      this.expectDelimiter(start);
      return { type: 'int', text: t.substring(start.offset, this.pos), span: this.spanFrom(start) };
    }
    let isFloat = false;
    if (t[this.pos] === '0') this.pos++;
    else while (isDigit(t[this.pos])) this.pos++;
    if (t[this.pos] === '.') {
      isFloat = true;
      this.pos++;
      while (isDigit(t[this.pos])) this.pos++;
    }
    if (t[this.pos] === 'e' || t[this.pos] === 'E') {
      isFloat = true;
      this.pos++;
      if (t[this.pos] === '+' || t[this.pos] === '-') this.pos++;
      const digits = this.pos;
      while (isDigit(t[this.pos])) this.pos++;
      if (this.pos === digits) this.fail('invalid exponent', start);
    }
    const end = this.pos;
    if (t[this.pos] === 'f' || t[this.pos] === 'F') {
      isFloat = true;
      this.pos++;
    }
    this.expectDelimiter(start);
    const text = t.substring(start.offset, end);
    return isFloat ? { type: 'float', text, span: this.spanFrom(start) } : { type: 'int', text, span: this.spanFrom(start) };
  }

  private expectDelimiter(start: Pos): void {
    const c = this.text[this.pos];
    if (c !== undefined && (isIdentChar(c) || c === '-' || c === '+' || c === '.')) {
      while (this.text[this.pos] !== undefined && /[\w.+-]/.test(this.text[this.pos]!)) this.pos++;
      this.fail('invalid number', start);
    }
  }

  private scanString(quote: string, start: Pos): Token {
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('unterminated string', start);
      if (c === quote) {
        this.pos++;
        return { type: 'string', value: out, span: this.spanFrom(start) };
      }
      if (c === '\n' || c === '\0') this.fail(`invalid ${JSON.stringify(c)} in string`, start);
      if (c === '\\') {
        this.pos++;
        out += this.scanEscape(start);
        continue;
      }
      out += c;
      this.pos++;
    }
  }

  /** Decodes one escape. Byte escapes are kept as code points: good enough to name map keys. */
  private scanEscape(start: Pos): string {
    const c = this.text[this.pos];
    if (c === undefined) this.fail('unterminated escape sequence', start);
    this.pos++;
    switch (c) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'a':
        return '\x07';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case '?':
      case '\\':
      case "'":
      case '"':
        return c;
      case 'x':
      case 'X': {
        const m = /^[0-9a-fA-F]{1,2}/.exec(this.text.substring(this.pos, this.pos + 2));
        if (!m) this.fail('invalid hex escape \\x', start);
        this.pos += m[0].length;
        return String.fromCharCode(parseInt(m[0], 16));
      }
      case 'u':
      case 'U': {
        const len = c === 'u' ? 4 : 8;
        const hex = this.text.substring(this.pos, this.pos + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) this.fail(`invalid unicode escape \\${c}`, start);
        this.pos += len;
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) this.fail(`invalid unicode escape \\${c}${hex}`, start);
        return String.fromCodePoint(cp);
      }
      default:
        if (c >= '0' && c <= '7') {
          const m = /^[0-7]{0,2}/.exec(this.text.substring(this.pos, this.pos + 2));
          const oct = c + (m?.[0] ?? '');
          this.pos += oct.length - 1;
          const v = parseInt(oct, 8);
          if (v > 255) this.fail(`octal escape \\${oct} out of range`, start);
          return String.fromCharCode(v);
        }
        return this.fail(`invalid escape \\${c}`, start);
    }
  }
}
