/**
 * The playground's request parameters: rows of name, kind (string, integer, bool) and value, as
 * Triton's clients send them (InferParameter's bool, int64 and string kinds). The engine checks
 * them again; here each row says what is wrong with it before the run is sent.
 */
import type { RunRequest, RunResult } from '@contract/lab-api';

export type ParameterKind = 'string' | 'int' | 'bool';

export interface ParameterRow {
  /** Stable across edits, for v-for. */
  id: number;
  key: string;
  kind: ParameterKind;
  /** The text typed (string and int rows). */
  text: string;
  /** The value of a bool row. */
  flag: boolean;
}

export type ParameterIssue = '' | 'runs.params.issue.noName' | 'runs.params.issue.reserved' | 'runs.params.issue.duplicate' | 'runs.params.issue.notInt' | 'runs.params.issue.tooLong';

/** Keys the frontends keep for themselves (the engine refuses them too); sequence flags have their own controls. */
const RESERVED = new Set(['sequence_id', 'sequence_start', 'sequence_end', 'headers', 'binary_data_output']);
const MAX_TEXT = 64 * 1024;
let nextId = 1;

export function newParameterRow(): ParameterRow {
  return { id: nextId++, key: '', kind: 'string', text: '', flag: false };
}

/** What is wrong with row `i` of `rows` ('' when nothing): a message key of the runs module. */
export function parameterIssue(rows: readonly ParameterRow[], i: number): ParameterIssue {
  const r = rows[i]!;
  const key = r.key.trim();
  if (key === '') return 'runs.params.issue.noName';
  if (key.startsWith('triton_') || RESERVED.has(key)) return 'runs.params.issue.reserved';
  if (rows.findIndex((x) => x.key.trim() === key) !== i) return 'runs.params.issue.duplicate';
  if (r.kind === 'int' && !(/^-?\d{1,16}$/.test(r.text.trim()) && Number.isSafeInteger(Number(r.text.trim())))) return 'runs.params.issue.notInt';
  if (r.kind === 'string' && r.text.length > MAX_TEXT) return 'runs.params.issue.tooLong';
  return '';
}

/** How many rows have a problem. */
export function parameterProblems(rows: readonly ParameterRow[]): number {
  return rows.filter((_, i) => parameterIssue(rows, i) !== '').length;
}

/** The run request's parameters, or undefined when there are none. */
export function parametersRequest(rows: readonly ParameterRow[]): RunRequest['parameters'] {
  if (rows.length === 0) return undefined;
  const out: NonNullable<RunRequest['parameters']> = {};
  for (const r of rows) out[r.key.trim()] = r.kind === 'bool' ? r.flag : r.kind === 'int' ? Number(r.text.trim()) : r.text;
  return out;
}

/** Rows again from a run's request parameters (to send the same ones once more). */
export function rowsFrom(params: RunResult['requestParameters']): ParameterRow[] {
  return Object.entries(params ?? {}).map(([key, v]) => ({
    ...newParameterRow(),
    key,
    kind: typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'int' : 'string',
    text: typeof v === 'boolean' ? '' : String(v),
    flag: v === true,
  }));
}

/** A parameter value as shown with a result: strings quoted, so "" and "1" read apart from 1. */
export function parameterText(v: string | number | boolean): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
