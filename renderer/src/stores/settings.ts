/** Theme, language, recent repositories, the workspace and walkthrough progress, kept by the lab (so Electron and browser mode share them). */
import { defineStore } from 'pinia';
import type { LabSettings } from '@contract/lab-api';
import { errorText, useBackend } from '../api/client';
import { type Locale, setLocale } from '../i18n';
import { applyTheme } from '../theme';

export type WalkthroughProgress = NonNullable<LabSettings['walkthroughs']>;

function systemLocale(): Locale {
  return globalThis.navigator?.language?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export const useSettingsStore = defineStore('settings', {
  state: () => ({
    settings: { theme: 'system', locale: 'system', recentRepositories: [] } as LabSettings,
    error: '',
  }),
  actions: {
    apply(s: LabSettings): void {
      // Only what is understood is applied: a host without settings answers with nothing useful.
      const theme = s?.theme === 'light' || s?.theme === 'dark' ? s.theme : 'system';
      const lang = s?.locale === 'en' || s?.locale === 'zh-CN' ? s.locale : 'system';
      const tours = s?.walkthroughs && typeof s.walkthroughs === 'object' && !Array.isArray(s.walkthroughs) ? s.walkthroughs : undefined;
      const python = typeof s?.pythonExecutable === 'string' && s.pythonExecutable ? { pythonExecutable: s.pythonExecutable } : {};
      const workspace = s?.workspace && typeof s.workspace === 'object' && Array.isArray(s.workspace.repositories) ? { workspace: s.workspace } : {};
      const recent = Array.isArray(s?.recentRepositories) ? s.recentRepositories.filter((r): r is string => typeof r === 'string') : [];
      this.settings = { theme, locale: lang, recentRepositories: recent, ...python, ...(tours ? { walkthroughs: tours } : {}), ...workspace };
      applyTheme(theme);
      setLocale(lang === 'system' ? systemLocale() : lang);
    },
    async init(): Promise<void> {
      const api = useBackend();
      api.onEvent((ev) => {
        if (ev.type === 'settings-changed') this.apply(ev.settings);
      });
      try {
        this.apply(await api.call('getSettings', {}));
      } catch (err) {
        this.error = errorText(err);
      }
    },
    /** Saved walkthrough progress by tour id (empty before anything was saved). */
    walkthroughProgress(): WalkthroughProgress {
      return this.settings.walkthroughs ?? {};
    },
    /** Stores the whole progress map; false when the lab refused it (the reason is in `error`). */
    async saveWalkthroughs(progress: WalkthroughProgress): Promise<boolean> {
      try {
        this.apply(await useBackend().call('setSettings', { walkthroughs: progress }));
        return true;
      } catch (err) {
        this.error = errorText(err);
        return false;
      }
    },
    async update(changes: Partial<LabSettings>): Promise<void> {
      try {
        this.apply(await useBackend().call('setSettings', changes));
      } catch (err) {
        this.error = errorText(err);
      }
    },
    /** Chooses the interpreter for Python models ('' = automatic); the lab reloads them. Resolves to the error, if any. */
    async setPython(path: string): Promise<string> {
      try {
        this.apply(await useBackend().call('setSettings', { pythonExecutable: path }));
        return '';
      } catch (err) {
        return errorText(err);
      }
    },
  },
});
