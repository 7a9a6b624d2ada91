/**
 * `model-lab profile -u` over HTTPS with perf_analyzer's TLS flags: a CA and a server certificate
 * made by `openssl` at test time, an HTTPS front (node:https) passing requests on to a `model-lab
 * serve` on plain HTTP. Trusted through --ssl-https-ca-certificates-file, refused when untrusted
 * (a TLS error in words), accepted with --ssl-https-verify-peer 0.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './main';
import type { Output } from './output';
import { hasOpenssl, makePki } from '../server/remote/testing/pki';
import { parseServeArgs, type RunningServe, startServe } from './serve';

const OPENSSL = hasOpenssl();

function collect(): Output & { out: string[]; errs: string[] } {
  const out: string[] = [];
  const errs: string[] = [];
  return { out, errs, log: (l) => out.push(l), err: (l) => errs.push(l) };
}

describe.skipIf(!OPENSSL)('model-lab profile over HTTPS (skipped: no openssl to make a certificate)', () => {
  let dir = '';
  let serve: RunningServe;
  let front: https.Server;
  let port = 0;
  const f = (n: string): string => path.join(dir, n);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'profile-tls-'));
    makePki(dir, 'Model Lab profile test CA');
    mkdirSync(f('repo/ident/1'), { recursive: true });
    writeFileSync(
      f('repo/ident/config.pbtxt'),
      'name: "ident"\nbackend: "identity"\nmax_batch_size: 8\ninput [{ name: "INPUT0" data_type: TYPE_FP32 dims: [ 16 ] }]\noutput [{ name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 16 ] }]\n',
    );
    const setup = parseServeArgs([f('repo'), '--http-port=0', '--allow-grpc=false', '--allow-metrics=false'], {});
    if (setup === 'help') throw new Error('help');
    serve = await startServe(setup, collect());
    const backend = serve.serving.http!.port;
    const agent = new http.Agent({ keepAlive: true });
    front = https.createServer({ key: readFileSync(f('server.key')), cert: readFileSync(f('server.pem')) }, (req, res) => {
      const up = http.request({ host: '127.0.0.1', port: backend, method: req.method, path: req.url, headers: req.headers, agent }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    port = (front.address() as AddressInfo).port;
  });
  afterAll(async () => {
    front?.closeAllConnections();
    await new Promise((resolve) => front?.close(resolve));
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const FAST = ['-m', 'ident', '--measurement-interval', '40', '--warmup-request-count', '3', '--max-trials', '10', '--stability-percentage', '1000'];

  it('trusts the server through --ssl-https-ca-certificates-file', async () => {
    const io = collect();
    expect(await runCli(['profile', '-u', `127.0.0.1:${port}`, '--ssl-https-ca-certificates-file', f('ca.pem'), ...FAST], io)).toBe(0);
    expect(io.out.join('\n')).toContain(`Service Kind: Triton over HTTP (https://127.0.0.1:${port})`);
    expect(io.out.join('\n')).toMatch(/Successful request count: [1-9]/);
  });

  it('refuses an untrusted certificate with a TLS error, and accepts it with --ssl-https-verify-peer 0', async () => {
    const io = collect();
    expect(await runCli(['profile', '-u', `https://127.0.0.1:${port}`, ...FAST], io)).toBe(1);
    expect(io.errs.join('\n')).toMatch(/TLS: .*(self-signed|unable to (get|verify)|certificate)/i);
    const off = collect();
    expect(await runCli(['profile', '-u', `https://127.0.0.1:${port}`, '--ssl-https-verify-peer', '0', ...FAST], off)).toBe(0);
  });

  it('says a CA file that is not PEM', async () => {
    const io = collect();
    writeFileSync(f('bad.pem'), 'not a certificate');
    expect(await runCli(['profile', '-u', `127.0.0.1:${port}`, '--ssl-https-ca-certificates-file', f('bad.pem'), ...FAST], io)).toBe(1);
    expect(io.errs.join('\n')).toContain('holds no PEM certificate');
  });
});
