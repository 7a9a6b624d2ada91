/** Theme, language and recent repositories, kept by the lab (so Electron and browser mode share them). */
import { defineStore } from 'pinia';
import type { LabSettings } from '@contract/lab-api';
import { errorText, useBackend } from '../api/client';
import { type Locale, setLocale } from '../i18n';
import { applyTheme } from '../theme';

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
      this.settings = { theme, locale: lang, recentRepositories: Array.isArray(s?.recentRepositories) ? s.recentRepositories : [] };
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
    async update(changes: Partial<LabSettings>): Promise<void> {
      try {
        this.apply(await useBackend().call('setSettings', changes));
      } catch (err) {
        this.error = errorText(err);
      }
    },
  },
});
