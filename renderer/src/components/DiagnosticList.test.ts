// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { locale } from '../i18n';
import DiagnosticList from './DiagnosticList.vue';

afterEach(() => {
  locale.value = 'en';
});

describe('DiagnosticList', () => {
  it('shows an empty state when there is nothing to report', () => {
    expect(mount(DiagnosticList, { props: { diagnostics: [] } }).text()).toContain('No problems found.');
  });

  it('shows location, field and fix, and asks to jump to the line', async () => {
    const w = mount(DiagnosticList, {
      props: {
        diagnostics: [
          { severity: 'error', code: 'io.shape', message: 'bad dims', file: 'm/config.pbtxt', line: 8, column: 5, field: 'input[0].dims', fix: 'use -1' },
          { severity: 'info', code: 'i', message: 'note', file: 'm' },
        ],
      },
    });
    const items = w.findAll('li');
    expect(items).toHaveLength(2);
    expect(items[0]!.classes()).toContain('error');
    expect(items[0]!.text()).toContain('m/config.pbtxt:8:5');
    expect(items[0]!.text()).toContain('input[0].dims');
    expect(items[0]!.text()).toContain('use -1');
    await w.get('[data-testid=diag-goto]').trigger('click');
    expect(w.emitted('goto')).toEqual([[8]]);
    expect(items[1]!.find('[data-testid=diag-goto]').exists()).toBe(false);
  });

  it('shows a repair as a diff first and asks for it only on Apply', async () => {
    const repair = { write: 'e/config.pbtxt', text: 'name: "e"\nplatform: "ensemble"\n', from: { file: 'e/1/config.pbtxt', text: 'name: "e"\n', keepAs: 'e/config.pbtxt.orig' } };
    const w = mount(DiagnosticList, { props: { diagnostics: [{ severity: 'warning', code: 'layout.config-in-version', message: 'inside a version folder', repair }], repairError: 'disk full' } });
    expect(w.find('[data-testid=repair-panel]').exists()).toBe(false);
    await w.get('[data-testid=repair-open]').trigger('click');
    const panel = w.get('[data-testid=repair-panel]');
    expect(panel.text()).toContain('Creates e/config.pbtxt');
    expect(panel.text()).toContain('e/config.pbtxt.orig');
    expect(panel.findAll('.diff .add').map((x) => x.text())).toEqual(['+ platform: "ensemble"']);
    expect(panel.findAll('.diff .same')).toHaveLength(1);
    expect(panel.text()).toContain('disk full');
    expect(w.emitted('repair')).toBeUndefined();
    await w.get('[data-testid=repair-apply]').trigger('click');
    expect(w.emitted('repair')).toEqual([['layout.config-in-version']]);
    await w.setProps({ repairing: true });
    expect(w.get('[data-testid=repair-apply]').attributes('disabled')).toBeDefined();
  });

  describe('in 简体中文', () => {
    const syntax = { severity: 'error', code: 'config.syntax', message: 'unknown field "max_batch" for inference.ModelConfig', file: 'm/config.pbtxt', line: 3, column: 1 } as const;

    it('translates the message by its code and keeps Triton’s English sentence beside it, selectable', () => {
      locale.value = 'zh-CN';
      const w = mount(DiagnosticList, { props: { diagnostics: [syntax] } });
      expect(w.get('[data-testid=diag-message]').text()).toBe('inference.ModelConfig 中没有字段 max_batch。');
      const english = w.get('[data-testid=diag-english]');
      expect(english.text()).toBe('unknown field "max_batch" for inference.ModelConfig');
      expect(english.attributes('lang')).toBe('en');
      expect(w.get('.icon').attributes('title')).toBe('错误');
      expect(w.text()).toContain('m/config.pbtxt:3:1');
    });

    it('shows the code’s summary, never a half sentence, when the message has an unknown shape', () => {
      locale.value = 'zh-CN';
      const w = mount(DiagnosticList, { props: { diagnostics: [{ ...syntax, message: 'a parser message nobody has seen' }] } });
      expect(w.get('[data-testid=diag-message]').text()).toBe('config.pbtxt 有语法错误。');
      expect(w.get('[data-testid=diag-english]').text()).toBe('a parser message nobody has seen');
    });

    it('translates a known fix and keeps the English beside it; an unknown fix stays as written', () => {
      locale.value = 'zh-CN';
      const hidden = {
        severity: 'warning',
        code: 'layout.hidden-folder',
        message: "Triton treats every folder in a model repository as a model, hidden ones included: '.cache' is loaded as a model",
        fix: "Remove '.cache' from the repository (or move it out) if it is not a model.",
      } as const;
      const w = mount(DiagnosticList, { props: { diagnostics: [hidden, { ...syntax, fix: 'Something new.' }] } });
      const [first, second] = w.findAll('li');
      expect(first!.get('[data-testid=diag-message]').text()).toBe('Triton 会把模型仓库中的每个文件夹（包括隐藏文件夹）都当作模型：.cache 被当作模型加载。');
      expect(first!.get('[data-testid=diag-fix]').text()).toBe('如果 .cache 不是模型，请把它从模型仓库中删除（或移出）。');
      expect(first!.get('.english-fix').text()).toBe(hidden.fix);
      expect(first!.get('.icon').attributes('title')).toBe('警告');
      expect(second!.get('[data-testid=diag-fix]').text()).toBe('Something new.');
      expect(second!.find('.english-fix').exists()).toBe(false);
    });

    it('shows the English once in English', () => {
      const w = mount(DiagnosticList, { props: { diagnostics: [syntax] } });
      expect(w.get('[data-testid=diag-message]').text()).toBe(syntax.message);
      expect(w.find('[data-testid=diag-english]').exists()).toBe(false);
      expect(w.get('.icon').attributes('title')).toBe('Error');
    });
  });
});
