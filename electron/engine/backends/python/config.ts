/**
 * What loading a Python model does before its instances start: find
 * model.py, find a Python with numpy (else UNAVAILABLE with what to install),
 * and run TritonPythonModel.auto_complete_config when model.py defines it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ModelConfig } from '../../config/gen/model_config_pb';
import { FILENAME } from '../../config/constants';
import { type ConfigIssue, issue } from '../../config/issues';
import { configToTritonJson } from '../../config/serialize';
import { LabError, errorMessage } from '../../errors';
import { invalidStubName, modelFileMissing } from '../../triton-errors';
import { pythonAutoComplete } from './instance';
import { findPython } from './interpreter';
import { isValidStubName } from './stub-name';
import { readModelSource } from '../../util/regular-file';

export interface PythonPrepared {
  issues: ConfigIssue[];
  modelFile?: string;
  /** The config as auto_complete_config left it (Triton's JSON shape), when it ran. */
  completed?: Record<string, unknown>;
  /** Inputs or outputs are missing and only model.py could have added them. */
  ioFromUnrunnableCode?: boolean;
}

export async function preparePython(ctx: {
  model: string;
  versionDir: string;
  config: ModelConfig;
  autoComplete: boolean;
  runCode?: boolean;
  python?: string;
  signal?: AbortSignal;
}): Promise<PythonPrepared> {
  // Triton's auto-complete stub is named after the model, and its name is checked before it starts.
  if (ctx.autoComplete && !isValidStubName(ctx.model)) return { issues: [issue('python.stub-name', invalidStubName().message)] };
  const file = path.join(ctx.versionDir, ctx.config.defaultModelFilename || FILENAME.python);
  const isFile = await fs
    .stat(file)
    .then((s) => s.isFile())
    .catch(() => false);
  if (!isFile) {
    return { issues: [modelFileMissing(file, ctx.model)] };
  }
  const ioMissing = ctx.config.input.length === 0 || ctx.config.output.length === 0;
  // An untrusted folder: model.py is read, never run.
  if (ctx.runCode === false) return { issues: [], modelFile: file, ioFromUnrunnableCode: ioMissing };
  const modelDir = path.dirname(ctx.versionDir);
  let executable: string;
  try {
    executable = (await findPython(ctx.config, modelDir, ctx.python)).executable;
  } catch (err) {
    const e = err instanceof LabError ? err : new LabError('UNAVAILABLE', errorMessage(err));
    const unavailable: ConfigIssue = { ...issue('python.unavailable', e.message, ['backend'], e.code), ...(e.reason ? { reason: e.reason } : {}) };
    return { issues: [unavailable], modelFile: file, ioFromUnrunnableCode: ioMissing };
  }
  if (!ctx.autoComplete) return { issues: [], modelFile: file };
  // Only a model.py that defines it pays for a process at load time.
  const text = await readModelSource(file);
  if (!/\bauto_complete_config\b/.test(text)) return { issues: [], modelFile: file };
  try {
    const completed = await pythonAutoComplete(executable, { file, versionDir: ctx.versionDir, modelName: ctx.model }, configToTritonJson(ctx.config), () => undefined, 30_000, ctx.signal);
    return { issues: [], modelFile: file, ...(completed ? { completed } : {}) };
  } catch (err) {
    return { issues: [issue('python.auto-complete', errorMessage(err), undefined, 'INTERNAL')], modelFile: file };
  }
}
