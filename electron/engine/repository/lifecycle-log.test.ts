/**
 * The version log records the lab's own steps (loading, loaded, failed,
 * unloaded) so the Log tab tells what happened even for a model that prints
 * nothing: after Unload then Load it must not read as if nothing ever ran.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { scriptConfig } from '../runtime/testing/models';
import type { LogLine } from './types';
import { closeRepositories, identityConfig, loadRepository, TempDirs } from './testing/temp-repo';

const temp = new TempDirs();
afterEach(async () => {
  await closeRepositories();
  temp.cleanup();
});

const ENSEMBLE = `name: "e" platform: "ensemble" max_batch_size: 8
input { name: "IN" data_type: TYPE_FP32 dims: [ -1 ] }
output { name: "OUT" data_type: TYPE_FP32 dims: [ -1 ] }
ensemble_scheduling {
  step { model_name: "a" model_version: -1 input_map { key: "INPUT0" value: "IN" } output_map { key: "OUTPUT0" value: "OUT" } }
}`;

const events = (lines: LogLine[]): string[] => lines.filter((l) => l.event).map((l) => `${l.event!.kind} v${l.event!.version}`);

describe('lifecycle lines in the version log', () => {
  it('records loading and loaded with time, place and instances, then unloaded, then the next load after the earlier lines', async () => {
    const d = await temp.make({ 'a/config.pbtxt': identityConfig('a'), 'a/1': null });
    const repo = await loadRepository(d.root);
    const v = () => repo.models.get('a')!.versions[0]!;
    expect(events(v().logs)).toEqual(['loading v1', 'loaded v1']);
    const loaded = v().logs.find((l) => l.event?.kind === 'loaded')!;
    expect(loaded).toMatchObject({ level: 'info', event: { ms: expect.any(Number), instances: expect.any(Number) } });
    expect(loaded.message).toMatch(/^version 1 loaded in \d+ ms.*: ready for requests$/);
    await repo.unload('a');
    expect(events(v().logs)).toEqual(['loading v1', 'loaded v1', 'unloaded v1']);
    expect(v().logs.at(-1)!.message).toBe('version 1 unloaded');
    await repo.load(['a']);
    expect(events(v().logs)).toEqual(['loading v1', 'loaded v1', 'unloaded v1', 'reloaded v1', 'loading v1', 'loaded v1']);
    const times = v().logs.map((l) => l.time);
    expect([...times].sort((x, y) => x - y)).toEqual(times);
  });

  it('an ensemble logs when it becomes ready and when a member goes away, once per change', async () => {
    const d = await temp.make({ 'a/config.pbtxt': identityConfig('a'), 'a/1': null, 'e/config.pbtxt': ENSEMBLE, 'e/1': null });
    const repo = await loadRepository(d.root);
    const e = () => repo.models.get('e')!.versions[0]!;
    expect(events(e().logs)).toEqual(['loaded v1']);
    await repo.poll();
    expect(events(e().logs)).toEqual(['loaded v1']);
    await repo.unload('a');
    const failed = e().logs.at(-1)!;
    expect(failed).toMatchObject({ level: 'error', event: { kind: 'failed', reason: expect.stringContaining('a') } });
    expect(failed.message).toMatch(/^version 1 failed to load: /);
  });

  it('a version whose instances fail to start says why', async () => {
    const throws = 'export default class TritonPythonModel {\n  initialize() {\n    throw new Error(`cannot start`);\n  }\n  execute() {\n    return [];\n  }\n}\n';
    const d = await temp.make({ 'm/config.pbtxt': scriptConfig('m', { inputs: [{ name: 'IN', dims: [1] }], outputs: [{ name: 'OUT', dims: [1] }] }), 'm/1/model.js': throws });
    const repo = await loadRepository(d.root);
    const v = repo.models.get('m')!.versions[0]!;
    expect(v.state).toBe('UNAVAILABLE');
    expect(events(v.logs)).toEqual(['loading v1', 'failed v1']);
    expect(v.logs.at(-1)).toMatchObject({ level: 'error', event: { kind: 'failed', reason: v.reason } });
    expect(v.logs.at(-1)!.message).toContain('cannot start');
  }, 20_000);
});
