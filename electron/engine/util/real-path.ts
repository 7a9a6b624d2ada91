/**
 * "Inside this folder" decided on real paths. `path.resolve` keeps links as
 * they are, so a link inside a repository that points at /etc/passwd would
 * pass a check on the resolved name; every check here follows links first
 * (fs.realpath) and compares against the folder's own real path. Files are
 * then opened by their real path without following a last-moment link, and
 * read through that handle, so what was checked is what is read.
 */
import { promises as fs, realpathSync } from 'node:fs';
import path from 'node:path';
import { LabError } from '../errors';
import { withRegularFile } from './regular-file';

/** `child` is `root` or below it; both already real (or both lexical). */
export function isInside(root: string, child: string): boolean {
  if (child === root) return true;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return child.startsWith(prefix);
}

/** The real path, or undefined when it does not exist (or cannot be resolved). */
export async function realPath(p: string): Promise<string | undefined> {
  return fs.realpath(p).catch(() => undefined);
}

export function realPathSync(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

/**
 * The real path of `abs` when it lies inside `root`'s real path. Missing: NOT_FOUND; elsewhere
 * (through a link, or a name that was never inside): INVALID_ARG with `shown` in the message.
 */
export async function realInside(root: string, abs: string, shown: string, where = 'the repository'): Promise<string> {
  const [realRoot, real] = await Promise.all([realPath(root), realPath(abs)]);
  if (real === undefined) throw new LabError('NOT_FOUND', `'${shown}' does not exist`);
  if (realRoot === undefined || !isInside(realRoot, real)) {
    throw new LabError('INVALID_ARG', `'${shown}' is outside ${where} (after following links); the lab reads only files inside it`);
  }
  return real;
}

/**
 * Opens a regular file by its real path without following a link swapped in since the check, and
 * hands the open handle and its size to `use` (which reads through it, or decides it is too large).
 * Opened without blocking (regular-file.ts): a FIFO or device is refused before a byte is read.
 */
export async function withRealFile<T>(real: string, shown: string, use: (handle: fs.FileHandle, size: number) => Promise<T>): Promise<T> {
  return withRegularFile(real, shown, use, true);
}
