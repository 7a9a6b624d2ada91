/**
 * The errors Triton words itself, built in one place so the runtime, the
 * repository, the lab API and the servers say them alike: clients (and tests)
 * match on Triton's text, so it is never reworded here. Each returns a
 * LabError with Triton's status code and, where code decides on the failure,
 * a reason code, so nothing needs to read the message back.
 */
import { type ConfigIssue, issue } from './config/issues';
import { LabError } from './errors';

/** Triton's prefix for a request's messages: "[request id: <id>] " (`<id_unknown>` without one). */
export function logRequest(id: string | undefined): string {
  return `[request id: ${id || '<id_unknown>'}] `;
}

/** No such model (or never loaded, in explicit model control). */
export function unknownModel(model: string): LabError {
  return new LabError('NOT_FOUND', `Request for unknown model: '${model}' is not found`);
}

/** The model is known, but no version of it is loaded. */
export function noAvailableVersions(model: string): LabError {
  return new LabError('NOT_FOUND', `Request for unknown model: '${model}' has no available versions`);
}

export function unknownVersion(model: string, version: number): LabError {
  return new LabError('NOT_FOUND', `Request for unknown model: '${model}' version ${version} is not found`);
}

/** The version exists but cannot take requests (loading, failed, unloading, unloaded). */
export function versionNotReady(model: string, version: number): LabError {
  return new LabError('UNAVAILABLE', `Request for unknown model: '${model}' version ${version} is not at ready state`);
}

/** The dynamic batcher refused the request: its priority level's queue is full (max_queue_size). */
export function queueFull(requestId: string | undefined): LabError {
  return new LabError('UNAVAILABLE', `${logRequest(requestId)}Exceeds maximum queue size`, { reason: 'QUEUE_FULL' });
}

/**
 * A request dropped from the queue because its caller cancelled it. Triton's schedulers answer such
 * a request with CANCELLED and no message (dynamic_batch_scheduler.cc, sequence_batch_scheduler.cc);
 * the lab says what happened, behind Triton's request-id prefix.
 */
export function requestCancelled(requestId: string | undefined): LabError {
  return new LabError('CANCELLED', `${logRequest(requestId)}the request was cancelled`);
}

/** The request waited in the queue past its timeout (default_timeout_microseconds, or its own shorter one). */
export function requestTimeout(): LabError {
  return new LabError('UNAVAILABLE', 'Request timeout expired', { reason: 'QUEUE_TIMEOUT' });
}

/** A model's worker or process did not answer within `ms` (the lab's wording: Triton's Python backend kills the stub). */
export function childTimedOut(ms: number): LabError {
  return new LabError('UNAVAILABLE', `timed out after ${ms} ms`, { reason: 'TIMED_OUT' });
}

/** execute() raised: every request of the batch fails with the model's message (Triton's Python backend). */
export function executeFailed(instance: string, message: string): LabError {
  return new LabError('INTERNAL', `Failed to process the request(s) for model '${instance}', message: ${message}`);
}

/** The instance's child died or hung during execute() and was restarted (Triton's Python backend wording, with why). */
export function instanceLost(instance: string, why: string, timedOut: boolean): LabError {
  return new LabError(timedOut ? 'UNAVAILABLE' : 'INTERNAL', `Failed to process the request(s) for model instance '${instance}', message: ${why}`, timedOut ? { reason: 'TIMED_OUT' } : undefined);
}

/** Why a model that left the repository folder is gone (a reload failure's reason, an explicit load's error). */
export const NOT_IN_REPOSITORY = 'model not found in any model repository.';

/** An unload of a model the repository does not have. */
export function unloadUnknown(model: string): LabError {
  return new LabError('NOT_FOUND', `failed to unload '${model}', model not found`);
}

/** Trace or log settings for a model that is not ready (Triton's spacing: "model : name"). */
export function unknownModelSetting(model: string): LabError {
  return new LabError('INVALID_ARG', `Request for unknown model : ${model}`);
}

/** The server is shutting down and takes no new work. */
export function serverExiting(): LabError {
  return new LabError('UNAVAILABLE', 'Server exiting');
}

/** Load failure: the version folder lacks the model file the backend looks for. */
export function modelFileMissing(file: string, model: string): ConfigIssue {
  return issue('model-file.missing', `unable to find '${file}' for model instance '${model}'`, undefined, 'UNAVAILABLE');
}

/** Sequence batcher (core sequence_batch_scheduler.cc Enqueue): a request carrying more than one batch element. */
export function sequenceBatchSize(model: string): LabError {
  return new LabError('INVALID_ARG', `inference request to model '${model}' must specify batch-size 1 due to requirements of sequence batcher`);
}

/** Sequence batcher (core sequence_utils.h): a request without a correlation id (0 or ""). */
export function sequenceNoCorrelationId(model: string): LabError {
  return new LabError('INVALID_ARG', `inference request to model '${model}' must specify a non-zero or non-empty correlation ID`);
}

/** Sequence batcher: a request for a sequence that is not live (never started, ended, or dropped for being idle) without START. */
export function sequenceNotStarted(id: string, model: string): LabError {
  return new LabError('INVALID_ARG', `inference request for sequence ${id} to model '${model}' must specify the START flag on the first request of the sequence`);
}

/** Core infer_request.cc ValidateCorrelationId: the id's kind (uint64 or string) does not fit the CORRID control's data type. */
export function sequenceCorrelationIdType(requestId: string | undefined, control: string, given: string, model: string, expected: string): LabError {
  return new LabError('INVALID_ARG', `${logRequest(requestId)}sequence batching control '${control}' data-type is '${given}', but model '${model}' expects '${expected}'`);
}

/** Core tritonserver.cc TRITONSERVER_InferenceRequestSetCorrelationIdString. */
export function sequenceIdTooLong(): LabError {
  return new LabError('UNSUPPORTED', 'string correlation ID cannot be longer than 128 characters');
}

/** Sequence batcher reaper: a backlogged sequence waited past a request's timeout; all its queued requests fail (REJECTED). */
export function sequenceTimeoutExpired(): LabError {
  return new LabError('UNAVAILABLE', 'timeout of the corresponding sequence has been expired', { reason: 'QUEUE_TIMEOUT' });
}

/**
 * Triton's Python backend refuses to start a stub whose name (the model's for auto-complete, the
 * instance's otherwise) holds a shell-special character (python_backend pb_utils INVALID_CHARS).
 */
export function invalidStubName(): LabError {
  return new LabError('INVALID_ARG', 'Invalid stub name: contains invalid characters');
}
