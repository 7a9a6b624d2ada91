import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Lab } from '../lab';
import { createLabHandlers, type LabHandlers } from '../lab-handlers';
import { browserHost } from '../testing/host';
import { FakeRemoteHost, IDENTITY_CONFIG, fakeServer } from '../remote/testing/fake-host';

let dir: string;
let lab: Lab | undefined;
let fake: FakeRemoteHost;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'remote-handlers-'));
  fake = new FakeRemoteHost();
  fake.servers.set('http://gpu-node:8000', fakeServer({ requireHeaders: { authorization: 'Bearer s3cret-token' } }));
});
afterEach(async () => {
  await lab?.close();
  lab = undefined;
  await rm(dir, { recursive: true, force: true });
});

function open(remote: FakeRemoteHost = fake): { lab: Lab; h: LabHandlers; settingsFile: string } {
  const settingsFile = path.join(dir, 'settings.json');
  lab = new Lab({ settingsFile });
  return { lab, h: createLabHandlers(lab, { ...browserHost(), remote }), settingsFile };
}

const add = (h: LabHandlers): ReturnType<LabHandlers['addRemoteServer']> => h.addRemoteServer({ url: 'gpu-node:8000', name: 'GPU node', headers: { Authorization: 'Bearer s3cret-token' } });

