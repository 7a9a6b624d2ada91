// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { FileContent } from '@contract/lab-api';
import { setLocale } from '../i18n';
import { MAX_HIGHLIGHT_CHARS } from '../lib/code-highlight';
import FileView from './FileView.vue';

const file = (path: string, text: string | undefined, note?: string): FileContent =>
  ({ path, size: text?.length ?? 2048, ...(text !== undefined ? { text } : {}), ...(note ? { note } : {}) }) as FileContent;

describe('FileView', () => {
  afterEach(() => setLocale('en'));

  it('numbers and colours a Python file', () => {
    const w = mount(FileView, { props: { file: file('m/1/model.py', 'import numpy as np\n\ndef execute(self, requests):\n    return []  # none\n') } });
    const src = w.get('[data-testid=file-source]');
    expect(src.attributes('data-lang')).toBe('python');
    expect(src.findAll('.gutter').map((g) => g.text())).toEqual(['1', '2', '3', '4', '5']);
    expect(src.findAll('.ck-keyword').map((k) => k.text())).toEqual(['import', 'as', 'def', 'return']);
    expect(src.get('.ck-function').text()).toBe('execute');
    expect(src.get('.ck-comment').text()).toBe('# none');
    expect(w.text()).toContain('5 lines');
  });

  it('numbers and colours a JavaScript file, numbers plain text, leaves config.pbtxt to ConfigSource', () => {
    const js = mount(FileView, { props: { file: file('m/1/model.js', "export default class M {}\nconst s = 'x';") } });
    expect(js.get('[data-testid=file-source]').attributes('data-lang')).toBe('js');
    expect(js.findAll('.ck-string').map((s) => s.text())).toEqual(["'x'"]);
    const txt = mount(FileView, { props: { file: file('m/labels.txt', 'cat\ndog') } });
    expect(txt.get('[data-testid=file-source]').attributes('data-lang')).toBe('text');
    expect(txt.findAll('.gutter')).toHaveLength(2);
    expect(txt.find('[class^=ck-]').exists()).toBe(false);
    const cfg = mount(FileView, { props: { file: file('m/config.pbtxt', 'name: "m"') } });
    expect(cfg.find('[data-testid=file-source]').exists()).toBe(false);
    expect(cfg.find('[data-testid=config-line-1]').exists()).toBe(true);
  });

  it('says where colouring stops in a big file, in both languages', () => {
    const big = 'x = 1\n'.repeat(Math.ceil(MAX_HIGHLIGHT_CHARS / 6) + 10);
    const w = mount(FileView, { props: { file: file('big.py', big) } });
    expect(w.get('[data-testid=file-plain-after]').text()).toMatch(/^A large file: colours stop after line \d+, the rest is shown plain\.$/);
    // Drawn a slice at a time.
    expect(w.findAll('.line')).toHaveLength(2000);
    expect(w.get('[data-testid=file-more]').text()).toMatch(/^Showing 2,000 of [\d,]+ lines\. Show 2,000 more lines$/);
    w.unmount();
    setLocale('zh-CN');
    const z = mount(FileView, { props: { file: file('big.py', big) } });
    expect(z.get('[data-testid=file-plain-after]').text()).toMatch(/^文件较大：第 \d+ 行之后不再着色/);
    z.unmount();
  }, 60_000);

  it('a binary file gets its note', () => {
    const w = mount(FileView, { props: { file: file('m/1/model.onnx', undefined, 'binary file') } });
    expect(w.find('[data-testid=file-source]').exists()).toBe(false);
    expect(w.text()).toContain('2.0 KB');
  });
});
