/**
 * Runs inside a script model's worker thread: installs `pb_utils` and `lab`,
 * imports the model file, and answers the host's messages. Anything the
 * script throws becomes an error for its requests, never a crash of the lab.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { ErrorCode } from '../../errors';
import { createPbUtils, InferenceResponse, ScriptRequest, Tensor, TritonError } from './pb-utils';
import { type ConfigJson, type HostMessage, type WireError, type WireResult, type WorkerMessage, type WorkerSetup, transferables } from './protocol';
import { createStdlib } from './stdlib/index';
import { configHelper } from './auto-complete';
import { readModelSource } from '../../util/regular-file';

const port = parentPort;
if (!port) throw new Error('worker-main must run in a worker thread');
const setup = (workerData as { setup: WorkerSetup }).setup;

function send(msg: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

/**
 * A stack frame as Triton prints Python's: `file(line): function`, the function by its bare name
 * (Python's co_name: `execute`, not `TritonPythonModel.execute` or `async …`).
 */
function frame(line: string): string | undefined {
  const m = /^at (?:(.+?) \()?(?:file:\/\/)?(.+?):(\d+):\d+\)?$/.exec(line.trim());
  if (!m || m[2]!.startsWith('node:') || m[2]!.includes('/backends/script/')) return undefined;
  const fn = m[1]
    ?.replace(/^(?:async|new) /, '')
    .replace(/ \[as [^\]]+\]$/, '')
    .split('.')
    .pop();
  return `${m[2]}(${m[3]}): ${fn || '<module>'}`;
}

/** An error as Triton's Python backend reports an exception: `Type: message`, then `At:` and the frames. */
function describe(err: unknown): WireError {
  if (err instanceof Error) {
    const frames = (err.stack ?? '')
      .split('\n')
      .slice(1)
      .map(frame)
      .filter((f): f is string => f !== undefined);
    const at = frames.length
      ? `\n\nAt:\n${frames
          .slice(0, 12)
          .map((f) => `  ${f}\n`)
          .join('')}`
      : '';
    const code: ErrorCode = err instanceof TritonError ? err.toWire().code : 'INTERNAL';
    return { code, message: `${err.name}: ${String(err.message) || '<EMPTY MESSAGE>'}${at}` };
  }
  return { code: 'INTERNAL', message: String(err) };
}

/**
 * V8 reports a syntax error in an ES module without saying where. Find it: the model file first,
 * then the other script files of the version folder, parsed with sucrase (as hooks.mjs does).
 */
async function syntaxErrorLocation(): Promise<string | undefined> {
  const files = [setup.file];
  const visit = async (dir: string, depth: number): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && depth < 3 && e.name !== 'node_modules' && !e.name.startsWith('.')) await visit(p, depth + 1);
      else if (e.isFile() && /\.(?:[cm]?js|ts)$/.test(e.name) && p !== setup.file && files.length < 50) files.push(p);
    }
  };
  await visit(setup.versionDir, 0);
  const sucrase = await import('sucrase');
  for (const file of files) {
    const source = await readModelSource(file);
    if (source === '') continue;
    try {
      sucrase.transform(source, { transforms: file.endsWith('.ts') ? ['typescript'] : [], filePath: file });
    } catch (err) {
      const line = (err as { loc?: { line?: number } }).loc?.line;
      if (line !== undefined) return `${file}(${line}): <module>`;
    }
  }
  return undefined;
}

/** Problems with what execute() returned: Triton's wording, no traceback. */
class ReturnError extends Error {}

let nextCall = 1;
/** BLS is only allowed while execute() runs, as in Triton. */
let inExecute = 0;
const pendingCalls = new Map<number, (r: WireResult) => void>();

const pbUtils = createPbUtils({
  call(req) {
    if (inExecute === 0) return Promise.resolve({ error: { code: 'INTERNAL', message: "BLS is only supported during the 'execute' function." } });
    const callId = nextCall++;
    return new Promise<WireResult>((resolve) => {
      pendingCalls.set(callId, resolve);
      send({ type: 'bls', callId, ...req });
    });
  },
  log(level, message) {
    send({ type: 'log', level, message });
  },
});

const g = globalThis as Record<string, unknown>;
g['pb_utils'] = pbUtils;
g['lab'] = createStdlib(setup.versionDir);

interface ModelInstance {
  initialize?(args: Record<string, string>): unknown;
  execute(requests: ScriptRequest[]): unknown;
  finalize?(): unknown;
}

type ModelClass = (new () => ModelInstance) & { autoCompleteConfig?: (c: unknown) => unknown; auto_complete_config?: (c: unknown) => unknown };

let ModelCtor: ModelClass | undefined;
let model: ModelInstance | undefined;

