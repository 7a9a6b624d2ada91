/**
 * TLS to a remote server, over HTTPS (node:https) and gRPC (grpc-js), with a CA and a server
 * certificate made by `openssl` at test time: trusted through the CA PEM, refused when untrusted
 * (REMOTE_TLS), accepted with certificate checks off, and a plain client on a TLS port told so.
 */
import { rmSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import { create } from '@bufbuild/protobuf';
import { Server, ServerCredentials, type sendUnaryData } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../../engine/errors';
import { ServerMetadataResponseSchema } from '../triton/grpc/gen/grpc_service_pb';
import { GRPCInferenceService, serviceDefinition } from '../triton/grpc/service';
import { connectTriton } from './connect';
import { hasOpenssl, makePki, type Pki } from './testing/pki';

const OPENSSL = hasOpenssl();

const METADATA = { name: 'triton', version: '2.50.0', extensions: ['model_repository'] };

async function failure(p: Promise<unknown>): Promise<LabError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    return err as LabError;
  }
  throw new Error('expected a failure');
}

describe.skipIf(!OPENSSL)('TLS (skipped: no openssl on PATH to make a test certificate)', () => {
  let pki: Pki;
  let httpsServer: https.Server;
  let grpcServer: Server;
  let httpsPort = 0;
  let grpcPort = 0;

  beforeAll(async () => {
    pki = makePki();
    httpsServer = https.createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
      res.writeHead(req.url === '/v2' ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end(req.url === '/v2' ? JSON.stringify(METADATA) : '{"error":"not found"}');
    });
    httpsServer.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => httpsServer.listen(0, '127.0.0.1', resolve));
    httpsPort = (httpsServer.address() as net.AddressInfo).port;
    grpcServer = new Server();
    grpcServer.addService(serviceDefinition(GRPCInferenceService), {
      ServerMetadata: (_call: unknown, cb: sendUnaryData<unknown>) => cb(null, create(ServerMetadataResponseSchema, METADATA)),
    });
    grpcPort = await new Promise<number>((resolve, reject) =>
      grpcServer.bindAsync('127.0.0.1:0', ServerCredentials.createSsl(null, [{ private_key: Buffer.from(pki.key), cert_chain: Buffer.from(pki.cert) }]), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
  });

  afterAll(async () => {
    httpsServer?.closeAllConnections();
    httpsServer?.close();
    grpcServer?.forceShutdown();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  const url = (scheme: 'https' | 'grpcs'): string => `${scheme}://127.0.0.1:${scheme === 'https' ? httpsPort : grpcPort}`;

  it.each(['https', 'grpcs'] as const)('%s: trusts the server through the CA file', async (scheme) => {
    const c = connectTriton({ url: url(scheme), headers: {}, caPem: pki.ca, timeoutMs: 5000 });
    expect(await c.serverMetadata()).toEqual(METADATA);
    c.close();
  });

  it.each(['https', 'grpcs'] as const)('%s: refuses an untrusted certificate with REMOTE_TLS', async (scheme) => {
    const c = connectTriton({ url: url(scheme), headers: {}, timeoutMs: 5000 });
    const err = await failure(c.serverMetadata());
    expect(err.reason).toBe('REMOTE_TLS');
    expect(err.message).toMatch(/TLS with .* failed: .*(certificate|verify).* \(add its CA file/);
    c.close();
  });

  it.each(['https', 'grpcs'] as const)('%s: accepts any certificate with checks off', async (scheme) => {
    const c = connectTriton({ url: url(scheme), headers: {}, skipVerify: true, timeoutMs: 5000 });
    expect((await c.serverMetadata()).name).toBe('triton');
    c.close();
  });

  it('a CA that did not sign the certificate is refused', async () => {
    const other = makePki();
    try {
      const c = connectTriton({ url: url('https'), headers: {}, caPem: other.ca, timeoutMs: 5000 });
      expect((await failure(c.serverMetadata())).reason).toBe('REMOTE_TLS');
      c.close();
    } finally {
      rmSync(other.dir, { recursive: true, force: true });
    }
  });

  it('a CA file without a readable certificate is refused before connecting', () => {
    const bad = (caPem: string): string => {
      try {
        connectTriton({ url: url('https'), headers: {}, caPem, timeoutMs: 5000 });
      } catch (err) {
        expect((err as LabError).code).toBe('INVALID_ARG');
        return (err as LabError).message;
      }
      return 'accepted';
    };
    expect(bad('not a certificate')).toMatch(/holds no PEM certificate/);
    expect(bad(pki.key)).toMatch(/holds no PEM certificate/);
    expect(bad('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toMatch(/Certificate 1 of the CA file cannot be read/);
  });

  it('plain HTTP on the TLS port says the server closed the connection and hints at https://', async () => {
    const c = connectTriton({ url: `http://127.0.0.1:${httpsPort}`, headers: {}, timeoutMs: 5000 });
    const err = await failure(c.serverMetadata());
    expect(err.reason).toMatch(/^REMOTE_(UNREACHABLE|PROTOCOL)$/);
    expect(err.message).toMatch(/https:\/\//);
    c.close();
  });
});
