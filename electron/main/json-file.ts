/** Small JSON files under the user data folder: read with a fallback, written atomically. */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Reads and checks a JSON file. A missing file gives the fallback quietly; an
 * unreadable or malformed one gives the fallback and one log line.
 */
export function readJsonFile<T>(file: string, parse: (raw: unknown) => T | undefined, fallback: T, log: (line: string) => void): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log(`${file} could not be read (${(err as Error).message}); using defaults`);
    return fallback;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    log(`${file} is not valid JSON (${(err as Error).message}); using defaults`);
    return fallback;
  }
  const value = parse(raw);
  if (value === undefined) {
    log(`${file} does not hold what was expected; using defaults`);
    return fallback;
  }
  return value;
}

/** Writes next to the file, then renames over it: a crash mid-write never leaves half a file. */
export function writeJsonFileAtomic(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
