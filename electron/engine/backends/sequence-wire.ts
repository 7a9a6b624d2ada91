/**
 * A request's sequence flags on a backend child's wire (the Python stub, a script worker), both
 * ways: to execute() (python_backend's
 * `request.correlation_id()` and `request.flags()`) and from a BLS `InferenceRequest(correlation_id=…,
 * flags=…)`. Frames are JSON, whose numbers are doubles on this side: a uint64 id past 2^53 goes
 * as its decimal text marked `correlationIdUint`, so it stays exact both ways.
 */
import type { SequenceFlags } from '../runtime/types';

/** Triton's TRITONSERVER_REQUEST_FLAG_SEQUENCE_START / _END. */
const FLAG_START = 1;
const FLAG_END = 2;
const UINT64_MAX = (1n << 64n) - 1n;

export interface WireSequence {
  correlationId?: number | string;
  /** `correlationId` is a uint64's decimal text (too large for a double), not a string id. */
  correlationIdUint?: boolean;
  flags?: number;
}

export function sequenceToWire(seq: SequenceFlags | undefined): WireSequence {
  if (!seq) return {};
  const flags = (seq.start ? FLAG_START : 0) | (seq.end ? FLAG_END : 0);
  if (typeof seq.id === 'string') return { correlationId: seq.id, flags };
  if (seq.id <= BigInt(Number.MAX_SAFE_INTEGER)) return { correlationId: Number(seq.id), flags };
  return { correlationId: seq.id.toString(), correlationIdUint: true, flags };
}

/** The correlation id on the wire: a uint64 as a bigint, or the string id; 0n when none, or when it is neither. */
export function correlationIdFromWire(w: WireSequence): bigint | string {
  const c = w.correlationId;
  if (typeof c === 'number' && Number.isSafeInteger(c) && c >= 0) return BigInt(c);
  if (typeof c === 'string' && w.correlationIdUint !== true) return c;
  if (typeof c === 'string' && /^\d{1,20}$/.test(c) && BigInt(c) <= UINT64_MAX) return BigInt(c);
  return 0n;
}

/**
 * A BLS request's correlation id and flags as a child's model gave them (an int or a string, as
 * python_backend takes), for the wire; throws a message for anything else.
 */
export function wireFromRequest(id: unknown, flags: unknown): WireSequence {
  if (id === undefined && flags === undefined) return {};
  const f = flags === undefined ? 0 : flags;
  if (typeof f !== 'number' || !Number.isInteger(f) || f < 0 || f > 3) throw new Error(`flags must be 0-3 (START ${FLAG_START}, END ${FLAG_END}), got ${String(f)}`);
  if (id === undefined || typeof id === 'string') return { correlationId: id ?? 0, flags: f };
  const n = typeof id === 'number' && Number.isSafeInteger(id) ? BigInt(id) : typeof id === 'bigint' ? id : undefined;
  if (n === undefined || n < 0n || n > UINT64_MAX) throw new Error(`correlation_id must be an unsigned 64-bit integer or a string, got ${String(id)}`);
  return sequenceToWire({ id: n, start: (f & FLAG_START) !== 0, end: (f & FLAG_END) !== 0 });
}

/** The flags a BLS request set (none when it set neither an id nor flags); an id that is not a uint64 or a string is dropped. */
export function sequenceFromWire(w: WireSequence): { sequence?: SequenceFlags } {
  const flags = typeof w.flags === 'number' && Number.isInteger(w.flags) ? w.flags : 0;
  const id = correlationIdFromWire(w);
  if (id === 0n && flags === 0) return {};
  return { sequence: { id, start: (flags & FLAG_START) !== 0, end: (flags & FLAG_END) !== 0 } };
}
