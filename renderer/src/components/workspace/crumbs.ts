/**
 * The breadcrumb of the selection: repository › model › version, or repository › model › the
 * file's folders › file. Each crumb says what selecting it selects; the last one is where the user
 * is (no link). Pure, so the rules are tested without mounting anything.
 */
import type { RepositoryInfo } from '@contract/lab-api';
import type { Selection } from '../../stores/repositories';

export interface Crumb {
  label: string;
  kind: 'repository' | 'model' | 'version' | 'folder' | 'file';
  /** What clicking it selects; undefined for the current place and plain folders. */
  target?: Selection;
  title?: string;
}

function fileCrumbs(repo: RepositoryInfo, model: string, file: string): Crumb[] {
  const parts = file.split('/').filter(Boolean);
  // The file's path starts with the model's folder, which is the model crumb already.
  const rest = parts[0] === model ? parts.slice(1) : parts;
  const versions = new Set(repo.models.find((m) => m.name === model)?.versions.map((v) => String(v.version)) ?? []);
  return rest.map((part, i): Crumb => {
    if (i === rest.length - 1) return { label: part, kind: 'file', title: file };
    if (i === 0 && versions.has(part)) return { label: part, kind: 'version', target: { repoId: repo.id, model, version: Number(part) } };
    return { label: part, kind: 'folder' };
  });
}

export function breadcrumb(repos: readonly RepositoryInfo[], sel: Selection | undefined): Crumb[] {
  const repo = sel && repos.find((r) => r.id === sel.repoId);
  if (!sel || !repo) return [];
  const out: Crumb[] = [{ label: repo.name, kind: 'repository', title: repo.path, ...(sel.model ? { target: { repoId: repo.id } } : {}) }];
  if (!sel.model) return out;
  const deeper = sel.version !== undefined || !!sel.file;
  out.push({ label: sel.model, kind: 'model', ...(deeper ? { target: { repoId: repo.id, model: sel.model } } : {}) });
  if (sel.file) return [...out, ...fileCrumbs(repo, sel.model, sel.file)];
  if (sel.version !== undefined) out.push({ label: String(sel.version), kind: 'version' });
  return out;
}
