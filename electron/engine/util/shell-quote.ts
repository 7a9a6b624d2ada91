/**
 * Quoting for values pasted into a POSIX shell (bash, zsh, sh). Model names
 * are folder names and tensor strings are anything, so every value in a
 * generated command goes through `shQuote`: a single-quoted word, in which
 * nothing (`$(…)`, backticks, `!`, globs, spaces) is special. A value with
 * control characters (a newline, ESC that could end a terminal's bracketed
 * paste) is written as bash/zsh `$'…'` with every such character, quote and
 * `!` escaped, so the command holds no raw control character at all.
 */

/** Characters that must never reach a terminal raw: C0, DEL, C1, and the Unicode line separators. */
function isControl(ch: string): boolean {
  const code = ch.codePointAt(0)!;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
}

const hasControl = (value: string): boolean => [...value].some(isControl);

/** One shell word that stands for exactly `value`. */
export function shQuote(value: string): string {
  if (hasControl(value)) return ansiCQuote(value);
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\\': '\\\\', "'": '\\x27', '!': '\\x21' };

const hexBytes = (ch: string): string => [...Buffer.from(ch, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');

/** bash/zsh ANSI-C quoting; no raw `'` or `!` inside, so history expansion cannot see into it either. */
function ansiCQuote(value: string): string {
  let out = "$'";
  // Bytes, not \u: what \u means depends on the shell's locale; the UTF-8 bytes do not.
  for (const ch of value) out += ESCAPES[ch] ?? (isControl(ch) ? hexBytes(ch) : ch);
  return `${out}'`;
}

/** Text for a `#` comment line: never a line break or control character, so a comment cannot end early. */
export function commentText(value: string): string {
  return [...value].map((ch) => (isControl(ch) ? `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}` : ch)).join('');
}
