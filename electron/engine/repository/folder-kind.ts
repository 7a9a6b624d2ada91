/**
 * Whether a folder the user asked to open is clearly not a model repository, and what it is
 * instead. Triton takes any folder as a repository (every sub-folder is a model; files at the top
 * are ignored; no sub-folders means no models, which is legal), so opening a model folder or a
 * folder of repositories used to add a "0 models" entry that said nothing. The lab refuses only
 * the clear cases (docs/TRITON-PARITY.md) and says what to open instead:
 *   - the folder holds config.pbtxt or numbered version folders: it is one model, open its parent;
 *   - it holds files and no sub-folders at all: not a repository;
 *   - none of its sub-folders is a model but some are repositories: open one of those.
 * An empty folder and a folder of broken models still open (Triton serves the first with no
 * models, and the lab explains each broken model in its own entry). Reads are bounded: at most
 * MAX_ENTRIES names of the folder and MAX_PROBED of its sub-folders are looked at.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LabError } from '../errors';

const MAX_ENTRIES = 2000;
const MAX_PROBED = 64;
const VERSION = /^\d+$/;
const SHOWN = 4;

interface Listing {
  dirs: string[];
  files: string[];
}

/** Up to MAX_ENTRIES names of a folder, sub-folders (links to folders included) apart from files; hidden names skipped. */
async function list(dir: string): Promise<Listing | undefined> {
  const out: Listing = { dirs: [], files: [] };
  const handle = await fs.opendir(dir).catch(() => undefined);
  if (!handle) return undefined;
  let n = 0;
  // The iterator closes the handle when the loop ends, by break or error too.
  try {
    for await (const e of handle) {
      if (++n > MAX_ENTRIES) break;
      if (e.name.startsWith('.')) continue;
      const isDir =
        e.isDirectory() ||
        (e.isSymbolicLink() &&
          (await fs.stat(path.join(dir, e.name)).then(
            (s) => s.isDirectory(),
            () => false,
          )));
      (isDir ? out.dirs : out.files).push(e.name);
    }
  } catch {
    // A folder that fails part-way is judged on what was read.
  }
  out.dirs.sort();
  out.files.sort();
  return out;
}

function looksLikeModel(l: Listing): boolean {
  return l.files.includes('config.pbtxt') || l.dirs.some((d) => VERSION.test(d));
}

function names(list: string[]): string {
  const shown = list.slice(0, SHOWN).join(', ');
  return list.length > SHOWN ? `${shown}, … (${list.length} in all)` : shown;
}

/** Which of the first sub-folders look like models, and which like repositories of models. */
async function probe(dir: string, dirs: string[]): Promise<{ models: string[]; repositories: string[] }> {
  const models: string[] = [];
  const repositories: string[] = [];
  for (const d of dirs.slice(0, MAX_PROBED)) {
    const l = await list(path.join(dir, d));
    if (!l) continue;
    if (looksLikeModel(l)) {
      models.push(d);
      continue;
    }
    for (const inner of l.dirs.slice(0, 8)) {
      const m = await list(path.join(dir, d, inner));
      if (m && looksLikeModel(m)) {
        repositories.push(d);
        break;
      }
    }
  }
  return { models, repositories };
}

/** Why the folder is clearly not a model repository (what it is, what to open instead), or undefined when it may be one. */
export async function notARepository(dir: string): Promise<string | undefined> {
  const top = await list(dir);
  if (!top) return undefined; // unreadable: the repository reports why, as Triton would
  const parent = path.dirname(dir);
  if (top.files.includes('config.pbtxt')) {
    return `'${dir}' is a model folder (it holds config.pbtxt), not a model repository. Open the folder that holds it, '${parent}', to see this model with the others there.`;
  }
  if (top.dirs.length === 0) {
    if (top.files.length === 0) return undefined; // an empty repository is legal: models can be added later
    return `'${dir}' holds files (${names(top.files)}) but no sub-folders, so it is not a model repository. A repository holds one folder per model, such as <model>/config.pbtxt and <model>/1/model.onnx.`;
  }
  const { models, repositories } = await probe(dir, top.dirs);
  if (models.length > 0) return undefined;
  const versions = top.dirs.filter((d) => VERSION.test(d));
  if (versions.length > 0) {
    return `'${dir}' looks like a model folder (it holds the version folder${versions.length === 1 ? '' : 's'} ${names(versions)}), not a model repository. Open the folder that holds it, '${parent}'.`;
  }
  if (repositories.length > 0) {
    return `'${dir}' holds model repositories (${names(repositories)}), not models. Open one of them instead, for example '${path.join(dir, repositories[0]!)}'.`;
  }
  return undefined;
}

/** Refuses a folder that is clearly not a model repository (INVALID_ARG with what it is and what to do). */
export async function assertRepositoryFolder(dir: string): Promise<void> {
  const why = await notARepository(dir);
  if (why) throw new LabError('INVALID_ARG', why);
}
