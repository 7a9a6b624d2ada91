/**
 * Triton's ONNX Runtime backend as the lab runs it: model.onnx (or a folder of
 * that name holding a large model and its external data) read for
 * auto-complete and the load-time checks (config.ts), and one ONNX Runtime
 * session per instance (instance.ts), on CUDA when the config asks for a GPU
 * and this install has it, else on CPU with the reason recorded. ONNX Runtime
 * itself is loaded on the first session (runtime.ts), so reading, checking
 * and auto-completing ONNX models works where its native binding does not load.
 */
import path from 'node:path';
import type { InstancePlacement } from '../../../contract/lab-api';
import { BACKEND, FILENAME, PLATFORM } from '../../config/constants';
import { issue } from '../../config/issues';
import { LabError, errorMessage } from '../../errors';
import { type OnnxModelIO, readOnnxModelIOFile } from '../../onnx/model-io';
import { modelFileMissing } from '../../triton-errors';
import { type Backend, type InstanceSpec, type LoadContext, type LoadedInstances, type PrepareContext, type PrepareResult, filesDecide, pathKind } from '../backend';
import { param, startAll } from '../instances';
import { autoCompleteOnnx, validateOnnxIO } from './config';
import { createSession, OnnxInstance } from './instance';
import { cudaSupport, loadOrt, packagedRuntime } from './runtime';

/** Reads the model's inputs and outputs, then auto-completes the config from them. */
async function complete(ctx: PrepareContext): Promise<PrepareResult> {
  let file = path.join(ctx.versionDir, ctx.config.defaultModelFilename || FILENAME.onnx);
  // A folder named like the model file holds a large model and its external data.
  if ((await pathKind(file)) === 'dir') file = path.join(file, FILENAME.onnx);
  // A FIFO or device goes on to the reader, which refuses it unread and says what it is.
  if ((await pathKind(file)) === undefined) {
    return { issues: [modelFileMissing(file, ctx.model)], changed: false };
  }
  let onnx: OnnxModelIO;
  try {
    onnx = await readOnnxModelIOFile(file);
  } catch (err) {
    return {
      issues: [issue('model-file.invalid', `unable to load model '${ctx.model}': failed to read '${file}': ${errorMessage(err)}`, undefined, 'INTERNAL')],
      changed: false,
      modelFile: file,
    };
  }
  if (!ctx.autoComplete) return { issues: [], changed: false, modelFile: file, onnx };
  const { issues, changed } = autoCompleteOnnx(ctx.config, onnx, ctx.filled, ctx.defaultMaxBatchSize);
  return { issues, changed, modelFile: file, onnx };
}

/**
 * Why a GPU asked for is not used, with the fix that fits: an installed app is replaced by its CUDA
 * build (a user has no npm to reinstall with); an npm install gets the provider libraries.
 */
export function noCudaNote(packaged: boolean): string {
  return packaged
    ? 'the config asks for a GPU, but this build of Model Lab has no CUDA execution provider (the CUDA build of the Linux x64 installers has it); running on CPU'
    : 'the config asks for a GPU, but this onnxruntime-node install has no CUDA execution provider (reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12 on a machine with CUDA 12); running on CPU';
}

/** ONNX Runtime's own session config key, accepted as a model config parameter. */
const ALLOW_SPINNING = 'session.intra_op.allow_spinning';

/** Whether sessions may ask for CUDA; when not and a GPU is asked for, why goes to the model's log. */
async function cudaUsable(specs: InstanceSpec[], ctx: LoadContext): Promise<boolean> {
  // A binding that does not load throws here: the model is UNAVAILABLE with the reason (runtime.ts).
  const cuda = cudaSupport(await loadOrt());
  if (!cuda.usable && specs.some((s) => s.kind === 'GPU')) ctx.log('info', `${ctx.model}: ${cuda.why ?? 'no CUDA'}`);
  return cuda.usable;
}

/** One session per instance; a GPU asked for but not available falls back to CPU, and the reason is logged and kept. */
async function instances(specs: InstanceSpec[], ctx: LoadContext): Promise<LoadedInstances> {
  const file = ctx.modelFile;
  if (!file) throw new LabError('UNAVAILABLE', `no model file for '${ctx.model}'`);
  const cuda = await cudaUsable(specs, ctx);
  let fallback: string | undefined;
  const devices = new Set<string>();
  const placements: InstancePlacement[] = [];
  const started = await startAll(specs, ctx, async (s) => {
    const wantGpu = s.kind === 'GPU' && cuda;
    if (s.kind === 'GPU' && !cuda) fallback = noCudaNote(packagedRuntime());
    const choice = await createSession({
      file,
      wantGpu,
      gpuId: s.gpu,
      intraOpThreads: param(ctx.config, 'intra_op_thread_count', 2),
      // Off unless the config asks: with several models on a few cores, spinning threads starve the others.
      allowSpinning: ctx.config.parameters[ALLOW_SPINNING]?.stringValue === '1',
      graphLevel: ctx.config.optimization?.graph?.level ?? 0,
    });
    if (choice.fallback) fallback = choice.fallback;
    devices.add(choice.device);
    placements.push({ name: s.name, device: choice.device, provider: choice.provider });
    return new OnnxInstance(s.name, choice.device, choice.provider, choice.session, ctx.config);
  });
  if (fallback) ctx.log('warn', `${ctx.model}: ${fallback}`);
  return { instances: started, device: [...devices].join(', ') || 'CPU', ...(fallback ? { fallback } : {}), placements };
}

export const onnxruntime: Backend = {
  name: BACKEND.onnxruntime,
  runs: 'ONNX models, in ONNX Runtime',
  runsUserCode: false,
  // model.onnx may be a folder holding a large model.
  fields(c, folder) {
    if (!c.backend) {
      if (c.platform === PLATFORM.onnxruntimeOnnx || c.defaultModelFilename === FILENAME.onnx) c.backend = BACKEND.onnxruntime;
      else if (filesDecide(c, folder) && folder.has(FILENAME.onnx)) c.backend = BACKEND.onnxruntime;
    }
    if (c.backend !== BACKEND.onnxruntime) return false;
    c.platform ||= PLATFORM.onnxruntimeOnnx;
    c.defaultModelFilename ||= FILENAME.onnx;
    return true;
  },
  complete,
  check: (ctx, prepared) => (prepared.onnx ? validateOnnxIO(ctx.config, prepared.onnx) : undefined),
  instances,
};
