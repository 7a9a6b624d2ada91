/**
 * What a Python model's code needs beyond Triton's image: the imports of
 * every `.py` file of its version folder (model.py and the modules beside it),
 * less the standard library, what the image already has (numpy, Triton's
 * `triton_python_backend_utils`), relative imports and the model's own
 * modules (python_backend puts the version folder and the model folder on
 * `sys.path`: pb_stub.cc StubSetup). The rest maps to pip names
 * (python-modules.json). Files are read as the lab reads any model file:
 * regular files only, bounded, links not followed out of the folder.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readRegularFile } from '../util/regular-file';
import { isInside, realPath } from '../util/real-path';
import { toPosix } from '../util/fs-tree';
import modules from './python-modules.json';
import { type PythonImport, scanPython } from './python-imports';

const STDLIB = new Set(modules.stdlib);
const IMAGE = new Set(modules.image);
const LAB_ONLY = new Set(modules.labOnly);
const PIP: Record<string, string> = modules.pip;

/** Limits on what is read: a model's sources are small; a folder of data is not scanned for ever. */
const MAX_FILES = 500;
const MAX_FILE_BYTES = 2 ** 20;
/** All of one version's sources together (the scan reads about 2 MB a second). */
const MAX_TOTAL_BYTES = 8 * 2 ** 20;
const MAX_DEPTH = 6;

export interface PythonDeps {
  /** pip names needed, sorted. */
  packages: string[];
  /** pip names imported only where an ImportError is caught, sorted (none of `packages`). */
  optionalPackages: string[];
  /** Lab-only modules imported, as "module (file:line)". */
  labOnly: string[];
  /** Files that could not be read, as "file: why". */
  unreadable: string[];
  /** How many .py files were read. */
  files: number;
  /** Model names its code passes as a BLS `model_name=` literal, and other name-like string literals. */
  called: string[];
  mentioned: string[];
}

/** The pip package that provides `module` (a dotted import name). */
export function pipName(module: string): string {
  const parts = module.split('.');
  for (let n = parts.length; n > 0; n--) {
    const hit = PIP[parts.slice(0, n).join('.')];
    if (hit) return hit;
  }
  return parts[0]!;
}

/** Top-level names importable from a folder: `x.py`, `x/` (package or namespace), `x.so`. */
async function localNames(dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (e.isDirectory()) out.add(e.name);
    else {
      const m = /^([A-Za-z_]\w*)(?:\.py|\.pyc|\..*\.so|\.so)$/.exec(e.name);
      if (m) out.add(m[1]!);
    }
  }
  return out;
}

/** The .py files under `dir` (regular files, links only when they stay inside `root`), bounded. */
async function pyFiles(root: string, dir: string, depth: number, out: string[]): Promise<void> {
  if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (out.length >= MAX_FILES) return;
    const abs = path.join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      const real = await realPath(abs);
      if (!real || !isInside(root, real)) continue;
      const st = await fs.stat(real).catch(() => undefined);
      isDir = st?.isDirectory() ?? false;
      isFile = st?.isFile() ?? false;
      if (isDir) continue; // a linked folder could loop back; its files are reached by their own names
    }
    if (isDir && e.name !== '__pycache__') await pyFiles(root, abs, depth + 1, out);
    else if (isFile && e.name.endsWith('.py')) out.push(abs);
  }
}

/** Reads the imports of every .py file in `versionDir` and sorts them into what the image lacks. */
export async function pythonDeps(versionDir: string): Promise<PythonDeps> {
  const root = (await realPath(versionDir)) ?? versionDir;
  const local = new Set([...(await localNames(versionDir)), ...(await localNames(path.dirname(versionDir)))]);
  const files: string[] = [];
  await pyFiles(root, versionDir, 0, files);
  const required = new Set<string>();
  const optional = new Set<string>();
  const labOnly: string[] = [];
  const unreadable: string[] = [];
  const called = new Set<string>();
  const mentioned = new Set<string>();
  let total = 0;
  for (const file of files) {
    const rel = toPosix(path.relative(path.dirname(versionDir), file));
    if (total > MAX_TOTAL_BYTES) {
      unreadable.push(`${rel}: not read (the version's Python sources pass ${MAX_TOTAL_BYTES / 2 ** 20} MiB)`);
      continue;
    }
    let imports: PythonImport[];
    try {
      const src = (await readRegularFile(file, rel, MAX_FILE_BYTES)).toString('utf8');
      total += src.length;
      const scan = scanPython(src);
      imports = scan.imports;
      const names = scan.names;
      names.called.forEach((n) => called.add(n));
      names.mentioned.forEach((n) => mentioned.add(n));
    } catch (err) {
      unreadable.push(`${rel}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    for (const imp of imports) {
      const top = imp.module.split('.')[0]!;
      if (imp.module.startsWith('.') || local.has(top) || STDLIB.has(top) || IMAGE.has(top)) continue;
      if (LAB_ONLY.has(top)) labOnly.push(`${imp.module} (${rel}:${imp.line})`);
      else (imp.optional ? optional : required).add(pipName(imp.module));
    }
  }
  for (const p of required) optional.delete(p);
  for (const n of called) mentioned.delete(n);
  return { packages: [...required].sort(), optionalPackages: [...optional].sort(), labOnly, unreadable, files: files.length, called: [...called].sort(), mentioned: [...mentioned].sort() };
}
