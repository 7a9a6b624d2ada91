/**
 * A playground or CLI run's sequence flags (RunSequence): checked where they come in, then turned
 * into the engine's SequenceFlags, with the correlation id as Triton holds it (a uint64 as a BigInt,
 * read from its decimal text so that ids past 2^53 stay exact, or a string).
 */
import type { RunSequence } from '../../contract/lab-api';
import { LabError } from '../errors';
import type { SequenceFlags } from '../runtime/types';

const UINT64_MAX = (1n << 64n) - 1n;
/** Triton refuses longer string ids (SetCorrelationIdString), counted in UTF-8 bytes as the core does. */
const MAX_STRING_ID = 128;

/** The correlation id of a run: a decimal uint64 unless `idIsString`. */
export function correlationId(id: string, idIsString: boolean): bigint | string {
  if (idIsString) {
    if (Buffer.byteLength(id) > MAX_STRING_ID || id.includes('\0')) throw new LabError('INVALID_ARG', `a string sequence id must be at most ${MAX_STRING_ID} bytes (UTF-8), without NUL`);
    return id;
  }
  const text = id.trim();
  if (!/^\d{1,20}$/.test(text) || BigInt(text) > UINT64_MAX) {
    throw new LabError('INVALID_ARG', `sequence id '${id.slice(0, 40)}' is not an unsigned 64-bit integer (0 to ${UINT64_MAX}); mark it as a string id if the model's CORRID is TYPE_STRING`);
  }
  return BigInt(text);
}

export function sequenceFlags(seq: RunSequence): SequenceFlags {
  return { id: correlationId(seq.id, seq.idIsString === true), start: seq.start === true, end: seq.end === true };
}

/** A RunSequence from an untrusted payload (IPC, the lab's HTTP API). */
export function runSequence(v: unknown): RunSequence {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new LabError('INVALID_ARG', "'sequence' must be an object with an 'id'");
  const p = v as Record<string, unknown>;
  const flag = (key: string): boolean | undefined => {
    const f = p[key];
    if (f !== undefined && typeof f !== 'boolean') throw new LabError('INVALID_ARG', `'sequence.${key}' must be true or false`);
    return f;
  };
  if (typeof p['id'] !== 'string') throw new LabError('INVALID_ARG', "'sequence.id' must be a string (a decimal uint64, or the string id)");
  const idIsString = flag('idIsString');
  const start = flag('start');
  const end = flag('end');
  const seq: RunSequence = { id: p['id'], ...(idIsString !== undefined ? { idIsString } : {}), ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
  correlationId(seq.id, seq.idIsString === true);
  return seq;
}
