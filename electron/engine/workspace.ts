/**
 * What opens when the lab starts, decided in one place for both shells (browser mode's
 * `server/standalone.ts`, Electron's `main/index.ts`): the folders named on the command line; else
 * the workspace the lab recorded when it last ran (`LabSettings.workspace`, in tree order); else,
 * on the very first start only (no workspace recorded yet), the bundled samples. A user who closed
 * every repository gets an empty lab, not the samples again (they are one click away).
 *
 * The settings file is hostile input: its paths were checked when read (`settings-workspace.ts`),
 * and a "sample" flag is honoured only for a folder that really lies in the samples folder, since
 * samples run their code without asking. A remembered folder that vanished or no longer opens is
 * skipped and reported, never fatal.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RepositoryInfo, WorkspaceSkip } from '../contract/lab-api';
import { errorMessage } from './errors';
import type { Lab } from './lab';
import { sampleRepositories } from './samples';

export type StartupSource = 'command-line' | 'workspace' | 'samples' | 'none';

export interface StartupPlan {
  source: StartupSource;
  repositories: { path: string; sample: boolean }[];
}

export interface StartupResult {
  source: StartupSource;
  opened: RepositoryInfo[];
  /** Folders that did not open, and why (shown in the tree and logged). */
  skipped: WorkspaceSkip[];
}

async function realDir(p: string): Promise<string | undefined> {
  return fs.realpath(p).catch(() => undefined);
}

/** Whether `p` lies inside the samples folder after following links. */
export async function inSamples(p: string, samplesDir: string | undefined): Promise<boolean> {
  if (!samplesDir) return false;
  const [real, root] = await Promise.all([realDir(p), realDir(samplesDir)]);
  return !!real && !!root && (real === root || real.startsWith(root + path.sep));
}

/** Decides what opens, without opening anything. */
export async function planStartup(lab: Lab, opts: { given: readonly string[]; samplesDir?: string }): Promise<StartupPlan> {
  if (opts.given.length > 0) return { source: 'command-line', repositories: opts.given.map((p) => ({ path: path.resolve(p), sample: false })) };
  const saved = lab.settings.get().workspace;
  if (saved) {
    const repositories = await Promise.all(saved.repositories.map(async (r) => ({ path: r.path, sample: r.sample === true && (await inSamples(r.path, opts.samplesDir)) })));
    return { source: 'workspace', repositories };
  }
  if (!opts.samplesDir) return { source: 'none', repositories: [] };
  return { source: 'samples', repositories: (await sampleRepositories(opts.samplesDir)).map((p) => ({ path: p, sample: true })) };
}

/**
 * Opens repositories all at once (each loads its models independently), then puts them in the given
 * order (the saved tree order). One that does not open is skipped with its reason, never fatal.
 */
export async function openInOrder(lab: Lab, repositories: readonly { path: string; sample: boolean }[], log: (line: string) => void): Promise<{ opened: RepositoryInfo[]; skipped: WorkspaceSkip[] }> {
  const skipped: WorkspaceSkip[] = [];
  const results = await Promise.all(
    repositories.map((r) =>
      lab.openRepository(r.path, { sample: r.sample }).catch((err: unknown) => {
        const reason = errorMessage(err);
        log(`could not open ${r.path}: ${reason}`);
        skipped.push({ path: r.path, reason });
        return undefined;
      }),
    ),
  );
  lab.orderRepositories(repositories.map((r) => r.path));
  const opened = results.filter((r): r is RepositoryInfo => r !== undefined);
  return { opened, skipped: repositories.flatMap((r) => skipped.filter((s) => s.path === r.path)) };
}

/** Opens what `planStartup` chose (`openInOrder`). */
export async function openStartup(lab: Lab, opts: { given: readonly string[]; samplesDir?: string; log(line: string): void }): Promise<StartupResult> {
  const plan = await planStartup(lab, opts);
  // Offered before anything opens: a window that asks early restores it once its repository is listed.
  if (plan.source === 'workspace') lab.offerSelection(lab.settings.get().workspace?.selection);
  return { source: plan.source, ...(await openInOrder(lab, plan.repositories, opts.log)) };
}
