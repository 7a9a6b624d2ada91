/**
 * A message that names a tab or a button says it through `{ui:key}`, so it reads as the UI does
 * in each language and follows a renamed label. Every such reference must be a message the catalog
 * has, and t() must leave none unresolved.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { en, type MessageKey } from './en';
import { locale, t } from './index';
import { zhCN } from './zh-CN';

afterEach(() => {
  locale.value = 'en';
});

describe('{ui:key} in messages', () => {
  it('is resolved by t() to the label in the same language', () => {
    locale.value = 'zh-CN';
    expect(zhCN['play.snippet.hint']).toContain('{ui:serve.button}');
    expect(t('play.snippet.hint')).toContain(`“${zhCN['serve.button']}”按钮`);
    expect(t('walkthrough.waiting')).toContain(`“${zhCN['walkthrough.next']}”`);
  });

  it('names only messages both catalogs have, and none stays unresolved', () => {
    for (const [lang, catalog] of [
      ['en', en],
      ['zh-CN', zhCN],
    ] as const) {
      locale.value = lang;
      for (const [key, text] of Object.entries(catalog)) {
        for (const m of text.matchAll(/\{ui:([\w.-]+)\}/g)) {
          expect(Object.keys(en), `${lang} ${key}`).toContain(m[1]);
          expect(Object.keys(zhCN), `${lang} ${key}`).toContain(m[1]);
        }
        expect(t(key as MessageKey, { n: 1, msg: 'x' }), `${lang} ${key}`).not.toMatch(/\{ui:/);
      }
    }
  });
});
