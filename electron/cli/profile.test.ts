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

const FAST = ['--shape', 'INPUT0:16', '--measurement-interval', '40', '--warmup-request-count', '5', '--max-trials', '10', '--stability-percentage', '50'];

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

  it.each([
    [['/r'], 'a model is required'],
    [['-m', 'm'], 'a repository path (in-process) or -u <url> is required'],
    [['/r', '-m', 'm', '-u', 'http://h:1'], 'not both'],
    [['-m', 'm', '-u', 'http://h:1', '-i', 'grpc'], '-i grpc is not supported yet'],
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
