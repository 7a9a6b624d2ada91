/**
 * Fuzzing the Triton gRPC frontend (seeded; FUZZ_SEED replays a run): raw
 * message bytes straight onto grpc-js, so undecodable messages reach the
 * server as they are. A unary call must end with an error status and a
 * message; a stream must answer each bad request with `error_message` and
 * still answer a good request after them (or, for bytes that cannot be
 * decoded at all, end with an error status). Afterwards the server is
 * ready and answers a correct request.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Client, Metadata, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { f32 } from '../../../engine/runtime/testing/models';
import { type GrpcInferenceClient, createGrpcClient, inferRequest, responseTensors } from '../grpc/client';
import { ModelInferRequestSchema, ModelStreamInferResponseSchema } from '../grpc/gen/grpc_service_pb';
import { type RunningGrpcServer, startGrpcServer } from '../grpc/server';
import { type ServeFixture, startServeFixture } from '../testing/serve-fixture';
import { type GrpcCase, GrpcCaseBuilder } from './grpc-cases';
import { heapAfterGc } from './memory';
import { Rng, fuzzSeed } from '../../../engine/testing/rng';

const SEED = fuzzSeed(7122026);
const CASES = 600;
const CONCURRENCY = 8;
const SERVICE = '/inference.GRPCInferenceService';

let f: ServeFixture;
let server: RunningGrpcServer;
let raw: Client;
let typed: GrpcInferenceClient;

beforeAll(async () => {
  f = await startServeFixture({ repo: { controlMode: 'explicit', startupModels: ['*'] }, http: false });
  server = await startGrpcServer(f.core, { host: '127.0.0.1', port: 0 });
  raw = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
  typed = createGrpcClient(`127.0.0.1:${server.port}`);
}, 30_000);

afterAll(async () => {
  raw?.close();
  typed?.close();
  await server?.close(false);
  await f?.close();
});

const same = (b: Buffer): Buffer => b;
const deadline = (): { deadline: number } => ({ deadline: Date.now() + 10_000 });

function unary(c: GrpcCase): Promise<string | undefined> {
  return new Promise((resolve) => {
    raw.makeUnaryRequest(`${SERVICE}/${c.method}`, same, same, c.messages[0]!, new Metadata(), deadline(), (err: ServiceError | null) => {
      if (!err) return resolve('answered OK');
      if (err.code === status.OK || !err.details) return resolve(`status ${err.code} without details`);
      if (err.code === status.DEADLINE_EXCEEDED) return resolve('no answer before the deadline');
      resolve(undefined);
    });
  });
}

/** A good request to end every stream with: the stream must still answer it. */
const GOOD = Buffer.from(toBinary(ModelInferRequestSchema, create(ModelInferRequestSchema, inferRequest('batching', [f32('INPUT0', [1, 2], [1, 2])]))));

function stream(c: GrpcCase): Promise<string | undefined> {
  return new Promise((resolve) => {
    const call = raw.makeBidiStreamRequest(`${SERVICE}/ModelStreamInfer`, same, same, new Metadata(), deadline());
    const answers: Buffer[] = [];
    call.on('data', (b: Buffer) => answers.push(b));
    call.on('error', (err: ServiceError) => {
      // Bytes that cannot be decoded end the stream with an error status (as a C++ gRPC server's failed read does).
      if (err.code === status.DEADLINE_EXCEEDED) resolve('stream not answered before the deadline');
      else resolve(err.details ? undefined : `stream ended with status ${err.code} without details`);
    });
    call.on('end', () => {
      const decoded = answers.map((a) => fromBinary(ModelStreamInferResponseSchema, a));
      const bad = decoded.slice(0, -1);
      const last = decoded[decoded.length - 1];
      if (decoded.length !== c.messages.length + 1) return resolve(`${decoded.length} answers to ${c.messages.length + 1} requests`);
      if (bad.some((d) => d.errorMessage === '')) return resolve(`a bad request was answered without error_message`);
      if (!last || last.errorMessage !== '' || !last.inferResponse?.rawOutputContents.length) return resolve(`the good request after them failed: ${last?.errorMessage}`);
      resolve(undefined);
    });
    for (const m of c.messages) call.write(m);
    call.write(GOOD);
    call.end();
  });
}

describe(`gRPC fuzz (seed ${SEED})`, () => {
  it(`refuses ${CASES} malformed messages and stays healthy`, async () => {
    const rng = new Rng(SEED);
    const builder = new GrpcCaseBuilder(rng);
    const cases = Array.from({ length: CASES }, () => builder.next());
    const failures: string[] = [];
    let next = 0;
    const heapBefore = heapAfterGc();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < cases.length) {
          const c = cases[next++]!;
          const why = c.method === 'ModelStreamInfer' ? await stream(c) : await unary(c);
          if (why) failures.push(`${c.kind} ${c.method}: ${c.label} → ${why}`);
        }
      }),
    );
    const counts = new Map<string, number>();
    for (const f0 of failures) counts.set(f0, (counts.get(f0) ?? 0) + 1);
    const report = [...counts].map(([k, n]) => `${n}× ${k}`).join('\n');
    expect(report, `FUZZ_SEED=${SEED}: ${failures.length} of ${CASES} cases were not refused properly`).toBe('');

    expect((await typed.serverReady({})).ready).toBe(true);
    const res = await typed.modelInfer(inferRequest('id_fp32', [f32('INPUT0', [2], [1.5, -2])]));
    expect(Array.from(responseTensors(res)[0]!.data as Float32Array)).toEqual([1.5, -2]);
    expect(heapAfterGc() - heapBefore).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);
});
