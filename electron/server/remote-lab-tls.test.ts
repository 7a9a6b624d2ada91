/**
 * Adding an HTTPS server to the lab with a CA file (made by `openssl` at test time): the CA is read
 * through a link to it (its real path), an untrusted certificate is refused with REMOTE_TLS and
 * nothing is kept, and skip-verify connects with its warning on the server.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../engine/lab';
import { createLabHandlers, type LabHandlers } from '../engine/lab-handlers';
import { MemoryCredentials } from '../engine/remote/memory-credentials';
import { browserHost } from '../engine/testing/host';
import { connectTriton, fetchText } from './remote/connect';
import { hasOpenssl, makePki } from './remote/testing/pki';

describe.skipIf(!hasOpenssl())('an HTTPS server in the lab (skipped: no openssl on PATH to make a test certificate)', () => {
  let dir: string;
  let server: https.Server;
  let url = '';
  let lab: Lab;
  let h: LabHandlers;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'remote-lab-tls-'));
    const f = (n: string): string => path.join(dir, n);
    makePki(dir, 'Model Lab lab-test CA');
    symlinkSync(f('ca.pem'), f('ca-link.pem'));
    server = https.createServer({ key: readFileSync(f('server.key')), cert: readFileSync(f('server.pem')) }, (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (req.url === '/v2') res.end(JSON.stringify({ name: 'triton', version: '2.50.0', extensions: ['model_repository'] }));
      else if (req.url === '/v2/repository/index') res.end(JSON.stringify([{ name: 'resnet', version: '1', state: 'READY' }]));
      else res.end('{}');
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    lab = new Lab({ settingsFile: f('settings.json') });
    h = createLabHandlers(lab, { ...browserHost(), remote: { connect: connectTriton, fetchText, credentials: new MemoryCredentials() } });
  });
  afterAll(async () => {
    await lab?.close();
    await new Promise((r) => server?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an untrusted certificate with REMOTE_TLS and keeps nothing', async () => {
    await expect(h.addRemoteServer({ url, timeoutMs: 3000 })).rejects.toMatchObject({ reason: 'REMOTE_TLS' });
    expect(await h.listRemoteServers({})).toEqual([]);
  });

  it('trusts the server through a CA file given by a link, and lists its index', async () => {
    const info = await h.addRemoteServer({ url, name: 'tls', tls: { caFile: path.join(dir, 'ca-link.pem') }, timeoutMs: 3000 });
    expect(info).toMatchObject({ state: 'connected', tls: { caFile: path.join(dir, 'ca-link.pem') }, metricsUrl: expect.stringMatching(/^https:\/\/127\.0\.0\.1:8002\/metrics$/) });
    const repo = (await h.listRepositories({})).find((r) => r.id === info.id)!;
    expect(repo.models.map((m) => [m.name, m.state])).toEqual([['resnet', 'READY']]);
    expect((await h.reloadRepository({ repoId: info.id })).remote?.state).toBe('connected');
    await h.removeRemoteServer({ id: info.id });
  });

  it('connects with certificate checks off, with the warning on the server', async () => {
    const info = await h.addRemoteServer({ url, tls: { skipVerify: true }, timeoutMs: 3000 });
    expect(info.warnings.join(' ')).toContain('certificate checks are off');
  });
});
