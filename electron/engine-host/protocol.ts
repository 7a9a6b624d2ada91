/**
 * The messages between the desktop shell (Electron main) and the engine host, the process that runs
 * the engine on desktop (Electron's utilityProcess; plain Node's child_process.fork in tests and in
 * the packaging test). Main relays the typed lab API: calls go in, results and lab events come out.
 * The engine asks main back for what only main can do (native dialogs, safeStorage). Every message
 * is structured-cloned (utilityProcess MessagePort; fork with `serialization: 'advanced'`), so typed
 * arrays cross as they are. Errors cross as values, keeping their code and reason.
 */
import type { ErrorReason, FolderPurpose, LabEvent, LabMethod, WorkspaceSkip } from '../contract/lab-api';
import { type ErrorCode, LabError } from '../engine/errors';

/** What the engine host needs to start, sent once as the first message (`init`). */
export interface EngineHostOptions {
  /** settings.json (theme, recents, trusted folders, the workspace) under the user data folder. */
  settingsFile: string;
  /** The bundled sample repositories (`resources/sample-repos` in a package). */
  samplesDir: string;
  /** The bundled sample images. */
  sampleImagesDir: string;
  appVersion: string;
  /** Folders named on the command line (absolute); when any, the samples are not opened. */
  given: string[];
  /** Set on a restart after the engine died: reopen the repositories that were open, not the command line. */
  restart?: { reopen: string[] };
  /** The credentials store answers through main (safeStorage); false: keep them in memory only. */
  credentialsViaHost: boolean;
}

/** An error as it crosses the process boundary. */
export interface WireError {
  code: ErrorCode;
  message: string;
  reason?: ErrorReason;
  stage?: 'execute';
}

/** What the engine asks main for. */
export type HostAsk =
  | { op: 'pickFolder'; purpose?: FolderPurpose }
  | { op: 'pickFile' }
  | { op: 'credentials.get'; serverId: string }
  | { op: 'credentials.set'; serverId: string; headers: Record<string, string> }
  | { op: 'credentials.delete'; serverId: string }
  | { op: 'credentials.problem' };

/** Main → engine host. */
export type ToEngine =
  | { t: 'init'; options: EngineHostOptions }
  | { t: 'call'; id: number; method: LabMethod; req: unknown }
  | { t: 'answer'; id: number; ok: true; value: unknown }
  | { t: 'answer'; id: number; ok: false; error: WireError }
  /** Close the lab (sessions, workers, the server) and exit. */
  | { t: 'shutdown' };

/** Engine host → main. */
export type FromEngine =
  /** The lab is up; `skipped`: folders that did not open at start. */
  | { t: 'ready'; skipped: WorkspaceSkip[]; opened: string[] }
  | { t: 'result'; id: number; ok: true; value: unknown }
  | { t: 'result'; id: number; ok: false; error: WireError }
  | { t: 'event'; ev: LabEvent }
  | { t: 'ask'; id: number; ask: HostAsk }
  | { t: 'log'; line: string }
  /** The lab has closed; the process exits next. */
  | { t: 'closed' };

/** A call or ask waiting for its `result` / `answer`. */
export interface Waiter {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/**
 * Settles the waiter of a `result` (main) or `answer` (engine host) by its id, errors as LabErrors with
 * their code and reason; one that is no longer waited for (given up meanwhile) is ignored.
 */
export function settle(waiting: Map<number, Waiter>, msg: { id: number } & ({ ok: true; value: unknown } | { ok: false; error: WireError })): void {
  const w = waiting.get(msg.id);
  waiting.delete(msg.id);
  if (msg.ok) w?.resolve(msg.value);
  else w?.reject(fromWireError(msg.error));
}

export function toWireError(err: LabError): WireError {
  return { code: err.code, message: err.message, ...(err.reason ? { reason: err.reason } : {}), ...(err.stage ? { stage: err.stage } : {}) };
}

export function fromWireError(e: WireError): LabError {
  return new LabError(e.code, e.message, { ...(e.reason ? { reason: e.reason } : {}), ...(e.stage ? { stage: e.stage } : {}) });
}

/**
 * Main's answer to a `credentials.*` ask: the headers (for `get`), and the store's kind and problem as
 * they stand after the operation (safeStorage may turn out to be unavailable only on first use).
 */
export interface CredentialAnswer {
  kind: 'safeStorage' | 'file' | 'memory';
  problem?: string;
  headers?: Record<string, string>;
}
