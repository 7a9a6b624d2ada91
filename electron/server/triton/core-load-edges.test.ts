/**
 * The edges of Triton's explicit load as its core answers them (model_repository_manager.cc):
 * whatever goes wrong with the load parameters (a config override that does not parse, a "file:"
 * name that leaves the folder or that no file system takes) happens while Triton polls the
 * model, so the caller gets INTERNAL "failed to load '<m>', failed to poll from model repository"
 * and the reason goes to the log ("Poll failed for model directory '<m>': ..."). A "file:" name
 * is joined to the folder as Triton's JoinPath does: a leading '/' is relative.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { f32, modelConfig } from '../../engine/runtime/testing/models';
import type { LoadParameter } from './core';
import { type ServeFixture, startServeFixture } from './testing/serve-fixture';

const open: ServeFixture[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

const IDENTITY = modelConfig('m', { backend: 'identity', mbs: 0, inputs: [{ name: 'INPUT0', dims: [-1] }], outputs: [{ name: 'OUTPUT0', dims: [-1] }] });
const identityJson = {
  name: 'm',
  backend: 'identity',
  max_batch_size: 0,
  input: [{ name: 'INPUT0', data_type: 'TYPE_FP32', dims: [-1] }],
  output: [{ name: 'OUTPUT0', data_type: 'TYPE_FP32', dims: [-1] }],
};
const text = (value: string): LoadParameter => ({ type: 'STRING', value });
const bytes = (t: string): LoadParameter => ({ type: 'BYTES', value: new TextEncoder().encode(t) });

async function explicitCore(): Promise<{ f: ServeFixture; logs: string[] }> {
  const logs: string[] = [];
  const f = await startServeFixture({
    http: false,
    repo: { controlMode: 'explicit', startupModels: ['m'] },
    core: { log: (level: string, message: string) => logs.push(`${level}: ${message}`) },
    write: (dir) => {
      mkdirSync(path.join(dir, 'm', '1'), { recursive: true });
      writeFileSync(path.join(dir, 'm', 'config.pbtxt'), IDENTITY);
    },
  });
  open.push(f);
  return { f, logs };
}

const pollFailure = { code: 'INTERNAL', message: "failed to load 'm', failed to poll from model repository" };
const serves = async (f: ServeFixture) => expect((await f.core.infer('m', undefined, { inputs: [f32('INPUT0', [2], [1, 2])] })).outputs[0]!.shape).toEqual([2]);

describe('a malformed config override', () => {
  it('is a poll failure: INTERNAL, Triton wording; the JSON error goes to the log; the loaded version keeps serving', async () => {
    const { f, logs } = await explicitCore();
    for (const bad of ['{"name": "m",', 'not json', '{"max_batch_size": "many"}']) {
      await expect(f.core.load('m', { config: text(bad) })).rejects.toMatchObject(pollFailure);
    }
    expect(logs.filter((l) => l.startsWith("error: Poll failed for model directory 'm': Invalid config override: "))).toHaveLength(3);
    await serves(f);
  });

  it('a parameter Triton does not know, files without a config, a config that is not a string: poll failures too', async () => {
    const { f, logs } = await explicitCore();
    await expect(f.core.load('m', { 'file:1/x': bytes('x') })).rejects.toMatchObject(pollFailure);
    expect(logs).toContain("error: Poll failed for model directory 'm': Load parameter 'config' must be specified for model file override");
    await expect(f.core.load('m', { config: bytes('{}') })).rejects.toMatchObject(pollFailure);
    expect(logs).toContain("error: Poll failed for model directory 'm': Unrecognized load parameter 'config' with type 'BYTES'");
    await serves(f);
  });
});

describe('"file:" names', () => {
  it("'file:/1/model.txt' is joined as relative (Triton's JoinPath) and written inside the load's folder", async () => {
    const { f } = await explicitCore();
    await f.core.load('m', { config: text(JSON.stringify(identityJson)), 'file:/1/notes.txt': bytes('relative') });
    const dir = f.repo.models.get('m')!.dir;
    expect(readFileSync(path.join(dir, '1', 'notes.txt'), 'utf8')).toBe('relative');
    await serves(f);
  });

  it('a name leaving the folder, a file where a folder is needed: poll failures, Triton reason logged, nothing left behind', async () => {
    const { f, logs } = await explicitCore();
    const cfg = text(JSON.stringify(identityJson));
    for (const key of ['../x', '/../x', '1/../../../etc/cron.d/x']) {
      await expect(f.core.load('m', { config: cfg, [`file:${key}`]: bytes('x') })).rejects.toMatchObject(pollFailure);
      expect(logs.at(-1)).toMatch(
        new RegExp(`^error: Poll failed for model directory 'm': Invalid file parameter 'file:${key.replaceAll('.', '\\.')}' with normalized path '.*' must stay within model directory\\.$`),
      );
    }
    await expect(f.core.load('m', { config: cfg, 'file:1': bytes('a'), 'file:1/model.bin': bytes('b') })).rejects.toMatchObject(pollFailure);
    expect(logs.at(-1)).toBe("error: Poll failed for model directory 'm': Invalid file parameter 'file:1/model.bin', directory has been created as a file");
    const base = await f.core.scratch.location();
    expect(base && readdirSync(base)).toEqual([]);
    await serves(f);
  });

  it('a 256-character name (longer than NAME_MAX) is a poll failure that names no temporary path', async () => {
    const { f, logs } = await explicitCore();
    const long = 'A'.repeat(256);
    const err = await f.core.load('m', { config: text('{}'), [`file:${long}`]: bytes('a') }).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(err).toMatchObject(pollFailure);
    const line = logs.at(-1)!;
    expect(line).toBe(`error: Poll failed for model directory 'm': Invalid file parameter '${long}': File name too long`);
    expect(line).not.toContain('ENAMETOOLONG');
    expect(line).not.toContain('model-lab-overrides-');
    await serves(f);
  });

  it('a 300-character model name with files names no temporary path either (the folder takes a cut of the name)', async () => {
    const { f } = await explicitCore();
    const name = 'a'.repeat(300);
    const err = await f.core.load(name, { config: text(JSON.stringify({ ...identityJson, name })), 'file:1/x.txt': bytes('a') }).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(err?.message ?? '').not.toContain('ENAMETOOLONG');
    expect(err?.message ?? '').not.toContain('model-lab-overrides-');
  });
});
