/**
 * Profiles of a remote server through the lab API, with the real protocol clients: a `model-lab
 * serve` in-process (HTTP and gRPC) that the lab did not open, added by URL; `startProfile` on its
 * model sweeps over the wire (the target of engine/profile/remote.ts), with the server's own
 * statistics deltas in the breakdown and the target described as that server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileRun } from '../contract/profile-api';
import { profileService } from '../engine/handlers/profile-handlers';
import { Lab } from '../engine/lab';
import { createLabHandlers, type LabHandlers } from '../engine/lab-handlers';
import { MemoryCredentials } from '../engine/remote/memory-credentials';
import { browserHost } from '../engine/testing/host';
import { connectTriton, fetchText } from '../server/remote/connect';
import { type RunningGrpcServer, startGrpcServer } from '../server/triton/grpc/server';
import { type ServeFixture, startServeFixture } from '../server/triton/testing/serve-fixture';

describe.each(['http', 'grpc'] as const)('profiling a remote server over %s', (protocol) => {
  let f: ServeFixture;
  let grpc: RunningGrpcServer;
  let lab: Lab;
  let h: LabHandlers;
  let dir: string;
  let id: string;
  let url: string;

  beforeAll(async () => {
    f = await startServeFixture({});
    grpc = await startGrpcServer(f.core, { host: '127.0.0.1', port: 0 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'profile-remote-'));
    lab = new Lab({ settingsFile: path.join(dir, 'settings.json') });
    h = createLabHandlers(lab, { ...browserHost(), remote: { connect: connectTriton, fetchText, credentials: new MemoryCredentials() } });
    url = protocol === 'http' ? f.url : `grpc://127.0.0.1:${grpc.port}`;
    id = (await h.addRemoteServer({ url, name: 'served', timeoutMs: 5000 })).id;
  });
  afterAll(async () => {
    await profileService(lab).close();
    await lab.close();
    await grpc.close(false);
    await f.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sweeps a remote model over the wire, server figures from its statistics', async () => {
    const run = await h.startProfile({ repoId: id, model: 'batching', shapes: { INPUT0: [16] }, measurementIntervalMs: 60, maxTrials: 10, concurrency: { start: 1, end: 2, step: 1 }, batchSize: 2 });
    expect(run).toMatchObject({ state: 'running', target: { kind: protocol, address: url, sameHost: true } });
    expect(run.machine.provider).toBeUndefined();
    let done: ProfileRun = run;
    while (done.state === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 25));
      done = await h.getProfile({ profileId: run.profileId });
    }
    expect(done.error).toBeUndefined();
    expect(done.state).toBe('done');
    expect(done.points.length).toBeGreaterThanOrEqual(1);
    const p = done.points[0]!;
    expect(p.concurrency).toBe(1);
    expect(p.inferPerSec).toBeGreaterThan(0);
    // The server reported queue and compute for the requests of the window: the statistics deltas came over the wire.
    expect(p.components.serverComputeInferUs + p.components.serverQueueUs + p.components.networkServerSendRecvUs).toBeGreaterThan(0);
    expect(p.latencyUs.avg).toBeGreaterThan(0);
    expect(done.csv.split('\n')[0]).toMatch(/^Concurrency,Inferences\/Second/);
  });

  it("refuses another protocol than the server's and a model the server does not have", async () => {
    const other = protocol === 'http' ? 'grpc' : 'http';
    await expect(h.startProfile({ repoId: id, model: 'batching', shapes: { INPUT0: [16] }, protocol: other })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(h.startProfile({ repoId: id, model: 'no_such_model' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
