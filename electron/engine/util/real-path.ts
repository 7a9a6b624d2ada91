/**
 * "Inside this folder" decided on real paths. `path.resolve` keeps links as
 * they are, so a link inside a repository that points at /etc/passwd would
 * pass a check on the resolved name; every check here follows links first
 * (fs.realpath) and compares against the folder's own real path. Files are
 * then opened by their real path without following a last-moment link, and
 * read through that handle, so what was checked is what is read.
 */
import { constants, promises as fs, realpathSync } from 'node:fs';
import path from 'node:path';
import { LabError } from '../errors';

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

const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * Opens a regular file by its real path without following a link swapped in since the check, and
 * hands the open handle and its size to `use` (which reads through it, or decides it is too large).
 */
export async function withRealFile<T>(real: string, shown: string, use: (handle: fs.FileHandle, size: number) => Promise<T>): Promise<T> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(real, constants.O_RDONLY | NO_FOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LabError('NOT_FOUND', `'${shown}' does not exist`);
    if (code === 'ELOOP') throw new LabError('INVALID_ARG', `'${shown}' changed into a link while it was being read`);
    throw new LabError('INVALID_ARG', `'${shown}' cannot be read (${code ?? 'error'})`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new LabError('INVALID_ARG', `'${shown}' is not a file`);
    return await use(handle, st.size);
  } finally {
    await handle.close();
  }
}
