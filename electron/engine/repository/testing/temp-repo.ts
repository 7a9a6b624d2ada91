/**
 * Throw-away model repositories for tests: a folder under os.tmpdir() laid
 * out from a map of relative paths, loaded with the repository engine, and
 * removed again.
 */
import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RepositoryInit, Repository } from '../repository';

/** Relative path → file contents; `null` makes an (empty) folder. */
export type RepoFiles = Record<string, string | Uint8Array | null>;

export interface TempDir {
  root: string;
  write(rel: string, content: string | Uint8Array | null): Promise<void>;
  remove(rel: string): Promise<void>;
  cleanup(): void;
}

/** A fresh folder with `files` in it. Call cleanup() (e.g. in afterEach). */
export async function makeTempDir(files: RepoFiles = {}): Promise<TempDir> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'model-lab-test-'));
  const write = async (rel: string, content: string | Uint8Array | null): Promise<void> => {
    const abs = path.join(root, rel);
    if (content === null) {
      await fs.mkdir(abs, { recursive: true });
      return;
    }
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await fs.writeFile(abs, content);
  };
  for (const [rel, content] of Object.entries(files)) await write(rel, content);
  return {
    root,
    write,
    remove: (rel) => fs.rm(path.join(root, rel), { recursive: true, force: true }),
    cleanup: () => {
      // chmod'ed folders may need their permissions back before they can go.
      try {
        rmSync(root, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    },
  };
}

/** Tracks temp folders so one afterEach can remove them all. */
export class TempDirs {
  private dirs: TempDir[] = [];

  async make(files: RepoFiles = {}): Promise<TempDir> {
    const d = await makeTempDir(files);
    this.dirs.push(d);
    return d;
  }

  cleanup(): void {
    for (const d of this.dirs) d.cleanup();
    this.dirs = [];
  }
}

const open = new Set<Repository>();

/** Loads every model of `root` (no polling timers). Close them all with closeRepositories(). */
export async function loadRepository(root: string, options: RepositoryInit = {}): Promise<Repository> {
  const repo = new Repository(root, options);
  open.add(repo);
  await repo.loadAll();
  return repo;
}

/** Stops the instances (script workers, sessions) of every repository loadRepository opened. */
export async function closeRepositories(): Promise<void> {
  const all = [...open];
  open.clear();
  await Promise.all(all.map((r) => r.close()));
}

/** A model's state and reason, or undefined when the repository has no such model. */
export function stateOf(repo: Repository, name: string): { state: string; reason: string } | undefined {
  const rec = repo.models.get(name);
  return rec ? { state: rec.state, reason: rec.reason } : undefined;
}

/** Every issue message of a model: model-level, dependency and per-version. */
export function messagesOf(repo: Repository, name: string): string[] {
  const rec = repo.models.get(name);
  if (!rec) return [];
  return [...rec.issues, ...rec.dependencyIssues, ...rec.versions.flatMap((v) => v.issues)].map((i) => i.message);
}

/** A minimal runnable model for the lab's identity backend: each output copies the input at its index. */
export function identityConfig(name: string, opts: { mbs?: number; io?: { in: string; out: string; type?: string; dims?: string }[] } = {}): string {
  const io = opts.io ?? [{ in: 'INPUT0', out: 'OUTPUT0' }];
  const inputs = io.map((t) => `  { name: "${t.in}" data_type: ${t.type ?? 'TYPE_FP32'} dims: ${t.dims ?? '[ -1 ]'} }`).join(',\n');
  const outputs = io.map((t) => `  { name: "${t.out}" data_type: ${t.type ?? 'TYPE_FP32'} dims: ${t.dims ?? '[ -1 ]'} }`).join(',\n');
  return `name: "${name}"\nbackend: "identity"\nmax_batch_size: ${opts.mbs ?? 8}\ninput [\n${inputs}\n]\noutput [\n${outputs}\n]\n`;
}
