// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '@contract/lab-api';
import { locale } from '../i18n';
import ConfigSource from './ConfigSource.vue';

const text = 'name: "m"\nbackend: "identity"\noutptu [ ]\n';

describe('ConfigSource', () => {
  it('numbers every line and puts each diagnostic under its line', () => {
    const diagnostics: Diagnostic[] = [
      { severity: 'error', code: 'config.syntax', message: 'unknown field "outptu"', file: 'm/config.pbtxt', line: 3, column: 1, endLine: 3, endColumn: 7 },
      { severity: 'warning', code: 'x', message: 'a warning', line: 1, column: 7 },
    ];
    const w = mount(ConfigSource, { props: { text, diagnostics } });
    expect(w.findAll('.line')).toHaveLength(4);
    const inline = w.findAll('[data-testid=inline-diagnostic]');
    expect(inline.map((d) => d.attributes('data-line'))).toEqual(['1', '3']);
    expect(inline[1]!.text()).toContain('unknown field "outptu"');
    expect(w.get('[data-testid=config-line-3]').classes()).toContain('error');
    expect(w.get('[data-testid=config-line-1]').classes()).toContain('warning');
    expect(w.get('[data-testid=config-line-2]').classes()).not.toContain('error');
    // The underline spans the reported columns.
    expect(inline[1]!.get('.squiggle').text()).toBe('^^^^^^');
  });

  it('places a diagnostic past the end on the last line, and shows text without diagnostics', () => {
    const w = mount(ConfigSource, { props: { text: 'a: 1', diagnostics: [{ severity: 'error', code: 'c', message: 'eof', line: 9 }] } });
    expect(w.get('[data-testid=inline-diagnostic]').attributes('data-line')).toBe('1');
    const plain = mount(ConfigSource, { props: { text: 'x: "y"' } });
    expect(plain.find('[data-testid=inline-diagnostic]').exists()).toBe(false);
    expect(plain.text()).toContain('x: "y"');
  });

  it('renders text as text, never as HTML', () => {
    const w = mount(ConfigSource, { props: { text: 'name: "<img src=x onerror=alert(1)>"' } });
    expect(w.find('img').exists()).toBe(false);
  });

  it('in 简体中文, says the caret’s diagnostic in Chinese with Triton’s English under it', () => {
    locale.value = 'zh-CN';
    try {
      const d: Diagnostic = { severity: 'error', code: 'config.syntax', message: 'unknown field "outptu" for inference.ModelConfig', line: 3, column: 1 };
      const w = mount(ConfigSource, { props: { text, diagnostics: [d] } });
      expect(w.get('.diag-msg').text()).toBe('inference.ModelConfig 中没有字段 outptu。');
      expect(w.get('[data-testid=inline-diagnostic-english]').text()).toBe(d.message);
    } finally {
      locale.value = 'en';
    }
  });
});
