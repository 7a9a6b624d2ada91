/**
 * Writing an export without ever overwriting or leaking: the output folder
 * must be new or empty and outside the repositories it copies from; every
 * file is created with O_EXCL; model folders are copied file by file, regular
 * files only, read without blocking (a FIFO or device is skipped unread), and
 * a link is followed only when its target stays inside the model folder (a
 * link leading elsewhere is skipped and reported, never copied).
 */
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { LabError } from '../errors';
import { weaklyCanonical } from '../repository/containment';
import { toPosix } from '../util/fs-tree';
import { isInside, realPath } from '../util/real-path';
import { openNonBlocking, specialKind } from '../util/regular-file';

/** Bounds on one model folder's copy. */
const MAX_FILES = 100_000;
const MAX_DEPTH = 32;

/** What one export created, so that a failed export removes exactly that (and nothing another writer put there). */
export class Created {
  private readonly files: string[] = [];
  private readonly dirs: string[] = [];

  /** Creates `dir` and its missing parents, remembering the folders this call made. */
  async mkdirp(dir: string): Promise<void> {
    const missing: string[] = [];
    for (let cur = dir; !(await fs.lstat(cur).catch(() => undefined)); cur = path.dirname(cur)) {
      missing.push(cur);
      if (path.dirname(cur) === cur) break;
    }
    for (const d of missing.reverse()) {
      const made = await fs.mkdir(d).then(
        () => true,
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'EEXIST') return false;
          throw err;
        },
      );
      if (made) this.dirs.push(d);
    }
  }

  file(f: string): void {
    this.files.push(f);
  }

  /** Removes the files, then the folders (those left empty), newest first. */
  async undo(): Promise<void> {
    for (const f of this.files.reverse()) await fs.rm(f, { force: true }).catch(() => undefined);
    for (const d of this.dirs.reverse()) await fs.rmdir(d).catch(() => undefined);
  }
}

export interface CopyResult {
  files: { path: string; bytes: number }[];
  skipped: string[];
}

/** Refuses an output folder inside any of `sources` (decided on real paths, before anything is created). */
async function assertOutside(outDir: string, sources: string[]): Promise<void> {
  const real = await weaklyCanonical(outDir).catch((err: NodeJS.ErrnoException) => {
    throw new LabError('INVALID_ARG', `the output folder '${outDir}' cannot be resolved (${err.code ?? err.message})`);
  });
  for (const src of sources) {
    const rs = (await realPath(src)) ?? src;
    if (isInside(rs, real)) throw new LabError('INVALID_ARG', `the output folder '${outDir}' is inside the repository '${src}'; choose a folder outside it`);
  }
}

/** Makes `outDir` (absolute) ready: created when missing, else an empty real folder; never inside `sources`. Returns its real path. */
export async function prepareOutDir(outDir: string, sources: string[], created: Created): Promise<string> {
  if (!path.isAbsolute(outDir)) throw new LabError('INVALID_ARG', `the output folder must be an absolute path, got '${outDir}'`);
  await assertOutside(outDir, sources);
  const st = await fs.lstat(outDir).catch(() => undefined);
  if (st?.isSymbolicLink()) throw new LabError('INVALID_ARG', `the output folder '${outDir}' is a link; name the folder itself`);
  if (st && !st.isDirectory()) throw new LabError('ALREADY_EXISTS', `'${outDir}' exists and is not a folder; nothing is overwritten`);
  if (st) {
    const entries = await fs.readdir(outDir);
    if (entries.length > 0)
      throw new LabError(
        'ALREADY_EXISTS',
        `the output folder '${outDir}' is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}); choose a new or empty folder: nothing is overwritten`,
      );
  } else {
    await created.mkdirp(outDir).catch((err: NodeJS.ErrnoException) => {
      throw new LabError('INVALID_ARG', `cannot create the output folder '${outDir}' (${err.code ?? err.message})`);
    });
  }
  // Checked again on the folder as it now is (a link swapped in on the way would show here).
  await assertOutside(outDir, sources);
  return (await realPath(outDir)) ?? outDir;
}

/** Writes a new file (never replacing one) and returns its size. */
export async function writeNew(file: string, content: string | Uint8Array, created: Created): Promise<number> {
  await created.mkdirp(path.dirname(file));
  await fs.writeFile(file, content, { flag: 'wx', mode: 0o644 });
  created.file(file);
  return typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
}

