/**
 * Where a load request's files ("file:<version>/<name>" parameters) are
 * written: one private folder per core, made with fs.mkdtemp (0700, an
 * unpredictable name, never a link someone planted) the first time it is
 * needed; one fresh folder per load inside it. Nothing written here follows
 * a link: folders are created one level at a time and checked, files are
 * opened O_CREAT|O_EXCL|O_NOFOLLOW with mode 0600. A load's folder is
 * removed once no loaded model uses it, the whole base at shutdown.
 */
import { constants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LabError } from '../../engine/errors';
import { escapesReally } from '../../engine/repository/containment';
import { serverExiting } from '../../engine/triton-errors';

export const FILE_PREFIX = 'file:';

const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function invalid(key: string, why: string): LabError {
  return new LabError('INVALID_ARG', `Invalid file parameter '${FILE_PREFIX}${key}'${why}`);
}

export class ScratchFolders {
  private base: Promise<string> | undefined;
  private removed = false;

  /** `parent`: the folder the private base is made in (default os.tmpdir()). */
  constructor(private readonly parent: string = os.tmpdir()) {}

  private ensureBase(): Promise<string> {
    if (this.removed) return Promise.reject(serverExiting());
    this.base ??= (async () => {
      await fs.mkdir(this.parent, { recursive: true, mode: 0o700 });
      return fs.mkdtemp(path.join(path.resolve(this.parent), 'model-lab-overrides-'));
    })();
    // A failure (e.g. an unwritable parent) is tried again on the next load.
    this.base.catch(() => (this.base = undefined));
    return this.base;
  }

  /** The base, once it was made (tests, logs). */
  async location(): Promise<string | undefined> {
    return this.base?.catch(() => undefined);
  }

  /** A fresh folder for one load's files, with the files written in it. */
  async unpack(model: string, files: Record<string, Uint8Array>): Promise<string> {
    const base = await this.ensureBase();
    // The name only labels the folder: cut, so a long model name cannot make mkdtemp fail (ENAMETOOLONG with our path).
    const dir = await fs.mkdtemp(path.join(base, `${model.replace(/[^\w.-]/g, '_').slice(0, 64)}-`));
    try {
      for (const [rel, bytes] of Object.entries(files)) await this.write(dir, rel, bytes);
    } catch (err) {
      await this.remove(dir);
      throw err;
    }
    return dir;
  }

  /** Writes one file under `dir` (Triton's JoinPath and containment check), never through a link. */
  private async write(dir: string, rel: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.writeContained(dir, rel, bytes);
    } catch (err) {
      // Triton's weakly_canonical throws on a name no file system takes; say so without our folder.
      if ((err as NodeJS.ErrnoException).code === 'ENAMETOOLONG') throw new LabError('INVALID_ARG', `Invalid file parameter '${rel}': File name too long`);
      throw err;
    }
  }

  private async writeContained(dir: string, rel: string, bytes: Uint8Array): Promise<void> {
    // A part longer than NAME_MAX (255 bytes) would make the containment check fail for the wrong reason.
    if (rel.split(/[\\/]/).some((part) => Buffer.byteLength(part) > 255)) throw Object.assign(new Error('name too long'), { code: 'ENAMETOOLONG' });
    const target = path.resolve(path.join(dir, rel));
    const { escapes, canonical } = await escapesReally(target, dir);
    if (rel === '' || rel.includes('\0') || escapes || target === dir) {
      throw invalid(rel, ` with normalized path '${canonical}' must stay within model directory.`);
    }
    const parts = path.relative(dir, target).split(path.sep);
    let at = dir;
    for (const part of parts.slice(0, -1)) {
      at = path.join(at, part);
      await fs.mkdir(at, { mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      const st = await fs.lstat(at);
      if (!st.isDirectory()) throw invalid(rel, ', directory has been created as a file');
    }
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(target, WRITE_FLAGS, 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'EISDIR') throw invalid(rel, ': the file was given twice, or a folder of that name was given too');
      throw err;
    }
    try {
      await handle.writeFile(bytes);
    } finally {
      await handle.close();
    }
  }

  /** Whether `dir` is one of this core's load folders. */
  async owns(dir: string): Promise<boolean> {
    const base = await this.location();
    return base !== undefined && path.dirname(dir) === base;
  }

  /** Removes one load's folder (only ever one of ours). */
  async remove(dir: string): Promise<void> {
    if (await this.owns(dir)) await fs.rm(dir, { recursive: true, force: true });
  }

  /** Removes the base and everything in it; later loads with files are refused. */
  async removeAll(): Promise<void> {
    this.removed = true;
    const base = await this.location();
    if (base) await fs.rm(base, { recursive: true, force: true });
  }
}
