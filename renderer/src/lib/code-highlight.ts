/**
 * Colours JavaScript/TypeScript and Python source for the file view, line by
 * line, for display only: a small tokenizer (comments, strings, numbers,
 * keywords, calls, decorators), not a parser, so it never throws and a token
 * it misreads (a regex literal, say) spoils at most the rest of its line.
 * Strings that span lines (template literals, triple quotes, block comments)
 * carry over. Big files are coloured up to a bound and shown plain after it.
 */

export type CodeTokenKind = 'comment' | 'string' | 'number' | 'keyword' | 'literal' | 'function' | 'decorator' | 'punct' | 'text';
export type CodeLanguage = 'js' | 'python';

export interface CodeToken {
  text: string;
  kind: CodeTokenKind;
}

export interface HighlightedCode {
  lines: CodeToken[][];
  /** How many leading lines were coloured (all of them unless the file is over the bound). */
  colouredLines: number;
}

/** Past this many characters a file is shown plain (a bundled or generated file gains nothing from colour). */
export const MAX_HIGHLIGHT_CHARS = 200_000;

const JS_KEYWORDS = new Set(
  'abstract as async await break case catch class const continue debugger declare default delete do else enum export extends finally for from function get if implements import in instanceof interface keyof let namespace new of private protected public readonly return satisfies set static super switch throw try type typeof var void while with yield'.split(
    ' ',
  ),
);
const JS_LITERALS = new Set('true false null undefined this NaN Infinity'.split(' '));
const PY_KEYWORDS = new Set(
  'and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case'.split(' '),
);
const PY_LITERALS = new Set('True False None self cls'.split(' '));

const EXT: Record<string, CodeLanguage> = { js: 'js', mjs: 'js', cjs: 'js', jsx: 'js', ts: 'js', mts: 'js', cts: 'js', tsx: 'js', py: 'python', pyi: 'python' };

/** The language of a file by its extension, or undefined when the file view has no colours for it. */
export function languageOf(path: string): CodeLanguage | undefined {
  const m = /\.([A-Za-z0-9]+)$/.exec(path);
  return m ? EXT[m[1]!.toLowerCase()] : undefined;
}

type Rule = [CodeTokenKind, RegExp];

const NUMBER = /(?:0[xXbBoO][0-9a-fA-F_]+n?|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?[njJ]?)/y;
const SPACE = /\s+/y;
const PUNCT = /[{}()[\];,.<>+\-*/%=&|^!~?:@]/y;

const JS_RULES: Rule[] = [
  ['comment', /\/\/[^\n]*/y],
  ['comment', /\/\*[\s\S]*?(?:\*\/|$)/y],
  ['string', /`(?:[^`\\]|\\[\s\S])*(?:`|$)/y],
  ['string', /"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?/y],
];
const PY_RULES: Rule[] = [
  ['comment', /#[^\n]*/y],
  ['string', /(?:[rRbBuUfF]{1,2})?(?:"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$))/y],
  ['string', /(?:[rRbBuUfF]{1,2})?(?:"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)/y],
  ['decorator', /(?<=^[ \t]*|\n[ \t]*)@[A-Za-z_][\w.]*/y],
];
const IDENT = /[A-Za-z_$][\w$]*/y;
const CALL_AFTER = /\s*\(/y;

function at(re: RegExp, text: string, i: number): string | undefined {
  re.lastIndex = i;
  const m = re.exec(text);
  return m && m[0].length > 0 ? m[0] : undefined;
}

function word(text: string, i: number, w: string, lang: CodeLanguage): CodeTokenKind {
  const keywords = lang === 'js' ? JS_KEYWORDS : PY_KEYWORDS;
  const literals = lang === 'js' ? JS_LITERALS : PY_LITERALS;
  if (literals.has(w)) return 'literal';
  if (keywords.has(w)) return 'keyword';
  return at(CALL_AFTER, text, i + w.length) !== undefined ? 'function' : 'text';
}

/** The tokens of `text` in order; joined, their texts give back `text` exactly. */
export function tokenize(text: string, lang: CodeLanguage): CodeToken[] {
  const rules = lang === 'js' ? JS_RULES : PY_RULES;
  const out: CodeToken[] = [];
  let i = 0;
  next: while (i < text.length) {
    for (const [kind, re] of rules) {
      const m = at(re, text, i);
      if (m !== undefined) {
        out.push({ text: m, kind });
        i += m.length;
        continue next;
      }
    }
    const space = at(SPACE, text, i);
    const id = space === undefined ? at(IDENT, text, i) : undefined;
    const num = space === undefined && id === undefined ? at(NUMBER, text, i) : undefined;
    const punct = space === undefined && id === undefined && num === undefined ? at(PUNCT, text, i) : undefined;
    const t: CodeToken =
      space !== undefined
        ? { text: space, kind: 'text' }
        : id !== undefined
          ? { text: id, kind: word(text, i, id, lang) }
          : num !== undefined
            ? { text: num, kind: 'number' }
            : { text: punct ?? text[i]!, kind: punct ? 'punct' : 'text' };
    out.push(t);
    i += t.text.length;
  }
  return out;
}

/** Splits tokens at line breaks: one array of tokens per line. */
function toLines(tokens: CodeToken[]): CodeToken[][] {
  const lines: CodeToken[][] = [[]];
  for (const t of tokens) {
    const parts = t.text.split(/\r?\n/);
    parts.forEach((p, k) => {
      if (k > 0) lines.push([]);
      if (p) lines.at(-1)!.push({ text: p, kind: t.kind });
    });
  }
  return lines;
}

/** Lines of coloured tokens for `text`; past MAX_HIGHLIGHT_CHARS (or `max`), whole lines plain. */
export function highlightCode(text: string, lang: CodeLanguage, max = MAX_HIGHLIGHT_CHARS): HighlightedCode {
  const cut = text.length <= max ? text.length : Math.max(0, text.lastIndexOf('\n', max));
  const coloured = cut > 0 ? toLines(tokenize(text.slice(0, cut), lang)) : [];
  if (cut >= text.length) return { lines: coloured, colouredLines: coloured.length };
  const plain = text
    .slice(cut === 0 ? 0 : cut + 1)
    .split(/\r?\n/)
    .map((l) => (l ? [{ text: l, kind: 'text' as const }] : []));
  return { lines: [...coloured, ...plain], colouredLines: coloured.length };
}
