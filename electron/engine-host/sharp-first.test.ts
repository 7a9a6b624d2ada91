/**
 * Defect 6 (sharp's guidance on glibc: load it on the main thread before any worker thread does): the
 * engine host loads sharp before it opens anything, since opening repositories loads models and
 * script models start their workers then. sharp and the opening are mocked to record their order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FromEngine, ToEngine } from './protocol';

const order = vi.hoisted(() => [] as string[]);

vi.mock('sharp', () => {
  order.push('sharp');
  return { default: () => undefined };
});

vi.mock('../engine/workspace', () => ({
  openStartup: async () => {
    order.push('open');
    return { source: 'none', opened: [], skipped: [] };
  },
}));

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('engine host start', () => {
  it('loads sharp before it opens any repository', async () => {
    const { EngineHost } = await import('./host');
    dir = mkdtempSync(path.join(os.tmpdir(), 'sharp-first-'));
    const sent: FromEngine[] = [];
    let deliver: ((m: ToEngine) => void) | undefined;
    const host = new EngineHost({ kind: 'fork', send: (m) => sent.push(m), onMessage: (l) => (deliver = l), exit: () => undefined });
    host.listen();
    deliver!({ t: 'init', options: { settingsFile: path.join(dir, 'settings.json'), samplesDir: dir, sampleImagesDir: dir, appVersion: '1', given: [], credentialsViaHost: false } });
    for (let i = 0; i < 200 && !sent.some((m) => m.t === 'ready'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(sent.some((m) => m.t === 'ready')).toBe(true);
    expect(order).toEqual(['sharp', 'open']);
  });
});
