/**
 * Custom families on the metrics endpoint: printed after Triton's own in
 * the same text (read back strictly), one HELP/TYPE per family, gone once
 * their last metric is, and Triton's own names kept for Triton.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customMetrics } from '../../../engine/metrics/custom-metrics';
import { parseExposition } from './prometheus';
import { type MetricsServer, startMetricsServer } from './server';

let server: MetricsServer;
const client = customMetrics.client();

beforeAll(async () => {
  server = await startMetricsServer({ servingRunners: () => [] }, { host: '127.0.0.1', port: 0, allowCpuMetrics: false });
});
afterAll(async () => {
  client.close();
  await server.close();
});

function scrape(): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: server.port, path: '/metrics' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

describe('custom families on /metrics', () => {
  it("come after Triton's, read back as valid exposition text, and leave with their last metric", async () => {
    client.registerFamily('cf_requests', 'Requests "seen"\nby the model', 'counter');
    client.registerFamily('cf_latency', 'Latency', 'histogram');
    const c = client.addMetric('cf_requests', { path: 'a\\b"c' });
    const h = client.addMetric('cf_latency', {}, [1]);
    client.apply(c, 'increment', 2);
    client.apply(h, 'observe', 0.5);
    const text = await scrape();
    const parsed = parseExposition(text);
    expect(text.indexOf('nv_pinned_memory_pool_total_bytes')).toBeLessThan(text.indexOf('cf_requests'));
    expect(parsed.families.get('cf_requests')).toEqual({ help: 'Requests "seen"\nby the model', type: 'counter' });
    expect(parsed.samples.filter((s) => s.name.startsWith('cf_'))).toEqual([
      { name: 'cf_requests', labels: { path: 'a\\b"c' }, value: 2 },
      { name: 'cf_latency_count', labels: {}, value: 1 },
      { name: 'cf_latency_sum', labels: {}, value: 0.5 },
      { name: 'cf_latency_bucket', labels: { le: '1' }, value: 1 },
      { name: 'cf_latency_bucket', labels: { le: '+Inf' }, value: 1 },
    ]);
    client.removeMetric(c);
    client.removeMetric(h);
    expect(await scrape()).not.toContain('cf_');
  });

  it("refuses Triton's own family names", () => {
    expect(() => client.registerFamily('nv_inference_request_success', 'mine', 'counter')).toThrow("is one of Triton's own metrics");
    expect(() => client.registerFamily('nv_inference_queue_summary_us', 'mine', 'counter')).toThrow("is one of Triton's own metrics");
    expect(() => client.registerFamily('nv_inference_first_response_histogram_ms', 'mine', 'histogram')).toThrow("is one of Triton's own metrics");
    expect(() => client.registerFamily('model_lab_reload_failed', 'mine', 'gauge')).toThrow("is one of Triton's own metrics");
  });
});
