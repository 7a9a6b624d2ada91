import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabEvent, ProfileRun } from '../../contract/lab-api';
import { Lab } from '../lab';
import { createLabHandlers, dispatch } from '../lab-handlers';
import { browserHost } from '../testing/host';
import { profileService } from './profile-handlers';

const host = browserHost({ samplesDir: path.resolve('sample-repos') });
let dir = '';
let lab: Lab;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'profile-handlers-'));
  mkdirSync(path.join(dir, 'repo', 'ident', '1'), { recursive: true });
  writeFileSync(
    path.join(dir, 'repo', 'ident', 'config.pbtxt'),
    'name: "ident"\nbackend: "identity"\nmax_batch_size: 8\ninput [{ name: "INPUT0" data_type: TYPE_FP32 dims: [ -1 ] }]\noutput [{ name: "OUTPUT0" data_type: TYPE_FP32 dims: [ -1 ] }]\n',
  );
});
afterEach(async () => {
  await profileService(lab).close();
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('profiles through the lab API (in-process target)', () => {
  it('starts at once, announces progress, ends done; the history is kept in profiles.json beside the settings', async () => {
    lab = new Lab({ settingsFile: path.join(dir, 'settings.json') });
    const h = createLabHandlers(lab, host);
    const repo = await h.openRepository({ path: path.join(dir, 'repo') });
    const events: ProfileRun[] = [];
    lab.onEvent((ev: LabEvent) => {
      if (ev.type === 'profile-progress') events.push(ev.profile);
    });
    const req = { repoId: repo.id, model: 'ident', shapes: { INPUT0: [16] }, measurementIntervalMs: 60, maxTrials: 6, concurrency: { start: 1, end: 2, step: 1 }, label: 'quick' };
    const run = await h.startProfile(req);
    expect(run).toMatchObject({ state: 'running', label: 'quick', target: { kind: 'in-process', sameHost: true }, machine: { provider: 'CPU' } });
    await expect(h.startProfile(req)).rejects.toThrow("a profile of 'ident' is already running");
    let done = run;
    while (done.state === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      done = await h.getProfile({ profileId: run.profileId });
    }
    expect(done.state).toBe('done');
    expect(done.points.length).toBeGreaterThanOrEqual(1);
    expect(done.points[0]!.concurrency).toBe(1);
    expect(done.points[0]!.inferPerSec).toBeGreaterThan(0);
    expect(events.some((e) => e.progress.window > 0)).toBe(true);
    expect(events.at(-1)!.state).toBe('done');
    expect((await h.listProfiles({ repoId: repo.id, model: 'ident' })).map((r) => r.profileId)).toEqual([run.profileId]);
    await profileService(lab).close();
    const stored = JSON.parse(readFileSync(path.join(dir, 'profiles.json'), 'utf8')) as { profiles: ProfileRun[] };
    expect(stored.profiles.map((r) => r.profileId)).toEqual([run.profileId]);
    expect(await h.deleteProfile({ profileId: run.profileId })).toEqual({ deleted: true });
    await expect(h.getProfile({ profileId: run.profileId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('closing the lab stops a running profile first (it keeps its state, and no request reaches the closed repository)', async () => {
    lab = new Lab({ settingsFile: path.join(dir, 'settings.json') });
    const h = createLabHandlers(lab, host);
    const repo = await h.openRepository({ path: path.join(dir, 'repo') });
    const run = await h.startProfile({ repoId: repo.id, model: 'ident', shapes: { INPUT0: [16] }, measurementIntervalMs: 200, maxTrials: 50, concurrency: { start: 1, end: 8, step: 1 } });
    await lab.close();
    const after = await profileService(lab).get(run.profileId);
    expect(after.state).toBe('stopped');
    expect(after.error).toBeUndefined();
  });

  it('refuses what cannot be profiled before starting: an unknown model, a variable dim without its shape, bad payloads', async () => {
    lab = new Lab();
    const h = createLabHandlers(lab, host);
    const repo = await h.openRepository({ path: path.join(dir, 'repo') });
    await expect(h.startProfile({ repoId: repo.id, model: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.startProfile({ repoId: repo.id, model: 'ident' })).rejects.toThrow("input 'INPUT0' has variable dims [-1]: give its shape");
    await expect(dispatch(h, 'startProfile', { repoId: repo.id, model: 'ident', concurrency: { start: 'a' } })).rejects.toThrow('concurrency.start must be an integer');
    await expect(h.stopProfile({ profileId: 7 })).rejects.toThrow('profileId must be a string');
    expect(await h.listProfiles({})).toEqual([]);
  });
});
