/**
 * The workspace part of the settings (the repositories open when the lab last ran, and the
 * selection), checked as hostile input twice over: from the settings file, which anyone with the
 * user's account can edit (bad entries are dropped, the rest kept), and from `setSettings`, which a
 * client sends (a bad value is refused with INVALID_ARG saying which and why). Paths must be
 * absolute, bounded and free of control characters; counts and names are bounded, so a crafted file
 * cannot make the lab open thousands of folders or carry megabytes of text around.
 */
import path from 'node:path';
import type { LabWorkspace } from '../contract/lab-api';
import { LabError } from './errors';

/** Repositories remembered in the workspace; far above what a tree shows usefully. */
export const MAX_WORKSPACE_REPOSITORIES = 64;
/** Longest path kept (Linux's PATH_MAX). */
export const MAX_PATH_LENGTH = 4096;
/** Longest model name kept in the selection. */
export const MAX_MODEL_NAME = 512;

type Selection = NonNullable<LabWorkspace['selection']>;

function record(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20 || s.charCodeAt(i) === 0x7f) return true;
  return false;
}

/** Why a value cannot be a stored folder path, or undefined when it can. */
export function pathProblem(v: unknown, what: string): string | undefined {
  if (typeof v !== 'string' || v === '') return `${what} must be a non-empty path`;
  if (v.length > MAX_PATH_LENGTH) return `${what} is longer than ${MAX_PATH_LENGTH} characters`;
  if (hasControl(v)) return `${what} contains control characters`;
  if (!path.isAbsolute(v)) return `${what} must be an absolute path, got '${v.slice(0, 80)}'`;
  return undefined;
}

function unknownField(o: Record<string, unknown>, allowed: readonly string[], what: string): string | undefined {
  const extra = Object.keys(o).find((k) => !allowed.includes(k));
  return extra === undefined ? undefined : `${what}: unknown field '${extra.slice(0, 40)}'`;
}

function repositoryProblem(v: unknown, i: number): string | undefined {
  const o = record(v);
  const what = `workspace.repositories[${i}]`;
  if (!o) return `${what} must be an object {path, sample}`;
  const bad = pathProblem(o['path'], `${what}.path`);
  if (bad) return bad;
  if (o['sample'] !== undefined && typeof o['sample'] !== 'boolean') return `${what}.sample must be true or false`;
  return unknownField(o, ['path', 'sample'], what);
}

function selectionProblem(v: unknown): string | undefined {
  const o = record(v);
  if (!o) return 'workspace.selection must be an object {path, model, version, file, tab}';
  const bad = pathProblem(o['path'], 'workspace.selection.path');
  if (bad) return bad;
  const model = o['model'];
  if (model !== undefined && (typeof model !== 'string' || model === '' || model.length > MAX_MODEL_NAME || hasControl(model) || /[/\\]/.test(model))) {
    return `workspace.selection.model must be a model name (1 to ${MAX_MODEL_NAME} characters, no slashes)`;
  }
  const version = o['version'];
  if (version !== undefined && (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)) return 'workspace.selection.version must be a whole number from 0';
  const file = o['file'];
  if (file !== undefined && (typeof file !== 'string' || file === '' || file.length > MAX_PATH_LENGTH || hasControl(file) || path.isAbsolute(file) || file.split(/[/\\]/).includes('..'))) {
    return 'workspace.selection.file must be a path inside the repository';
  }
  const tab = o['tab'];
  if (tab !== undefined && (typeof tab !== 'string' || !/^[a-z]{1,20}$/.test(tab))) return 'workspace.selection.tab must be a tab name (1 to 20 lowercase letters)';
  if ((version !== undefined || file !== undefined || tab !== undefined) && model === undefined) return 'workspace.selection: a version, file or tab needs its model';
  return unknownField(o, ['path', 'model', 'version', 'file', 'tab'], 'workspace.selection');
}

function copySelection(o: Record<string, unknown>): Selection {
  return {
    path: o['path'] as string,
    ...(o['model'] !== undefined ? { model: o['model'] as string } : {}),
    ...(o['version'] !== undefined ? { version: o['version'] as number } : {}),
    ...(o['file'] !== undefined ? { file: o['file'] as string } : {}),
    ...(o['tab'] !== undefined ? { tab: o['tab'] as string } : {}),
  };
}

function copyRepositories(list: unknown[]): LabWorkspace['repositories'] {
  const seen = new Set<string>();
  const out: LabWorkspace['repositories'] = [];
  for (const v of list) {
    const o = v as { path: string; sample?: boolean };
    if (seen.has(o.path)) continue;
    seen.add(o.path);
    out.push(o.sample ? { path: o.path, sample: true } : { path: o.path });
  }
  return out;
}

/** A workspace from a request: every part checked, or INVALID_ARG saying which and why. */
export function checkWorkspace(raw: unknown): LabWorkspace {
  const o = record(raw);
  if (!o) throw new LabError('INVALID_ARG', 'workspace must be an object {repositories, selection}');
  const extra = unknownField(o, ['repositories', 'selection'], 'workspace');
  if (extra) throw new LabError('INVALID_ARG', extra);
  const list = o['repositories'];
  if (!Array.isArray(list)) throw new LabError('INVALID_ARG', 'workspace.repositories must be a list of {path, sample}');
  if (list.length > MAX_WORKSPACE_REPOSITORIES) throw new LabError('INVALID_ARG', `workspace.repositories may hold at most ${MAX_WORKSPACE_REPOSITORIES} entries, got ${list.length}`);
  list.forEach((v, i) => {
    const problem = repositoryProblem(v, i);
    if (problem) throw new LabError('INVALID_ARG', problem);
  });
  const sel = o['selection'];
  if (sel !== undefined) {
    const problem = selectionProblem(sel);
    if (problem) throw new LabError('INVALID_ARG', problem);
  }
  return { repositories: copyRepositories(list), ...(sel !== undefined ? { selection: copySelection(sel as Record<string, unknown>) } : {}) };
}

/**
 * A workspace from the file: bad repositories are dropped (the rest keep their order), a bad
 * selection is forgotten, and anything that is not a workspace at all reads as none (first start).
 */
export function storedWorkspace(raw: unknown): LabWorkspace | undefined {
  const o = record(raw);
  if (!o || !Array.isArray(o['repositories'])) return undefined;
  const list = (o['repositories'] as unknown[]).slice(0, 4 * MAX_WORKSPACE_REPOSITORIES).filter((v, i) => !repositoryProblem(v, i));
  const repositories = copyRepositories(list).slice(0, MAX_WORKSPACE_REPOSITORIES);
  const sel = o['selection'];
  const keep = sel !== undefined && !selectionProblem(sel) && repositories.some((r) => r.path === (sel as Selection).path);
  return { repositories, ...(keep ? { selection: copySelection(sel as Record<string, unknown>) } : {}) };
}

/** A deep copy, so callers never hold the store's own objects. */
export function copyWorkspace(w: LabWorkspace): LabWorkspace {
  return { repositories: w.repositories.map((r) => ({ ...r })), ...(w.selection ? { selection: { ...w.selection } } : {}) };
}
