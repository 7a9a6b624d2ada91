import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProfileRun } from '../../contract/profile-api';
import { FakeClock } from './fake-clock';
import { ProfileHistoryFile, checkStoredRun } from './history';
import { checkProfileRequest } from './request';
import { ProfileService } from './service';
import { ZERO_STATS } from './stats';
import type { ProfileTarget } from './types';

const MS = 1e6;

/** A target whose requests take 2 ms of fake time (`latencyMs` can change it), with matching server statistics. */
function fakeTarget(clock: FakeClock, latencyMs: (nowMs: number) => number = () => 2): ProfileTarget & { closed: number } {
  const stats = { ...ZERO_STATS };
  return {
    closed: 0,
    async infer() {
      const ms = latencyMs(clock.nowNs() / MS);
      await clock.sleep(ms);
      stats.successCount++;
      stats.successNs += ms * MS;
      stats.inferenceCount++;
      stats.executionCount++;
      return { sendNs: 0, recvNs: 0 };
    },
    statistics: () => Promise.resolve({ ...stats }),
    describe: () => ({ kind: 'in-process' as const, address: '/repo', sameHost: true }),
  };
}

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'profile-service-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function service(opts: { latencyMs?: (nowMs: number) => number; history?: boolean } = {}): { svc: ProfileService; events: ProfileRun[]; clock: FakeClock; file: string } {
  const clock = new FakeClock();
  const events: ProfileRun[] = [];
  const file = path.join(dir, 'profiles.json');
  const svc = new ProfileService({
    open: () => Promise.resolve({ target: fakeTarget(clock, opts.latencyMs), provider: 'CPU', close: () => undefined }),
    emit: (r) => events.push(r),
    clock,
    throttleMs: 0,
    ...(opts.history === false ? {} : { history: new ProfileHistoryFile(file) }),
  });
  return { svc, events, clock, file };
}

const REQ = { repoId: 'r1', model: 'm', measurementIntervalMs: 100, concurrency: { start: 1, end: 2, step: 1 } };

