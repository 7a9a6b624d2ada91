import { afterEach, describe, expect, it } from 'vitest';
import { en, type MessageKey } from './en';
import { locale, t } from './index';
import { zhCN } from './zh-CN';

afterEach(() => {
  locale.value = 'en';
});

describe('t() counts through Intl.PluralRules', () => {
  it('picks the English singular and plural and formats the count', () => {
    locale.value = 'en';
    expect(t('repos.models', { n: 1 })).toBe('1 model');
    expect(t('repos.models', { n: 0 })).toBe('0 models');
    expect(t('repos.models', { n: 12000 })).toBe('12,000 models');
    expect(t('play.err.lines', { n: 1, m: 3 })).toBe('1 line given, but the config fixes 3 elements per request.');
    expect(t('stats.executions', { n: 2, i: 1 })).toBe('2 executions (1 inference)');
  });

  it('writes Chinese counts without plural forms', () => {
    locale.value = 'zh-CN';
    expect(t('repos.models', { n: 1 })).not.toMatch(/plural|#|\(s\)/);
    expect(t('repos.models', { n: 1 })).toContain('1');
  });

  it('leaves a malformed form as written instead of throwing', () => {
    (en as Record<string, string>)['test.broken'] = '{n, plural, one {x} other {y}';
    expect(t('test.broken' as MessageKey, { n: 1 })).toBe('{n, plural, one {x} other {y}');
    delete (en as Record<string, string>)['test.broken'];
  });

  it('no message in either language says "(s)" or leaves a plural form unbalanced', () => {
    for (const catalog of [en, zhCN] as Record<string, string>[]) {
      for (const [key, text] of Object.entries(catalog)) {
        expect(text, key).not.toMatch(/\w\(s\)/);
        let depth = 0;
        for (const ch of text) depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
        expect(depth, key).toBe(0);
      }
    }
  });
});
