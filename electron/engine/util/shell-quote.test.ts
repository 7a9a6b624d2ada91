/** Every value comes back out of the shell exactly as it went in, and nothing in it runs. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commentText, shQuote } from './shell-quote';
import { HOSTILE } from './testing/hostile-strings';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-shq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `script` with `shell` in a fresh folder; returns what it printed and the files it left. */
function run(shell: string, script: string): { out: string; files: string[] } {
  const cwd = mkdtempSync(path.join(dir, 'run-'));
  const file = path.join(cwd, 'script.sh');
  writeFileSync(file, script);
  const out = execFileSync(shell, [file], { cwd, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', IFS: ' ' } });
  return { out, files: readdirSync(cwd).filter((f) => f !== 'script.sh') };
}

const printable = (s: string): boolean => [...s].every((c) => c.codePointAt(0)! >= 0x20 && !(c.codePointAt(0)! >= 0x7f && c.codePointAt(0)! <= 0x9f) && c !== '\u2028' && c !== '\u2029');

describe('shQuote', () => {
  it.skipIf(!existsSync('/bin/bash'))('gives bash back every value byte for byte, with history expansion on, running nothing', () => {
    // Lone surrogates cannot be written as UTF-8; the shell sees U+FFFD, as in any file.
    const expected = HOSTILE.map((v) => Buffer.from(v, 'utf8').toString('utf8'));
    const script = `set -H\n${HOSTILE.map((v) => `printf '%s\\0' ${shQuote(v)}`).join('\n')}\n`;
    const { out, files } = run('/bin/bash', script);
    expect(files).toEqual([]);
    expect(out.split('\0').slice(0, -1)).toEqual(expected);
  });

  it.skipIf(!existsSync('/bin/dash'))('is plain POSIX single quoting for printable values (dash)', () => {
    const values = HOSTILE.filter(printable);
    const { out, files } = run('/bin/dash', `${values.map((v) => `printf '%s\\0' ${shQuote(v)}`).join('\n')}\n`);
    expect(files).toEqual([]);
    expect(out.split('\0').slice(0, -1)).toEqual(values.map((v) => Buffer.from(v, 'utf8').toString('utf8')));
  });

  it("writes no raw control character, quote or ! inside $'…'", () => {
    const q = shQuote("\u001b[201~\n!x'y");
    expect(q).toBe("$'\\x1b[201~\\n\\x21x\\x27y'");
    expect(shQuote('')).toBe("''");
    expect(shQuote("it's")).toBe("'it'\\''s'");
  });

  it('keeps comments on one line', () => {
    expect(commentText('a\nrm -rf ~\r\u2028b')).toBe('a\\u000arm -rf ~\\u000d\\u2028b');
  });
});
