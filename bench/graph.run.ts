/**
 * Graph view costs, measured in one run (`npm run bench:graph`):
 *  1. PaddleOCR det and rec: parse (engine) + summary over the wire (JSON
 *     round trip) + scopes and visible graph + layout = a proxy for the time
 *     to first paint (target < 1 s each).
 *  2. A synthetic 10,000-node transformer with name scopes (written as an
 *     .onnx file, weights external), opened collapsed (target < 3 s), and
 *     laid out flat with every scope expanded.
 *  3. A 10,000-deep chain (no stack overflow), also parsed from a file.
 * Medians of BENCH_RUNS runs. Prints a table; writes bench/results/graph.json.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelProtoSchema, TensorProto_DataType } from 'onnx-buf';
import { afterAll, it } from 'vitest';
import type { GraphSummary } from '../electron/contract/lab-api';
import { readOnnxSummary } from '../electron/engine/graph/onnx-summary';
import { buildGraphModel } from '../renderer/src/graph/graph-model';
import { layoutGraph } from '../renderer/src/graph/layout';
import { layoutInputOf } from '../renderer/src/graph/layout-input';
import { chainSummary, transformerSummary } from '../renderer/src/graph/synthetic';
import { allScopes, initialExpanded, visibleGraph } from '../renderer/src/graph/visible';
import { median, table } from './measure';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);
const results: Record<string, unknown> = { runs: RUNS, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version };
const rows: (string | number)[][] = [];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'graph-bench-'));

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  console.log(`\nGraph view, median of ${RUNS} runs (ms)\n${table(['graph', 'nodes', 'boxes', 'edges', 'parse', 'wire', 'scopes', 'layout', 'first paint'], rows)}`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/graph.json', JSON.stringify(results, null, 2));
  console.log(`\nJSON summary (bench/results/graph.json):\n${JSON.stringify(results, null, 2)}`);
});

async function timed<T>(fn: () => T | Promise<T>): Promise<{ value: T; ms: number[] }> {
  const times: number[] = [];
  let value!: T;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    value = await fn();
    times.push(performance.now() - t0);
  }
  return { value, ms: times };
}

/** Everything between "the summary is here" and "boxes can be drawn", timed in parts. */
async function measure(name: string, summary: () => Promise<GraphSummary>, expand: 'initial' | 'all' = 'initial'): Promise<Record<string, number>> {
  const parse = await timed(summary);
  const wire = await timed(() => JSON.parse(JSON.stringify(parse.value)) as GraphSummary);
  const scopes = await timed(() => {
    const m = buildGraphModel(wire.value);
    return visibleGraph(m, expand === 'all' ? allScopes(m) : initialExpanded(m));
  });
  const layout = await timed(() => layoutGraph(layoutInputOf(scopes.value)));
  const r = {
    nodes: parse.value.nodes.length,
    boxes: scopes.value.items.length,
    edges: scopes.value.edges.length,
    parseMs: median(parse.ms),
    wireMs: median(wire.ms),
    scopesMs: median(scopes.ms),
    layoutMs: median(layout.ms),
    width: Math.round(layout.value.width),
    height: Math.round(layout.value.height),
  };
  const firstPaintMs = r.parseMs + r.wireMs + r.scopesMs + r.layoutMs;
  rows.push([name, String(r.nodes), String(r.boxes), String(r.edges), r.parseMs, r.wireMs, r.scopesMs, r.layoutMs, firstPaintMs]);
  return { ...r, firstPaintMs };
}

function fromFile(file: string): () => Promise<GraphSummary> {
  return async () => ({ graphId: 'bench', repoId: 'bench', model: 'bench', version: 1, file, ...(await readOnnxSummary(file)) });
}

/** Writes a summary back out as an .onnx file (weights as external data that is never read), so parsing is measured too. */
function writeOnnx(s: GraphSummary, name: string): string {
  const dim = (d: number | string | null) => (typeof d === 'number' ? { value: { case: 'dimValue' as const, value: BigInt(d) } } : { value: { case: 'dimParam' as const, value: String(d ?? 'n') } });
  const elem = (dtype: string): number => (dtype === 'INT64' ? TensorProto_DataType.INT64 : TensorProto_DataType.FLOAT);
  const vi = (name: string, dtype: string, dims: (number | string | null)[] = []) => ({
    name,
    type: { value: { case: 'tensorType' as const, value: { elemType: elem(dtype), shape: { dim: dims.map(dim) } } } },
  });
  const model = create(ModelProtoSchema, {
    irVersion: 8n,
    producerName: 'bench:graph',
    opsetImport: [{ domain: '', version: 17n }],
    graph: {
      name: s.graphName,
      node: s.nodes.map((n) => ({ name: n.name, opType: n.opType, domain: n.domain, input: n.inputs, output: n.outputs })),
      initializer: s.initializers.map((t) => ({
        name: t.name,
        dims: (t.dims as number[]).map(BigInt),
        dataType: TensorProto_DataType.FLOAT,
        dataLocation: 1,
        externalData: [
          { key: 'location', value: 'weights.bin' },
          { key: 'offset', value: '0' },
          { key: 'length', value: String(t.bytes) },
        ],
      })),
      input: s.inputs.map((x) => vi(x.name, x.dtype, x.dims)),
      output: s.outputs.map((x) => vi(x.name, x.dtype, x.dims)),
      valueInfo: Object.entries(s.valueTypes).map(([k, v]) => vi(k, v.dtype, v.dims)),
    },
  });
  const file = path.join(tmp, `${name}.onnx`);
  writeFileSync(file, toBinary(ModelProtoSchema, model));
  return file;
}

const OCR = { det: 'sample-repos/ocr_ensemble/text_detection/1/model.onnx', rec: 'sample-repos/ocr_ensemble/text_recognition/1/model.onnx' };

it('PaddleOCR det and rec: first paint under 1 s', async () => {
  for (const [key, file] of Object.entries(OCR)) {
    if (!existsSync(file)) {
      results[key] = { skipped: `${file} is missing (run npm run prepare)` };
      continue;
    }
    results[key] = { file, ...(await measure(`PaddleOCR ${key}`, fromFile(file))) };
  }
});

it('synthetic 10,000-node transformer: collapsed under 3 s, and flat', async () => {
  const file = writeOnnx(transformerSummary(10_000), 'transformer10k');
  results['transformer10k'] = await measure('transformer 10k, scopes collapsed', fromFile(file));
  results['transformer10kFlat'] = await measure('transformer 10k, all expanded', fromFile(file), 'all');
});

it('10,000-deep chain: no stack overflow', async () => {
  results['chain10k'] = await measure('chain 10,000 deep', fromFile(writeOnnx(chainSummary(10_000), 'chain10k')));
});