async function finished(svc: ProfileService, id: string): Promise<ProfileRun> {
  for (let i = 0; i < 2000; i++) {
    const r = await svc.get(id);
    if (r.state !== 'running') return r;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('the profile did not finish');
}

describe('ProfileService', () => {
  it('answers at once with a running profile, then announces windows and points, and ends done with the CSV', async () => {
    const { svc, events } = service();
    const run = await svc.start(REQ);
    expect(run).toMatchObject({ state: 'running', model: 'm', label: 'm', points: [], progress: { level: 0, levels: 2, maxWindows: 10 }, machine: { provider: 'CPU', sameHost: true } });
    expect(run.settings).toEqual({ batchSize: 1, inputData: 'random', measurementIntervalMs: 100, maxTrials: 10, concurrency: { start: 1, end: 2, step: 1 } });
    expect(run.warnings[0]).toMatch(/client and server share this machine/);
    const done = await finished(svc, run.profileId);
    expect(done.state).toBe('done');
    expect(done.points.map((p) => [p.concurrency, p.stable])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(done.points[0]!.inferPerSec).toBeGreaterThan(490);
    expect(done.points[0]!.latencyUs.avg).toBe(2000);
    expect(done.csv.split('\n')[0]).toMatch(/^Concurrency,Inferences\/Second,Client Send,/);
    expect(done.csv.trim().split('\n')).toHaveLength(3);
    // Events: the start, windows with progress, each point, the end.
    expect(events[0]!.state).toBe('running');
    expect(events.some((e) => e.progress.level === 2 && e.progress.window === 3)).toBe(true);
    expect(events.filter((e) => e.state === 'running').map((e) => e.points.length)).toContain(1);
    expect(events[events.length - 1]!.state).toBe('done');
    expect(await svc.list({ model: 'm' })).toHaveLength(1);
    await svc.close();
  });

  it('stops after the window in flight, keeping the points measured, state stopped', async () => {
    const { svc, events } = service();
    const run = await svc.start({ ...REQ, concurrency: { start: 1, end: 8, step: 1 } });
    while (!events.some((e) => e.points.length === 1)) await new Promise((resolve) => setImmediate(resolve));
    const stopped = await svc.stop(run.profileId);
    expect(stopped.state).toBe('stopped');
    expect(stopped.points.length).toBeGreaterThanOrEqual(1);
    expect(stopped.points.length).toBeLessThan(8);
    expect(stopped.points[0]!.stable).toBe(true);
    expect(stopped.warnings.some((w) => /did not agree/.test(w))).toBe(false);
    await svc.close();
  });

  it('runs one profile per model at a time; another model may run beside it', async () => {
    const { svc } = service();
    const [a, twin] = await Promise.allSettled([svc.start(REQ), svc.start(REQ)]);
    // Two starts at once: the second is refused even while the first is still opening its target.
    expect(twin.status).toBe('rejected');
    if (a.status !== 'fulfilled') throw new Error('the first start failed');
    await expect(svc.start(REQ)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining("a profile of 'm' is already running") });
    const b = await svc.start({ ...REQ, model: 'other' });
    await finished(svc, a.value.profileId);
    await finished(svc, b.profileId);
    await svc.close();
  });

  it('warns when the sweep ended on a level that never settled', async () => {
    const { svc } = service({ latencyMs: (now) => (Math.floor(now / 100) % 2 === 0 ? 2 : 4) });
    const run = await finished(svc, (await svc.start({ ...REQ, maxTrials: 4 })).profileId);
    expect(run.state).toBe('done');
    expect(run.points).toHaveLength(1);
    expect(run.points[0]!.stable).toBe(false);
    expect(run.warnings.some((w) => /stopped at concurrency 1: its last 3 windows did not agree within 10% after 4 windows/.test(w))).toBe(true);
    await svc.close();
  });

  it('keeps the history in profiles.json; a new service reads it back; delete removes an entry', async () => {
    const { svc, file } = service();
    const run = await finished(svc, (await svc.start(REQ)).profileId);
    await svc.close();
    const again = service();
    const listed = await again.svc.list();
    expect(listed.map((r) => r.profileId)).toEqual([run.profileId]);
    expect(listed[0]!.points).toHaveLength(2);
    expect(await again.svc.delete(run.profileId)).toBe(true);
    await again.svc.close();
    expect((JSON.parse(readFileSync(file, 'utf8')) as { profiles: unknown[] }).profiles).toEqual([]);
    await expect(again.svc.get(run.profileId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('sets a hostile profiles.json aside instead of failing, and drops malformed entries', async () => {
    const file = path.join(dir, 'profiles.json');
    writeFileSync(file, '{"profiles": "nope"');
    expect(await new ProfileHistoryFile(file).read()).toEqual([]);
    expect(readdirSync(dir).some((f) => f.startsWith('profiles.json.bad-'))).toBe(true);
    const { svc } = service();
    const good = await finished(svc, (await svc.start(REQ)).profileId);
    await svc.close();
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { profiles: unknown[] };
    const running = { ...(stored.profiles[0] as ProfileRun), profileId: 'p-was-running', state: 'running' };
    writeFileSync(file, JSON.stringify({ profiles: [running, { profileId: 'x', points: 'no' }, 42, { ...good, points: [{ inferPerSec: 'NaN' }] }, stored.profiles[0]] }));
    const read = await new ProfileHistoryFile(file).read();
    expect(read.map((r) => [r.profileId, r.state])).toEqual([
      ['p-was-running', 'stopped'],
      [good.profileId, 'done'],
    ]);
    expect(read[0]!.warnings.at(-1)).toMatch(/the lab closed while this profile ran/);
    expect(checkStoredRun({ ...good, machine: null })).toBeUndefined();
  });

  it('refuses a file that is too large without reading it', async () => {
    const file = path.join(dir, 'profiles.json');
    writeFileSync(file, Buffer.alloc(16 * 1024 * 1024 + 1, 0x20));
    expect(await new ProfileHistoryFile(file).read()).toEqual([]);
    expect(readdirSync(dir).some((f) => f.startsWith('profiles.json.bad-'))).toBe(true);
  });

  it.skipIf(process.platform === 'win32')('sets a FIFO named profiles.json aside without waiting for a writer', async () => {
    const file = path.join(dir, 'profiles.json');
    execFileSync('mkfifo', [file]);
    expect(await new ProfileHistoryFile(file).read()).toEqual([]);
    expect(readdirSync(dir).some((f) => f.startsWith('profiles.json.bad-'))).toBe(true);
  });

  it('writes the history owner-only, leaving no temporary file behind', async () => {
    const file = path.join(dir, 'profiles.json');
    await new ProfileHistoryFile(file).write([]);
    expect(readdirSync(dir)).toEqual(['profiles.json']);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('records a profile measured elsewhere (a what-if variant) under a new id, announced and kept in profiles.json', async () => {
    const { svc, events, file } = service();
    const measured = await finished(svc, (await svc.start(REQ)).profileId);
    events.length = 0;
    await expect(svc.record({ ...measured, state: 'running' })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    const kept = await svc.record({ ...measured, variant: 'instances-2' });
    expect(kept.profileId).not.toBe(measured.profileId);
    expect((await svc.list()).map((r) => [r.profileId, r.variant])).toEqual([
      [kept.profileId, 'instances-2'],
      [measured.profileId, undefined],
    ]);
    expect(events.map((e) => e.profileId)).toEqual([kept.profileId]);
    await svc.close();
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { profiles: ProfileRun[] };
    expect(stored.profiles.map((r) => r.variant)).toEqual(['instances-2', undefined]);
  });

  it('starts nothing once closed', async () => {
    const { svc } = service();
    await svc.close();
    await expect(svc.start(REQ)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('works without a settings folder (no history file)', async () => {
    const { svc } = service({ history: false });
    const run = await finished(svc, (await svc.start(REQ)).profileId);
    expect(run.state).toBe('done');
    expect(readdirSync(dir)).toEqual([]);
    await svc.close();
  });

  it('reports a target that fails as an error, keeping the points measured before', async () => {
    const clock = new FakeClock();
    let n = 0;
    const target = fakeTarget(clock);
    const failing: ProfileTarget = { ...target, infer: () => (++n > 300 ? Promise.reject(new Error('the model crashed')) : target.infer()) };
    const svc = new ProfileService({ open: () => Promise.resolve({ target: failing, close: () => undefined }), emit: () => undefined, clock, throttleMs: 0 });
    const run = await finished(svc, (await svc.start(REQ)).profileId);
    expect(run.state).toBe('error');
    expect(run.error).toEqual({ code: 'UNAVAILABLE', message: 'a request failed: the model crashed' });
    await svc.close();
  });
});

describe('profile requests (hostile input)', () => {
  it('completes the defaults and maps request rates', () => {
    const r = checkProfileRequest({ repoId: 'r', model: 'm', requestRate: { start: 10, end: 30, step: 10 }, percentile: 95, shapes: { X: [3, 4] }, label: '  ' });
    expect(r.settings).toMatchObject({ requestRate: { start: 10, end: 30, step: 10 }, percentile: 95, batchSize: 1, measurementIntervalMs: 5000, warmupRequests: 10 });
    expect(r.shown).toEqual({ batchSize: 1, inputData: 'random', measurementIntervalMs: 5000, maxTrials: 10, requestRate: { start: 10, end: 30, step: 10 }, percentile: 95, shapes: { X: [3, 4] } });
    expect(r.label).toBe('m');
  });

  it.each([
    [null, 'the profile request must be an object'],
    [{ model: 'm' }, 'repoId must be'],
    [{ repoId: 'r', model: 'm', concurrency: { start: 0, end: 1, step: 1 } }, 'concurrency.start must be an integer from 1 to 256'],
    [{ repoId: 'r', model: 'm', concurrency: { start: 1, end: 10_000, step: 1 } }, 'concurrency.end must be an integer from 1 to 256'],
    [{ repoId: 'r', model: 'm', concurrency: { start: 1, end: 200, step: 1 } }, 'the sweep has 200 levels; at most 64'],
    [{ repoId: 'r', model: 'm', concurrency: { start: 1 }, requestRate: { start: 1 } }, 'not both'],
    [{ repoId: 'r', model: 'm', requestRate: { start: 0 } }, 'requestRate.start must be a number from 0.01'],
    [{ repoId: 'r', model: 'm', measurementIntervalMs: 1e9 }, 'measurementIntervalMs must be an integer from 50 to 60000'],
    [{ repoId: 'r', model: 'm', batchSize: 1.5 }, 'batchSize must be an integer'],
    [{ repoId: 'r', model: 'm', percentile: 100 }, 'percentile must be an integer from 1 to 99'],
    [{ repoId: 'r', model: 'm', inputData: 'file.json' }, 'inputData must be one of zero, random'],
    [{ repoId: 'r', model: 'm', shapes: { X: [1e6, 1e6] } }, 'more than 16777216 elements'],
    [{ repoId: 'r', model: 'm', shapes: { X: 'big' } }, 'shapes.X must be a list'],
    [{ repoId: 'r', model: 'm', label: 'x'.repeat(201) }, 'label must be'],
  ])('refuses %j', (req, message) => {
    expect(() => checkProfileRequest(req)).toThrow(message);
  });
});
