/**
 * --metrics-config end to end: the settings reach the metrics endpoint, whose scrape then has
 * Triton's first-response histogram and latency summaries for a model that served a request (an
 * ensemble included). The flag's parsing is in cli/serve-metrics-config.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ModelStatistics } from '../../../engine/runtime/stats';
import { f32 } from '../../../engine/runtime/testing/models';
import { startServing } from '../serve';
import { type ServeFixture, startServeFixture } from '../testing/serve-fixture';

const open: ServeFixture[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
  ModelStatistics.keepRecentLatencies = false;
});

describe('--metrics-config', () => {
  it('a scrape after one request has the histogram and the summaries, for the ensemble too', async () => {
    const f = await startServeFixture({ http: false });
    open.push(f);
    const serving = await startServing(f.repo, {
      http: false,
      grpc: false,
      metrics: { host: '127.0.0.1', port: 0 },
      version: 'test',
      metricsConfig: { histogramLatencies: true, summaryLatencies: true },
    });
    try {
      await f.core.infer('pipeline', undefined, { inputs: [f32('IN', [1, 2], [1, 2])] });
      const text = await (await fetch(`http://127.0.0.1:${serving.metrics!.port}/metrics`)).text();
      for (const model of ['pipeline', 'batching']) {
        expect(text).toContain(`nv_inference_first_response_histogram_ms_count{model="${model}",version="1"} ${model === 'batching' ? 2 : 1}\n`);
        expect(text).toMatch(new RegExp(`nv_inference_request_summary_us\\{model="${model}",version="1",quantile="0.5"\\} \\d+\\n`));
      }
      expect(text).toContain('nv_inference_first_response_histogram_ms_bucket{model="pipeline",version="1",le="+Inf"} 1\n');
    } finally {
      await serving.stop();
    }
  });
});
