/**
 * Fuzzing the Triton HTTP frontend (seeded; FUZZ_SEED replays a run):
 * thousands of generated malformed requests. Each must be answered with a
 * 4xx/5xx and a JSON `{"error": ...}` body; the server must not crash, must
 * stay healthy and answer a correct request afterwards, and its memory must
 * stay bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeFixture, startServeFixture } from '../testing/serve-fixture';
import { HttpCaseBuilder, type HttpCase } from './http-cases';
import { type RawResponse, rawRequest } from '../http/raw-http';
import { heapAfterGc, peakRssGrowth } from './memory';
import { Rng, fuzzSeed } from '../../../engine/testing/rng';

const SEED = fuzzSeed(20261207);
const CASES = 2400;
const CONCURRENCY = 8;
const MAX_INPUT = 1024 * 1024;

let f: ServeFixture;

beforeAll(async () => {
  f = await startServeFixture({ repo: { controlMode: 'explicit', startupModels: ['*'] }, http: { maxInputBytes: MAX_INPUT } });
}, 30_000);

afterAll(async () => {
  await f?.close();
});

/** Why an answer is not a proper refusal, or undefined when it is. */
function problem(a: RawResponse | undefined): string | undefined {
  if (!a) return 'no answer (closed, or nothing within 10 s)';
  if (!(a.status >= 400)) return `status ${a.status}: ${a.body.subarray(0, 200).toString()}`;
  try {
    const body = JSON.parse(a.body.toString('utf8')) as { error?: unknown };
    if (typeof body.error !== 'string' || body.error === '') return `status ${a.status} without an error message: ${a.body.subarray(0, 200).toString()}`;
  } catch {
    return `status ${a.status} with a body that is not JSON: ${JSON.stringify(a.body.subarray(0, 120).toString('latin1'))}`;
  }
  return undefined;
}

async function runAll(cases: HttpCase[], port: number): Promise<{ c: HttpCase; why: string }[]> {
  const failures: { c: HttpCase; why: string }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const c = cases[next++]!;
      const why = problem(await rawRequest(port, c.raw));
      if (why) failures.push({ c, why });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return failures;
}

describe(`HTTP fuzz (seed ${SEED})`, () => {
  it(`answers ${CASES} malformed requests with errors and stays healthy`, async () => {
    const port = f.http!.port;
    const rng = new Rng(SEED);
    const builder = new HttpCaseBuilder(rng, `127.0.0.1:${port}`);
    const cases = Array.from({ length: CASES }, () => builder.next(MAX_INPUT));
    const heapBefore = heapAfterGc();
    const { result: failures, peak } = await peakRssGrowth(() => runAll(cases, port));
    const grew = heapAfterGc() - heapBefore;

    const byLabel = new Map<string, { n: number; why: string }>();
    for (const { c, why } of failures) {
      const key = `${c.kind}: ${c.label}`;
      const e = byLabel.get(key) ?? { n: 0, why };
      e.n++;
      byLabel.set(key, e);
    }
    const report = [...byLabel].map(([k, v]) => `${v.n}× ${k} → ${v.why}`).join('\n');
    expect(report, `FUZZ_SEED=${SEED}: ${failures.length} of ${CASES} cases were not refused properly`).toBe('');

    // Still healthy, and a correct request still works.
    expect((await rawRequest(port, builder.request('GET', '/v2/health/ready')))?.status).toBe(200);
    const ok = await rawRequest(
      port,
      builder.request('POST', '/v2/models/id_fp32/infer', { 'Content-Type': 'application/json' }, JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [2], datatype: 'FP32', data: [1.5, -2] }] })),
    );
    expect(ok?.status).toBe(200);
    expect((JSON.parse(ok!.body.toString()) as { outputs: { data: number[] }[] }).outputs[0]!.data).toEqual([1.5, -2]);
    // Memory: the decompression bombs and oversized bodies were refused without being held.
    expect(grew).toBeLessThan(64 * 1024 * 1024);
    // …and were never inflated or buffered whole on the way (a 1 MB gzip body once became 1 GB).
    expect(peak).toBeLessThan(512 * 1024 * 1024);
  }, 60_000);
});
