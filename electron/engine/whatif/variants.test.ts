import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/text/parse';
import { variantText } from './config-text';
import { bestPoint, rankVariants } from './rank';
import { unifiedDiff } from './unified-diff';
import { applyKnobs, combinations, configKey, planVariants } from './variants';
import type { ProfilePoint, WhatIfVariant } from '../../contract/profile-api';

const BATCHING = `# a comment the user wrote
name: "m"
backend: "identity"
max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]
# two CPU instances
instance_group [ { kind: KIND_CPU, count: 2 } ]
parameters { key: "k" value: { string_value: "v" } }
`;
const NO_BATCH = 'name: "r"\nbackend: "identity"\nmax_batch_size: 0\ninput [ { name: "x" data_type: TYPE_FP32 dims: [ 4 ] } ]\noutput [ { name: "y" data_type: TYPE_FP32 dims: [ 4 ] } ]\n';
const cfg = (t: string) => parseConfigText(t).config!;

describe('what-if variants', () => {
  it('plans the baseline then every combination, batching off collapsing preferred sizes and delay', () => {
    const base = cfg(BATCHING);
    const v = planVariants(base, base, { instanceCounts: [1, 2], dynamicBatching: [false, true], maxQueueDelayUs: [100] }, 'm', 8);
    expect(v.map((x) => x.name)).toEqual(['baseline', 'instances 1, batching off', 'instances 1, batching on, delay 100us', 'instances 2, batching on, delay 100us']);
    // "instances 2, batching off" is the current config: not planned twice.
    expect(v[2]!.changes).toEqual(['instance count 1', 'dynamic batching on', 'max queue delay 100 µs']);
    const on = v[2]!.config;
    expect(on.schedulingChoice.case).toBe('dynamicBatching');
    expect(on.instanceGroup[0]!.count).toBe(1);
    expect(on.parameters['k']?.stringValue).toBe('v');
    expect(combinations({ dynamicBatching: [false], preferredBatchSizes: [[2], [4]] })).toEqual([{ dynamicBatching: false }]);
  });

  it('refuses knobs that do not apply, with the reason', () => {
    const nb = cfg(NO_BATCH);
    expect(() => planVariants(nb, nb, { dynamicBatching: [true] }, 'r')).toThrow(/max_batch_size is 0/);
    expect(() => planVariants(nb, nb, { maxQueueDelayUs: [10] }, 'r')).toThrow(/max_batch_size is 0/);
    const b = cfg(BATCHING);
    expect(() => planVariants(b, b, { preferredBatchSizes: [[4, 16]] }, 'm')).toThrow(/preferred batch size 16 is above the model's max_batch_size 8/);
    expect(() => planVariants(b, b, { instanceCounts: [0] }, 'm')).toThrow(/instance count 0/);
    expect(() => planVariants(b, b, { instanceCounts: [2] }, 'm')).toThrow(/no config different/);
    expect(() => planVariants(b, b, { instanceCounts: [1, 3, 4, 5], dynamicBatching: [true, false] }, 'm', 4)).toThrow(/more than the limit of 4/);
    const ens = cfg('name: "e"\nplatform: "ensemble"\nmax_batch_size: 0\n');
    expect(() => planVariants(ens, ens, { instanceCounts: [2] }, 'e')).toThrow(/ensemble/);
    const seq = cfg('name: "s"\nbackend: "identity"\nmax_batch_size: 4\nsequence_batching {}\n');
    expect(() => planVariants(seq, seq, { dynamicBatching: [true] }, 's')).toThrow(/sequence batcher/);
  });

  it('adds an instance group to a config without one', () => {
    const nb = cfg(NO_BATCH);
    expect(applyKnobs(nb, { instanceCount: 3 }).instanceGroup.map((g) => g.count)).toEqual([3]);
  });
});

describe('variant text', () => {
  it('rewrites only the changed fields and keeps the comments', () => {
    const base = cfg(BATCHING);
    const config = applyKnobs(base, { instanceCount: 1, dynamicBatching: true, preferredBatchSizes: [4, 8] });
    const text = variantText(BATCHING, base, config);
    expect(text).toContain('# a comment the user wrote');
    expect(text).toContain('# two CPU instances');
    expect(text).toMatch(/instance_group \{\n\s+kind: KIND_CPU\n\s+count: 1\n\}/);
    expect(text).toMatch(/dynamic_batching \{\n\s+preferred_batch_size: \[ 4, 8 \]\n\}/);
    expect(text).not.toContain('count: 2');
    expect(configKey(cfg(text))).toBe(configKey(config));
    expect(variantText(BATCHING, base, base)).toBe(BATCHING);
  });

  it('appends a field the file did not have, and prints a config the user never wrote', () => {
    const base = cfg(NO_BATCH);
    const two = applyKnobs(base, { instanceCount: 2 });
    const text = variantText(NO_BATCH, base, two);
    expect(text.startsWith(NO_BATCH.trimEnd())).toBe(true);
    expect(text).toMatch(/\n\ninstance_group \{\n\s+count: 2\n\}\n$/);
    expect(configKey(cfg(text))).toBe(configKey(two));
    expect(variantText(undefined, base, two)).toContain('count: 2');
  });

  it('removes dynamic batching when turned off', () => {
    const withDb = `${BATCHING}dynamic_batching { max_queue_delay_microseconds: 50 }\n`;
    const base = cfg(withDb);
    const off = applyKnobs(base, { dynamicBatching: false });
    const text = variantText(withDb, base, off);
    expect(text).not.toContain('dynamic_batching');
    expect(text).toContain('# two CPU instances');
    expect(configKey(cfg(text))).toBe(configKey(off));
  });
});

describe('unified diff', () => {
  it('writes diff -u hunks with 3 lines of context', () => {
    const n = Array.from({ length: 20 }, (_, i) => String(i + 1));
    const a = n.join('\n') + '\n';
    const b = [...n.slice(0, 4), 'five', ...n.slice(5), '21'].join('\n') + '\n';
    expect(unifiedDiff(a, b, 'a/c', 'b/c')).toBe(
      ['--- a/c', '+++ b/c', '@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8', '@@ -18,3 +18,4 @@', ' 18', ' 19', ' 20', '+21', ''].join('\n'),
    );
    // Changes closer than twice the context share a hunk, as in diff -u.
    expect(unifiedDiff('1\n2\n3\n4\n5\n', '1\nx\n3\n4\ny\n', 'a', 'b')).toBe('--- a\n+++ b\n@@ -1,5 +1,5 @@\n 1\n-2\n+x\n 3\n 4\n-5\n+y\n');
    expect(unifiedDiff(a, a, 'a', 'b')).toBe('');
    expect(unifiedDiff('', 'x\n', 'a', 'b')).toBe('--- a\n+++ b\n@@ -0,0 +1,1 @@\n+x\n');
  });
});

function point(concurrency: number, inferPerSec: number, avg: number, p95 = avg): ProfilePoint {
  const zero = { clientSendUs: 0, networkServerSendRecvUs: 0, serverQueueUs: 0, serverComputeInputUs: 0, serverComputeInferUs: 0, serverComputeOutputUs: 0, clientRecvUs: 0 };
  return { concurrency, stable: true, windows: 3, requestCount: 10, inferPerSec, latencyUs: { avg, std: 0, p50: avg, p90: avg, p95, p99: avg }, components: zero };
}

describe('ranking under a latency budget', () => {
  it('takes the highest throughput within the budget, at the percentile asked for', () => {
    const pts = [point(1, 100, 900), point(2, 180, 1500), point(4, 200, 3000)];
    expect(bestPoint(pts, 2000, undefined).best).toEqual({ inferPerSec: 180, latencyUs: 1500, concurrency: 2 });
    expect(bestPoint([point(1, 100, 900, 2500)], 2000, 95)).toEqual({ closest: { inferPerSec: 100, latencyUs: 2500, concurrency: 1 } });
  });

  it('ranks variants within the budget first; the winner is the fastest of those', () => {
    const v = (name: string, within: boolean, ips: number): WhatIfVariant => ({
      name,
      changes: [],
      configText: '',
      state: 'done',
      withinBudget: within,
      ...(within ? { best: { inferPerSec: ips, latencyUs: 1 } } : {}),
    });
    const vs = [v('baseline', true, 100), v('a', false, 0), v('b', true, 150)];
    expect(rankVariants(vs)).toBe('b');
    expect(vs.map((x) => x.rank)).toEqual([2, undefined, 1]);
    expect(rankVariants([v('a', false, 0)])).toBeUndefined();
  });
});
