import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab } from './lab';
import { createLabHandlers } from './lab-handlers';
import { MAX_WALKTHROUGHS, SettingsStore, checkWalkthroughs } from './settings';
import { browserHost } from './testing/host';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lab-settings-'));
  dirs.push(dir);
  return path.join(dir, 'settings.json');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('walkthrough progress in the settings', () => {
  it('is left out while empty, then kept and written to the file', async () => {
    const file = tempFile();
    const store = new SettingsStore(file);
    expect(store.get()).toEqual({ theme: 'system', locale: 'system', recentRepositories: [] });
    expect('walkthroughs' in store.get()).toBe(false);
    const next = store.update({ walkthroughs: { 'model-ensembles': { step: 3, done: false }, bls: { step: 6, done: true } } });
    expect(next.walkthroughs).toEqual({ 'model-ensembles': { step: 3, done: false }, bls: { step: 6, done: true } });
    await store.flush();
    const onDisk = JSON.parse(readFileSync(file, 'utf8')) as { walkthroughs: unknown };
    expect(onDisk.walkthroughs).toEqual(next.walkthroughs);
    expect(new SettingsStore(file).get().walkthroughs).toEqual(next.walkthroughs);
  });

  it('replaces the whole map and leaves other settings alone', () => {
    const store = new SettingsStore();
    store.update({ theme: 'dark', walkthroughs: { a: { step: 1, done: false } } });
    const next = store.update({ walkthroughs: { b: { step: 0, done: true } } });
    expect(next).toEqual({ theme: 'dark', locale: 'system', recentRepositories: [], walkthroughs: { b: { step: 0, done: true } } });
    expect(store.update({ locale: 'en' }).walkthroughs).toEqual({ b: { step: 0, done: true } });
  });

  it('refuses bad ids, steps, flags, extra fields and too many entries', () => {
    const bad: [unknown, string][] = [
      [[], 'must be an object'],
      ['x', 'must be an object'],
      [{ 'a b': { step: 0, done: false } }, "walkthrough id 'a b'"],
      [{ ['x'.repeat(41)]: { step: 0, done: false } }, 'must be 1 to 40'],
      [{ a: { step: -1, done: false } }, 'step must be an integer'],
      [{ a: { step: 1.5, done: false } }, 'step must be an integer'],
      [{ a: { step: 1000, done: false } }, 'step must be an integer'],
      [{ a: { step: '2', done: false } }, 'step must be an integer'],
      [{ a: { step: 1, done: 'yes' } }, 'done must be true or false'],
      [{ a: { step: 1, done: true, extra: 1 } }, "unknown field 'extra'"],
      [{ a: null }, 'must be an object {step, done}'],
      [Object.fromEntries(Array.from({ length: MAX_WALKTHROUGHS + 1 }, (_, i) => [`t${i}`, { step: 0, done: false }])), `at most ${MAX_WALKTHROUGHS}`],
    ];
    const store = new SettingsStore();
    for (const [value, message] of bad) {
      expect(() => checkWalkthroughs(value), JSON.stringify(value)).toThrow(message);
      expect(() => store.update({ walkthroughs: value as never })).toThrow(message);
    }
    expect(store.get().walkthroughs).toBeUndefined();
  });

  it('keeps an id like __proto__ an ordinary key', () => {
    const parsed = JSON.parse('{"__proto__": {"step": 2, "done": false}}') as unknown;
    const out = checkWalkthroughs(parsed);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('drops bad entries from a hand-edited file instead of failing', () => {
    const file = tempFile();
    writeFileSync(file, JSON.stringify({ theme: 'light', walkthroughs: { ok: { step: 2, done: false }, 'bad id': { step: 1, done: false }, neg: { step: -4, done: true } } }));
    const store = new SettingsStore(file);
    expect(store.loadProblem).toBeUndefined();
    expect(store.get()).toEqual({ theme: 'light', locale: 'system', recentRepositories: [], walkthroughs: { ok: { step: 2, done: false } } });
    writeFileSync(file, JSON.stringify({ walkthroughs: ['not', 'a', 'map'] }));
    expect(new SettingsStore(file).get().walkthroughs).toBeUndefined();
  });

  it('are checked by the setSettings handler and announced', async () => {
    const lab = new Lab();
    try {
      const h = createLabHandlers(lab, browserHost());
      const seen: unknown[] = [];
      lab.onEvent((ev) => {
        if (ev.type === 'settings-changed') seen.push(ev.settings.walkthroughs);
      });
      await expect(h.setSettings({ walkthroughs: { 'x/y': { step: 0, done: false } } })).rejects.toThrow("walkthrough id 'x/y'");
      const res = await h.setSettings({ walkthroughs: { 'data-pipelines': { step: 4, done: false } } });
      expect(res.walkthroughs).toEqual({ 'data-pipelines': { step: 4, done: false } });
      expect((await h.getSettings({})).walkthroughs).toEqual({ 'data-pipelines': { step: 4, done: false } });
      expect(seen).toEqual([{ 'data-pipelines': { step: 4, done: false } }]);
    } finally {
      await lab.close();
    }
  });
});