async function copyRegular(src: string, dest: string, shown: string, skipped: string[], created: Created): Promise<number | undefined> {
  let opened;
  try {
    opened = await openNonBlocking(src, true);
  } catch (err) {
    skipped.push(`${shown}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  const { handle, stat } = opened;
  try {
    const kind = specialKind(stat);
    if (kind) {
      skipped.push(`${shown}: ${kind}, not a regular file`);
      return undefined;
    }
    if (stat.size === 0) return await writeNew(dest, '', created);
    await created.mkdirp(path.dirname(dest));
    // What fstat measured is what is copied (a file that grows meanwhile is not followed).
    const sink = createWriteStream(dest, { flags: 'wx', mode: 0o644 });
    sink.once('open', () => created.file(dest));
    await pipeline(handle.createReadStream({ start: 0, end: stat.size - 1, autoClose: false }), sink);
    return stat.size;
  } finally {
    await handle.close();
  }
}

interface Walk {
  created: Created;
  root: string;
  srcRoot: string;
  destRoot: string;
  label: string;
  out: CopyResult;
  seen: Set<string>;
  /** Files already written, by their real source path: another link to one becomes a hard link (a thousand links to one weights file cost no disk). */
  copied: Map<string, string>;
  maxFiles: number;
}

/** Writes `dest` as a hard link to the copy already made of the same source file; false where the file system refuses (then it is copied). */
async function linkCopy(w: Walk, real: string, dest: string): Promise<boolean> {
  const first = w.copied.get(real);
  if (!first) return false;
  try {
    await w.created.mkdirp(path.dirname(dest));
    await fs.link(first, dest);
    w.created.file(dest);
    return true;
  } catch {
    return false;
  }
}

/** Where a directory entry really is, and what: a link is resolved and kept only inside the model folder. */
async function resolveEntry(w: Walk, abs: string, shown: string): Promise<{ real: string; dir: boolean; link: boolean } | undefined> {
  const lst = await fs.lstat(abs).catch(() => undefined);
  if (!lst) return undefined;
  if (!lst.isSymbolicLink()) return { real: abs, dir: lst.isDirectory(), link: false };
  const real = await realPath(abs);
  if (!real || !isInside(w.root, real)) {
    w.out.skipped.push(`${shown}: a link leading outside the model folder (not copied)`);
    return undefined;
  }
  const st = await fs.stat(real).catch(() => undefined);
  return st ? { real, dir: st.isDirectory(), link: true } : undefined;
}

/** `realDir`: where `dir` really is (the model folder's real path, joined with plain names and resolved links). */
async function walk(w: Walk, dir: string, realDir: string, depth: number): Promise<void> {
  if (depth > MAX_DEPTH) return void w.out.skipped.push(`${w.label}/${toPosix(path.relative(w.srcRoot, dir))}: deeper than ${MAX_DEPTH} folders (not copied)`);
  const entries = (await fs.readdir(dir)).sort();
  for (const name of entries) {
    if (w.out.files.length >= w.maxFiles) {
      // Said once, not again by every folder the walk returns through.
      const line = `${w.label}: more than ${w.maxFiles} files (the rest not copied)`;
      return void (w.out.skipped.at(-1) === line || w.out.skipped.push(line));
    }
    if (name === '__pycache__') continue;
    const abs = path.join(dir, name);
    const rel = toPosix(path.relative(w.srcRoot, abs));
    const shown = `${w.label}/${rel}`;
    const entry = await resolveEntry(w, abs, shown);
    if (!entry) continue;
    if (entry.dir) {
      // A plain folder is always walked, even when a link reached it first. A link is walked once, and
      // never into a folder above it (a loop).
      const real = entry.link ? entry.real : path.join(realDir, name);
      if (entry.link) {
        if (w.seen.has(real) || isInside(real, realDir)) {
          w.out.skipped.push(`${shown}: a link to a folder it is already copying (not copied)`);
          continue;
        }
        w.seen.add(real);
      }
      await walk(w, abs, real, depth + 1);
      continue;
    }
    const real = entry.link ? entry.real : path.join(realDir, name);
    const dest = path.join(w.destRoot, rel);
    const linked = (await linkCopy(w, real, dest)) ? (await fs.stat(dest)).size : undefined;
    const bytes = linked ?? (await copyRegular(entry.real, dest, shown, w.out.skipped, w.created));
    if (bytes === undefined) continue;
    if (linked === undefined) w.copied.set(real, dest);
    w.out.files.push({ path: rel, bytes });
  }
}

/**
 * Copies the model folder `srcDir` to `destDir` (new), as described above; paths in the result are relative to `destDir`.
 * A model folder that is a link leading outside `repoRoot` (the repository it is listed in) is not copied at all: a
 * cloned repository's `m -> ~/.ssh` would otherwise put that folder into the image.
 */
export async function copyModelFolder(srcDir: string, destDir: string, label: string, repoRoot: string, created: Created, maxFiles = MAX_FILES): Promise<CopyResult> {
  const root = (await realPath(srcDir)) ?? srcDir;
  const out: CopyResult = { files: [], skipped: [] };
  if (!isInside((await realPath(repoRoot)) ?? repoRoot, root)) {
    out.skipped.push(`${label}: a link leading outside the repository (not copied)`);
    return out;
  }
  await created.mkdirp(destDir);
  await walk({ created, root, srcRoot: srcDir, destRoot: destDir, label, out, seen: new Set(), copied: new Map(), maxFiles }, srcDir, root, 0);
  return out;
}
