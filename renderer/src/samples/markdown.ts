/**
 * Enough Markdown to read a repository's README inside the lab: headings,
 * paragraphs, bullet and numbered lists, fenced code, tables, inline code,
 * bold and links (shown as their text). The result is data the template
 * renders as text, never HTML: a README comes from a folder the user opened
 * and is not trusted.
 */

export interface Inline {
  kind: 'text' | 'code' | 'strong';
  text: string;
}

export type Block =
  | { kind: 'heading'; level: number; inline: Inline[] }
  | { kind: 'para'; inline: Inline[] }
  | { kind: 'list'; ordered: boolean; items: Inline[][] }
  | { kind: 'code'; text: string }
  | { kind: 'table'; head: Inline[][]; rows: Inline[][][] };

const HAN = /[\u3400-\u9fff]/;
/** Full-width punctuation: never a space beside it. */
const WIDE_PUNCT = /[\u3000-\u303f\uff00-\uffef]/;

/**
 * Joins wrapped lines: a space between words, and between Chinese and a Latin
 * word or number (as the Chinese texts are written), none between two Chinese
 * characters or beside full-width punctuation.
 */
export function joinLines(lines: string[]): string {
  let out = '';
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    if (!out) {
      out = line;
      continue;
    }
    const a = out.at(-1)!;
    const b = line[0]!;
    out += (HAN.test(a) && HAN.test(b)) || WIDE_PUNCT.test(a) || WIDE_PUNCT.test(b) ? line : ` ${line}`;
  }
  return out;
}

function strongAndLinks(text: string): Inline[] {
  const out: Inline[] = [];
  const plain = text.replace(/\[([^\]]+)\]\([^)\s]*\)/g, '$1');
  const parts = plain.split(/\*\*(.+?)\*\*/g);
  parts.forEach((p, i) => {
    if (p) out.push({ kind: i % 2 ? 'strong' : 'text', text: p });
  });
  return out;
}

/** Inline code spans first (nothing inside them is markup), then bold and links in the rest. */
export function inline(text: string): Inline[] {
  const out: Inline[] = [];
  const parts = text.split(/`([^`]+)`/g);
  parts.forEach((p, i) => {
    if (i % 2) out.push({ kind: 'code', text: p });
    else out.push(...strongAndLinks(p));
  });
  return out;
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
}

const FENCE = /^\s*```/;
const HEADING = /^(#{1,6})\s+(.*)$/;
const ITEM = /^\s*([-*+]|\d+[.)])\s+(.*)$/;
const TABLE_RULE = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

/** Reads one block starting at lines[i]; returns it and the index after it. */
function readBlock(lines: string[], i: number): [Block | undefined, number] {
  const line = lines[i]!;
  if (FENCE.test(line)) {
    let j = i + 1;
    while (j < lines.length && !FENCE.test(lines[j]!)) j++;
    return [{ kind: 'code', text: lines.slice(i + 1, j).join('\n') }, j + 1];
  }
  const h = HEADING.exec(line);
  if (h) return [{ kind: 'heading', level: h[1]!.length, inline: inline(h[2]!.trim()) }, i + 1];
  if (line.trim().startsWith('|') && TABLE_RULE.test(lines[i + 1] ?? '')) {
    let j = i + 2;
    const rows: Inline[][][] = [];
    for (; j < lines.length && lines[j]!.trim().startsWith('|'); j++) rows.push(cells(lines[j]!).map(inline));
    return [{ kind: 'table', head: cells(line).map(inline), rows }, j];
  }
  if (ITEM.test(line)) return readList(lines, i);
  let j = i;
  while (j < lines.length && lines[j]!.trim() && !FENCE.test(lines[j]!) && !HEADING.test(lines[j]!) && !ITEM.test(lines[j]!)) j++;
  return [{ kind: 'para', inline: inline(joinLines(lines.slice(i, j))) }, j];
}

/** A list: items start with a marker; indented lines after one continue it; a blank line or other block ends the list. */
function readList(lines: string[], i: number): [Block, number] {
  const ordered = /^\s*\d/.test(lines[i]!);
  const items: string[][] = [];
  let j = i;
  for (; j < lines.length; j++) {
    const l = lines[j]!;
    const m = ITEM.exec(l);
    if (m) items.push([m[2]!]);
    else if (l.trim() && /^\s/.test(l) && items.length) items[items.length - 1]!.push(l);
    else break;
  }
  return [{ kind: 'list', ordered, items: items.map((it) => inline(joinLines(it))) }, j];
}

/** The blocks of a Markdown text, in order. */
export function parseMarkdown(text: string): Block[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!lines[i]!.trim()) {
      i++;
      continue;
    }
    const [block, next] = readBlock(lines, i);
    if (block) blocks.push(block);
    i = Math.max(next, i + 1);
  }
  return blocks;
}
