/**
 * The lab's settings (theme, language, recent repositories, walkthrough progress) and the folders
 * the user trusts, kept in one JSON file the host chooses (Electron: the
 * user data folder; browser mode: the user's config folder). Written
 * atomically; an unreadable file means defaults, never a crash.
 */
import { promises as fs, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { LabSettings, LabWorkspace } from '../contract/lab-api';
import { LabError } from './errors';
import { MAX_WORKSPACE_REPOSITORIES, checkWorkspace, copyWorkspace, pathProblem, storedWorkspace } from './settings-workspace';
import type { StoredRemoteServer } from '../contract/remote-api';
import { copyStored, storedRemoteServers } from './remote/stored';

export const MAX_RECENT = 10;
/** Walkthrough progress entries kept; far above the tours the app ships, so only junk is refused. */
export const MAX_WALKTHROUGHS = 64;
/** Far above any tour's step count; bounds what a bad client can store. */
export const MAX_WALKTHROUGH_STEP = 999;
const WALKTHROUGH_ID = /^[\w-]{1,40}$/;
/** A settings file larger than this is not read (defaults are used): real ones are a few KiB. */
export const MAX_SETTINGS_FILE_BYTES = 1024 * 1024;
/** Trusted folders kept; far above what anyone answers "always" to. */
export const MAX_TRUSTED = 256;

type WalkthroughProgress = NonNullable<LabSettings['walkthroughs']>;

interface Stored extends LabSettings {
  trustedFolders: string[];
  walkthroughs: WalkthroughProgress;
  /** Absent until the lab first records one: its absence is what "first start" means. */
  workspace?: LabWorkspace;
}

const DEFAULTS: Stored = { theme: 'system', locale: 'system', recentRepositories: [], trustedFolders: [], walkthroughs: {} };

/** The folder paths of a list from the file: bad ones (not absolute, too long, control characters) dropped. */
function paths(v: unknown, max: number): string[] {
  return Array.isArray(v) ? [...new Set(v.slice(0, 4 * max).filter((x): x is string => !pathProblem(x, 'path')))].slice(0, max) : [];
}

function progressProblem(id: string, v: unknown): string | undefined {
  if (!WALKTHROUGH_ID.test(id)) return `walkthrough id '${id.slice(0, 60)}' must be 1 to 40 letters, digits, '_' or '-'`;
  const o = (v && typeof v === 'object' && !Array.isArray(v) ? v : undefined) as Record<string, unknown> | undefined;
  if (!o) return `walkthrough '${id}' must be an object {step, done}`;
  const step = o['step'];
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step > MAX_WALKTHROUGH_STEP) return `walkthrough '${id}': step must be an integer from 0 to ${MAX_WALKTHROUGH_STEP}`;
  if (typeof o['done'] !== 'boolean') return `walkthrough '${id}': done must be true or false`;
  const extra = Object.keys(o).find((k) => k !== 'step' && k !== 'done');
  if (extra) return `walkthrough '${id}': unknown field '${extra.slice(0, 40)}'`;
  return undefined;
}

/** Fresh {step, done} objects; fromEntries keeps an id like `__proto__` an ordinary key. */
function copyProgress(entries: [string, unknown][]): WalkthroughProgress {
  return Object.fromEntries(
    entries.map(([id, v]) => {
      const p = v as { step: number; done: boolean };
      return [id, { step: p.step, done: p.done }];
    }),
  );
}

/** Walkthrough progress from a request: every entry checked, or INVALID_ARG saying which and why. */
export function checkWalkthroughs(raw: unknown): WalkthroughProgress {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new LabError('INVALID_ARG', 'walkthroughs must be an object of {step, done} by walkthrough id');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > MAX_WALKTHROUGHS) throw new LabError('INVALID_ARG', `walkthroughs may hold at most ${MAX_WALKTHROUGHS} entries, got ${entries.length}`);
  for (const [id, v] of entries) {
    const problem = progressProblem(id, v);
    if (problem) throw new LabError('INVALID_ARG', problem);
  }
  return copyProgress(entries);
}

/** Walkthrough progress from the file: bad entries are dropped, never fatal. */
function storedWalkthroughs(raw: unknown): WalkthroughProgress {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  return copyProgress(
    Object.entries(raw as Record<string, unknown>)
      .filter(([id, v]) => !progressProblem(id, v))
      .slice(0, MAX_WALKTHROUGHS),
  );
}

/** A path or command name: no control characters, bounded. */
function validPython(v: string): boolean {
  return v.length <= 4096 && ![...v].some((c) => c.charCodeAt(0) < 0x20);
}

function sanitize(raw: unknown): Stored {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const theme = o['theme'];
  const locale = o['locale'];
  return {
    theme: theme === 'light' || theme === 'dark' || theme === 'system' ? theme : 'system',
    locale: locale === 'en' || locale === 'zh-CN' || locale === 'system' ? locale : 'system',
    recentRepositories: paths(o['recentRepositories'], MAX_RECENT),
    trustedFolders: paths(o['trustedFolders'], MAX_TRUSTED),
    walkthroughs: storedWalkthroughs(o['walkthroughs']),
    ...(storedWorkspace(o['workspace']) ? { workspace: storedWorkspace(o['workspace'])! } : {}),
    ...(typeof o['pythonExecutable'] === 'string' && validPython(o['pythonExecutable']) ? { pythonExecutable: o['pythonExecutable'] } : {}),
    ...(storedRemoteServers(o['remoteServers']).length ? { remoteServers: storedRemoteServers(o['remoteServers']) } : {}),
  };
}

