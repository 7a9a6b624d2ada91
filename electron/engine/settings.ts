/**
 * The lab's settings (theme, language, recent repositories) and the folders
 * the user trusts, kept in one JSON file the host chooses (Electron: the
 * user data folder; browser mode: the user's config folder). Written
 * atomically; an unreadable file means defaults, never a crash.
 */
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LabSettings } from '../contract/lab-api';
import { LabError } from './errors';

export const MAX_RECENT = 10;

interface Stored extends LabSettings {
  trustedFolders: string[];
}

const DEFAULTS: Stored = { theme: 'system', locale: 'system', recentRepositories: [], trustedFolders: [] };

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function sanitize(raw: unknown): Stored {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const theme = o['theme'];
  const locale = o['locale'];
  return {
    theme: theme === 'light' || theme === 'dark' || theme === 'system' ? theme : 'system',
    locale: locale === 'en' || locale === 'zh-CN' || locale === 'system' ? locale : 'system',
    recentRepositories: [...new Set(strings(o['recentRepositories']))].slice(0, MAX_RECENT),
    trustedFolders: [...new Set(strings(o['trustedFolders']))],
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
    const { theme, locale, recentRepositories } = this.data;
    return { theme, locale, recentRepositories: [...recentRepositories] };
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
      if (!Array.isArray(changes.recentRepositories) || changes.recentRepositories.some((r) => typeof r !== 'string')) {
        throw new LabError('INVALID_ARG', 'recentRepositories must be a list of paths');
      }
      next.recentRepositories = [...new Set(changes.recentRepositories)].slice(0, MAX_RECENT);
    }
    this.data = next;
    this.save();
    return this.get();
  }

  addRecent(folder: string): LabSettings {
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
