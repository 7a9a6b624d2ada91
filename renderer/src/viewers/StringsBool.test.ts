// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setBackend } from '../api/client';
import { setLocale } from '../i18n';
import BoolView from './BoolView.vue';
import { fakeLab, info, range, type FakeLab } from './fake-lab';
import StringsView from './StringsView.vue';

const src = (name: string) => ({ runId: 'r1', side: 'output' as const, name });
let lab: FakeLab;

beforeEach(() => setLocale('en'));
afterEach(() => setBackend(undefined));

describe('strings viewer', () => {
  it('shows UTF-8 text as it is (Chinese too) and marks bytes that are not text as hex', async () => {
    lab = fakeLab({ texts: { values: ['hello', '你好，世界', 'c0ff', ''], hex: [2] } });
    setBackend(lab);
    const w = mount(StringsView, { props: { tensor: info('texts', 'BYTES', [4], { binaryElements: 1 }), source: src('texts') } });
    await flushPromises();
    const rows = w.findAll('[data-testid=string-row]');
    expect(rows).toHaveLength(4);
    expect(rows[1]!.text()).toContain('你好，世界');
    expect(rows[1]!.classes()).not.toContain('hex');
    expect(rows[2]!.classes()).toContain('hex');
    expect(rows[2]!.text()).toContain('hex');
    expect(rows[2]!.text()).toContain('c0ff');
    expect(rows[3]!.text()).toContain('(empty string)');
    expect(w.get('[data-testid=strings-binary]').text()).toBe('1 not UTF-8 (shown as hex)');
  });

  it('pages 100 at a time: page 2 starts at offset 100', async () => {
    lab = fakeLab({ lines: { values: range(250, (i) => `行 ${i}`), hex: [120] } });
    setBackend(lab);
    const w = mount(StringsView, { props: { tensor: info('lines', 'BYTES', [250]), source: src('lines') } });
    await flushPromises();
    expect(lab.of('tensorPage')).toEqual([{ ...src('lines'), offset: 0, count: 100 }]);
    expect(w.get('[data-testid=page]').text()).toContain('1–100 of 250');
    await w.get('[data-testid=page-next]').trigger('click');
    await flushPromises();
    expect(lab.of('tensorPage').at(-1)).toEqual({ ...src('lines'), offset: 100, count: 100 });
    const rows = w.findAll('[data-testid=string-row]');
    expect(rows[0]!.text()).toContain('行 100');
    expect(rows[20]!.classes()).toContain('hex');
    await w.get('[data-testid=page-last]').trigger('click');
    await flushPromises();
    expect(lab.of('tensorPage').at(-1)).toEqual({ ...src('lines'), offset: 200, count: 50 });
    expect(w.get('[data-testid=page-next]').attributes('disabled')).toBeDefined();
  });

  it('shows the zh-CN strings in Chinese', async () => {
    setLocale('zh-CN');
    lab = fakeLab({ t: { values: ['x'] } });
    setBackend(lab);
    const w = mount(StringsView, { props: { tensor: info('t', 'BYTES', [1], { binaryElements: 2 }), source: src('t') } });
    await flushPromises();
    expect(w.get('[data-testid=strings-binary]').text()).toBe('2 个不是 UTF-8（以十六进制显示）');
  });
});

describe('bool viewer', () => {
  it('counts true and false, and fills the cells that are true', async () => {
    const values = range(32, (i) => i % 3 === 0);
    lab = fakeLab({ mask: { values } });
    setBackend(lab);
    const w = mount(BoolView, { props: { tensor: info('mask', 'BOOL', [4, 8], { trueCount: 11 }), source: src('mask') } });
    await flushPromises();
    expect(w.get('[data-testid=bool-counts]').text()).toContain('11 true');
    expect(w.get('[data-testid=bool-counts]').text()).toContain('21 false');
    const grid = w.get('[data-testid=bool-grid]');
    expect(grid.findAll('.cell')).toHaveLength(32);
    expect(grid.findAll('.cell.on')).toHaveLength(11);
    expect(grid.attributes('style')).toContain('repeat(8, 0.8rem)');
    expect(grid.findAll('.cell')[3]!.attributes('title')).toBe('[0, 3]: true');
  });

  it('pages big masks 1024 cells at a time', async () => {
    lab = fakeLab({ mask: { values: range(2000, () => false) } });
    setBackend(lab);
    const w = mount(BoolView, { props: { tensor: info('mask', 'BOOL', [2000], { trueCount: 0 }), source: src('mask') } });
    await flushPromises();
    expect(lab.of('tensorPage')).toEqual([{ ...src('mask'), offset: 0, count: 1024 }]);
    await w.get('[data-testid=page-next]').trigger('click');
    await flushPromises();
    expect(lab.of('tensorPage').at(-1)).toEqual({ ...src('mask'), offset: 1024, count: 976 });
    expect(w.findAll('.cell')).toHaveLength(976);
  });
});
