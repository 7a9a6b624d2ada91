/**
 * A finding about a model config: Triton's wording, the status code Triton
 * would use, and the config field it concerns so the lab can point at a line.
 */
import type { Severity } from '../../contract/lab-api';
import type { ErrorCode, ErrorReason } from '../errors';
import type { FieldPath } from './text/source-map';
import type { Span } from './text/tokens';

export interface ConfigIssue {
  severity: Severity;
  /** Stable rule id, e.g. `ensemble.tensor-unused`. */
  code: string;
  /** Triton's status code for an error. */
  status?: ErrorCode;
  /** Why, where code decides on it (carried on to the version's `reasonCode`). */
  reason?: ErrorReason;
  message: string;
  path?: FieldPath;
  /** A location known directly (syntax errors), used when there is no path. */
  span?: Span;
  fix?: string;
}

export function issue(code: string, message: string, path?: FieldPath, status: ErrorCode = 'INVALID_ARG'): ConfigIssue {
  return { severity: 'error', code, status, message, ...(path ? { path } : {}) };
}

export function warning(code: string, message: string, path?: FieldPath, fix?: string): ConfigIssue {
  return { severity: 'warning', code, message, ...(path ? { path } : {}), ...(fix ? { fix } : {}) };
}

export function firstError(issues: readonly ConfigIssue[]): ConfigIssue | undefined {
  return issues.find((i) => i.severity === 'error');
}
