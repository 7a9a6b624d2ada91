import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LabEvent, WhatIfRun } from '../../contract/lab-api';
import { Lab } from '../lab';
import { profileService } from '../handlers/profile-handlers';
import { createWhatIfHandlers, whatIfService } from '../handlers/whatif-handlers';
import { WhatIfService } from './service';

const CONFIG = `# the user's comment
name: "ident"
backend: "identity"
max_batch_size: 8
input [{ name: "INPUT0" data_type: TYPE_FP32 dims: [ -1 ] }]
output [{ name: "OUTPUT0" data_type: TYPE_FP32 dims: [ -1 ] }]
instance_group [ { kind: KIND_CPU, count: 1 } ]
`;

let dir = '';
let lab: Lab;
let repoId = '';
const events: LabEvent[] = [];
const file = (): string => path.join(dir, 'ident', 'config.pbtxt');

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'whatif-'));
  mkdirSync(path.join(dir, 'ident', '1'), { recursive: true });
  writeFileSync(file(), CONFIG);
  lab = new Lab();
  lab.onEvent((e) => events.push(e));
  repoId = (await lab.openRepository(dir)).id;
});
afterAll(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

const FAST = { concurrency: { start: 1, end: 2, step: 1 }, measurementIntervalMs: 60, maxTrials: 3, stabilityPercentage: 50, shapes: { INPUT0: [16] } };

async function finished(h: ReturnType<typeof createWhatIfHandlers>, id: string): Promise<WhatIfRun> {
  for (;;) {
    const run = await h.getWhatIf({ whatIfId: id });
    if (run.state !== 'running') return run;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('what-if against the engine', () => {
  let run: WhatIfRun;
  let service: WhatIfService;
  beforeAll(() => {
    service = new WhatIfService(lab);
  });
  afterAll(() => service.close());
  const h = () => createWhatIfHandlers(lab, service);

  it('profiles each variant as a temporary load that leaves the user model, its statistics and its files alone', async () => {
    const before = lab.modelStats(repoId, 'ident');
    const mtime = statSync(file()).mtimeMs;
    events.length = 0;
    const started = await h().startWhatIf({ repoId, model: 'ident', knobs: { instanceCounts: [2], dynamicBatching: [true] }, latencyBudgetMs: 1000, profile: FAST });
    expect(started.state).toBe('running');
    expect(started.profile).toEqual(FAST);
    expect(started.variants.map((v) => v.knobs)).toEqual([{}, { instanceCount: 2, dynamicBatching: true }]);
    expect(started.variants.map((v) => v.name)).toEqual(['baseline', 'instances 2, batching on']);
    await expect(h().startWhatIf({ repoId, model: 'ident', knobs: { instanceCounts: [2] }, latencyBudgetMs: 1000, profile: FAST })).rejects.toThrow(/already running/);
    run = await finished(h(), started.whatIfId);
    expect(run.state).toBe('done');
    for (const v of run.variants) {
      expect(v.state).toBe('done');
      expect(v.points?.length).toBeGreaterThan(0);
      expect(v.points![0]!.requestCount).toBeGreaterThan(0);
    }
    expect(run.variants.filter((v) => v.rank === 1)).toHaveLength(1);
    expect(run.winner).toBe(run.variants.find((v) => v.rank === 1)!.name);
    expect(lab.modelStats(repoId, 'ident')).toEqual(before);
    expect(readFileSync(file(), 'utf8')).toBe(CONFIG);
    expect(statSync(file()).mtimeMs).toBe(mtime);
    expect(lab.listRepositories()).toHaveLength(1);
    expect(events.some((e) => e.type === 'models-changed')).toBe(false);
    expect(events.filter((e) => e.type === 'whatif-progress').length).toBeGreaterThan(2);
  });

  it('gives the winner as a diff against config.pbtxt, keeping the comments', () => {
    const v = run.variants[1]!;
    expect(v.configText).toContain("# the user's comment");
    expect(v.configText).toContain('dynamic_batching {');
    if (run.winner === v.name) expect(run.diff).toMatch(/^--- a\/ident\/config.pbtxt\n\+\+\+ b\/ident\/config.pbtxt\n@@ /);
    else expect(run.diff).toBeUndefined();
  });

  it('applies a variant only while the file is as the what-if found it, then reloads the model', async () => {
    writeFileSync(file(), `${CONFIG}# edited meanwhile\n`);
    await expect(h().applyWhatIf({ whatIfId: run.whatIfId, variant: 'instances 2, batching on' })).rejects.toThrow(/changed since the what-if started/);
    expect(readFileSync(file(), 'utf8')).toBe(`${CONFIG}# edited meanwhile\n`);
    writeFileSync(file(), CONFIG);
    await expect(h().applyWhatIf({ whatIfId: run.whatIfId, variant: 'nope' })).rejects.toThrow(/no variant 'nope'/);
    const detail = await h().applyWhatIf({ whatIfId: run.whatIfId, variant: 'instances 2, batching on' });
    expect(readFileSync(file(), 'utf8')).toBe(run.variants[1]!.configText);
    expect(JSON.stringify(detail.completedConfigJson)).toMatch(/"dynamic_batching"/);
    expect(detail.summary.state).toBe('READY');
    expect(path.basename(file())).toBe('config.pbtxt');
    writeFileSync(file(), CONFIG);
    await lab.loadModel(repoId, 'ident');
  });

  it('stops: the variant running keeps what it measured, the rest are not run', async () => {
    const slow = { ...FAST, concurrency: { start: 1, end: 4, step: 1 }, measurementIntervalMs: 200, maxTrials: 10 };
    const started = await h().startWhatIf({ repoId, model: 'ident', knobs: { instanceCounts: [2, 3] }, latencyBudgetMs: 1000, profile: slow });
    await new Promise((r) => setTimeout(r, 400));
    const stopped = await h().stopWhatIf({ whatIfId: started.whatIfId });
    expect(stopped.state).toBe('stopped');
    expect(stopped.variants[0]!.state).toBe('stopped');
    // The window in flight when Stop came is kept as the level's (unstable) point.
    expect(stopped.variants[0]!.points!.length).toBeGreaterThan(0);
    expect(stopped.variants.slice(1).every((v) => v.state === 'stopped' && !v.points)).toBe(true);
  });

  it('profiles the variants at a request rate (open loop) when asked', async () => {
    const rate = { requestRate: { start: 40, end: 40, step: 1 }, measurementIntervalMs: 60, maxTrials: 3, shapes: { INPUT0: [16] } };
    const started = await h().startWhatIf({ repoId, model: 'ident', knobs: { instanceCounts: [2] }, latencyBudgetMs: 1000, profile: rate });
    const done = await finished(h(), started.whatIfId);
    expect(done.state).toBe('done');
    expect(done.variants.map((v) => v.points?.[0]?.requestRate)).toEqual([40, 40]);
    expect(done.variants.every((v) => v.best?.requestRate === 40)).toBe(true);
  });

  it("keeps each variant's profile in the Profile tab's history, its variant named", async () => {
    const own = whatIfService(lab);
    try {
      const hh = createWhatIfHandlers(lab, own);
      const rate = { requestRate: { start: 40, end: 40, step: 1 }, measurementIntervalMs: 60, maxTrials: 3, shapes: { INPUT0: [16] } };
      const done = await finished(hh, (await hh.startWhatIf({ repoId, model: 'ident', knobs: { instanceCounts: [2] }, latencyBudgetMs: 1000, profile: rate })).whatIfId);
      const kept = await profileService(lab).list({ repoId, model: 'ident' });
      const of = done.variants.map((v) => kept.find((r) => r.profileId === v.profileId));
      expect(of.map((r) => r?.variant)).toEqual(done.variants.map((v) => v.name));
      expect(of.map((r) => r?.points)).toEqual(done.variants.map((v) => v.points));
      expect(of.every((r) => r?.state === 'done' && r.settings.requestRate?.start === 40 && /^Request Rate,/.test(r.csv))).toBe(true);
    } finally {
      await own.close();
    }
  });

  it('refuses a second start made while the first still reads the config', async () => {
    const req = { repoId, model: 'ident', knobs: { instanceCounts: [2] }, latencyBudgetMs: 1000, profile: FAST };
    const [a, b] = await Promise.allSettled([h().startWhatIf(req), h().startWhatIf(req)]);
    expect(a.status).toBe('fulfilled');
    expect(b).toMatchObject({ status: 'rejected', reason: { code: 'UNAVAILABLE' } });
    if (a.status === 'fulfilled') await h().stopWhatIf({ whatIfId: a.value.whatIfId });
  });

  it('refuses bad payloads, remote servers, and a config.pbtxt that is a link', async () => {
    await expect(h().startWhatIf({ repoId, model: 'ident', knobs: {}, latencyBudgetMs: -1, profile: {} })).rejects.toThrow(/latencyBudgetMs/);
    await expect(h().startWhatIf({ repoId, model: 'ident', knobs: { instanceCounts: 'x' }, latencyBudgetMs: 5, profile: {} })).rejects.toThrow(/instanceCounts/);
    // The Profile tab's bounds hold for each variant's sweep: no 100,000 levels, no tensor of 10^10 elements.
    await expect(h().startWhatIf({ repoId, model: 'ident', knobs: {}, latencyBudgetMs: 5, profile: { requestRate: { start: 1, end: 100_000, step: 1 } } })).rejects.toThrow(
      /profile: the sweep has \d+ levels; at most 64/,
    );
    await expect(h().startWhatIf({ repoId, model: 'ident', knobs: {}, latencyBudgetMs: 5, profile: { shapes: { INPUT0: [100_000, 100_000] } } })).rejects.toThrow(/profile: shapes/);
    await expect(h().startWhatIf({ repoId: 'remote:1', model: 'ident', knobs: { instanceCounts: [2] }, latencyBudgetMs: 5, profile: {} })).rejects.toThrow(/local models only/);
    await expect(h().startWhatIf({ repoId, model: 'nope', knobs: { instanceCounts: [2] }, latencyBudgetMs: 5, profile: {} })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const other = mkdtempSync(path.join(os.tmpdir(), 'whatif-link-'));
    try {
      mkdirSync(path.join(dir, 'linked', '1'), { recursive: true });
      writeFileSync(path.join(other, 'config.pbtxt'), CONFIG.replace('"ident"', '"linked"'));
      symlinkSync(path.join(other, 'config.pbtxt'), path.join(dir, 'linked', 'config.pbtxt'));
      await lab.reloadRepository(repoId);
      await expect(h().startWhatIf({ repoId, model: 'linked', knobs: { instanceCounts: [2] }, latencyBudgetMs: 5, profile: FAST })).rejects.toThrow(/is a link/);
    } finally {
      rmSync(other, { recursive: true, force: true });
      rmSync(path.join(dir, 'linked'), { recursive: true, force: true });
    }
  });

  it('reports a variant that does not load with the model’s own reason', async () => {
    const started = await h().startWhatIf({ repoId, model: 'ident', knobs: { instanceCounts: [2] }, latencyBudgetMs: 1000, profile: { ...FAST, shapes: { WRONG: [3] } } });
    const done = await finished(h(), started.whatIfId);
    expect(done.state).toBe('error');
    expect(done.variants.every((v) => v.state === 'error' && /WRONG/.test(v.error!.message))).toBe(true);
  });
});
