/**
 * The desktop serve switch over a real Lab: model control through the API
 * is off unless the settings turn it on. Off, load and unload over HTTP and
 * gRPC are refused with Triton's wording (a lab repository is not in
 * explicit mode); on, they are accepted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Lab } from '../../engine/lab';
import { createLabHandlers, dispatch } from '../../engine/lab-handlers';
import { createGrpcClient } from './grpc/client';
import { TritonHttpClient } from './http/client';
import { LabServing } from './lab-serving';
import { writeServeRepo } from './testing/serve-fixture';

const POLLING = 'explicit model load / unload is not allowed if polling is enabled';

let dir: string;
let lab: Lab;
let serving: LabServing;
let repoId: string;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lab-serving-'));
  writeServeRepo(dir);
  lab = new Lab();
  repoId = (await lab.openRepository(dir)).id;
  serving = new LabServing(lab, '0.0.0-test');
});

afterEach(async () => {
  await serving.close();
  await lab.closeRepository(repoId);
  rmSync(dir, { recursive: true, force: true });
});

async function start(settings: { modelControl?: boolean }) {
  const s = await serving.start(repoId, { httpPort: 0, grpcPort: 0, metricsPort: 0, ...settings });
  expect(s.state).toBe('running');
  return { http: new TritonHttpClient(s.http!), grpc: createGrpcClient(s.grpc!), status: s };
}

describe('model control through the API', () => {
  it('is off by default: load and unload are refused over HTTP and gRPC, in Triton words', async () => {
    const { http, grpc, status: s } = await start({});
    try {
      expect(s.settings.modelControl).toBe(false);
      for (const action of ['load', 'unload']) {
        const r = await http.request('POST', `/v2/repository/models/batching/${action}`, '');
        expect([r.status, JSON.parse(r.body.toString()).error]).toEqual([503, POLLING]);
      }
      await expect(grpc.repositoryModelLoad({ modelName: 'batching' })).rejects.toMatchObject({ code: status.UNAVAILABLE, details: POLLING });
      await expect(grpc.repositoryModelUnload({ modelName: 'batching' })).rejects.toMatchObject({ code: status.UNAVAILABLE, details: POLLING });
      // Serving itself is unaffected.
      expect(await http.modelReady('batching')).toBe(true);
    } finally {
      http.close();
      grpc.close();
    }
  }, 30_000);

  it('turned on, clients may unload and load models', async () => {
    const { http, grpc, status: s } = await start({ modelControl: true });
    try {
      expect(s.settings.modelControl).toBe(true);
      await http.unload('batching');
      expect(await http.modelReady('batching')).toBe(false);
      await http.load('batching');
      expect(await http.modelReady('batching')).toBe(true);
      await grpc.repositoryModelUnload({ modelName: 'id_fp32' });
      expect((await grpc.modelReady({ name: 'id_fp32' })).ready).toBe(false);
      await grpc.repositoryModelLoad({ modelName: 'id_fp32' });
      expect((await grpc.modelReady({ name: 'id_fp32' })).ready).toBe(true);
    } finally {
      http.close();
      grpc.close();
    }
  }, 30_000);

  it('a later start without the switch turns it off again only if asked: settings persist between starts', async () => {
    await start({ modelControl: true });
    const again = await serving.start(repoId, { httpPort: 0, grpcPort: 0, metricsPort: 0 });
    expect(again.settings.modelControl).toBe(true);
    const off = await serving.start(repoId, { httpPort: 0, grpcPort: 0, metricsPort: 0, modelControl: false });
    expect(off.settings.modelControl).toBe(false);
  }, 30_000);

  it('the lab API carries the switch to the server and checks its type', async () => {
    const info = () => ({ mode: 'electron' as const, appVersion: 't', platform: 'linux', canPickFolder: false, samplesDir: dir });
    const h = createLabHandlers(lab, { info, pickFolder: async () => null, serving });
    await expect(dispatch(h, 'startServing', { repoId, httpPort: 0, grpcPort: 0, metricsPort: 0, modelControl: 'yes' })).rejects.toThrow("'modelControl' must be true or false");
    const s = (await dispatch(h, 'startServing', { repoId, httpPort: 0, grpcPort: 0, metricsPort: 0, modelControl: true })) as { settings: { modelControl: boolean }; http: string };
    expect(s.settings.modelControl).toBe(true);
    const http = new TritonHttpClient(s.http);
    try {
      await http.unload('batching');
      expect(await http.modelReady('batching')).toBe(false);
    } finally {
      http.close();
    }
  }, 30_000);
});
