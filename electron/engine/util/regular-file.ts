/**
 * Opening a file the lab reads from a repository without ever waiting on it.
 *
 * open(2) of a FIFO for reading blocks until a writer appears, and a device
 * (a link to /dev/zero) never ends. A blocked open parks one of libuv's four
 * threadpool threads for good: four such files stop every fs, zlib and dns
 * call of the process (a sync open stops the event loop itself). Checking the
 * type first (stat, then open) is a race: the file can be swapped in between.
 * So every file is opened with O_NONBLOCK (a FIFO opens at once; a regular
 * file reads as usual), the open handle is fstat'ed, and anything but a
 * regular file is closed unread and refused. What was checked is what is read,
 * and reads stop at the size fstat gave (a file that grows is not followed).
 */
import { type Stats, closeSync, constants, fstatSync, openSync, promises as fs } from 'node:fs';
import { LabError } from '../errors';

const NON_BLOCK = constants.O_NONBLOCK ?? 0;
const NO_CTTY = constants.O_NOCTTY ?? 0;
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/** open(2) flags for reading a file that may turn out to be a FIFO or a device. */
export function readFlags(noFollow = false): number {
  return constants.O_RDONLY | NON_BLOCK | NO_CTTY | (noFollow ? NO_FOLLOW : 0);
}

/** What a file that is not a regular file is, in words; undefined for a regular file. */
export function specialKind(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}

/**
 * Opens `file` to read without blocking and fstats the handle. The handle is the caller's (also
 * when the file is not regular: look at `specialKind(stat)`). Errors are fs errors, unchanged.
 */
export async function openNonBlocking(file: string, noFollow = false): Promise<{ handle: fs.FileHandle; stat: Stats }> {
  const handle = await fs.open(file, readFlags(noFollow));
  try {
    return { handle, stat: await handle.stat() };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** The LabError for an fs error met opening `shown`. */
export function openError(err: unknown, shown: string): LabError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new LabError('NOT_FOUND', `'${shown}' does not exist`);
  if (code === 'ELOOP') return new LabError('INVALID_ARG', `'${shown}' changed into a link while it was being read`);
  // A Unix socket cannot be opened at all.
  if (code === 'ENXIO') return new LabError('INVALID_ARG', `'${shown}' is not a file but a socket or device; only regular files are read`);
  return new LabError('INVALID_ARG', `'${shown}' cannot be read (${code ?? 'error'})`);
}

function notRegular(shown: string, kind: string): LabError {
  return new LabError('INVALID_ARG', `'${shown}' is not a file but ${kind}; only regular files are read`);
}

/**
 * Opens a regular file without blocking (`noFollow`: refusing a link in the last component) and
 * hands the handle and its size to `use`; a FIFO, device, socket or folder is refused unread.
 */
export async function withRegularFile<T>(file: string, shown: string, use: (handle: fs.FileHandle, size: number) => Promise<T>, noFollow = false): Promise<T> {
  let opened: { handle: fs.FileHandle; stat: Stats };
  try {
    opened = await openNonBlocking(file, noFollow);
  } catch (err) {
    throw openError(err, shown);
  }
  const { handle, stat } = opened;
  try {
    const kind = specialKind(stat);
    if (kind) throw notRegular(shown, kind);
    return await use(handle, stat.size);
  } finally {
    await handle.close();
  }
}

/** Reads at most `size` bytes from the start of an open file (fewer when it shrank). */
export async function readUpTo(handle: fs.FileHandle, size: number): Promise<Buffer> {
  // Unfilled: only the bytes read are handed out.
  const buf = Buffer.allocUnsafe(size);
  let off = 0;
  while (off < size) {
    const { bytesRead } = await handle.read(buf, off, size - off, off);
    if (bytesRead === 0) break;
    off += bytesRead;
  }
  return buf.subarray(0, off);
}

/** A regular file's bytes, at most `maxBytes` of them (a larger file is refused unread). */
export async function readRegularFile(file: string, shown: string, maxBytes: number, noFollow = false): Promise<Buffer> {
  return withRegularFile(
    file,
    shown,
    async (handle, size) => {
      if (size > maxBytes) throw new LabError('INVALID_ARG', `'${shown}' is ${size} bytes; at most ${maxBytes} are read`);
      return readUpTo(handle, size);
    },
    noFollow,
  );
}

/** The synchronous form, for readers that must be synchronous: a descriptor of a regular file and its size. */
export function openRegularSync(file: string, shown: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(file, readFlags());
  } catch (err) {
    throw openError(err, shown);
  }
  try {
    const st = fstatSync(fd);
    const kind = specialKind(st);
    if (kind) throw notRegular(shown, kind);
    return { fd, size: st.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** The most of a model's source (model.py, model.js) read to look for an auto-complete hook. */
export const MAX_MODEL_SOURCE_BYTES = 16 * 2 ** 20;

/** A model's source as text, or '' when it is not a regular file or is larger than any real one. */
export async function readModelSource(file: string): Promise<string> {
  return readRegularFile(file, file, MAX_MODEL_SOURCE_BYTES).then(
    (b) => b.toString('utf8'),
    () => '',
  );
}
