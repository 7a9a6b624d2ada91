/**
 * `model-lab infer … --sequence-id ID`: the requests of one sequence from one command line, for
 * models with sequence_batching. An input given several times makes several requests, in order
 * (an input given once goes into every request); the first request starts the sequence and the
 * last ends it, as Triton's clients send them, unless --sequence-start / --sequence-end say
 * otherwise. An ID of digits is a uint64 correlation id (exact up to 2^64-1), anything else a string.
 */
import { LabError } from '../engine/errors';
import { correlationId } from '../engine/runs/sequence';
import type { SequenceFlags } from '../engine/runtime/types';
import { UsageError } from './args';

/** Most requests one command line may send. */
const MAX_REQUESTS = 1000;

/** The --input specs of each request: the k-th occurrence of a name goes to request k; one given once goes to all. */
export function requestSpecs(specs: string[]): string[][] {
  const byName = new Map<string, string[]>();
  for (const s of specs) {
    const name = s.slice(0, Math.max(0, s.indexOf('=')));
    byName.set(name, [...(byName.get(name) ?? []), s]);
  }
  const count = Math.max(1, ...[...byName.values()].map((v) => v.length));
  if (count > MAX_REQUESTS) throw new UsageError(`at most ${MAX_REQUESTS} requests in one sequence`);
  for (const [name, given] of byName) {
    if (given.length !== 1 && given.length !== count) {
      throw new UsageError(`input '${name}' is given ${given.length} times; give each input once (the same in every request) or ${count} times (one per request)`);
    }
  }
  return Array.from({ length: count }, (_, k) => [...byName.values()].map((given) => given[given.length === 1 ? 0 : k]!));
}

export interface SequenceOptions {
  id: bigint | string;
  /** Explicit flags: when neither is given the first request starts and the last ends the sequence. */
  start?: boolean;
  end?: boolean;
}

/** The sequence options from the command line, or undefined without --sequence-id. */
export function sequenceOptions(values: Record<string, unknown>): SequenceOptions | undefined {
  const id = values['sequence-id'];
  const start = values['sequence-start'] === true;
  const end = values['sequence-end'] === true;
  if (typeof id !== 'string') {
    if (start || end) throw new UsageError('--sequence-start and --sequence-end need --sequence-id');
    return undefined;
  }
  try {
    const parsed = correlationId(id, !/^\s*\d+\s*$/.test(id));
    return { id: parsed, ...(start || end ? { start, end } : {}) };
  } catch (err) {
    throw new UsageError(err instanceof LabError ? err.message : String(err));
  }
}

/** The flags of request `k` of `count`. */
export function flagsFor(seq: SequenceOptions, k: number, count: number): SequenceFlags {
  const explicit = seq.start !== undefined || seq.end !== undefined;
  return {
    id: seq.id,
    start: k === 0 && (explicit ? seq.start === true : true),
    end: k === count - 1 && (explicit ? seq.end === true : true),
  };
}
