/**
 * Fuzzing the model loader with mutated config.pbtxt files (seeded; FUZZ_SEED
 * replays a run): a thousand broken configs load next to a healthy model in
 * one repository. Loading never throws; every model that does not serve says
 * why; the views the UI and the server read (details, index, config JSON)
 * build for every model; the healthy model still answers through the server
 * core afterwards; memory stays bounded.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configToTritonJson } from '../../../engine/config/serialize';
import { Repository } from '../../../engine/repository/repository';
import { toModelDetail, toModelSummary } from '../../../engine/repository/views';
import { f32, modelConfig } from '../../../engine/runtime/testing/models';
import { TritonCore } from '../core';
import { mutateConfig, seedConfigs } from './config-mutations';
import { heapAfterGc } from './memory';
import { Rng, fuzzSeed } from '../../../engine/testing/rng';

const SEED = fuzzSeed(1207);
const CONFIGS = 1000;
const PER_REPO = 250;
const root = path.resolve(__dirname, '../../../..');
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function writeRepo(rng: Rng, seeds: string[], first: number, count: number): { dir: string; applied: Map<string, string[]> } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'config-fuzz-'));
  dirs.push(dir);
  const applied = new Map<string, string[]>();
  for (let i = first; i < first + count; i++) {
    const name = `m${i}`;
    const m = mutateConfig(rng.pick(seeds), name, rng);
    mkdirSync(path.join(dir, name, '1'), { recursive: true });
    writeFileSync(path.join(dir, name, 'config.pbtxt'), m.text);
    applied.set(name, m.applied);
  }
  mkdirSync(path.join(dir, 'healthy', '1'), { recursive: true });
  writeFileSync(
    path.join(dir, 'healthy', 'config.pbtxt'),
    modelConfig('healthy', { backend: 'identity', mbs: 0, inputs: [{ name: 'INPUT0', type: 'FP32', dims: [-1] }], outputs: [{ name: 'OUTPUT0', type: 'FP32', dims: [-1] }] }),
  );
  return { dir, applied };
}

/** What is wrong with how one loaded model is reported, if anything. */
function reportProblem(repo: Repository, name: string): string | undefined {
  const rec = repo.models.get(name);
  if (!rec) return 'missing from the repository';
  if (rec.state !== 'READY' && rec.state !== 'UNAVAILABLE') return `left in state ${rec.state}`;
  const served = rec.versions.filter((v) => v.served);
  if (rec.state === 'UNAVAILABLE' && !rec.reason && !served.some((v) => v.reason)) return 'unavailable without a reason';
  toModelDetail('fuzz', rec, repo.root);
  toModelSummary(rec, repo.root);
  for (const v of served) if (v.state === 'READY' && v.config) configToTritonJson(v.config);
  return undefined;
}

/** One repository of mutated configs: loaded, every model's report checked, the healthy model run, closed. */
async function loadBatch(rng: Rng, seeds: string[], first: number): Promise<string[]> {
  const failures: string[] = [];
  const { dir, applied } = writeRepo(rng, seeds, first, PER_REPO);
  const repo = new Repository(dir, { runCode: false, concurrency: 4 });
  try {
    await repo.loadAll();
    for (const [name, how] of applied) {
      try {
        const why = reportProblem(repo, name);
        if (why) failures.push(`${name} (${how.join(', ')}): ${why}`);
      } catch (err) {
        failures.push(`${name} (${how.join(', ')}): views threw ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
    repo.index();
    const core = new TritonCore(repo, { version: 'fuzz' });
    const res = await core.infer('healthy', undefined, { inputs: [f32('INPUT0', [2], [1, 2])] });
    expect(Array.from(res.outputs[0]!.data as Float32Array)).toEqual([1, 2]);
  } finally {
    await repo.close();
  }
  return failures;
}

describe(`config.pbtxt fuzz (seed ${SEED})`, () => {
  it(`loads ${CONFIGS} mutated configs without crashing, each explained, and keeps serving`, async () => {
    const seeds = seedConfigs([path.join(root, 'sample-repos'), path.join(root, 'e2e/fixtures'), path.join(root, 'electron/engine/repository/__fixtures__')]);
    expect(seeds.length).toBeGreaterThan(20);
    const rng = new Rng(SEED);
    const heapBefore = heapAfterGc();
    const failures: string[] = [];
    for (let first = 0; first < CONFIGS; first += PER_REPO) failures.push(...(await loadBatch(rng, seeds, first)));
    expect(failures.slice(0, 20).join('\n'), `FUZZ_SEED=${SEED}: ${failures.length} of ${CONFIGS} configs were not handled`).toBe('');
    // Nothing is kept once the repositories are closed (closed instances let go within a few turns).
    await new Promise((r) => setTimeout(r, 300));
    expect(heapAfterGc() - heapBefore).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);
});
