/** NormalizeModelConfig: the defaults every served config carries. */
import { describe, expect, it } from 'vitest';
import { normalizeModelConfig } from './normalize';
import { config } from './testing/config';

function normalize(text: string) {
  const c = config(text);
  const filled = new Set<string>();
  normalizeModelConfig(c, filled);
  return { c, filled };
}

describe('NormalizeModelConfig', () => {
  it('defaults the version policy to latest 1', () => {
    const { c, filled } = normalize('name: "m"');
    expect(c.versionPolicy?.policyChoice).toMatchObject({ case: 'latest', value: { numVersions: 1 } });
    expect(filled.has('version_policy')).toBe(true);
    expect(normalize('name: "m" version_policy { all { } }').c.versionPolicy?.policyChoice.case).toBe('all');
  });

  it('fills dynamic batching preferred sizes with max_batch_size, only when it is positive', () => {
    const db = (text: string): number[] => {
      const s = normalize(text).c.schedulingChoice;
      return s.case === 'dynamicBatching' ? s.value.preferredBatchSize : [];
    };
    expect(db('max_batch_size: 8 dynamic_batching { }')).toEqual([8]);
    expect(db('max_batch_size: 0 dynamic_batching { }')).toEqual([]);
    expect(db('max_batch_size: 8 dynamic_batching { preferred_batch_size: [2] }')).toEqual([2]);
  });

  it('sequence batching: idle default 1 s, oldest preferred size from max_batch_size', () => {
    const s = normalize('max_batch_size: 4 sequence_batching { oldest { } }').c.schedulingChoice;
    expect(s.case).toBe('sequenceBatching');
    if (s.case !== 'sequenceBatching') return;
    expect(s.value.maxSequenceIdleMicroseconds).toBe(1_000_000n);
    expect(s.value.strategyChoice).toMatchObject({ case: 'oldest', value: { preferredBatchSize: [4] } });
    const kept = normalize('sequence_batching { max_sequence_idle_microseconds: 5 }').c.schedulingChoice;
    expect(kept.case === 'sequenceBatching' && kept.value.maxSequenceIdleMicroseconds).toBe(5n);
  });

  it('turns pinned memory on for non-ensembles and leaves ensembles without optimization', () => {
    const { c } = normalize('name: "m" backend: "onnxruntime"');
    expect(c.optimization?.inputPinnedMemory?.enable).toBe(true);
    expect(c.optimization?.outputPinnedMemory?.enable).toBe(true);
    expect(normalize('optimization { input_pinned_memory { enable: false } }').c.optimization?.inputPinnedMemory?.enable).toBe(false);
    expect(normalize('name: "e" platform: "ensemble" ensemble_scheduling { }').c.optimization).toBeUndefined();
  });
});
