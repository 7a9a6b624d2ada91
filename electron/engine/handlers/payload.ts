/** Checks for lab API payloads, which arrive as `unknown` from IPC or HTTP. */
import type { InputSpec, RunRequest, TensorRef } from '../../contract/lab-api';
import { LabError } from '../errors';
import { runSequence } from '../runs/sequence';
import { runParameters } from '../runs/runs';

export type Payload = Record<string, unknown>;

export function int(p: Payload, key: string, min = 0): number {
  const v = p[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new LabError('INVALID_ARG', `'${key}' must be an integer of at least ${min}`);
  return v;
}

const SIDES: readonly TensorRef['side'][] = ['input', 'output', 'edge', 'initializer'];

export function tensorRef(p: Payload): TensorRef {
  const side = p['side'];
  if (!SIDES.includes(side as TensorRef['side'])) throw new LabError('INVALID_ARG', `'side' must be one of ${SIDES.join(', ')}`);
  const spanId = p['spanId'] === undefined ? undefined : int(p, 'spanId', 1);
  return { runId: str(p, 'runId', 64), side: side as TensorRef['side'], name: str(p, 'name'), ...(spanId !== undefined ? { spanId } : {}) };
}

export function list(p: Payload, key: string): unknown[] {
  const v = p[key];
  if (!Array.isArray(v)) throw new LabError('INVALID_ARG', `'${key}' must be a list`);
  return v;
}

export function port(p: Payload, key: string): number | undefined {
  const v = optNumber(p, key);
  if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 65535)) throw new LabError('INVALID_ARG', `'${key}' must be a port number from 0 to 65535`);
  return v;
}

export function payload(req: unknown): Payload {
  if (req === undefined || req === null) return {};
  if (typeof req !== 'object' || Array.isArray(req)) throw new LabError('INVALID_ARG', 'the request must be a JSON object');
  return req as Payload;
}

export function str(p: Payload, key: string, max = 4096): string {
  const v = p[key];
  if (typeof v !== 'string' || v.length === 0) throw new LabError('INVALID_ARG', `'${key}' must be a non-empty string`);
  if (v.length > max || v.includes('\0')) throw new LabError('INVALID_ARG', `'${key}' is not a valid value`);
  return v;
}

export function bool(p: Payload, key: string): boolean {
  const v = p[key];
  if (typeof v !== 'boolean') throw new LabError('INVALID_ARG', `'${key}' must be true or false`);
  return v;
}

export function optNumber(p: Payload, key: string): number | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new LabError('INVALID_ARG', `'${key}' must be a number`);
  return v;
}

/** A playground run request (runModel, startStepRun); each InputSpec is checked by the engine when it builds the tensor. */
export function runRequest(p: Payload): RunRequest {
  const version = optNumber(p, 'version');
  const outputs = p['outputs'] === undefined ? undefined : list(p, 'outputs').map((o) => (typeof o === 'string' ? o : ''));
  if (outputs?.some((o) => o === '')) throw new LabError('INVALID_ARG', "'outputs' must be a list of output names");
  const inputs = list(p, 'inputs').map((i) => payload(i) as unknown as InputSpec);
  return {
    repoId: str(p, 'repoId'),
    model: str(p, 'model'),
    inputs,
    ...(version !== undefined ? { version } : {}),
    ...(outputs ? { outputs } : {}),
    ...(p['runId'] !== undefined ? { runId: str(p, 'runId', 64) } : {}),
    ...(p['addBatchDim'] !== undefined ? { addBatchDim: bool(p, 'addBatchDim') } : {}),
    ...(p['sequence'] !== undefined ? { sequence: runSequence(p['sequence']) } : {}),
    ...runParametersOf(p['parameters']),
  };
}

/** The run's request parameters, checked (bool, integer or string values; reserved names refused). */
function runParametersOf(v: unknown): Pick<RunRequest, 'parameters'> {
  const parameters = runParameters(v);
  return parameters ? { parameters } : {};
}
