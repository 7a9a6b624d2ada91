/** The model a CLI command was pointed at in a repository, shared by `config` and `inspect`. */
import type { Repository } from '../engine/repository/repository';
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
