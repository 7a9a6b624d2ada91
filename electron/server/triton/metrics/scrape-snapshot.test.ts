/**
 * The metrics view's reader (engine/metrics/prometheus-*.ts) against this server's own
 * `/metrics`, fetched as the lab fetches it (server/remote/connect.ts `fetchText`): a real scrape after requests and a failure reduces to the figures the core counted,
 * with a metric_tags model summed into one series; and everything the writer can print (escaped
 * label values, NaN and ±Inf, summaries) reads back as the server's own strict reader reads it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../../../engine/metrics/prometheus-parse';
import { snapshotFromExposition } from '../../../engine/metrics/prometheus-snapshot';
import type { Repository } from '../../../engine/repository/repository';
import { loadRepository, makeTempDir, type TempDir } from '../../../engine/repository/testing/temp-repo';
import { f32, modelConfig, scriptConfig } from '../../../engine/runtime/testing/models';
import { fetchText } from '../../remote/connect';
import { TritonCore } from '../core';
import { parseExposition, renderExposition } from './prometheus';
import { type MetricsServer, startMetricsServer } from './server';

const identIo = { backend: 'identity', mbs: 8, inputs: [{ name: 'INPUT0', dims: [-1] }], outputs: [{ name: 'OUTPUT0', dims: [-1] }] };
const BOMB = 'export default class TritonPythonModel {\n  execute() {\n    throw new Error("bomb");\n  }\n}\n';

let dir: TempDir;
let repo: Repository;
let core: TritonCore;
let server: MetricsServer;

beforeAll(async () => {
  dir = await makeTempDir({
    'ident/config.pbtxt': modelConfig('ident', identIo),
    'ident/1': null,
    'tagged/config.pbtxt': modelConfig('tagged', { ...identIo, extra: 'metric_tags { key: "team" value: "vision" }' }),
    'tagged/1': null,
    'bomb/config.pbtxt': scriptConfig('bomb', { mbs: 8, inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] }),
    'bomb/1/model.js': BOMB,
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

describe("the metrics view's reader on this server's /metrics", () => {
  it('reduces a real scrape to the counts the core kept', async () => {
    for (let i = 0; i < 3; i++) await core.infer('ident', '', { inputs: [f32('INPUT0', [2, 4], [1, 2, 3, 4, 5, 6, 7, 8])] });
    await core.infer('tagged', '', { inputs: [f32('INPUT0', [1, 2], [1, 2])] });
    await expect(core.infer('bomb', '', { inputs: [f32('IN', [1, 1], [1])] })).rejects.toThrow();
    const url = `http://127.0.0.1:${server.port}/metrics`;
    const snap = snapshotFromExposition(parsePrometheusText(await fetchText(url, { headers: {}, timeoutMs: 5000 })), url, 0);
    const byName = new Map(snap.models.map((m) => [m.model, m]));
    expect(byName.get('ident')).toMatchObject({ version: '1', success: 3, failure: 0, inferenceCount: 6, executionCount: 3, pending: 0 });
    expect(byName.get('ident')!.requestUs).toBeGreaterThan(0);
    expect(byName.get('ident')!.requestUs).toBeGreaterThanOrEqual(byName.get('ident')!.computeInferUs);
    expect(byName.get('tagged')).toMatchObject({ success: 1, inferenceCount: 1 });
    expect(byName.get('bomb')).toMatchObject({ success: 0, failure: 1 });
    expect(snap.gpus).toEqual([]);
    expect(snap.cpu?.memoryTotalBytes).toBeGreaterThan(0);
    expect(snap.families).toContain('nv_inference_request_success');
  });

  it("reads everything the writer prints as the server's strict reader does", () => {
    const text = renderExposition([
      { name: 'a_total', help: 'h', type: 'counter', samples: [{ labels: [['v', 'q"uo\\te\nline']], value: 1.25e-7 }] },
      { name: 'b', help: 'h', type: 'gauge', samples: [{ value: NaN }, { labels: [['x', '']], value: Infinity }, { labels: [['x', 'y']], value: -Infinity }] },
      {
        name: 'c',
        help: 'h',
        type: 'summary',
        samples: [
          { suffix: '_count', value: 3 },
          { suffix: '_sum', value: 12345678.9 },
          { labels: [['quantile', '0.99']], value: 7 },
        ],
      },
    ]);
    const ours = parsePrometheusText(text);
    const theirs = parseExposition(text);
    expect(ours.samples.map((s) => [s.name, s.labels, s.value])).toEqual(theirs.samples.map((s) => [s.name, s.labels, s.value]));
    expect([...ours.types]).toEqual([...theirs.families].map(([name, f]) => [name, f.type]));
  });
});
