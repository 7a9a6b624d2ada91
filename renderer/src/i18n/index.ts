/**
 * A small reactive translator: `t('key', {n: 3})` in the current locale, English as fallback.
 *
 * Counts go through Intl.PluralRules: a message may hold `{n, plural, one {# model} other {# models}}`
 * (ICU's plural form, `#` being the count formatted for the locale; `=0 {…}` picks an exact value).
 * Chinese needs no plural forms and writes `{n} 个模型`; English never writes "model(s)".
 */
import { ref } from 'vue';
import { en, type MessageKey } from './en';
import { zhCN } from './zh-CN';

export type Locale = 'en' | 'zh-CN';

const catalogs: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

function initialLocale(): Locale {
  const saved = globalThis.localStorage?.getItem('model-lab.locale');
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return globalThis.navigator?.language?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export const locale = ref<Locale>(initialLocale());

export function setLocale(l: Locale): void {
  locale.value = l;
  globalThis.localStorage?.setItem('model-lab.locale', l);
  if (globalThis.document) document.documentElement.lang = l;
}

type Params = Record<string, string | number>;

/** The branches of one `{name, plural, cat {text} …}` form, read with balanced braces; undefined when malformed. */
function pluralBranches(body: string): Map<string, string> | undefined {
  const branches = new Map<string, string>();
  let i = 0;
  while (i < body.length) {
    const m = /^\s*(=\d+|zero|one|two|few|many|other)\s*\{/.exec(body.slice(i));
    if (!m) return body.slice(i).trim() === '' ? branches : undefined;
    let depth = 1;
    let j = i + m[0].length;
    const start = j;
    for (; j < body.length && depth > 0; j++) depth += body[j] === '{' ? 1 : body[j] === '}' ? -1 : 0;
    if (depth !== 0) return undefined;
    branches.set(m[1]!, body.slice(start, j - 1));
    i = j;
  }
  return branches;
}

/** Replaces each plural form by its branch for the count, `#` by the count as the locale writes numbers. */
function applyPlurals(text: string, params: Params, lang: Locale): string {
  let out = '';
  let i = 0;
  for (;;) {
    const m = /\{(\w+),\s*plural,/.exec(text.slice(i));
    if (!m) return out + text.slice(i);
    const open = i + m.index;
    let depth = 0;
    let close = open;
    for (; close < text.length; close++) {
      depth += text[close] === '{' ? 1 : text[close] === '}' ? -1 : 0;
      if (depth === 0) break;
    }
    const branches = pluralBranches(text.slice(open + m[0].length, close));
    // A count may come already formatted ('1,000'): it picks the form by its value and is shown as given.
    const raw = params[m[1]!];
    const n = typeof raw === 'number' ? raw : Number(String(raw).replace(/[,\s]/g, ''));
    if (!branches || close >= text.length || !Number.isFinite(n)) return out + text.slice(i);
    const chosen = branches.get(`=${n}`) ?? branches.get(new Intl.PluralRules(lang).select(n)) ?? branches.get('other') ?? '';
    out += text.slice(i, open) + chosen.replace(/#/g, typeof raw === 'string' ? raw : new Intl.NumberFormat(lang).format(n));
    i = close + 1;
  }
}

/** `{ui:key}` in a message is another message of the same catalog: a text that names a tab or a button says it as the UI does. */
function withUiStrings(text: string, lang: Locale): string {
  return text.replace(/\{ui:([\w.-]+)\}/g, (whole, k: string) => (catalogs[lang] as Partial<Record<string, string>>)[k] ?? whole);
}

export function t(key: MessageKey, params: Params = {}): string {
  const lang = catalogs[locale.value][key] !== undefined ? locale.value : 'en';
  const text = applyPlurals(withUiStrings(catalogs[lang][key], lang), params, lang);
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
}

export type { MessageKey };
