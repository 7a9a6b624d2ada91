/**
 * The engine host in this process, over a fake channel: the message handling around the lab (the
 * real host, forked under Node, is exercised with main's EngineProcess in main/engine-process.test.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostChannel } from './channel';
import { parentChannel } from './channel';
import { EngineHost, openEngineLab, preloadSharp } from './host';
import type { FromEngine, ToEngine } from './protocol';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'engine-host-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function fakeChannel(): { channel: HostChannel; sent: FromEngine[]; deliver(msg: ToEngine): void; exits: number[] } {
  const sent: FromEngine[] = [];
  const exits: number[] = [];
  let listener: ((msg: ToEngine) => void) | undefined;
  return {
    sent,
    exits,
    deliver: (msg) => listener?.(msg),
    channel: { kind: 'fork', send: (m) => sent.push(m), onMessage: (l) => (listener = l), exit: (code) => exits.push(code) },
  };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(check()).toBe(true);
};

describe('engine host', () => {
  it('loads sharp before any worker, and only logs when it cannot', async () => {
    const log = vi.fn();
    expect(await preloadSharp(log)).toBe(true);
    expect(log).not.toHaveBeenCalled();
  });

  it('starts from default settings with one log line when the settings file is corrupt', () => {
    const settingsFile = path.join(dir, 'settings.json');
    writeFileSync(settingsFile, '{"theme": "dark",');
    const log = vi.fn();
    const lab = openEngineLab({ settingsFile, sampleImagesDir: dir }, log);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]![0]).toMatch(/settings\.json.*using defaults/);
    expect(lab.getSettings()).toEqual({ theme: 'system', locale: 'system', recentRepositories: [] });
  });

  it('answers calls after init, unknown methods NOT_FOUND, an unanswered ask cancelled at shutdown', async () => {
    const c = fakeChannel();
    const host = new EngineHost(c.channel);
    host.listen();
    c.deliver({ t: 'call', id: 1, method: 'listRepositories', req: {} });
    await until(() => c.sent.some((m) => m.t === 'result'));
    expect(c.sent.find((m) => m.t === 'result')).toMatchObject({ id: 1, ok: false, error: { code: 'UNAVAILABLE' } });
    const options = { settingsFile: path.join(dir, 'settings.json'), samplesDir: path.join(dir, 'none'), sampleImagesDir: dir, appVersion: '1', given: [], credentialsViaHost: true };
    c.deliver({ t: 'init', options });
    await until(() => c.sent.some((m) => m.t === 'ready'));
    expect(c.sent.find((m) => m.t === 'ready')).toEqual({ t: 'ready', skipped: [], opened: [] });
    c.deliver({ t: 'call', id: 2, method: 'constructor' as never, req: {} });
    c.deliver({ t: 'call', id: 3, method: 'hostInfo', req: {} });
    await until(() => c.sent.filter((m) => m.t === 'result').length === 3);
    expect(c.sent.find((m) => m.t === 'result' && m.id === 2)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(c.sent.find((m) => m.t === 'result' && m.id === 3)).toMatchObject({ ok: true, value: { mode: 'electron', canPickFolder: true } });
    // The folder dialog is asked of main; a shutdown before main answers cancels it.
    c.deliver({ t: 'call', id: 4, method: 'pickRepositoryFolder', req: {} });
    await until(() => c.sent.some((m) => m.t === 'ask'));
    expect(c.sent.find((m) => m.t === 'ask')).toMatchObject({ ask: { op: 'pickFolder' } });
    c.deliver({ t: 'shutdown' });
    await until(() => c.exits.length === 1);
    expect(c.sent.find((m) => m.t === 'result' && m.id === 4)).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(c.sent.at(-1)).toEqual({ t: 'closed' });
    expect(c.exits).toEqual([0]);
  });

  it('takes the utilityProcess parent port when there is one, else the fork channel', () => {
    const posted: unknown[] = [];
    const port = { postMessage: (m: unknown) => posted.push(m), on: vi.fn() };
    const utility = parentChannel({ parentPort: port } as unknown as NodeJS.Process);
    expect(utility.kind).toBe('utilityProcess');
    utility.send({ t: 'closed' });
    expect(posted).toEqual([{ t: 'closed' }]);
    const received: ToEngine[] = [];
    utility.onMessage((m) => received.push(m));
    (port.on.mock.calls[0]![1] as (e: { data: unknown }) => void)({ data: { t: 'shutdown' } });
    expect(received).toEqual([{ t: 'shutdown' }]);
    expect(() => parentChannel({} as NodeJS.Process)).toThrow(/without a channel/);
  });
});
