/**
 * A client that closes its connection cancels its inference request, as Triton's HTTP frontend
 * does (its request-fini hook calls TRITONSERVER_InferenceRequestCancel): a queued request leaves
 * the queue (CANCELED in statistics), an executing Python model reads is_cancelled() as True.
 * A request whose client stays gets its answer.
 */
import http from 'node:http';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest';
import { sleep } from '../../../engine/runtime/testing/models';
import { pyModel, pythonConfig, pythonMissing, untilLogged } from '../../../engine/backends/python/testing/repo';
import { type ServeFixture, startServeFixture } from '../testing/serve-fixture';

const describe = describeAll.skipIf(pythonMissing);

let f: ServeFixture;

beforeAll(async () => {
  if (pythonMissing) return;
  f = await startServeFixture({
    write: (dir) => {
      mkdirSync(path.join(dir, 'probe', '1'), { recursive: true });
      writeFileSync(
        path.join(dir, 'probe', 'config.pbtxt'),
        pythonConfig('probe', {
          inputs: [
            { name: 'DELAY', type: 'FP32', dims: [1] },
            { name: 'MODE', type: 'INT32', dims: [1] },
          ],
          outputs: [{ name: 'OUT', type: 'INT32', dims: [1] }],
          count: 1,
        }),
      );
      writeFileSync(path.join(dir, 'probe', '1', 'model.py'), pyModel('cancel_probe'));
    },
  });
}, 30_000);

afterAll(async () => {
  await f?.close();
});

const logsOf = (): string[] => f.repo.models.get('probe')!.versions[0]!.logs.map((l) => l.message);
const stats = () => f.repo.resolve('probe', -1).statistics;

function body(delay: number): string {
  return JSON.stringify({
    inputs: [
      { name: 'DELAY', datatype: 'FP32', shape: [1], data: [delay] },
      { name: 'MODE', datatype: 'INT32', shape: [1], data: [0] },
    ],
  });
}

/** Sends an inference request; the returned request can be destroyed (the client goes away). */
function send(delay: number): { req: http.ClientRequest; answer: Promise<{ status: number; text: string }> } {
  const req = http.request(`${f.url}/v2/models/probe/infer`, { method: 'POST', headers: { 'Content-Type': 'application/json' } });
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
  });
  req.end(body(delay));
  return { req, answer };
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !done(); i++) await sleep(10);
}

describe('a client that goes away', () => {
  it('cancels an executing request: the model reads is_cancelled() as True (a backend failure in statistics)', async () => {
    const before = { ...stats().failures };
    const { req, answer } = send(10);
    answer.catch(() => undefined);
    await untilLogged(logsOf, (lines) => lines.some((l) => l.includes('not cancelled at')));
    req.destroy();
    const lines = await untilLogged(logsOf, (l) => l.some((x) => x.startsWith('probe: cancelled at')));
    expect(lines.some((x) => x.startsWith('probe: cancelled at'))).toBe(true);
    await until(() => stats().failures.BACKEND > before.BACKEND);
    expect(stats().failures.BACKEND - before.BACKEND).toBe(1);
  });

  it('cancels a queued request: it leaves the queue (CANCELED) while the one before it finishes', async () => {
    const before = { ...stats().failures };
    const first = send(0.5);
    await sleep(150);
    const second = send(5);
    second.answer.catch(() => undefined);
    await until(() => stats().pending === 1);
    expect(stats().pending).toBe(1);
    second.req.destroy();
    await until(() => stats().failures.CANCELED > before.CANCELED);
    expect(stats().failures.CANCELED - before.CANCELED).toBe(1);
    expect(stats().pending).toBe(0);
    const done = await first.answer;
    expect(done.status).toBe(200);
    expect(JSON.parse(done.text)).toMatchObject({ outputs: [{ name: 'OUT', data: [10] }] });
  });
});
