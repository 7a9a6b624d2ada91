// @vitest-environment happy-dom
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils';
import type { FileContent } from '@contract/lab-api';
import { afterEach, describe, expect, it } from 'vitest';
import { LabCallError, setBackend } from '../api/client';
import { fakeClient } from '../components/playground/test-support';
import { setLocale } from '../i18n';
import { readmeNames, sampleCaption } from './localized';
import RepositoryReadme from './RepositoryReadme.vue';

const EN = '# OCR with BLS\n\nThe same OCR, driven by `ocr_pipeline`.\n';
const ZH = '# 以 BLS 实现的 OCR\n\n与 `../ocr_ensemble` 相同的 OCR，由一个脚本模型\n`ocr_pipeline` 驱动。\n';

/** A repository holding the given top-level files; others are NOT_FOUND, as the lab answers. */
function backend(files: Record<string, string | FileContent>) {
  const c = fakeClient({
    readFile: (req: { repoId: string; path: string }) => {
      const f = files[req.path];
      if (f === undefined) throw new LabCallError('NOT_FOUND', `'${req.path}' does not exist`);
      return typeof f === 'string' ? { path: req.path, size: f.length, text: f } : f;
    },
  });
  setBackend(c);
  return c;
}

afterEach(() => {
  setBackend(undefined);
  setLocale('en');
});
// Registered last, so it runs first: the components go before the backend does.
enableAutoUnmount(afterEach);

describe('a repository README', () => {
  it('shows README.md in English and README.zh-CN.md in 简体中文, following a language switch', async () => {
    const c = backend({ 'README.md': EN, 'README.zh-CN.md': ZH });
    setLocale('en');
    const w = mount(RepositoryReadme, { props: { repoId: 'r1' } });
    await flushPromises();
    expect(w.get('[data-testid=repo-readme]').attributes('data-file')).toBe('README.md');
    expect(w.get('h2').text()).toBe('OCR with BLS');
    setLocale('zh-CN');
    await flushPromises();
    expect(w.get('[data-testid=repo-readme]').attributes('data-file')).toBe('README.zh-CN.md');
    expect(w.get('h2').text()).toBe('以 BLS 实现的 OCR');
    // Wrapped Chinese lines join without a stray space; names stay code.
    expect(w.get('p:not(.hint)').text()).toBe('与 ../ocr_ensemble 相同的 OCR，由一个脚本模型 ocr_pipeline 驱动。');
    expect(w.findAll('p:not(.hint) code').map((x) => x.text())).toEqual(['../ocr_ensemble', 'ocr_pipeline']);
    expect(c.of('readFile').map((r) => r.path)).toEqual(['README.md', 'README.zh-CN.md']);
  });

  it('reads the README again when its repository is reloaded', async () => {
    const files: Record<string, string> = { 'README.md': EN };
    const c = backend(files);
    const w = mount(RepositoryReadme, { props: { repoId: 'r1' } });
    await flushPromises();
    files['README.md'] = '# Edited\n';
    c.emit({ type: 'repository-changed', repoId: 'other' });
    await flushPromises();
    expect(w.get('h2').text()).toBe('OCR with BLS');
    c.emit({ type: 'repository-changed', repoId: 'r1' });
    await flushPromises();
    expect(w.get('h2').text()).toBe('Edited');
  });

  it('falls back to the English README in 简体中文 when there is no Chinese one', async () => {
    backend({ 'README.md': EN });
    setLocale('zh-CN');
    const w = mount(RepositoryReadme, { props: { repoId: 'r1' } });
    await flushPromises();
    expect(w.get('[data-testid=repo-readme]').attributes('data-file')).toBe('README.md');
  });

  it('is the usual empty state without a README, and says why one could not be shown', async () => {
    backend({});
    const w = mount(RepositoryReadme, { props: { repoId: 'r1' } });
    await flushPromises();
    expect(w.find('[data-testid=repo-readme]').exists()).toBe(false);
    expect(w.text()).toContain('Select a model');
    backend({ 'README.md': { path: 'README.md', size: 9e6, note: '8.6 MiB is too large to show as text' } });
    const big = mount(RepositoryReadme, { props: { repoId: 'r2' } });
    await flushPromises();
    expect(big.get('[data-testid=readme-problem]').text()).toBe('8.6 MiB is too large to show as text');
  });

  it('shows markup in a README as text, never as HTML', async () => {
    backend({ 'README.md': 'Hello <img src=x onerror=alert(1)> **<script>x</script>**' });
    const w = mount(RepositoryReadme, { props: { repoId: 'r1' } });
    await flushPromises();
    expect(w.find('img').exists()).toBe(false);
    expect(w.find('script').exists()).toBe(false);
    expect(w.get('p:not(.hint)').text()).toContain('<img src=x onerror=alert(1)>');
  });
});

describe('localized sample texts', () => {
  it('picks the caption of the language, English where there is no Chinese', () => {
    const s = { description: 'Two lines of DejaVu Serif, 72 px', descriptionZh: '两行 DejaVu Serif 文字，72 px' };
    expect(sampleCaption(s, 'en')).toBe(s.description);
    expect(sampleCaption(s, 'zh-CN')).toBe(s.descriptionZh);
    expect(sampleCaption({ description: 'only English' }, 'zh-CN')).toBe('only English');
    setLocale('zh-CN');
    expect(sampleCaption(s)).toBe(s.descriptionZh);
  });

  it('looks for the Chinese README first in 简体中文', () => {
    expect(readmeNames('zh-CN')[0]).toBe('README.zh-CN.md');
    expect(readmeNames('en')).not.toContain('README.zh-CN.md');
  });
});
