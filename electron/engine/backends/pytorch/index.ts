/**
 * Triton's PyTorch backend for TorchScript models (`platform:
 * "pytorch_libtorch"` or `backend: "pytorch"`, `<version>/model.pt`), run in a
 * Python process with torch. Each instance is a Python backend instance
 * (PythonInstance: one stub process on the child supervisor) whose model is
 * the lab's runner, py/model_lab_pytorch.py, in place of a model.py: so
 * dynamic batching, instance groups, restarts, BLS calls into it and
 * cancellation work as they do for Python models, and the runner follows
 * Triton's LibTorch conventions (naming, datatypes, batching, parameters,
 * error wording). A TorchScript archive is code, so workspace trust applies;
 * the interpreter is the Python backend's (the lab's setting included).
 * AOTInductor archives (`platform: "torch_aoti"`, model.pt2) are detected
 * and refused with the reason.
 */
import path from 'node:path';
import type { ModelConfig } from '../../config/gen/model_config_pb';
import { BACKEND, FILENAME, PLATFORM } from '../../config/constants';
import { type ConfigIssue, issue } from '../../config/issues';
import { LabError, errorMessage } from '../../errors';
import { modelFileMissing } from '../../triton-errors';
import { type Backend, type FolderView, type InstanceSpec, type LoadContext, type LoadedInstances, type PrepareContext, type PrepareResult, filesDecide, pathKind } from '../backend';
import { startSupervised } from '../instances';
import { PythonInstance } from '../python/instance';
import { checkPytorchConfig, skippedAutoComplete } from './config';
import { runnerFile } from './resources';
import { type TorchEnv, findTorch } from './torch-probe';

/** Triton sets the platform while detecting a model.pt or model.pt2 file, not when the config names one. */
function detectPytorch(c: ModelConfig, folder: FolderView): void {
  if (c.platform === PLATFORM.pytorchLibtorch || c.platform === PLATFORM.pytorchLibtorchAlt || c.defaultModelFilename === FILENAME.pytorch) {
    c.backend = BACKEND.pytorch;
  } else if (c.platform === PLATFORM.torchAoti || c.defaultModelFilename === FILENAME.torchAoti) {
    c.backend = BACKEND.pytorch;
  } else if (filesDecide(c, folder)) {
    if (folder.has(FILENAME.pytorch)) {
      if (!folder.isDir(FILENAME.pytorch)) {
        c.backend = BACKEND.pytorch;
        c.platform = PLATFORM.pytorchLibtorch;
      }
    } else if (folder.has(FILENAME.torchAoti) && !folder.isDir(FILENAME.torchAoti)) {
      c.backend = BACKEND.pytorch;
      c.platform = PLATFORM.torchAoti;
    }
  }
}

function unavailable(err: unknown): ConfigIssue {
  const e = err instanceof LabError ? err : new LabError('UNAVAILABLE', errorMessage(err));
  return { ...issue('pytorch.unavailable', e.message, ['backend'], e.code), ...(e.reason ? { reason: e.reason } : {}) };
}

/** The model file, torch for the interpreter (unless the folder is untrusted: then nothing runs, not even the probe). */
async function complete(ctx: PrepareContext): Promise<PrepareResult> {
  if (ctx.config.platform === PLATFORM.torchAoti) {
    const refused = issue(
      'pytorch.aoti',
      "Model Lab runs TorchScript models (platform 'pytorch_libtorch', model.pt); AOTInductor archives (platform 'torch_aoti', model.pt2) do not run here",
      ['platform'],
      'UNSUPPORTED',
    );
    return { issues: [{ ...refused, fix: 'Save the model with torch.jit.script(model).save("model.pt") and set platform: "pytorch_libtorch", or export it to ONNX.' }], changed: false };
  }
  const file = path.join(ctx.versionDir, ctx.config.defaultModelFilename || FILENAME.pytorch);
  const notes = ctx.autoComplete && (ctx.config.input.length === 0 || ctx.config.output.length === 0) ? [skippedAutoComplete(ctx.model)] : [];
  if ((await pathKind(file)) !== 'file') return { issues: [...notes, modelFileMissing(file, ctx.model)], changed: false };
  if (ctx.runCode === false) return { issues: notes, changed: false, modelFile: file };
  try {
    await findTorch(ctx.config, path.dirname(ctx.versionDir), ctx.python);
  } catch (err) {
    return { issues: [...notes, unavailable(err)], changed: false, modelFile: file };
  }
  return { issues: notes, changed: false, modelFile: file };
}