describe('remote servers in the lab', () => {
  it('adds a server by URL: listed beside the repositories with its index, states and reasons; header values kept out of the settings file', async () => {
    const { lab: l, h, settingsFile } = open();
    const info = await add(h);
    expect(info).toMatchObject({
      id: 'remote:1',
      name: 'GPU node',
      url: 'http://gpu-node:8000',
      protocol: 'http',
      headerNames: ['authorization'],
      state: 'connected',
      metricsUrl: 'http://gpu-node:8002/metrics',
      timeoutMs: 10000,
    });
    expect(info.server?.extensions).toContain('model_repository');
    expect(JSON.stringify(info)).not.toContain('s3cret');
    const repos = await h.listRepositories({});
    const remote = repos.find((r) => r.id === 'remote:1')!;
    expect(remote.path).toBe('http://gpu-node:8000');
    expect(remote.remote?.name).toBe('GPU node');
    expect(remote.controlMode).toBe('explicit');
    expect(remote.models.map((m) => [m.name, m.state, m.reason])).toEqual([
      ['broken', 'UNAVAILABLE', 'failed to load: model.onnx not found'],
      ['identity', 'READY', ''],
      ['idle', 'UNAVAILABLE', 'not loaded'],
    ]);
    await l.settings.flush();
    const file = await readFile(settingsFile, 'utf8');
    expect(JSON.parse(file).remoteServers).toEqual([
      { id: 'remote:1', name: 'GPU node', url: 'http://gpu-node:8000', tls: {}, timeoutMs: 10000, metricsUrl: 'http://gpu-node:8002/metrics', headerNames: ['authorization'] },
    ]);
    expect(file).not.toContain('s3cret');
    expect(await fake.credentials.get('remote:1')).toEqual({ authorization: 'Bearer s3cret-token' });
  });

  it('says on the server when the credential store could not keep or read its header values', async () => {
    const { h } = open();
    await add(h);
    Object.assign(fake.credentials, { problem: 'saved header values were not read: the file can be read by other users' });
    expect((await h.listRemoteServers({}))[0]?.warnings).toContain('saved header values were not read: the file can be read by other users');
  });

  it('refuses bad requests with the reason, and an unreachable server in place (nothing kept)', async () => {
    const { h } = open();
    await expect(h.addRemoteServer({ url: 'http://user:pw@gpu-node:8000' })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(h.addRemoteServer({ url: 'ftp://gpu-node' })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(h.addRemoteServer({ url: 'gpu-node:8000', headers: { 'bad name': 'x' } })).rejects.toThrow('is not a header name');
    await expect(h.addRemoteServer({ url: 'gpu-node:8000', headers: { a: 'x\r\nInjected: 1' } })).rejects.toThrow("header 'a' has a line break");
    await expect(h.addRemoteServer({ url: 'gpu-node:8000', headers: { a: 'x\r\nInjected: 1' } })).rejects.not.toThrow('Injected');
    await expect(h.addRemoteServer({ url: 'gpu-node:8000', tls: { skipVerify: true } })).rejects.toThrow('not TLS');
    await expect(h.addRemoteServer({ url: 'https://gpu-node:8000', tls: { caFile: 'relative.pem' } })).rejects.toThrow('absolute path');
    await expect(h.addRemoteServer({ url: 'gpu-node:8000', timeoutMs: 5 })).rejects.toThrow('timeoutMs');
    await expect(h.addRemoteServer({ url: 'http://nobody:9' })).rejects.toMatchObject({ code: 'UNAVAILABLE', reason: 'REMOTE_REFUSED' });
    await expect(h.addRemoteServer({ url: 'gpu-node:8000' })).rejects.toThrow('Unauthorized');
    expect(await h.listRemoteServers({})).toEqual([]);
    await add(h);
    await expect(add(h)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  });

  it('a CA file is read through its real path, bounded, and must hold a PEM certificate', async () => {
    fake.servers.set('https://tls-node:8000', fakeServer());
    const { h } = open();
    const notPem = path.join(dir, 'ca.txt');
    await import('node:fs/promises').then((fs) => fs.writeFile(notPem, 'hello'));
    await expect(h.addRemoteServer({ url: 'https://tls-node:8000', tls: { caFile: notPem } })).rejects.toThrow('holds no PEM certificate');
    await expect(h.addRemoteServer({ url: 'https://tls-node:8000', tls: { caFile: path.join(dir, 'missing.pem') } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const pem = path.join(dir, 'ca.pem');
    await import('node:fs/promises').then((fs) => fs.writeFile(pem, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'));
    const info = await h.addRemoteServer({ url: 'https://tls-node:8000', tls: { caFile: pem, skipVerify: true } });
    expect(fake.connects.at(-1)?.caPem).toContain('BEGIN CERTIFICATE');
    expect(fake.connects.at(-1)?.skipVerify).toBe(true);
    expect(info.metricsUrl).toBe('https://tls-node:8002/metrics');
    expect(info.warnings.join(' ')).toContain('certificate checks are off');
  });

  it('routes the model methods of a remote id: config printed as config.pbtxt, the JSON as it came, stats, load/unload with the server errors as they came', async () => {
    const { h } = open();
    await add(h);
    const d = await h.getModel({ repoId: 'remote:1', model: 'identity' });
    expect(d.configText).toContain('max_batch_size: 8');
    expect(d.configText).toContain('kind: KIND_GPU');
    expect(d.configText).toContain('preferred_batch_size: [ 4 ]');
    expect(d.completedConfigJson).toMatchObject({ some_field_from_a_newer_triton: { x: 1 } });
    expect(d.diagnostics.map((x) => x.message).join(' ')).toContain('some_field_from_a_newer_triton');
    expect(d.inputs).toEqual([expect.objectContaining({ name: 'INPUT0', datatype: 'FP32', dims: [4], fullShape: [-1, 4] })]);
    expect(d.instanceGroups).toEqual([{ name: 'identity_0', kind: 'KIND_GPU', count: 2, gpus: [0] }]);
    expect(d.scheduling).toBe('dynamic_batching');
    expect(d.remoteMetadata?.platform).toBe('onnxruntime_onnx');
    const idle = await h.getModel({ repoId: 'remote:1', model: 'idle' });
    expect(idle.remoteMetadata).toBeUndefined();
    // As Triton: no config for a model that is not loaded; the page still opens, to load it from.
    fake.servers.get('http://gpu-node:8000')!.configs = { identity: IDENTITY_CONFIG };
    const unloaded = await h.getModel({ repoId: 'remote:1', model: 'idle' });
    expect(unloaded).toMatchObject({ summary: { name: 'idle', state: 'UNAVAILABLE' }, inputs: [] });
    expect(unloaded.configText).toBeUndefined();
    await expect(h.getModel({ repoId: 'remote:1', model: 'nope' })).rejects.toThrow("Request for unknown model: 'nope' is not found");
    expect((await h.loadModel({ repoId: 'remote:1', model: 'idle' })).state).toBe('READY');
    expect((await h.unloadModel({ repoId: 'remote:1', model: 'idle' })).state).toBe('UNAVAILABLE');
    fake.servers.get('http://gpu-node:8000')!.modelControl = false;
    await expect(h.loadModel({ repoId: 'remote:1', model: 'idle' })).rejects.toThrow('explicit model load / unload is not allowed if polling is enabled');
    fake.servers.get('http://gpu-node:8000')!.stats = {
      model_stats: [
        {
          name: 'identity',
          version: '1',
          inference_count: 12,
          execution_count: 4,
          inference_stats: {
            success: { count: 10, ns: 20_000_000 },
            fail: { count: 2, ns: 0 },
            queue: { count: 10, ns: 5_000_000 },
            compute_input: { count: 4, ns: 1_000_000 },
            compute_infer: { count: 4, ns: 6_000_000 },
            compute_output: { count: 4, ns: 1_000_000 },
          },
          batch_stats: [
            { batch_size: 4, compute_infer: { count: 3, ns: 1 } },
            { batch_size: 1, compute_infer: { count: 1, ns: 1 } },
          ],
        },
      ],
    };
    expect(await h.modelStats({ repoId: 'remote:1', model: 'identity' })).toEqual([
      {
        version: 1,
        success: 10,
        failure: 2,
        inferenceCount: 12,
        executionCount: 4,
        avgRequestMs: 2,
        avgQueueMs: 0.5,
        avgComputeMs: 2,
        batches: [
          { size: 1, executions: 1 },
          { size: 4, executions: 3 },
        ],
        pending: 0,
      },
    ]);
  });

  it('runs a remote model through the playground path (same history, headers sent) and writes snippets with header names only', async () => {
    const { lab: l, h } = open();
    await add(h);
    const run = await h.runModel({ repoId: 'remote:1', model: 'identity', inputs: [{ name: 'INPUT0', kind: 'values', dtype: 'FP32', shape: [4], values: [1, 2, 3, 4] }] });
    expect(run.state).toBe('ok');
    expect(run.outputs.map((o) => [o.name, o.shape])).toEqual([['OUTPUT0', [1, 4]]]);
    expect(fake.calls).toContain('infer identity v1 headers=authorization');
    expect(l.runs.list({ repoId: 'remote:1' })).toHaveLength(1);
    const page = await h.tensorPage({ runId: run.runId, side: 'output', name: 'OUTPUT0', offset: 0, count: 4 });
    expect(page.values).toEqual([1, 2, 3, 4]);
    const s = await h.runSnippets({ runId: run.runId });
    expect(s.curl).toContain("'http://gpu-node:8000/v2/models/identity/versions/1/infer'");
    expect(s.curl).toContain('-H "authorization: $AUTHORIZATION"');
    expect(s.python).toContain('os.environ["AUTHORIZATION"]');
    expect(s.python).toContain('headers=headers');
    expect(s.curl + s.python).not.toContain('s3cret');
  });

  it("sends a run's sequence flags as Triton's sequence parameters; an id past 2^53 is refused", async () => {
    const { h } = open();
    await add(h);
    const inputs = [{ name: 'INPUT0', kind: 'values' as const, dtype: 'FP32' as const, shape: [4], values: [1, 2, 3, 4] }];
    const run = await h.runModel({ repoId: 'remote:1', model: 'identity', inputs, sequence: { id: '42', start: true, end: false } });
    expect(run.state).toBe('ok');
    expect(fake.calls).toContain('parameters {"sequence_id":42,"sequence_start":true,"sequence_end":false}');
    const big = await h.runModel({ repoId: 'remote:1', model: 'identity', inputs, sequence: { id: '18446744073709551615', start: true } });
    expect(big.error).toContain('above 2^53');
  });

  it('refuses what needs files, clearly, and passes local ids through', async () => {
    const { h } = open();
    await add(h);
    await expect(h.readFile({ repoId: 'remote:1', path: 'identity/config.pbtxt' })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringContaining('is not available for a remote server'),
    });
    await expect(h.modelGraph({ repoId: 'remote:1', model: 'identity' })).rejects.toThrow('the graph view is not available for a remote server');
    await expect(h.startStepRun({ repoId: 'remote:1', model: 'identity', inputs: [] })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(h.readFile({ repoId: 'nope', path: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('an unreachable server stays listed with the reason; refresh says so and recovers; remove forgets it and its credentials', async () => {
    const { h } = open();
    await add(h);
    const server = fake.servers.get('http://gpu-node:8000')!;
    fake.servers.delete('http://gpu-node:8000');
    await expect(h.reloadRepository({ repoId: 'remote:1' })).rejects.toMatchObject({ message: expect.stringContaining('connection refused'), reason: 'REMOTE_REFUSED' });
    const listed = (await h.listRepositories({})).find((r) => r.id === 'remote:1')!;
    expect(listed.remote).toMatchObject({ state: 'unreachable', error: { code: 'REMOTE_REFUSED' } });
    expect(listed.diagnostics[0]?.message).toContain('connection refused');
    fake.servers.set('http://gpu-node:8000', server);
    expect((await h.reloadRepository({ repoId: 'remote:1' })).remote?.state).toBe('connected');
    expect(await h.closeRepository({ repoId: 'remote:1' })).toEqual({ closed: true });
    expect(await fake.credentials.get('remote:1')).toEqual({});
    expect((await h.listRepositories({})).some((r) => r.id === 'remote:1')).toBe(false);
  });

  it('restores saved servers at start (header values from the credential store) and reads a hostile settings entry as nothing', async () => {
    const first = open();
    await add(first.h);
    await first.lab.settings.flush();
    await first.lab.close();
    const raw = JSON.parse(await readFile(first.settingsFile, 'utf8')) as Record<string, unknown[]>;
    raw['remoteServers']!.push({ id: 'remote:2', name: 'x', url: 'http://a:1', tls: 'no', timeoutMs: 1, metricsUrl: 'http://a', headerNames: [] }, { id: '../x', name: 'y' }, 'junk', {
      id: 'remote:3',
      name: 'bad url',
      url: 'ftp://x:1',
      tls: {},
      timeoutMs: 1000,
      metricsUrl: 'http://x:8002/metrics',
      headerNames: [],
    });
    await import('node:fs/promises').then((fs) => fs.writeFile(first.settingsFile, JSON.stringify(raw)));
    const second = open();
    const listed = await second.h.listRemoteServers({});
    expect(listed.map((s) => s.id)).toEqual(['remote:1']);
    await second.h.reloadRepository({ repoId: 'remote:1' });
    expect((await second.h.listRemoteServers({}))[0]?.state).toBe('connected');
    expect((await second.h.addRemoteServer({ url: 'http://other:8000' }).catch((e: Error) => e.message)) as string).toContain('connection refused');
  });

  it('leaves no connection open behind a server removed while it connects, two adds of one URL, or credentials that cannot be kept', async () => {
    const first = open();
    await add(first.h);
    await first.lab.settings.flush();
    await first.lab.close();
    const before = fake.connects.length;
    // Restored at start: its refresh reads the credentials, and the server is removed meanwhile.
    const second = open();
    expect(await second.h.removeRemoteServer({ id: 'remote:1' })).toEqual({ removed: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.connects.length).toBe(before);
    expect(await second.h.listRemoteServers({})).toEqual([]);

    const closes = (): number => fake.calls.filter((c) => c === 'close').length;
    const closed = closes();
    const both = await Promise.allSettled([add(second.h), add(second.h)]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(both.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'ALREADY_EXISTS' } });
    expect(await second.h.listRemoteServers({})).toHaveLength(1);
    expect(closes()).toBe(closed + 1);

    fake.credentials.set = () => Promise.reject(new Error('disk full'));
    fake.servers.set('http://other:8000', fakeServer());
    await expect(second.h.addRemoteServer({ url: 'http://other:8000' })).rejects.toThrow('disk full');
    expect((await second.h.listRemoteServers({})).map((s) => s.url)).toEqual(['http://gpu-node:8000']);
    expect(closes()).toBe(closed + 2);
  });

  it('setSettings cannot add or change remote servers (only addRemoteServer does, with its checks)', async () => {
    const { h } = open();
    await add(h);
    const bogus = [{ id: 'remote:9', name: 'evil', url: 'http://evil:8000', tls: {}, timeoutMs: 1000, metricsUrl: 'http://evil:8002/metrics', headerNames: [] }];
    const after = await h.setSettings({ remoteServers: bogus, theme: 'dark' });
    expect(after.theme).toBe('dark');
    expect(after.remoteServers?.map((r) => r.id)).toEqual(['remote:1']);
    expect((await h.listRemoteServers({})).map((r) => r.id)).toEqual(['remote:1']);
  });

  it('a host without remote clients answers UNSUPPORTED', async () => {
    lab = new Lab();
    const h = createLabHandlers(lab, browserHost());
    await expect(h.addRemoteServer({ url: 'gpu-node:8000' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
