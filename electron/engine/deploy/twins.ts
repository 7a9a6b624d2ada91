/**
 * Where a lab-only model's Python twin lives: a sibling repository named
 * `<repository>_python` (as `ocr_ensemble_python` beside `ocr_ensemble`), or
 * one the user names. It is opened only to read configs (no model starts, no
 * code runs), and closed when the caller is done.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LabError } from '../errors';
import { Repository } from '../repository/repository';
import { realPath } from '../util/real-path';

export interface TwinSource {
  repo: Repository;
}

/** The twins folder: `given` (must be a folder), else `<root>_python` beside the repository when it exists. */
export async function twinsFolder(root: string, given?: string): Promise<string | undefined> {
  if (given !== undefined) {
    const abs = path.resolve(given);
    const st = await fs.stat(abs).catch(() => undefined);
    if (!st) throw new LabError('NOT_FOUND', `the twins repository '${abs}' does not exist`);
    if (!st.isDirectory()) throw new LabError('INVALID_ARG', `the twins repository '${abs}' is not a folder`);
    if ((await realPath(abs)) === (await realPath(root))) throw new LabError('INVALID_ARG', `the twins repository is the repository itself ('${abs}')`);
    return abs;
  }
  const sibling = `${root.replace(/[\\/]+$/, '')}_python`;
  const st = await fs.stat(sibling).catch(() => undefined);
  return st?.isDirectory() ? sibling : undefined;
}

/** Opens the twins repository to read its configs (nothing runs); close it with `source.repo.close()`. */
export async function openTwins(dir: string): Promise<TwinSource> {
  const repo = new Repository(dir, { runtime: false, runCode: false });
  await repo.loadAll();
  if (repo.problem) {
    await repo.close();
    throw new LabError('INVALID_ARG', `the twins repository '${dir}' cannot be read: ${repo.problem}`);
  }
  return { repo };
}

/** Runs `use` with the twins of `root` open (none when there is no such folder), then closes them. */
export async function withTwins<T>(root: string, given: string | undefined, use: (twins: TwinSource | undefined) => Promise<T>): Promise<T> {
  const dir = await twinsFolder(root, given);
  if (!dir) return use(undefined);
  const twins = await openTwins(dir);
  try {
    return await use(twins);
  } finally {
    await twins.repo.close();
  }
}
