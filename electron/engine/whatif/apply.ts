/**
 * Reading and writing the model's config.pbtxt for a what-if. The file is read as the rest of the
 * lab reads files (inside the repository after links, a regular file, bounded); a variant is
 * written only on the user's say, atomically (a new file beside it, then a rename over it), never
 * through a link, and refused when the file changed since the what-if read it: the user's edit
 * wins over a proposal made from an older config.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { LabError } from '../errors';
import { MAX_CONFIG_BYTES } from '../repository/model-loader';
import { isInside, realPath } from '../util/real-path';
import { readRegularFile } from '../util/regular-file';

/** The model folder's real path, which must be inside the repository's real root. */
async function realModelDir(root: string, configFile: string): Promise<string> {
  const [realRoot, realDir] = await Promise.all([realPath(root), realPath(path.dirname(configFile))]);
  if (!realRoot || !realDir || !isInside(realRoot, realDir)) {
    throw new LabError('INVALID_ARG', `the model folder of '${configFile}' is outside the repository (after following links); the lab writes only inside it`);
  }
  return realDir;
}

/** config.pbtxt's text, or undefined when the model has none (auto-completed config). */
export async function readConfigFile(root: string, configFile: string): Promise<string | undefined> {
  const dir = await realModelDir(root, configFile);
  const file = path.join(dir, path.basename(configFile));
  const st = await fs.lstat(file).catch(() => undefined);
  if (!st) return undefined;
  if (st.isSymbolicLink()) throw new LabError('UNSUPPORTED', `'${configFile}' is a link: a what-if proposes edits to a model's own config.pbtxt only; edit the file it points to instead`);
  return (await readRegularFile(file, configFile, MAX_CONFIG_BYTES, true)).toString('utf8');
}

/**
 * Writes `text` as the model's config.pbtxt when the file still holds `expected` (undefined: still
 * absent); refuses otherwise. Atomic: readers see the old file or the new one, never a part.
 */
export async function writeConfigIfUnchanged(root: string, configFile: string, expected: string | undefined, text: string): Promise<void> {
  const now = await readConfigFile(root, configFile);
  if (now !== expected) {
    throw new LabError('INVALID_ARG', `'${path.basename(configFile)}' changed since the what-if started; nothing was written: run the what-if again on the current config`);
  }
  const dir = await realModelDir(root, configFile);
  const target = path.join(dir, path.basename(configFile));
  const mode = (await fs.stat(target).catch(() => undefined))?.mode ?? 0o644;
  const temp = path.join(dir, `.${path.basename(configFile)}.whatif-${randomBytes(6).toString('hex')}`);
  try {
    await fs.writeFile(temp, text, { flag: 'wx', mode: mode & 0o777 });
    await fs.rename(temp, target);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw new LabError('UNAVAILABLE', `could not write '${configFile}': ${err instanceof Error ? err.message : String(err)}`);
  }
}
