/**
 * Light or dark: the theme setting, or the OS preference when it is
 * "system" (followed live). Applied as `data-theme` on <html>, which
 * styles.css keys its dark palette on.
 */
import { ref } from 'vue';

export type ThemeSetting = 'system' | 'light' | 'dark';

export const themeSetting = ref<ThemeSetting>('system');

function systemDark(): boolean {
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}

export function applyTheme(setting: ThemeSetting = themeSetting.value): void {
  themeSetting.value = setting;
  const dark = setting === 'dark' || (setting === 'system' && systemDark());
  if (globalThis.document) document.documentElement.dataset['theme'] = dark ? 'dark' : 'light';
}

globalThis.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', () => applyTheme());