/** An instance that failed to start: the runner's own message, without the stub's wording and the runner's frames. */
function loadFailure(err: unknown): LabError {
  const e = err instanceof LabError ? err : new LabError('INTERNAL', errorMessage(err));
  const message = e.message.replace(/^initialize\(\) failed: /, '').replace(/\n\nAt:\n[\s\S]*$/, '');
  return new LabError(e.code, message, e.reason ? { reason: e.reason } : undefined);
}

/** Where the instances run: a GPU when one is asked for and torch has CUDA, else the CPU with the reason. */
function placement(specs: InstanceSpec[], env: TorchEnv): Pick<LoadedInstances, 'device' | 'fallback'> {
  const gpus = specs.filter((s) => s.kind === 'GPU');
  if (gpus.length === 0) return { device: 'CPU' };
  const missing = gpus.filter((s) => s.gpu >= env.cudaDevices);
  const used = [...new Set(gpus.filter((s) => s.gpu < env.cudaDevices).map((s) => `GPU ${s.gpu}`))];
  const cpu = missing.length > 0 || gpus.length < specs.length;
  const device = [...used, ...(cpu ? ['CPU'] : [])].join(', ');
  if (missing.length === 0) return { device };
  const why =
    env.cudaDevices === 0
      ? `KIND_GPU was asked for, but torch ${env.torch} of ${env.executable} has no CUDA (torch.cuda.is_available() is False); running on CPU`
      : `KIND_GPU was asked for on GPU ${missing[0]!.gpu}, but torch sees ${env.cudaDevices} GPU(s); that instance runs on CPU`;
  return { device, fallback: why };
}

async function instances(specs: InstanceSpec[], ctx: LoadContext): Promise<LoadedInstances> {
  if (!ctx.modelFile) throw new LabError('UNAVAILABLE', `no model file for '${ctx.model}'`);
  const env = await findTorch(ctx.config, ctx.modelDir, ctx.python);
  const file = runnerFile();
  const where = placement(specs, env);
  if (where.fallback) ctx.log('warn', `${ctx.model}: ${where.fallback}`);
  const started = await startSupervised(specs, ctx, (s, opts) =>
    PythonInstance.start({ ...opts, executable: env.executable, setup: { file, versionDir: ctx.versionDir, modelName: ctx.model, instanceName: s.name } }).catch((err: unknown) => {
      throw loadFailure(err);
    }),
  );
  ctx.log('info', `${ctx.model}: TorchScript ${path.basename(ctx.modelFile)} on torch ${env.torch}, Python ${env.python} (${env.executable}), ${where.device}`);
  return { instances: started, ...where };
}

export const pytorch: Backend = {
  name: BACKEND.pytorch,
  runs: 'PyTorch TorchScript models (model.pt), in a Python process with torch per instance',
  runsUserCode: true,
  usesPythonSetting: true,
  fields(c, folder) {
    if (!c.backend) detectPytorch(c, folder);
    if (c.backend !== BACKEND.pytorch) return false;
    if (!c.platform) {
      c.platform = PLATFORM.pytorchLibtorch;
      c.defaultModelFilename ||= FILENAME.pytorch;
    } else if (c.platform === PLATFORM.torchAoti) {
      c.defaultModelFilename ||= FILENAME.torchAoti;
    }
    return true;
  },
  complete,
  check: (ctx) => checkPytorchConfig(ctx.config),
  instances,
};
