/**
 * A schema-free outline of a text-format document: every field with the span
 * of its name and value. Used to place decode errors and validation
 * diagnostics at a line and column, never to decode values (txtpb does that).
 */
import { type Span, type Token, Tokenizer, TextSyntaxError } from './tokens';

export interface OScalar {
  kind: 'scalar';
  /** The value token; adjacent string literals are concatenated into one. */
  token: Extract<Token, { type: 'identifier' | 'string' | 'int' | 'float' }>;
  negative: boolean;
  span: Span;
}

export interface OMessage {
  kind: 'message';
  fields: OField[];
  span: Span;
}

export interface OList {
  kind: 'list';
  items: (OScalar | OMessage)[];
  span: Span;
}

export type OValue = OScalar | OMessage | OList;

export interface OField {
  name: string;
  nameSpan: Span;
  hasColon: boolean;
  /** Undefined when the document ended or broke before the value was complete. */
  value?: OValue;
}

export interface Outline {
  root: OMessage;
  /** The first syntax error, if any; the outline holds everything before it. */
  error?: TextSyntaxError;
}

/** Deeper nesting than this is refused, as txtpb does, before the stack runs out. */
export const MAX_DEPTH = 100;

export function describeToken(tok: Token): string {
  switch (tok.type) {
    case 'identifier':
      return `"${tok.value}"`;
    case 'int':
    case 'float':
      return `"${tok.text}"`;
    case 'string':
      return 'a string';
    case 'eof':
      return 'end of input';
    default:
      return `"${tok.type}"`;
  }
}

class OutlineParser {
  private readonly tz: Tokenizer;
  private depth = 0;

  constructor(text: string) {
    this.tz = new Tokenizer(text);
  }

  parseDocument(root: OMessage): void {
    this.parseBody(root, 'eof');
  }

  private parseBody(msg: OMessage, close: '}' | '>' | 'eof'): void {
    if (++this.depth > MAX_DEPTH) {
      throw new TextSyntaxError(`nesting deeper than ${MAX_DEPTH} levels`, this.tz.peek().span);
    }
    for (;;) {
      const tok = this.tz.peek();
      if (tok.type === 'eof') {
        if (close !== 'eof') throw new TextSyntaxError(`unexpected end of input, expected "${close}"`, tok.span);
        msg.span = { start: msg.span.start, end: tok.span.end };
        break;
      }
      if (close !== 'eof' && tok.type === close) {
        this.tz.next();
        msg.span = { start: msg.span.start, end: tok.span.end };
        break;
      }
      this.parseField(msg);
      const sep = this.tz.peek();
      if (sep.type === ',' || sep.type === ';') this.tz.next();
    }
    this.depth--;
  }

  private parseField(msg: OMessage): void {
    const nameTok = this.tz.next();
    if (nameTok.type === 'int') throw new TextSyntaxError(`cannot specify field by number: ${nameTok.text}`, nameTok.span);
    if (nameTok.type === '[') throw new TextSyntaxError('extension and Any fields ("[...]") have no place in a model config', nameTok.span);
    if (nameTok.type !== 'identifier') throw new TextSyntaxError(`expected a field name, got ${describeToken(nameTok)}`, nameTok.span);
    const hasColon = this.tz.peek().type === ':';
    if (hasColon) this.tz.next();
    const field: OField = { name: nameTok.value, nameSpan: nameTok.span, hasColon };
    msg.fields.push(field);
    field.value = this.parseValue();
  }

  private parseValue(): OValue {
    const tok = this.tz.peek();
    if (tok.type === '{' || tok.type === '<') return this.parseMessage();
    if (tok.type === '[') return this.parseList();
    return this.parseScalar();
  }

  private parseMessage(): OMessage {
    const open = this.tz.next();
    const msg: OMessage = { kind: 'message', fields: [], span: open.span };
    this.parseBody(msg, open.type === '{' ? '}' : '>');
    return msg;
  }

  private parseList(): OList {
    const open = this.tz.next();
    const list: OList = { kind: 'list', items: [], span: open.span };
    if (this.tz.peek().type === ']') {
      list.span = { start: open.span.start, end: this.tz.next().span.end };
      return list;
    }
    for (;;) {
      const t = this.tz.peek();
      list.items.push(t.type === '{' || t.type === '<' ? this.parseMessage() : this.parseScalar());
      const sep = this.tz.next();
      if (sep.type === ']') {
        list.span = { start: open.span.start, end: sep.span.end };
        return list;
      }
      if (sep.type !== ',') throw new TextSyntaxError(`expected "," or "]" in list, got ${describeToken(sep)}`, sep.span);
    }
  }

  private parseScalar(): OScalar {
    let negative = false;
    const first = this.tz.peek();
    if (first.type === '-') {
      this.tz.next();
      negative = true;
    }
    const tok = this.tz.next();
    if (tok.type === 'string') {
      let value = tok.value;
      let end = tok.span.end;
      while (this.tz.peek().type === 'string') {
        const more = this.tz.next() as Extract<Token, { type: 'string' }>;
        value += more.value;
        end = more.span.end;
      }
      return { kind: 'scalar', token: { ...tok, value }, negative, span: { start: first.span.start, end } };
    }
    if (tok.type === 'identifier' || tok.type === 'int' || tok.type === 'float') {
      return { kind: 'scalar', token: tok, negative, span: { start: first.span.start, end: tok.span.end } };
    }
    throw new TextSyntaxError(`expected a value, got ${describeToken(tok)}`, tok.span);
  }
}

export function outlineText(text: string): Outline {
  const start = { offset: 0, line: 1, column: 1 };
  const root: OMessage = { kind: 'message', fields: [], span: { start, end: start } };
  try {
    new OutlineParser(text).parseDocument(root);
    return { root };
  } catch (err) {
    if (err instanceof TextSyntaxError) return { root, error: err };
    throw err;
  }
}

/** The elements of a repeated field in document order: repeated blocks append, lists expand. */
export function elementsOf(msg: OMessage, name: string): { field: OField; value: OScalar | OMessage }[] {
  const out: { field: OField; value: OScalar | OMessage }[] = [];
  for (const field of msg.fields) {
    if (field.name !== name || !field.value) continue;
    if (field.value.kind === 'list') for (const item of field.value.items) out.push({ field, value: item });
    else out.push({ field, value: field.value });
  }
  return out;
}