async function load(): Promise<void> {
  try {
    const mod = (await import(pathToFileURL(setup.file).href)) as Record<string, unknown>;
    const candidate = mod['TritonPythonModel'] ?? mod['default'] ?? (mod['module.exports'] as Record<string, unknown> | undefined)?.['TritonPythonModel'];
    if (typeof candidate !== 'function') {
      throw new TritonError(`${setup.file} must export a class TritonPythonModel (export default class TritonPythonModel { … } or export class TritonPythonModel { … })`);
    }
    ModelCtor = candidate as ModelClass;
    send({ type: 'loaded', hasAutoComplete: typeof ModelCtor.autoCompleteConfig === 'function' || typeof ModelCtor.auto_complete_config === 'function' });
  } catch (err) {
    const error = describe(err);
    if (err instanceof SyntaxError && !error.message.includes('\n\nAt:\n')) {
      const at = await syntaxErrorLocation().catch(() => undefined);
      if (at) error.message += `\n\nAt:\n  ${at}\n`;
    }
    send({ type: 'load-error', error });
  }
}

/** The model's auto_complete_config, on a throwaway worker. */
async function autoComplete(msg: Extract<HostMessage, { type: 'autocomplete' }>): Promise<void> {
  try {
    const fn = ModelCtor?.autoCompleteConfig ?? ModelCtor?.auto_complete_config;
    const helper = configHelper(msg.config);
    const returned = fn ? await fn.call(ModelCtor, helper) : helper;
    if (returned !== helper) throw new TritonError('autoCompleteConfig must return the config it was given');
    send({ type: 'autocomplete-result', config: helper.as_dict() as ConfigJson });
  } catch (err) {
    send({ type: 'autocomplete-result', error: describe(err) });
  }
}

async function init(msg: Extract<HostMessage, { type: 'init' }>): Promise<void> {
  try {
    model = new ModelCtor!();
    if (typeof model.execute !== 'function') throw new TritonError('TritonPythonModel must define execute(requests)');
    await model.initialize?.(msg.args);
    send({ type: 'ready' });
  } catch (err) {
    send({ type: 'init-error', error: describe(err) });
  }
}

/** What execute returned, checked as Triton's Python backend checks it (its wording). */
function checkResponses(out: unknown, requests: ScriptRequest[]): InferenceResponse[] {
  if (!Array.isArray(out)) {
    throw new ReturnError(`Expected a list in the execute return, found type '${out === null ? 'null' : Array.isArray(out) ? 'array' : typeof out}'.`);
  }
  if (out.length !== requests.length) {
    throw new ReturnError(
      `Number of InferenceResponse objects do not match the number of InferenceRequest objects. InferenceRequest(s) size is:${requests.length}, and InferenceResponse(s) size is:${out.length}\n`,
    );
  }
  const bad = out.find((r: unknown) => !(r instanceof InferenceResponse));
  if (bad !== undefined) {
    throw new ReturnError(`Expected an 'InferenceResponse' object in the execute function return list, found type '${bad === null ? 'null' : ((bad as object).constructor?.name ?? typeof bad)}'.`);
  }
  return out as InferenceResponse[];
}

async function execute(msg: Extract<HostMessage, { type: 'execute' }>): Promise<void> {
  const flags = msg.cancelled ? new Int32Array(msg.cancelled) : undefined;
  const requests = msg.requests.map(
    (r, i) =>
      new ScriptRequest(
        r.id,
        setup.instanceName,
        r.inputs.map((t) => Tensor.fromWire(t)),
        r.requested,
        r.parameters,
        () => flags !== undefined && Atomics.load(flags, i) === 1,
        // The wire request carries its sequence fields (WireRequest extends WireSequence).
        r,
      ),
  );
  try {
    inExecute++;
    let out: unknown;
    const t0 = process.hrtime.bigint();
    try {
      out = (await model!.execute(requests)) as unknown;
    } finally {
      inExecute--;
    }
    const ownNs = Number(process.hrtime.bigint() - t0);
    const responses = checkResponses(out, requests).map((r, i) => r.toWire(requests[i]!.requested_output_names()));
    send({ type: 'result', id: msg.id, responses, ownNs }, transferables(responses.flatMap((r) => ('outputs' in r ? r.outputs : []))));
  } catch (err) {
    send({ type: 'execute-error', id: msg.id, error: err instanceof ReturnError ? { code: 'INTERNAL', message: err.message } : describe(err) });
  }
}

async function finalize(): Promise<void> {
  try {
    await model?.finalize?.();
  } catch (err) {
    send({ type: 'log', level: 'error', message: `finalize() failed: ${describe(err).message}` });
  }
  send({ type: 'finalized' });
}

async function handle(msg: HostMessage): Promise<void> {
  switch (msg.type) {
    case 'autocomplete':
      return autoComplete(msg);
    case 'init':
      return init(msg);
    case 'execute':
      return execute(msg);
    case 'bls-result': {
      const resolve = pendingCalls.get(msg.callId);
      pendingCalls.delete(msg.callId);
      resolve?.(msg.result);
      return;
    }
    case 'finalize':
      return finalize();
  }
}

port.on('message', (msg: HostMessage) => {
  void handle(msg);
});
void load();
