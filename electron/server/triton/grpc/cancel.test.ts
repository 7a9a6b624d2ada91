/**
 * gRPC cancellation reaches the model, as in Triton's L0_request_cancellation and python_backend's
 * lifecycle test_execute_cancel: a cancelled ModelInfer call or ModelStreamInfer stream cancels
 * its requests (a running Python model reads is_cancelled() as True), Triton's verbose
 * "Cancellation notification received for …" line is logged once per cancelled call, and a call
 * cancelled after its answer logs nothing.
 */
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { pyModel, pythonConfig, pythonMissing, untilLogged } from '../../../engine/backends/python/testing/repo';
import { Repository } from '../../../engine/repository/repository';
import { makeTempDir, type TempDir } from '../../../engine/repository/testing/temp-repo';
import { sleep, tensor } from '../../../engine/runtime/testing/models';
import { TritonCore } from '../core';
import { createGrpcClient, type GrpcInferenceClient, inferRequest } from './client';
import { type RunningGrpcServer, startGrpcServer } from './server';
import { grpcError } from './testing/fixtures';

const describe = describeAll.skipIf(pythonMissing);

let dir: TempDir;
let repo: Repository;
let server: RunningGrpcServer;
let client: GrpcInferenceClient;
const logs: string[] = [];

beforeAll(async () => {
  if (pythonMissing) return;
  dir = await makeTempDir({
    'probe/config.pbtxt': pythonConfig('probe', {
      inputs: [
        { name: 'DELAY', type: 'FP32', dims: [1] },
        { name: 'MODE', type: 'INT32', dims: [1] },
      ],
      outputs: [{ name: 'OUT', type: 'INT32', dims: [1] }],
      count: 1,
    }),
    'probe/1/model.py': pyModel('cancel_probe'),
  });
  repo = new Repository(dir.root);
  await repo.loadAll();
  const core = new TritonCore(repo, { version: '2.99.0' });
  core.logSettings.update({ log_verbose_level: 1 });
  server = await startGrpcServer(core, { host: '127.0.0.1', port: 0, log: (level, msg) => logs.push(`${level}: ${msg}`) });
  client = createGrpcClient(`127.0.0.1:${server.port}`);
}, 30_000);

afterAll(async () => {
  client?.close();
  await server?.close(false);
  await repo?.close();
  dir?.cleanup();
});

const modelLogs = (): string[] => repo.models.get('probe')!.versions[0]!.logs.map((l) => l.message);
const notices = (handler: string): number => logs.filter((l) => l === `verbose: Cancellation notification received for ${handler}`).length;
const probe = (delay: number, mode = 0) => inferRequest('probe', [tensor('DELAY', 'FP32', [1], Float32Array.from([delay])), tensor('MODE', 'INT32', [1], Int32Array.from([mode]))]);

async function cancelledAfterStart(lines: number): Promise<string[]> {
  await untilLogged(modelLogs, (l) => l.filter((x) => x.includes('not cancelled at')).length >= lines);
  return modelLogs();
}

describe('a cancelled call cancels its request in the model', () => {
  it('ModelInfer: the model reads is_cancelled() as True and stops; one notification is logged', async () => {
    const abort = new AbortController();
    const call = client.modelInfer(probe(10), { signal: abort.signal });
    await cancelledAfterStart(1);
    abort.abort();
    expect((await grpcError(call)).code).toBe(status.CANCELLED);
    const lines = await untilLogged(modelLogs, (l) => l.filter((x) => x.startsWith('probe: cancelled at')).length >= 1);
    expect(lines.filter((x) => x.startsWith('probe: cancelled at'))).toHaveLength(1);
    expect(notices('ModelInferHandler')).toBe(1);
  });

  it('ModelStreamInfer: cancelling the stream cancels its running request; one notification is logged', async () => {
    const s = client.stream();
    s.send(probe(10, 1));
    await cancelledAfterStart(2);
    s.cancel();
    const lines = await untilLogged(modelLogs, (l) => l.filter((x) => x.startsWith('probe: cancelled at')).length >= 2);
    expect(lines.filter((x) => x.startsWith('probe: cancelled at'))).toHaveLength(2);
    expect(notices('ModelStreamInferHandler')).toBe(1);
  });

  it('a call answered before it is cancelled runs to its end and logs no notification', async () => {
    const before = notices('ModelInferHandler');
    const abort = new AbortController();
    const res = await client.modelInfer(probe(0.05), { signal: abort.signal });
    expect(res.outputs).toHaveLength(1);
    abort.abort();
    await sleep(100);
    expect(notices('ModelInferHandler')).toBe(before);
  });
});
