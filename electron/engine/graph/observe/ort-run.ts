/**
 * One ONNX Runtime session for one observation: created from the augmented
 * model in memory with the playground's CPU settings (two intra-op threads,
 * no spinning, so it does not starve the served models), told where external
 * weights live (the model file's folder, where ONNX Runtime itself would look
 * and which it keeps them inside), run once, and released once the run has
 * settled, also when the caller gave up waiting (a cancelled observation).
 * One session at a time in the process: every intermediate value of a large
 * model at once is hundreds of megabytes, so a second observation waits for
 * the first run to end (a cancelled one included) instead of doubling that.
 * ONNX Runtime is loaded on the first observation, not at startup (runtime.ts):
 * where its binding does not load, "Run to see" says so and the graph still opens.
 */
import type * as ort from 'onnxruntime-node';
import { fromOrt, toOrt } from '../../backends/onnxruntime/instance';
import { type Ort, loadOrt } from '../../backends/onnxruntime/runtime';
import { LabError, errorMessage } from '../../errors';
import type { Tensor } from '../../tensor/tensor';

export interface OrtRunOptions {
  /** Folder of the model file: external data is looked for there. */
  modelDir: string;
  /** Whether the model keeps weights in external files (for the error message). */
  external: boolean;
  intraOpThreads?: number;
  signal?: AbortSignal;
}

export interface FetchedValue {
  name: string;
  /** Absent when ONNX Runtime returned something the viewers cannot show (a sequence, a map, an unknown type). */
  tensor?: Tensor;
  /** What it was instead, for the note. */
  kind?: string;
}

function loadError(err: unknown, external: boolean): LabError {
  const first = errorMessage(err).split('\n')[0] ?? '';
  // ONNX Runtime's words for a weights file it could not open or would not read (outside the model's folder).
  const hint =
    external && /external|location|no such file|open file|not found|outside/i.test(first)
      ? " The model keeps weights in external data files: they must be in the model file's folder (inside the repository), named as the model names them."
      : ' Check that the model loads in the Run tab; a model ONNX Runtime cannot run cannot be observed.';
  return new LabError('INVALID_ARG', `ONNX Runtime cannot load this model for "Run to see": ${first}.${hint}`, { cause: err });
}

function cancelled(signal: AbortSignal | undefined): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal?.aborted) reject(new LabError('CANCELLED', 'cancelled'));
    signal?.addEventListener('abort', () => reject(new LabError('CANCELLED', 'cancelled')), { once: true });
  });
}

async function createObserveSession(runtime: Ort, bytes: Uint8Array, opts: OrtRunOptions): Promise<ort.InferenceSession> {
  const spin = { allow_spinning: '0' };
  try {
    return await runtime.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: opts.intraOpThreads ?? 2,
      interOpNumThreads: 1,
      // Not 'extended' or 'all': onnxruntime-node 1.30 crashes the process (SIGSEGV) when a Range output and
      // the Gather it feeds are both requested, the position-ids pattern of most transformer exports.
      graphOptimizationLevel: 'basic',
      extra: { session: { intra_op: spin, inter_op: spin, model_external_initializers_file_folder_path: opts.modelDir } },
    });
  } catch (err) {
    throw loadError(err, opts.external);
  }
}

function convert(runtime: Ort, name: string, v: ort.OnnxValue | undefined): FetchedValue {
  if (!(v instanceof runtime.Tensor)) return { name, kind: v === undefined ? 'nothing' : Array.isArray(v) ? 'a sequence' : 'a non-tensor value' };
  try {
    return { name, tensor: fromOrt(name, v) };
  } catch {
    return { name, kind: `an ONNX ${v.type} tensor` };
  }
}

/** Settles once the observation session in use (if any) has been released. */
let idle: Promise<void> = Promise.resolve();

/** Runs the model once and returns every fetched value; the session is released whatever happens. */
export async function runObserved(bytes: Uint8Array, inputs: readonly Tensor[], fetch: readonly string[], opts: OrtRunOptions): Promise<FetchedValue[]> {
  const before = idle;
  let done = (): void => undefined;
  idle = new Promise<void>((resolve) => (done = resolve));
  try {
    await Promise.race([before, cancelled(opts.signal)]);
  } catch (err) {
    // Whoever comes next waits for the session before this one, not for this one that never ran.
    void before.then(done);
    throw err;
  }
  let session: ort.InferenceSession;
  let runtime: Ort;
  try {
    runtime = await loadOrt();
    session = await createObserveSession(runtime, bytes, opts);
  } catch (err) {
    done();
    throw err;
  }
  let running: Promise<ort.InferenceSession.OnnxValueMapType> | undefined;
  try {
    if (opts.signal?.aborted) throw new LabError('CANCELLED', 'cancelled');
    const feeds: Record<string, ort.Tensor> = {};
    for (const t of inputs) feeds[t.name] = toOrt(t);
    running = session.run(feeds, [...fetch]);
    // ONNX Runtime cannot stop a run midway: a cancelled observation stops waiting, and the session goes once the run ends.
    const out = await Promise.race([running, cancelled(opts.signal)]).catch((err: unknown) => {
      if (err instanceof LabError) throw err;
      const first = errorMessage(err).split('\n')[0] ?? '';
      throw new LabError('INVALID_ARG', `ONNX Runtime could not run the model on this input: ${first}. Check the input's shape and values in the Run tab, or use generated input.`, { cause: err });
    });
    return fetch.map((name) => convert(runtime, name, out[name]));
  } finally {
    const release = (): void => void session.release().then(done, done);
    if (running) void running.then(release, release);
    else release();
  }
}
