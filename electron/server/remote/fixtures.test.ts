/**
 * Triton-only fields our own server never sends, read from answers recorded from Triton's protocol
 * docs (fixtures/*.json) and served over HTTP: an index entry with only a name, failure reasons,
 * statistics with cache hits and misses, response and memory statistics, and TensorRT/ONNX configs
 * read by the config reader the model pages use.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromTritonJson } from '../../engine/config/from-triton-json';
import { configToText } from '../../engine/config/serialize';
import type { TritonConnection } from '../../engine/remote/types';
import { connectTriton } from './connect';

const fixture = (name: string): string => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');

const ROUTES: Record<string, string> = {
  'GET /v2': 'server-metadata.json',
  'POST /v2/repository/index': 'repository-index.json',
  'GET /v2/models/resnet50_trt/stats': 'model-statistics.json',
  'GET /v2/models/resnet50_trt/config': 'model-config-tensorrt.json',
  'GET /v2/models/densenet_onnx/versions/1/config': 'model-config-onnx.json',
};

describe('answers recorded from Triton', () => {
  let server: http.Server;
  let c: TritonConnection;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const file = ROUTES[`${req.method} ${req.url}`];
      res.writeHead(file ? 200 : 400, { 'Content-Type': 'application/json' });
      res.end(file ? fixture(file) : JSON.stringify({ error: `Request for unknown model: '${req.url}' is not found` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    c = connectTriton({ url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, headers: {}, timeoutMs: 5000 });
  });
  afterAll(() => {
    c.close();
    server.close();
  });

  it('server metadata with every extension Triton lists', async () => {
    const md = await c.serverMetadata();
    expect(md.version).toBe('2.50.0');
    expect(md.extensions).toContain('model_repository(unload_dependents)');
    expect(md.extensions).toHaveLength(13);
  });

  it('the repository index with failure reasons and a never-loaded model', async () => {
    const index = await c.repositoryIndex();
    expect(index).toHaveLength(5);
    expect(index[2]).toEqual({ name: 'broken_python', version: '1', state: 'UNAVAILABLE', reason: expect.stringMatching(/^failed to load 'broken_python' version 1: Internal: ModuleNotFoundError/) });
    expect(index[3]).toEqual({ name: 'never_loaded', version: '', state: '', reason: '' });
    expect(index[4]).toMatchObject({ state: 'LOADING', version: '2' });
  });

  it('statistics keep cache, response, batch and memory fields', async () => {
    const stats = await c.statistics('resnet50_trt');
    const m = stats.model_stats[0]!;
    expect(m.inference_stats?.['cache_hit']).toEqual({ count: 240, ns: 4800000 });
    expect(m.inference_stats?.['cache_miss']).toEqual({ count: 400, ns: 9600000 });
    expect(m.batch_stats?.map((b) => b.batch_size)).toEqual([1, 8]);
    expect(m.memory_usage).toEqual([
      { type: 'GPU', id: 0, byte_size: 104857600 },
      { type: 'CPU', id: 0, byte_size: 2097152 },
    ]);
    expect(Object.keys(m.response_stats ?? {})).toEqual(['0']);
  });

  it('TensorRT and ONNX configs read into ModelConfig and print as config.pbtxt', async () => {
    const trt = configFromTritonJson(await c.modelConfig('resnet50_trt'));
    expect(trt.ignored).toEqual([]);
    const text = configToText(trt.config);
    expect(text).toContain('platform: "tensorrt_plan"');
    expect(text).toMatch(/dynamic_batching \{\n\s+preferred_batch_size: \[ 4, 8 \]\n\s+max_queue_delay_microseconds: 100/);
    expect(text).toMatch(/optimization \{[\s\S]*cuda \{\n\s+graphs: true/);
    const onnx = configFromTritonJson(await c.modelConfig('densenet_onnx', '1'));
    expect(onnx.ignored).toEqual(['some_future_field']);
    expect(configToText(onnx.config)).toMatch(/gpu_execution_accelerator \{\n\s+name: "tensorrt"/);
  });

  it("passes a server's error for an unknown model through", async () => {
    await expect(c.modelConfig('nope')).rejects.toMatchObject({ code: 'INVALID_ARG', message: "Request for unknown model: '/v2/models/nope/config' is not found" });
  });
});
