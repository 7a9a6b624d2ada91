/**
 * Errors as values with Triton's status codes, so every entry point (CLI,
 * lab API, HTTP, gRPC) can map them to its own status in one place, and a
 * reason code where code decides on why (the message is for people and
 * follows Triton's wording: nothing matches its text). Triton's own wordings
 * are built in triton-errors.ts.
 */
import type { ErrorReason } from '../contract/lab-api';

export type { ErrorReason } from '../contract/lab-api';

export type ErrorCode = 'INVALID_ARG' | 'NOT_FOUND' | 'UNAVAILABLE' | 'UNSUPPORTED' | 'ALREADY_EXISTS' | 'INTERNAL' | 'CANCELLED' | 'UNKNOWN';

export class LabError extends Error {
  readonly code: ErrorCode;
  /** Set on errors a model returned while running, as opposed to a request it refused. */
  stage?: 'execute';
  /** Why, where code decides on it (see ErrorReason). */
  reason?: ErrorReason;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; stage?: 'execute'; reason?: ErrorReason }) {
    super(message, options);
    this.name = 'LabError';
    this.code = code;
    if (options?.stage) this.stage = options.stage;
    if (options?.reason) this.reason = options.reason;
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** Triton prefixes status messages with a readable form of the code. */
export function codeLabel(code: ErrorCode): string {
  switch (code) {
    case 'INVALID_ARG':
      return 'Invalid argument';
    case 'NOT_FOUND':
      return 'Not found';
    case 'UNAVAILABLE':
      return 'Unavailable';
    case 'UNSUPPORTED':
      return 'Unsupported';
    case 'ALREADY_EXISTS':
      return 'Already exists';
    case 'INTERNAL':
      return 'Internal';
    case 'CANCELLED':
      return 'Cancelled';
    default:
      return 'Unknown';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Wraps anything thrown into a LabError, keeping LabErrors as they are. */
export function toLabError(err: unknown, code: ErrorCode = 'INTERNAL'): LabError {
  if (err instanceof LabError) return err;
  return new LabError(code, errorMessage(err), { cause: err });
}
