/**
 * Texts the lab ships in two languages outside the message catalogs: sample
 * image captions (the manifest's `description` and `descriptionZh`) and
 * repository READMEs (`README.zh-CN.md` beside `README.md`). 简体中文 shows
 * the Chinese one where it exists and falls back to English.
 */
import { locale, type Locale } from '../i18n';

/** What a sample image shows, in the UI's language. */
export function sampleCaption(s: { description: string; descriptionZh?: string }, lang: Locale = locale.value): string {
  return lang === 'zh-CN' && s.descriptionZh ? s.descriptionZh : s.description;
}

/** The README files to look for at a repository's top, best first, for a language. */
export function readmeNames(lang: Locale = locale.value): string[] {
  const english = ['README.md', 'Readme.md', 'readme.md'];
  return lang === 'zh-CN' ? ['README.zh-CN.md', 'README.zh-cn.md', ...english] : english;
}
