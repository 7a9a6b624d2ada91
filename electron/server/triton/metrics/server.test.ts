/**
 * The metrics endpoint over a real repository and core: counters after
 * successful and failing requests (every failure reason), an ensemble and
 * its composing models, two versions of one model, the pending gauge while
 * the dynamic batcher holds requests, CPU gauges, the text format read back
 * line by line, and 404 / 405.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repository } from '../../../engine/repository/repository';
import { loadRepository, makeTempDir, type TempDir } from '../../../engine/repository/testing/temp-repo';
import { ensembleConfig, f32, modelConfig, rejection, scriptConfig } from '../../../engine/runtime/testing/models';
import { TritonCore } from '../core';
import { EXPOSITION_CONTENT_TYPE, parseExposition } from './prometheus';
import { type MetricsServer, startMetricsServer } from './server';

const BOMB = `export default class TritonPythonModel {
  execute() {
    throw new Error('bomb went off');
  }
}
`;

const identIo = { backend: 'identity', mbs: 8, inputs: [{ name: 'INPUT0', dims: [-1] }], outputs: [{ name: 'OUTPUT0', dims: [-1] }] };
const io = { mbs: 8, inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] };

let dir: TempDir;
let repo: Repository;
let core: TritonCore;
let server: MetricsServer;

function get(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function scrape(port = server.port): Promise<string> {
  const res = await get(port, 'GET', '/metrics');
  expect(res.status).toBe(200);
  expect(res.type).toBe(EXPOSITION_CONTENT_TYPE);
  return res.body;
}

/** Sample lines of one family for one model, as printed. */
function lines(text: string, metric: string, model: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${metric}{model="${model}",`));
}

const infer = (model: string, input: string, shape: number[], signal?: AbortSignal) =>
  core.infer(model, '', {
    inputs: [
      f32(
        input,
        shape,
        Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i),
      ),
    ],
    ...(signal ? { signal } : {}),
  });

beforeAll(async () => {
  dir = await makeTempDir({
    'ident_a/config.pbtxt': modelConfig('ident_a', identIo),
    'ident_a/1': null,
    'ident_b/config.pbtxt': modelConfig('ident_b', identIo),
    'ident_b/1': null,
    'multi/config.pbtxt': modelConfig('multi', { ...identIo, extra: 'version_policy: { all { } }' }),
    'multi/1': null,
    'multi/2': null,
    // Holds requests 500 ms for a fuller batch; a third waiting request is rejected.
    'held/config.pbtxt': modelConfig('held', { ...identIo, extra: 'dynamic_batching { max_queue_delay_microseconds: 500000 default_queue_policy { max_queue_size: 2 } }' }),
    'held/1': null,
    'tagged/config.pbtxt': modelConfig('tagged', { ...identIo, extra: 'metric_tags { key: "team" value: "vision" }' }),
    'tagged/1': null,
    'bomb/config.pbtxt': scriptConfig('bomb', io),
    'bomb/1/model.js': BOMB,
    'pipe/config.pbtxt': ensembleConfig('pipe', {
      ...io,
      steps: [
        { model: 'ident_a', inputs: { INPUT0: 'IN' }, outputs: { OUTPUT0: 'mid' } },
        { model: 'ident_b', inputs: { INPUT0: 'mid' }, outputs: { OUTPUT0: 'OUT' } },
      ],
    }),
    'pipe/1': null,
    'broken/config.pbtxt': ensembleConfig('broken', {
      ...io,
      steps: [
        { model: 'ident_a', inputs: { INPUT0: 'IN' }, outputs: { OUTPUT0: 'mid' } },
        { model: 'bomb', inputs: { IN: 'mid' }, outputs: { OUT: 'OUT' } },
      ],
    }),
    'broken/1': null,
  });
  repo = await loadRepository(dir.root);
  core = new TritonCore(repo, { version: '0.0.0' });
  server = await startMetricsServer(core, { host: '127.0.0.1', port: 0, intervalMs: 50 });
});

afterAll(async () => {
  await server?.close();
  await repo?.close();
  dir?.cleanup();
});

describe('Triton metrics endpoint', () => {
  it('lists every ready model version with zeroed counters before any request', async () => {
    expect(server.port).toBeGreaterThan(0);
    const text = await scrape();
    const models = parseExposition(text)
      .samples.filter((s) => s.name === 'nv_inference_request_success')
      .map((s) => `${s.labels.model}/${s.labels.version}`);
    expect(models).toEqual(['bomb/1', 'broken/1', 'held/1', 'ident_a/1', 'ident_b/1', 'multi/1', 'multi/2', 'pipe/1', 'tagged/1']);
    expect(text).toContain('nv_inference_pending_request_count{_team="vision",model="tagged",version="1"} 0');
    expect(lines(text, 'nv_inference_request_failure', 'pipe')).toEqual([
      'nv_inference_request_failure{model="pipe",reason="REJECTED",version="1"} 0',
      'nv_inference_request_failure{model="pipe",reason="CANCELED",version="1"} 0',
      'nv_inference_request_failure{model="pipe",reason="BACKEND",version="1"} 0',
      'nv_inference_request_failure{model="pipe",reason="OTHER",version="1"} 0',
    ]);
  });

  it('counts requests, inferences, executions, failures and durations per model', async () => {
    await infer('ident_a', 'INPUT0', [1, 3]);
    await infer('ident_a', 'INPUT0', [1, 3]);
    await infer('ident_a', 'INPUT0', [2, 3]);
    expect((await rejection(infer('ident_a', 'NOPE', [1, 3]))).code).toBe('INVALID_ARG');
    await core.infer('multi', '2', { inputs: [f32('INPUT0', [1, 1], [1])] });
    // The ensemble runs ident_a then ident_b; the broken one runs ident_a, then bomb fails.
    await infer('pipe', 'IN', [1, 3]);
    expect((await rejection(infer('broken', 'IN', [1, 3]))).message).toContain('bomb went off');

    const text = await scrape();
    expect(lines(text, 'nv_inference_request_success', 'ident_a')).toEqual(['nv_inference_request_success{model="ident_a",version="1"} 5']);
    expect(lines(text, 'nv_inference_count', 'ident_a')).toEqual(['nv_inference_count{model="ident_a",version="1"} 6']);
    expect(lines(text, 'nv_inference_exec_count', 'ident_a')).toEqual(['nv_inference_exec_count{model="ident_a",version="1"} 5']);
    // The unknown input was refused before it was queued (Triton's PrepareForInference): no failure counted.
    expect(lines(text, 'nv_inference_request_failure', 'ident_a')).toContain('nv_inference_request_failure{model="ident_a",reason="OTHER",version="1"} 0');
    expect(lines(text, 'nv_inference_request_success', 'ident_b')).toEqual(['nv_inference_request_success{model="ident_b",version="1"} 1']);
    expect(lines(text, 'nv_inference_request_success', 'multi')).toEqual(['nv_inference_request_success{model="multi",version="1"} 0', 'nv_inference_request_success{model="multi",version="2"} 1']);

    // The ensemble as a model of its own: one request, one execution of the pipeline.
    expect(lines(text, 'nv_inference_request_success', 'pipe')).toEqual(['nv_inference_request_success{model="pipe",version="1"} 1']);
    expect(lines(text, 'nv_inference_count', 'pipe')).toEqual(['nv_inference_count{model="pipe",version="1"} 1']);
    expect(lines(text, 'nv_inference_exec_count', 'pipe')).toEqual(['nv_inference_exec_count{model="pipe",version="1"} 1']);
    // A failed step: the composing model says BACKEND, the ensemble OTHER.
    expect(lines(text, 'nv_inference_request_failure', 'bomb')).toContain('nv_inference_request_failure{model="bomb",reason="BACKEND",version="1"} 1');
    expect(lines(text, 'nv_inference_request_failure', 'broken')).toEqual([
      'nv_inference_request_failure{model="broken",reason="REJECTED",version="1"} 0',
      'nv_inference_request_failure{model="broken",reason="CANCELED",version="1"} 0',
      'nv_inference_request_failure{model="broken",reason="BACKEND",version="1"} 0',
      // Triton's core counts a failed ensemble request twice (its error response, then its tracker).
      'nv_inference_request_failure{model="broken",reason="OTHER",version="1"} 2',
    ]);
    expect(lines(text, 'nv_inference_request_success', 'broken')).toEqual(['nv_inference_request_success{model="broken",version="1"} 0']);

    // Durations: whole microseconds of the statistics' nanoseconds.
    const stats = repo.resolve('ident_a', 1).statistics;
    const us = (ns: number) => String(Math.floor(ns / 1000));
    expect(lines(text, 'nv_inference_request_duration_us', 'ident_a')).toEqual([`nv_inference_request_duration_us{model="ident_a",version="1"} ${us(stats.success.ns)}`]);
    expect(lines(text, 'nv_inference_queue_duration_us', 'ident_a')).toEqual([`nv_inference_queue_duration_us{model="ident_a",version="1"} ${us(stats.queue.ns)}`]);
    expect(lines(text, 'nv_inference_compute_infer_duration_us', 'ident_a')).toEqual([`nv_inference_compute_infer_duration_us{model="ident_a",version="1"} ${us(stats.computeInfer.ns)}`]);
    const pipeStats = repo.resolve('pipe', 1).statistics;
    expect(lines(text, 'nv_inference_compute_input_duration_us', 'pipe')).toEqual([`nv_inference_compute_input_duration_us{model="pipe",version="1"} ${us(pipeStats.computeInput.ns)}`]);
    expect(lines(text, 'nv_inference_compute_output_duration_us', 'pipe')).toEqual([`nv_inference_compute_output_duration_us{model="pipe",version="1"} ${us(pipeStats.computeOutput.ns)}`]);
  });

  it('shows requests the batcher holds as pending, then REJECTED and CANCELED failures', async () => {
    const abort = new AbortController();
    const first = infer('held', 'INPUT0', [1, 2]);
    const second = infer('held', 'INPUT0', [1, 2], abort.signal);
    const third = await rejection(infer('held', 'INPUT0', [1, 2]));
    expect(third.message).toContain('Exceeds maximum queue size');
    expect(lines(await scrape(), 'nv_inference_pending_request_count', 'held')).toEqual(['nv_inference_pending_request_count{model="held",version="1"} 2']);
    abort.abort();
    expect((await rejection(second)).code).toBe('CANCELLED');
    await first;
    const text = await scrape();
    expect(lines(text, 'nv_inference_pending_request_count', 'held')).toEqual(['nv_inference_pending_request_count{model="held",version="1"} 0']);
    expect(lines(text, 'nv_inference_request_failure', 'held')).toEqual([
      'nv_inference_request_failure{model="held",reason="REJECTED",version="1"} 1',
      'nv_inference_request_failure{model="held",reason="CANCELED",version="1"} 1',
      'nv_inference_request_failure{model="held",reason="BACKEND",version="1"} 0',
      'nv_inference_request_failure{model="held",reason="OTHER",version="1"} 0',
    ]);
    expect(lines(text, 'nv_inference_request_success', 'held')).toEqual(['nv_inference_request_success{model="held",version="1"} 1']);
    // The ensemble scheduler holds nothing pending.
    expect(lines(text, 'nv_inference_pending_request_count', 'pipe')).toEqual(['nv_inference_pending_request_count{model="pipe",version="1"} 0']);
  });

  it('answers in the text format: HELP and TYPE before each family, every line well formed', async () => {
    const text = await scrape();
    expect(text.endsWith('\n')).toBe(true);
    const parsed = parseExposition(text);
    const seen: string[] = [];
    for (const line of text.trimEnd().split('\n')) {
      const meta = /^# (HELP|TYPE) (\S+) /.exec(line);
      if (meta) {
        if (meta[1] === 'HELP') {
          expect(seen).not.toContain(meta[2]);
          seen.push(meta[2]!);
        }
        continue;
      }
      // A sample belongs to the family whose header came last.
      expect(line.split(/[{ ]/, 1)[0]).toBe(seen.at(-1));
      expect(line).toMatch(/^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? \d+(\.\d+)?(e[-+]\d+)?$/);
      const names = [...line.matchAll(/[{,]([a-z_]+)="/g)].map((m) => m[1]!);
      expect(names).toEqual([...names].sort());
    }
    for (const [name, f] of parsed.families) {
      expect(f.help, name).toBeTruthy();
      expect(['counter', 'gauge']).toContain(f.type);
    }
    expect(seen).toEqual([
      'nv_inference_request_success',
      'nv_inference_request_failure',
      'nv_inference_count',
      'nv_inference_exec_count',
      'nv_inference_request_duration_us',
      'nv_inference_queue_duration_us',
      'nv_inference_compute_input_duration_us',
      'nv_inference_compute_infer_duration_us',
      'nv_inference_compute_output_duration_us',
      'nv_inference_pending_request_count',
      'nv_pinned_memory_pool_total_bytes',
      'nv_pinned_memory_pool_used_bytes',
      'nv_cpu_utilization',
      'nv_cpu_memory_total_bytes',
      'nv_cpu_memory_used_bytes',
    ]);
    expect(text).not.toMatch(/nv_gpu_/);
  });

  it('reports CPU utilization and system memory', async () => {
    await new Promise((r) => setTimeout(r, 80));
    const v = Object.fromEntries(
      parseExposition(await scrape())
        .samples.filter((s) => s.name.startsWith('nv_cpu_'))
        .map((s) => [s.name, s.value]),
    );
    expect(v.nv_cpu_utilization).toBeGreaterThanOrEqual(0);
    expect(v.nv_cpu_utilization).toBeLessThanOrEqual(1);
    expect(v.nv_cpu_memory_total_bytes).toBeGreaterThan(0);
    expect(v.nv_cpu_memory_used_bytes).toBeGreaterThan(0);
    expect(v.nv_cpu_memory_used_bytes).toBeLessThanOrEqual(v.nv_cpu_memory_total_bytes!);
  });

  it('drops a model once unloaded; without CPU metrics no nv_cpu_ gauges', async () => {
    await repo.unload('multi');
    expect(await scrape()).not.toContain('model="multi"');
    const other = await startMetricsServer(core, { host: '127.0.0.1', port: 0, allowCpuMetrics: false });
    try {
      const text = await scrape(other.port);
      expect(text).not.toContain('nv_cpu_');
      expect(text).toContain('nv_inference_request_success{model="ident_a",version="1"} 5');
    } finally {
      await other.close();
    }
  });

  it('answers /metrics/ and query strings; 404 elsewhere, 405 for other methods', async () => {
    expect((await get(server.port, 'GET', '/metrics/')).status).toBe(200);
    expect((await get(server.port, 'GET', '/metrics?name[]=x')).status).toBe(200);
    const missing = await get(server.port, 'GET', '/v2/metrics');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ error: 'Not Found' });
    expect((await get(server.port, 'GET', '/metricsx')).status).toBe(404);
    const post = await get(server.port, 'POST', '/metrics');
    expect(post.status).toBe(405);
    expect(JSON.parse(post.body)).toEqual({ error: 'Method Not Allowed' });
    expect((await get(server.port, 'HEAD', '/metrics')).status).toBe(405);
    expect((await get(server.port, 'DELETE', '/nowhere')).status).toBe(405);
  });

  it('on a loopback address, answers only requests addressed to this machine (DNS rebinding)', async () => {
    const rebound = await get(server.port, 'GET', '/metrics', { Host: `evil.example:${server.port}` });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error).toMatch(/^Host 'evil.example:\d+' is not allowed/);
    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, `[::1]:${server.port}`]) {
      expect((await get(server.port, 'GET', '/metrics', { Host: host })).status).toBe(200);
    }
  });

  it('refuses a port already taken', async () => {
    await expect(startMetricsServer(core, { host: '127.0.0.1', port: server.port })).rejects.toThrow(/EADDRINUSE/);
  });
});
