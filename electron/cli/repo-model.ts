/** The repository and model a CLI command was pointed at, shared by `config`, `inspect`, `export` and `portability`. */
import path from 'node:path';
import { Repository } from '../engine/repository/repository';
import type { ModelRecord } from '../engine/repository/types';
import type { Output } from './output';

/** The model's record, or undefined after saying why there is none (an unreadable repository, an unknown name). */
export function modelIn(repo: Repository, model: string, out: Output): ModelRecord | undefined {
  if (repo.problem) {
    out.err(`error: ${repo.root}: ${repo.problem}`);
    return undefined;
  }
  const rec = repo.models.get(model);
  if (!rec) out.err(`error: no model '${model}' in ${repo.root} (models: ${[...repo.models.keys()].sort().join(', ') || 'none'})`);
  return rec;
}

/**
 * Reads a repository's configs without running anything (no backends, no code), hands it to `use`
 * and closes it; an unreadable repository is said on stderr and exits 1.
 */
export async function withConfigsOnly(dir: string, out: Output, use: (repo: Repository) => Promise<number>): Promise<number> {
  const repo = new Repository(path.resolve(dir), { runtime: false, runCode: false });
  await repo.loadAll();
  try {
    if (repo.problem) {
      out.err(`error: ${repo.root}: ${repo.problem}`);
      return 1;
    }
    return await use(repo);
  } finally {
    await repo.close();
  }
}
