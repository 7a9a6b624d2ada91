/**
 * The lab with a remote server added, end to end through the real protocol clients: a
 * `model-lab serve` in-process (HTTP and gRPC) the lab did not open, added by URL; its index,
 * a model page from its config JSON, a playground run whose tensors land in the run history (FP16
 * and BYTES included), statistics, load/unload with the server's own error when model control is
 * off, and a restricted API whose header value never shows in anything the lab returns.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../engine/lab';
import { createLabHandlers, type LabHandlers } from '../engine/lab-handlers';
import { MemoryCredentials } from '../engine/remote/memory-credentials';
import { browserHost } from '../engine/testing/host';
import { type RunningGrpcServer, startGrpcServer } from './triton/grpc/server';
import { type ServeFixture, startServeFixture } from './triton/testing/serve-fixture';
import { connectTriton, fetchText } from './remote/connect';

const ADMIN = 'lab-admin-secret-value';

describe.each(['http', 'grpc'] as const)('the lab with a remote server over %s', (protocol) => {
  let f: ServeFixture;
  let grpc: RunningGrpcServer;
  let lab: Lab;
  let h: LabHandlers;
  let dir: string;
  let id: string;

  beforeAll(async () => {
    f = await startServeFixture({
      repo: { controlMode: 'explicit', startupModels: ['id_fp32', 'id_fp16', 'id_bytes', 'batching'] },
      http: { restricted: { 'model-repository': { header: 'admin-key', value: ADMIN } } },
    });
    grpc = await startGrpcServer(f.core, { host: '127.0.0.1', port: 0, restricted: { 'model-repository': { header: 'triton-grpc-protocol-admin-key', value: ADMIN } } });
    dir = await mkdtemp(path.join(os.tmpdir(), 'remote-lab-'));
    lab = new Lab({ settingsFile: path.join(dir, 'settings.json') });
    h = createLabHandlers(lab, { ...browserHost(), remote: { connect: connectTriton, fetchText, credentials: new MemoryCredentials() } });
    const url = protocol === 'http' ? f.url : `grpc://127.0.0.1:${grpc.port}`;
    const headers = protocol === 'http' ? { 'admin-key': ADMIN } : { 'triton-grpc-protocol-admin-key': ADMIN };
    id = (await h.addRemoteServer({ url, name: 'served', headers, timeoutMs: 5000 })).id;
    // A served repository with four models loaded: past the 10 s hook default on a busy machine.
  }, 60_000);
  afterAll(async () => {
    await lab.close();
    await grpc.close(false);
    await f.close();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('lists the index with states (explicit mode: models not loaded are listed too) and the server metadata', async () => {
    const repo = (await h.listRepositories({})).find((r) => r.id === id)!;
    expect(repo.remote?.protocol).toBe(protocol);
    expect(repo.remote?.server?.extensions).toContain('model_repository');
    const states = Object.fromEntries(repo.models.map((m) => [m.name, m.state]));
    expect(states['id_fp32']).toBe('READY');
    expect(states['classifier']).toBe('UNAVAILABLE');
    expect(JSON.stringify(repo)).not.toContain(ADMIN);
  });

  it('opens the page of a model the server has not loaded (Triton gives no config for it), to load it from', async () => {
    const d = await h.getModel({ repoId: id, model: 'classifier' });
    expect(d.summary).toMatchObject({ name: 'classifier', state: 'UNAVAILABLE' });
  });

  it('shows a model page from the config JSON, printed as config.pbtxt', async () => {
    const d = await h.getModel({ repoId: id, model: 'batching' });
    expect(d.configText).toContain('name: "batching"');
    expect(d.configText).toContain('max_batch_size: 8');
    expect(d.maxBatchSize).toBe(8);
    expect(d.inputs[0]).toMatchObject({ name: 'INPUT0', datatype: 'FP32', fullShape: [-1, -1] });
    expect(d.remoteMetadata?.inputs[0]?.name).toBe('INPUT0');
  });

  it('runs FP32, FP16 and BYTES models through the playground; the outputs are in the run history for the viewers', async () => {
    const fp32 = await h.runModel({ repoId: id, model: 'id_fp32', inputs: [{ name: 'INPUT0', kind: 'values', dtype: 'FP32', shape: [3], values: [1.5, -2, 3] }] });
    expect(fp32.state).toBe('ok');
    expect((await h.tensorPage({ runId: fp32.runId, side: 'output', name: 'OUTPUT0', offset: 0, count: 3 })).values).toEqual([1.5, -2, 3]);
    const fp16 = await h.runModel({ repoId: id, model: 'id_fp16', inputs: [{ name: 'INPUT0', kind: 'values', dtype: 'FP16', shape: [2], values: [0.5, 2] }] });
    expect((await h.tensorPage({ runId: fp16.runId, side: 'output', name: 'OUTPUT0', offset: 0, count: 2 })).values).toEqual([0.5, 2]);
    const bytes = await h.runModel({ repoId: id, model: 'id_bytes', inputs: [{ name: 'INPUT0', kind: 'text', lines: ['héllo', 'world'] }] });
    expect(bytes.state).toBe('ok');
    expect((await h.tensorPage({ runId: bytes.runId, side: 'output', name: 'OUTPUT0', offset: 0, count: 2 })).values).toEqual(['héllo', 'world']);
    const stats = await h.modelStats({ repoId: id, model: 'id_fp32' });
    expect(stats[0]?.success).toBeGreaterThanOrEqual(1);
    const snippets = await h.runSnippets({ runId: fp32.runId });
    expect(snippets.curl + snippets.python).not.toContain(ADMIN);
  });

  it('profiles a remote model through the registry (the Profile tab on a remote model)', async () => {
    const started = await h.startProfile({
      repoId: id,
      model: 'id_fp32',
      shapes: { INPUT0: [4] },
      concurrency: { start: 1, end: 1, step: 1 },
      measurementIntervalMs: 150,
      maxTrials: 4,
      stabilityPercentage: 100,
    });
    let run = started;
    for (let i = 0; i < 100 && run.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      run = await h.getProfile({ profileId: started.profileId });
    }
    expect(run.error).toBeUndefined();
    expect(run.state).toBe('done');
    expect(run.points).toHaveLength(1);
    expect(run.points[0]!.inferPerSec).toBeGreaterThan(0);
  }, 20_000);

  it('loads and unloads through the server (the header is sent), and a model error comes back as the server wrote it', async () => {
    expect((await h.loadModel({ repoId: id, model: 'classifier' })).state).toBe('READY');
    expect((await h.unloadModel({ repoId: id, model: 'classifier' })).state).toBe('UNAVAILABLE');
    await expect(h.loadModel({ repoId: id, model: 'no_such_model' })).rejects.toThrow(/no_such_model/);
    const failed = await h.runModel({ repoId: id, model: 'id_fp32', inputs: [{ name: 'INPUT0', kind: 'values', dtype: 'FP32', shape: [2, 2], values: [1, 2, 3, 4] }] }).catch((e: Error) => e);
    expect(failed instanceof Error ? failed.message : (failed.error ?? '')).toMatch(/INPUT0|shape|dims/i);
  });
});