export class SettingsStore {
  private data: Stored;
  private chain: Promise<void> = Promise.resolve();
  /** Why the file could not be read, if it could not (the defaults are used). */
  readonly loadProblem: string | undefined;

  constructor(private readonly file?: string) {
    let problem: string | undefined;
    let data = { ...DEFAULTS };
    if (file) {
      try {
        const size = statSync(file).size;
        if (size > MAX_SETTINGS_FILE_BYTES) throw new Error(`it holds ${size} bytes, more than settings ever need (${MAX_SETTINGS_FILE_BYTES})`);
        data = sanitize(JSON.parse(readFileSync(file, 'utf8')));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') problem = `settings file ${file} could not be read (${err instanceof Error ? err.message : String(err)}); using defaults`;
      }
    }
    this.data = data;
    this.loadProblem = problem;
  }

  get(): LabSettings {
    const { theme, locale, recentRepositories, walkthroughs, pythonExecutable, workspace, remoteServers } = this.data;
    // Left out while empty, so settings without tours read as they always did.
    const tours = Object.entries(walkthroughs);
    return {
      theme,
      locale,
      recentRepositories: [...recentRepositories],
      ...(pythonExecutable ? { pythonExecutable } : {}),
      ...(tours.length ? { walkthroughs: copyProgress(tours) } : {}),
      ...(workspace ? { workspace: copyWorkspace(workspace) } : {}),
      ...(remoteServers?.length ? { remoteServers: copyStored(remoteServers) } : {}),
    };
  }

  /** The remote servers the lab keeps (only the registry changes them; setSettings leaves them alone). */
  setRemoteServers(list: readonly StoredRemoteServer[]): void {
    const next = { ...this.data };
    if (list.length) next.remoteServers = storedRemoteServers(copyStored(list));
    else delete next.remoteServers;
    this.data = next;
    this.save();
  }

  update(changes: Partial<LabSettings>): LabSettings {
    const next = { ...this.data };
    if (changes.theme !== undefined) {
      if (!['system', 'light', 'dark'].includes(changes.theme)) throw new LabError('INVALID_ARG', `theme must be system, light or dark, got '${String(changes.theme)}'`);
      next.theme = changes.theme;
    }
    if (changes.locale !== undefined) {
      if (!['system', 'en', 'zh-CN'].includes(changes.locale)) throw new LabError('INVALID_ARG', `locale must be system, en or zh-CN, got '${String(changes.locale)}'`);
      next.locale = changes.locale;
    }
    if (changes.recentRepositories !== undefined) {
      if (!Array.isArray(changes.recentRepositories) || changes.recentRepositories.some((r) => pathProblem(r, 'path'))) {
        throw new LabError('INVALID_ARG', `recentRepositories must be a list of absolute paths (at most ${MAX_RECENT} are kept)`);
      }
      next.recentRepositories = [...new Set(changes.recentRepositories)].slice(0, MAX_RECENT);
    }
    // The whole map is replaced: the renderer owns it and sends it complete.
    if (changes.walkthroughs !== undefined) next.walkthroughs = checkWalkthroughs(changes.walkthroughs);
    if (changes.workspace !== undefined) next.workspace = checkWorkspace(changes.workspace);
    if (changes.pythonExecutable !== undefined) {
      const p = changes.pythonExecutable;
      if (typeof p !== 'string' || !validPython(p.trim())) throw new LabError('INVALID_ARG', 'pythonExecutable must be a path or a command name (empty: find one automatically)');
      if (p.trim()) next.pythonExecutable = p.trim();
      else delete next.pythonExecutable;
    }
    this.data = next;
    this.save();
    return this.get();
  }

  /**
   * Records the open repositories (the lab calls this as they open and close). The selection is
   * kept (its repository may still be opening at start) unless it is in `closed`, the repository
   * the user just closed. Nothing is written when nothing changed.
   */
  recordRepositories(repositories: LabWorkspace['repositories'], closed?: string): LabSettings {
    const before = this.data.workspace;
    const sel = before?.selection;
    const keep = sel && sel.path !== closed;
    // A folder whose path cannot be stored (a newline in its name, say) stays open but is not remembered.
    const storable = repositories.filter((r) => !pathProblem(r.path, 'path')).slice(0, MAX_WORKSPACE_REPOSITORIES);
    const next = checkWorkspace({ repositories: storable, ...(keep ? { selection: sel } : {}) });
    if (before && JSON.stringify(before) === JSON.stringify(next)) return this.get();
    return this.update({ workspace: next });
  }

  addRecent(folder: string): LabSettings {
    if (pathProblem(folder, 'path')) return this.get();
    return this.update({ recentRepositories: [folder, ...this.data.recentRepositories.filter((r) => r !== folder)] });
  }

  isTrusted(folder: string): boolean {
    const f = path.resolve(folder);
    return this.data.trustedFolders.some((t) => f === t || f.startsWith(t + path.sep));
  }

  trust(folder: string): void {
    const f = path.resolve(folder);
    if (this.data.trustedFolders.includes(f)) return;
    this.data = { ...this.data, trustedFolders: [...this.data.trustedFolders, f] };
    this.save();
  }

  /** Resolves once everything written so far is on disk. */
  flush(): Promise<void> {
    return this.chain;
  }

  private save(): void {
    const file = this.file;
    if (!file) return;
    const text = JSON.stringify(this.data, null, 2);
    this.chain = this.chain.then(async () => {
      try {
        await fs.mkdir(path.dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        await fs.writeFile(tmp, text);
        await fs.rename(tmp, file);
      } catch {
        /* settings are a convenience: failing to save them must not break the lab */
      }
    });
  }
}
