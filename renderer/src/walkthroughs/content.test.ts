import { describe, expect, it } from 'vitest';
import { WALKTHROUGHS } from './catalog';
import type { Text, TourActions, TourState } from './types';

const CJK = /[\u4e00-\u9fff]/;

// The app's sources (not the tours themselves, nor tests), read as text by Vite.
const SOURCES = Object.entries(import.meta.glob<string>(['../**/*.vue', '../**/*.ts', '!../**/*.test.ts', '!./**'], { query: '?raw', import: 'default', eager: true }));
// Only the file names of the sample repositories (nothing is loaded).
const SAMPLE_FILES = Object.keys(import.meta.glob('../../../sample-repos/**/*')).map((k) => k.replace('../../../sample-repos/', ''));

/** `<repo>/<model>` folders that exist among the samples. */
function sampleModels(repo: string): string[] {
  return [...new Set(SAMPLE_FILES.filter((f) => f.startsWith(`${repo}/`) && f.split('/').length > 2).map((f) => f.split('/')[1]!))];
}

/** Every data-testid the app's own components declare: literal ones, and the fixed part of template ones. */
function declaredTestIds(): { literal: Set<string>; prefixes: string[] } {
  const literal = new Set<string>();
  const prefixes: string[] = [];
  for (const [, text] of SOURCES) {
    for (const m of text.matchAll(/data-testid="([^"`]+)"/g)) literal.add(m[1]!);
    for (const m of text.matchAll(/data-testid="`([^`$]*)\$\{/g)) prefixes.push(m[1]!);
    // Render functions and objects: 'data-testid': 'x'
    for (const m of text.matchAll(/'data-testid':\s*'([^']+)'/g)) literal.add(m[1]!);
  }
  return { literal, prefixes };
}

function texts(): [string, Text][] {
  return WALKTHROUGHS.flatMap((w) => [
    [`${w.id}.title`, w.title] as [string, Text],
    [`${w.id}.summary`, w.summary] as [string, Text],
    ...w.steps.flatMap((s, i) => [[`${w.id}[${i}].title`, s.title] as [string, Text], [`${w.id}[${i}].body`, s.body] as [string, Text]]),
  ]);
}

describe('walkthrough content', () => {
  it('has the five tutorial tours, with unique ids the settings accept', () => {
    const ids = WALKTHROUGHS.map((w) => w.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(['bls', 'data-pipelines', 'migrating', 'model-ensembles', 'quick-deploy']);
    for (const id of ids) expect(id).toMatch(/^[\w-]{1,40}$/);
  });

  it('gives each tour 5 to 9 steps in a sample repository that exists', () => {
    for (const w of WALKTHROUGHS) {
      expect(w.steps.length, w.id).toBeGreaterThanOrEqual(5);
      expect(w.steps.length, w.id).toBeLessThanOrEqual(9);
      expect(sampleModels(w.sample).length, w.sample).toBeGreaterThan(0);
      // Most steps are something to do in the lab, not only to read.
      expect(w.steps.filter((s) => s.check).length, w.id).toBeGreaterThanOrEqual(Math.ceil(w.steps.length / 2));
    }
  });

  it('writes every text in English and in Simplified Chinese', () => {
    for (const [where, t] of texts()) {
      expect(t.en.trim(), where).not.toBe('');
      expect(t['zh-CN'].trim(), where).not.toBe('');
      expect(t.en, where).not.toMatch(CJK);
      expect(t['zh-CN'], where).toMatch(CJK);
    }
  });

  it('points only at data-testids the app declares', () => {
    const { literal, prefixes } = declaredTestIds();
    expect(SOURCES.length).toBeGreaterThan(40);
    expect(literal.has('run-button')).toBe(true);
    // The tours' own components are not a place to point at.
    expect(literal.has('walkthrough-card')).toBe(false);
    const missing: string[] = [];
    for (const w of WALKTHROUGHS) {
      for (const [i, s] of w.steps.entries()) {
        for (const id of s.target ?? []) {
          if (!literal.has(id) && !prefixes.some((p) => p !== '' && id.startsWith(p))) missing.push(`${w.id}[${i}]: ${id}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it("names models that exist in the tour's sample repository", () => {
    for (const w of WALKTHROUGHS) {
      const models = sampleModels(w.sample);
      expect(models.length, w.sample).toBeGreaterThan(0);
      for (const s of w.steps) {
        for (const id of s.target ?? []) {
          const m = /^model-(.+)$/.exec(id);
          if (m) expect(models, `${w.id}: ${id}`).toContain(m[1]);
        }
      }
    }
  });

  it('lets Show me act only on sample repositories, models and files that exist', async () => {
    const asked: string[] = [];
    const actions: TourActions = {
      openSamples: async () => undefined,
      selectModel: async (repo, model) => void asked.push(`${repo}/${model}`),
      setTab: () => undefined,
      openFile: async (repo, model, file) => void asked.push(`${repo}/${model}`, `${repo}/${file}`),
      runModel: async (repo, model) => void asked.push(`${repo}/${model}`),
      startServing: async (repo) => void asked.push(`${repo}/`),
      stepToEnd: async (repo, model) => void asked.push(`${repo}/${model}`),
    };
    for (const w of WALKTHROUGHS) for (const st of w.steps) await st.showMe?.(actions);
    expect(asked.length).toBeGreaterThan(20);
    for (const a of asked) {
      const [repo, ...rest] = a.split('/');
      const path = rest.join('/');
      if (path === '') expect(sampleModels(repo!).length, a).toBeGreaterThan(0);
      else if (path.includes('/')) expect(SAMPLE_FILES, a).toContain(`${repo}/${path}`);
      else expect(sampleModels(repo!), a).toContain(path);
    }
  });

  it('asks nothing of an empty lab that it cannot answer', () => {
    const empty: TourState = {
      repos: { repos: [] },
      model: { loading: false, tab: 'overview' },
      run: { models: {} },
      step: {},
      graph: { selection: { kind: 'model' }, findQuery: '' },
      serve: {},
      pages: {},
    };
    for (const w of WALKTHROUGHS) {
      for (const [i, st] of w.steps.entries()) {
        if (st.check) expect(st.check(empty), `${w.id}[${i}]`).toBe(false);
        expect(st.result?.(empty), `${w.id}[${i}]`).toBeUndefined();
      }
    }
  });
});
