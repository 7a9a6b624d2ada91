import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './main';
import type { Output } from './output';
import { parseProfileArgs } from './profile';
import { inputSpecsFromConfig, statsFromJson } from './profile-http';
import { parseServeArgs, startServe } from './serve';

function collect(): Output & { out: string[]; errs: string[] } {
  const out: string[] = [];
  const errs: string[] = [];
  return { out, errs, log: (l) => out.push(l), err: (l) => errs.push(l) };
}

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cli-profile-'));
  mkdirSync(path.join(dir, 'ident', '1'), { recursive: true });
  writeFileSync(
    path.join(dir, 'ident', 'config.pbtxt'),
    'name: "ident"\nbackend: "identity"\nmax_batch_size: 8\ninput [{ name: "INPUT0" data_type: TYPE_FP32 dims: [ -1 ] }]\noutput [{ name: "OUTPUT0" data_type: TYPE_FP32 dims: [ -1 ] }]\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Short windows, and a threshold (windows within 10×) that a busy machine cannot miss: these tests check the
// output and the server figures; the stability logic itself is tested against a fake clock (engine/profile).
const FAST = ['--shape', 'INPUT0:16', '--measurement-interval', '40', '--warmup-request-count', '5', '--max-trials', '10', '--stability-percentage', '1000'];

describe('model-lab profile: flags', () => {
  it('takes perf_analyzer flags and its defaults', () => {
    const s = parseProfileArgs(['/r', '-m', 'm', '-b', '4', '--concurrency-range', '2:8:2', '-p', '200', '--percentile', '95', '-f', 'o.csv', '--shape', 'X:3,4']);
    expect(s).toMatchObject({ repo: '/r', model: 'm', csvFile: 'o.csv', inputData: 'random' });
    if (s === 'help') throw new Error('help');
    expect(s.settings).toEqual({ batchSize: 4, concurrency: { start: 2, end: 8, step: 2 }, measurementIntervalMs: 200, percentile: 95, stabilityThreshold: 0.1, maxTrials: 10, warmupRequests: 10 });
    expect(s.shapes.get('X')).toEqual([3, 4]);
    const d = parseProfileArgs(['-m', 'm', '-u', 'http://127.0.0.1:8000']);
    expect(d).toMatchObject({ url: 'http://127.0.0.1:8000', settings: { measurementIntervalMs: 5000, percentile: -1, concurrency: { start: 1, end: 1, step: 1 } } });
  });

  it("takes perf_analyzer's -u host:port, -i grpc, -H headers, --ssl-* flags and --request-rate-range", () => {
    expect(parseProfileArgs(['-m', 'm', '-u', 'localhost:8000', '-H', 'Authorization: Bearer x', '-H', 'admin-key:k'])).toMatchObject({
      connection: { protocol: 'http', url: 'http://localhost:8000', headers: { authorization: 'Bearer x', 'admin-key': 'k' } },
    });
    expect(parseProfileArgs(['-m', 'm', '-u', 'h:8000', '--ssl-https-ca-certificates-file', '/ca.pem', '--ssl-https-verify-peer', '0'])).toMatchObject({
      connection: { protocol: 'http', url: 'https://h:8000', caFile: '/ca.pem', skipVerify: true },
    });
    expect(parseProfileArgs(['-m', 'm', '-u', 'h:8001', '-i', 'grpc', '--ssl-grpc-use-ssl'])).toMatchObject({ connection: { protocol: 'grpc', url: 'grpcs://h:8001' } });
    expect(parseProfileArgs(['-m', 'm', '-u', '[::1]:8001', '-i', 'grpc'])).toMatchObject({ connection: { protocol: 'grpc', url: 'grpc://[::1]:8001' } });
    const r = parseProfileArgs(['/r', '-m', 'm', '--request-rate-range', '10.5:30:9.75']);
    if (r === 'help') throw new Error('help');
    expect(r.settings.requestRate).toEqual({ start: 10.5, end: 30, step: 9.75 });
  });

  it.each([
    [['/r'], 'a model is required'],
    [['-m', 'm'], 'a repository path (in-process) or -u <url> is required'],
    [['/r', '-m', 'm', '-u', 'http://h:1'], 'not both'],
    [['-m', 'm', '-u', 'http://h:1', '-i', 'grpc'], '-u http://h:1 does not match -i grpc'],
    [['-m', 'm', '-u', 'h:1', '-i', 'udp'], '-i expects http or grpc'],
    [['-m', 'm', '-u', 'h:1', '--ssl-grpc-use-ssl'], '--ssl-grpc-* flags need -i grpc'],
    [['-m', 'm', '-u', 'h:1', '-i', 'grpc', '--ssl-https-verify-peer', '0'], '--ssl-https-* flags are for -i http'],
    [['-m', 'm', '-u', 'h:1', '--ssl-https-verify-peer', '2'], '--ssl-https-verify-peer expects 0 or 1'],
    [['-m', 'm', '-u', 'http://user:pw@h:1'], '-u: '],
    [['-m', 'm', '-u', 'h:99999'], '-u: '],
    [['-m', 'm', '-u', 'h:1', '-H', 'no-colon'], "-H expects 'Name: value'"],
    [['-m', 'm', '-u', 'h:1', '-H', 'Admin-Key: a', '-H', 'admin-key: b'], "-H: two headers named 'admin-key'"],
    [['/r', '-m', 'm', '--request-rate-range', '0:10'], '--request-rate-range expects'],
    [['/r', '-m', 'm', '--request-rate-range', '1:1000000:1'], 'more than 1000 levels'],
    [['/r', '-m', 'm', '--request-rate-range', '10', '--concurrency-range', '1'], 'not both'],
    [['/r', '-m', 'm', '--concurrency-range', '4:2'], '--concurrency-range expects'],
    [['/r', '-m', 'm', '-b', '0'], '-b expects an integer ≥ 1'],
    [['/r', '-m', 'm', '--measurement-interval', 'x'], '--measurement-interval expects'],
    [['/r', '-m', 'm', '--percentile', '100'], '--percentile expects 1 … 99'],
    [['/r', '-m', 'm', '--shape', 'X'], '--shape expects NAME:d1,d2'],
    [['/r', '-m', 'm', '--bogus'], "Unknown option '--bogus'"],
    [['/r', 'extra', '-m', 'm'], "unexpected argument 'extra'"],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const io = collect();
    expect(await runCli(['profile', ...argv], io)).toBe(2);
    expect(io.errs.join('\n')).toContain(message);
    expect(io.errs.join('\n')).toContain('Usage: model-lab profile');
  });
});

describe('model-lab profile: HTTP statistics and config', () => {
  it('sums Triton stats JSON over versions (counts and ns may be strings) and reads inputs from the config', () => {
    const d = (count: number, ns: number): { count: number; ns: number } => ({ count, ns });
    const v = { inference_count: 3, execution_count: 2, inference_stats: { success: d(3, 900), queue: d(3, 300), compute_input: d(2, 20), compute_infer: d(2, 400), compute_output: d(2, 40) } };
    expect(statsFromJson([v, { ...v, inference_count: '1' as unknown as number }])).toMatchObject({
      successCount: 6,
      successNs: 1800,
      queueNs: 600,
      computeInferCount: 4,
      computeInferNs: 800,
      inferenceCount: 4,
      executionCount: 4,
    });
    expect(inputSpecsFromConfig({ max_batch_size: 4, input: [{ name: 'T', data_type: 'TYPE_STRING', dims: ['-1'] }] })).toEqual([{ name: 'T', dtype: 'BYTES', dims: [-1], batched: true }]);
  });
});

describe('model-lab profile: runs', () => {
  it('profiles an identity model in-process: a level per concurrency, the summary, the machine, the CSV', async () => {
    const io = collect();
    const csvFile = path.join(dir, 'out.csv');
    expect(await runCli(['profile', dir, '-m', 'ident', '-b', '2', '--concurrency-range', '1:2', ...FAST, '-f', csvFile], io)).toBe(0);
    const text = io.out.join('\n');
    expect(text).toContain('*** Measurement Settings ***');
    expect(text).toContain('Request concurrency: 1');
    expect(text).toContain('Request concurrency: 2');
    expect(text).toMatch(/Throughput: [\d.]+ infer\/sec/);
    expect(text).toMatch(/Avg request latency: \d+ usec \(overhead \d+ usec \+ queue \d+ usec \+ compute input \d+ usec/);
    expect(text).toContain('Inferences/Second vs. Client Average Batch Latency');
    expect(text).toMatch(/Concurrency: 2, throughput: [\d.]+ infer\/sec, latency \d+ usec/);
    expect(text).toMatch(/Machine: .*\d+ cores.*client and server on the same host/);
    expect(text).toContain('[WARNING] client and server share');
    const rows = readFileSync(csvFile, 'utf8').trimEnd().split('\n');
    expect(rows[0]).toMatch(/^Concurrency,Inferences\/Second,Client Send,Network\+Server Send\/Recv,Server Queue/);
    expect(rows).toHaveLength(3);
    expect(
      rows
        .slice(1)
        .map((r) => r.split(',')[0])
        .sort(),
    ).toEqual(['1', '2']);
    // Server-side figures came from the engine's statistics: every row has a server compute infer time.
    for (const r of rows.slice(1)) expect(r.split(',')).toHaveLength(13);
  });

  it('sends the requests of a perf_analyzer input-data file, in turn', async () => {
    const file = path.join(dir, 'data.json');
    writeFileSync(file, JSON.stringify({ data: [{ INPUT0: [1, 2, 3] }, { INPUT0: { content: [1, 2, 3, 4], shape: [4] } }] }));
    const io = collect();
    expect(await runCli(['profile', dir, '-m', 'ident', '--input-data', file, ...FAST.slice(2)], io)).toBe(0);
    expect(io.out.join('\n')).toMatch(/Concurrency: 1, throughput: [\d.]+ infer\/sec/);
    const missing = collect();
    expect(await runCli(['profile', dir, '-m', 'ident', '--input-data', path.join(dir, 'none.json')], missing)).toBe(1);
    expect(missing.errs.join('\n')).toContain('--input-data: cannot read');
  });

  it('says what is wrong with the model or the data (exit 1)', async () => {
    const io = collect();
    expect(await runCli(['profile', dir, '-m', 'ident', '--measurement-interval', '40'], io)).toBe(1);
    expect(io.errs.join('\n')).toContain("input 'INPUT0' has variable dims [-1]: give its shape with --shape INPUT0:");
    const none = collect();
    expect(await runCli(['profile', dir, '-m', 'nope', ...FAST], none)).toBe(1);
    expect(none.errs.join('\n')).toContain('nope');
  });

  it('profiles the same model through model-lab serve over HTTP (port 0), server figures from /stats', async () => {
    const setup = parseServeArgs([dir, '--http-port=0', '--allow-grpc=false', '--allow-metrics=false'], {});
    if (setup === 'help') throw new Error('help');
    const running = await startServe(setup, collect());
    try {
      const io = collect();
      const url = `http://127.0.0.1:${running.serving.http!.port}`;
      expect(await runCli(['profile', '-m', 'ident', '-u', url, ...FAST], io)).toBe(0);
      const text = io.out.join('\n');
      expect(text).toContain(`Service Kind: Triton over HTTP (${url})`);
      expect(text).toMatch(/Avg HTTP time: \d+ usec \(send\/recv \d+ usec \+ response wait \d+ usec\)/);
      const served = /Successful request count: (\d+)/.exec(text);
      expect(Number(served?.[1])).toBeGreaterThan(0);
    } finally {
      await running.stop();
    }
  });
});

describe('model-lab profile: remote targets (HTTP and gRPC), request-rate mode', () => {
  const ADMIN = 'profile-admin-secret';
  let running: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    const setup = parseServeArgs([dir, '--http-port=0', '--grpc-port=0', '--allow-metrics=false', '--http-restricted-api=statistics:admin-key=' + ADMIN], {});
    if (setup === 'help') throw new Error('help');
    running = await startServe(setup, collect());
  });
  afterAll(() => running?.stop());

  it('profiles over gRPC (-i grpc), server figures from the statistics RPC', async () => {
    const io = collect();
    const url = `127.0.0.1:${running.serving.grpc!.port}`;
    expect(await runCli(['profile', '-m', 'ident', '-u', url, '-i', 'grpc', ...FAST], io)).toBe(0);
    const text = io.out.join('\n');
    expect(text).toContain(`Service Kind: Triton over gRPC (grpc://${url})`);
    expect(text).toMatch(/Avg gRPC time: \d+ usec \(\(un\)marshal request\/response \d+ usec \+ response wait \d+ usec\)/);
    expect(Number(/Successful request count: (\d+)/.exec(text)?.[1])).toBeGreaterThan(0);
  });

  it('sends -H headers with every request: the restricted statistics API needs them', async () => {
    const url = `127.0.0.1:${running.serving.http!.port}`;
    const without = collect();
    expect(await runCli(['profile', '-m', 'ident', '-u', url, ...FAST], without)).toBe(1);
    expect(without.errs.join('\n')).toMatch(/admin-key/);
    expect(without.errs.join('\n')).not.toContain(ADMIN);
    const io = collect();
    expect(await runCli(['profile', '-m', 'ident', '-u', url, '-H', `admin-key: ${ADMIN}`, ...FAST], io)).toBe(0);
    expect(io.out.join('\n')).toContain('Successful request count:');
  });

  it('runs request-rate mode: Request Rate levels, the summary and the CSV header as perf_analyzer writes them', async () => {
    const io = collect();
    const csvFile = path.join(dir, 'rate.csv');
    const url = `127.0.0.1:${running.serving.http!.port}`;
    const args = ['profile', '-m', 'ident', '-u', url, '-H', `admin-key: ${ADMIN}`, '--request-rate-range', '200:400:200', ...FAST, '--measurement-interval', '200', '-f', csvFile];
    expect(await runCli(args, io)).toBe(0);
    const text = io.out.join('\n');
    expect(io.out).toContain('Request Rate: 200 inference requests per second');
    expect(text).toContain('  Using uniform distribution on request generation');
    expect(text).toMatch(/Request Rate: 400, throughput: [\d.]+ infer\/sec, latency \d+ usec/);
    const rows = readFileSync(csvFile, 'utf8').trimEnd().split('\n');
    expect(rows[0]).toMatch(/^Request Rate,Inferences\/Second,Client Send,/);
    expect(
      rows
        .slice(1)
        .map((r) => r.split(',')[0])
        .sort(),
    ).toEqual(['200', '400']);
    // An open loop never sends faster than its schedule, whatever the load (a busy machine can only delay sends:
    // how closely it keeps up is a timing question, for bench:profile and the fake-clock tests of measure.ts).
    for (const r of rows.slice(1)) {
      const ratio = Number(r.split(',')[1]) / Number(r.split(',')[0]);
      expect(ratio).toBeGreaterThan(0);
      expect(ratio).toBeLessThan(1.25);
    }
  });

  it('says a refused port in words (exit 1)', async () => {
    const io = collect();
    expect(await runCli(['profile', '-m', 'ident', '-u', '127.0.0.1:1', ...FAST], io)).toBe(1);
    expect(io.errs.join('\n')).toMatch(/refused/);
  });
});

describe('model-lab profile: the HTTP target against a server that misbehaves', () => {
  it('ends a request the server never answers after the timeout, with the reason', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const { HttpTarget } = await import('./profile-http');
    const started = Date.now();
    try {
      await expect(HttpTarget.open(`http://127.0.0.1:${port}`, 'm', undefined, { maxSockets: 2, timeoutMs: 300 })).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        reason: 'REMOTE_TIMEOUT',
        message: expect.stringContaining('no answer within 300 ms'),
      });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      silent.close();
    }
  });
});
