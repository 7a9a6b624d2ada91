/**
 * Tours name tabs and buttons with the UI's own strings, in both languages: a tab or button a
 * tour names is a `{ui:key}` placeholder for a key the UI has, so the tour cannot say 打开“配置”标签页
 * while the tab reads config.pbtxt, and renaming a tab renames it in the tours.
 */
import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en';
import { zhCN } from '../i18n/zh-CN';
import { WALKTHROUGHS } from './catalog';
import { sourceOf, text, withUiStrings, type Text } from './types';

const PLACEHOLDER = /^\{ui:[\w.-]+\}$/;

function texts(): [string, Text][] {
  return WALKTHROUGHS.flatMap((w) => [
    [`${w.id}.title`, w.title] as [string, Text],
    [`${w.id}.summary`, w.summary] as [string, Text],
    ...w.steps.flatMap((s, i) => [[`${w.id}[${i}].title`, s.title] as [string, Text], [`${w.id}[${i}].body`, s.body] as [string, Text]]),
  ]);
}

/** What a highlighted control is called in the UI, by its data-testid. */
const TARGET_LABEL: Record<string, string> = {
  'tab-config': 'model.tab.config',
  'tab-completed': 'model.tab.completed',
  'tab-graph': 'model.tab.graph',
  'tab-ensemble': 'model.tab.ensemble',
  'run-button': 'play.run',
  'serve-toggle': 'serve.button',
  'graph-use-in-config': 'graph.config.button',
  'step-start': 'ens.start',
  'open-samples': 'open.samples',
};

describe('tours name tabs and buttons with the UI’s own strings', () => {
  it('resolves {ui:key} in the text’s own language, and leaves an unknown key as written', () => {
    const t = text('Open the {ui:model.tab.config} tab', '打开“{ui:model.tab.config}”标签页');
    expect(t.en).toBe(`Open the ${en['model.tab.config']} tab`);
    expect(t['zh-CN']).toBe(`打开“${zhCN['model.tab.config']}”标签页`);
    expect(sourceOf(t).en).toBe('Open the {ui:model.tab.config} tab');
    expect(withUiStrings('{ui:no.such.key}', 'en')).toBe('{ui:no.such.key}');
  });

  it('every {ui:key} a tour uses is a UI string in both languages', () => {
    for (const [where, t] of texts()) {
      for (const lang of ['en', 'zh-CN'] as const) {
        expect(t[lang], `${where} (${lang})`).not.toMatch(/\{ui:/);
        for (const m of sourceOf(t)[lang].matchAll(/\{ui:([\w.-]+)\}/g)) {
          expect(Object.keys(en), where).toContain(m[1]);
          expect(Object.keys(zhCN), where).toContain(m[1]);
        }
      }
    }
  });

  it('in Chinese, every “…”标签页 or button to press is a UI string, never typed by hand', () => {
    for (const [where, t] of texts()) {
      const zh = sourceOf(t)['zh-CN'];
      for (const m of zh.matchAll(/“([^”]*)”(?:标签页|标签|按钮)/g)) expect(m[1], where).toMatch(PLACEHOLDER);
      for (const m of zh.matchAll(/(?:点击|按下)(?:顶栏的)?(?:一两次)?“([^”]*)”/g)) expect(m[1], where).toMatch(PLACEHOLDER);
    }
  });

  it('in English, every "… tab" and every button to press is a UI string', () => {
    for (const [where, t] of texts()) {
      const source = sourceOf(t).en;
      for (const m of source.matchAll(/(\S+) tab\b/g)) expect(m[1], where).toMatch(/\}$/);
      for (const m of source.matchAll(/\b(?:[Pp]ress|[Cc]lick) (?!\{ui:|"\{ui:)([A-Z"]\S*)/g)) expect(m[0], where).toBe('(a UI string)');
    }
  });

  it('a step that highlights a tab or button names it, in both languages', () => {
    for (const w of WALKTHROUGHS) {
      w.steps.forEach((step, i) => {
        const key = step.target?.map((id) => TARGET_LABEL[id]).find(Boolean);
        if (!key) return;
        for (const lang of ['en', 'zh-CN'] as const) expect(sourceOf(step.body)[lang], `${w.id}[${i}] (${lang})`).toContain(`{ui:${key}}`);
      });
    }
  });
});
