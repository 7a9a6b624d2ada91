/**
 * Trace records in memory are bounded: without a trace file the oldest are
 * dropped, counted and reported; with one they are written on a timer (one
 * JSON array, as Triton appends its file), at log_frequency and at close.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { f32 } from '../../engine/runtime/testing/models';
import { Trace } from '../../engine/runtime/trace';
import { TritonHttpClient } from './http/client';
import { type ServeFixture, startServeFixture } from './testing/serve-fixture';
import { MAX_PENDING_BYTES, TraceSettings } from './trace-settings';

const dirs: string[] = [];
const fixtures: ServeFixture[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});

/** A finished trace of one request span (two records). */
function oneTrace(requestId = '', model = 'm'): Trace {
  const t = new Trace();
  const span = t.start({ kind: 'request', model, version: 1, requestId });
  span.requestEnd = t.now();
  return t;
}

describe('trace records in memory', () => {
  it('100,000 traced requests with no trace file keep a bounded number of records; the dropped ones are counted and logged', () => {
    const lines: string[] = [];
    const ts = new TraceSettings({ trace_level: ['TIMESTAMPS'], trace_rate: '1' }, { log: (_l, m) => lines.push(m), maxPendingRecords: 1000 });
    let most = 0;
    for (let i = 0; i < 100_000; i++) {
      ts.record(oneTrace(), 'm');
      most = Math.max(most, ts.pendingRecords);
    }
    expect(most).toBeLessThanOrEqual(1002);
    expect(ts.dropped + ts.pendingRecords).toBe(200_000);
    expect(lines[0]).toMatch(/^dropped \d+ trace records \(\d+ in all\): no trace file is set, and at most 1000 records \(16 MiB\) are kept in memory$/);
  });

  it('the default bound holds too', () => {
    const ts = new TraceSettings({ trace_level: ['TIMESTAMPS'], trace_rate: '1' });
    for (let i = 0; i < 100_000; i++) ts.record(oneTrace(), 'm');
    expect(ts.pendingRecords).toBeLessThanOrEqual(20_002);
    expect(ts.dropped).toBeGreaterThan(0);
  });
});

describe('trace records in memory are bounded in bytes too', () => {
  const MiB = 2 ** 20;

  it('records with long model names are dropped by bytes well before the count bound', () => {
    const ts = new TraceSettings({ trace_level: ['TIMESTAMPS'], trace_rate: '1' }, { maxPendingBytes: MiB });
    let most = 0;
    for (let i = 0; i < 1000; i++) {
      ts.record(oneTrace('', `m${'x'.repeat(10_000)}`), 'm');
      most = Math.max(most, ts.pendingRecordBytes);
    }
    expect(MAX_PENDING_BYTES).toBe(16 * MiB);
    expect(most).toBeLessThanOrEqual(MiB + 2 * 21_000);
    expect(ts.pendingRecords).toBeLessThan(100);
    expect(ts.dropped + ts.pendingRecords).toBe(2000);
  });

  it('100 traced requests with 1 MiB ids, through the server with no trace file, do not keep 100 MiB alive', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const heap = (): number => (gc(), gc(), process.memoryUsage().heapUsed);
    const f = await startServeFixture();
    fixtures.push(f);
    const set = await fetch(`${f.url}/v2/trace/setting`, { method: 'POST', body: JSON.stringify({ trace_level: ['TIMESTAMPS'], trace_rate: '1', trace_count: '-1' }) });
    expect(set.status).toBe(200);
    const client = new TritonHttpClient(f.url);
    const before = heap();
    for (let i = 0; i < 100; i++) await client.infer('id_fp32', [f32('INPUT0', [1], [i])], { id: `${i}-`.padEnd(MiB, 'x') });
    client.close();
    const grownMiB = Math.round((heap() - before) / MiB);
    expect(f.core.traceSettings.pendingRecords).toBe(200);
    expect(grownMiB).toBeLessThan(30);
  }, 60_000);
});

describe('a trace file', () => {
  it('is written on a timer and closed as one JSON array; past the bound, records go to the file instead of being dropped', async () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'trace-'));
    dirs.push(d);
    const file = path.join(d, 'trace.json');
    const ts = new TraceSettings({ trace_level: ['TIMESTAMPS'], trace_rate: '1', trace_file: file }, { maxPendingRecords: 100, flushIntervalMs: 20 });
    for (let i = 0; i < 10; i++) ts.record(oneTrace(), 'm');
    const text = (): string => (readdirSync(d).includes('trace.json') ? readFileSync(file, 'utf8') : '');
    for (let i = 0; i < 200 && !text().includes('}]'); i++) await new Promise((r) => setTimeout(r, 10));
    // Written before shutdown: the file holds the opening of the array and the first records.
    expect(text().startsWith('[{"id":')).toBe(true);
    for (let i = 0; i < 500; i++) {
      ts.record(oneTrace(), 'm');
      expect(ts.pendingRecords).toBeLessThanOrEqual(102);
    }
    await ts.close();
    const records = JSON.parse(readFileSync(file, 'utf8')) as { id: number }[];
    expect(records).toHaveLength(1020);
    expect(ts.dropped).toBe(0);
  });

  it('with log_frequency, every n traces go to trace_file.<n>', async () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'trace-'));
    dirs.push(d);
    const file = path.join(d, 'trace.json');
    const ts = new TraceSettings({ trace_level: ['TIMESTAMPS'], trace_rate: '1', trace_file: file, log_frequency: '3' });
    for (let i = 0; i < 7; i++) ts.record(oneTrace(), 'm');
    await ts.close();
    expect(readdirSync(d).sort()).toEqual(['trace.json.0', 'trace.json.1', 'trace.json.2']);
    expect(JSON.parse(readFileSync(`${file}.0`, 'utf8'))).toHaveLength(6);
    expect(JSON.parse(readFileSync(`${file}.2`, 'utf8'))).toHaveLength(2);
  });
});
