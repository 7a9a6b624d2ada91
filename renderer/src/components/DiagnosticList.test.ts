// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import DiagnosticList from './DiagnosticList.vue';

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
});
