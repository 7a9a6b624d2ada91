/**
 * What each backend does when a version is loaded: auto-complete from the
 * model files and the load-time checks of config against model. Backends the
 * lab cannot run are still described here so their configs are completed and
 * checked, and the reason they do not run is stated plainly.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import { type ModelConfig, ModelConfigSchema } from '../config/gen/model_config_pb';
import { configToTritonJson } from '../config/serialize';
import { scriptAutoComplete } from './script/host';
import { BACKEND, FILENAME, KNOWN_FOREIGN_BACKENDS } from '../config/constants';
import { type ConfigIssue, issue } from '../config/issues';
import { errorMessage } from '../errors';
import { type OnnxModelIO, readOnnxModelIOFile } from '../onnx/model-io';
import { autoCompleteOnnx, validateOnnxIO } from './onnxruntime/config';
import { validateIdentityConfig } from './identity/config';
import { preparePython } from './python/config';
import { readModelSource } from '../util/regular-file';

export interface PrepareContext {
  model: string;
  /** Absolute path of the version folder. */
  versionDir: string;
  config: ModelConfig;
  filled: Set<string>;
  autoComplete: boolean;
  defaultMaxBatchSize: number;
  /** The folder's code may run (workspace trust); false: scripts are read, never executed. */
  runCode?: boolean;
  /** The lab's Python interpreter setting. */
  python?: string;
  /** Aborted when the load is cancelled or the repository closes: a throwaway auto-complete child stops. */
  signal?: AbortSignal;
}

export interface PrepareResult {
  /** Problems in Triton's order; the first error is the version's reason. */
  issues: ConfigIssue[];
  /** The backend changed the config; Triton normalizes it again. */
  changed: boolean;
  modelFile?: string;
  onnx?: OnnxModelIO;
  /** IO is filled by code the lab cannot run (e.g. Python's auto_complete_config). */
  ioFromUnrunnableCode?: boolean;
}

export interface BackendDescriptor {
  name: string;
  runnable: boolean;
  /** Runs before the config's final validation (auto-complete). */
  complete(ctx: PrepareContext): Promise<PrepareResult>;
  /** Runs after it (config against model). */
  check(ctx: PrepareContext, prepared: PrepareResult): ConfigIssue | undefined;
}

/** 'special': a FIFO, device or socket (never opened: it could block or never end). */
async function exists(p: string): Promise<'file' | 'dir' | 'special' | undefined> {
  try {
    const st = await fs.stat(p);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'special';
  } catch {
    return undefined;
  }
}

const onnxruntime: BackendDescriptor = {
  name: BACKEND.onnxruntime,
  runnable: true,
  async complete(ctx) {
    let file = path.join(ctx.versionDir, ctx.config.defaultModelFilename || FILENAME.onnx);
    // A folder named like the model file holds a large model and its external data.
    if ((await exists(file)) === 'dir') file = path.join(file, FILENAME.onnx);
    // A FIFO or device goes on to the reader, which refuses it unread and says what it is.
    if ((await exists(file)) === undefined) {
      return { issues: [issue('model-file.missing', `unable to find '${file}' for model instance '${ctx.model}'`, undefined, 'UNAVAILABLE')], changed: false };
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
  },
  check(ctx, prepared) {
    return prepared.onnx ? validateOnnxIO(ctx.config, prepared.onnx) : undefined;
  },
};

const script: BackendDescriptor = {
  name: BACKEND.script,
  runnable: true,
  async complete(ctx) {
    const file = path.join(ctx.versionDir, ctx.config.defaultModelFilename);
    const kind = await exists(file);
    if (kind === 'special') {
      return { issues: [issue('model-file.invalid', `'${file}' for model instance '${ctx.model}' is not a regular file (a FIFO or device is never read)`, undefined, 'INVALID_ARG')], changed: false };
    }
    if (kind !== 'file') {
      return { issues: [issue('model-file.missing', `unable to find '${file}' for model instance '${ctx.model}'`, undefined, 'UNAVAILABLE')], changed: false };
    }
    if (!ctx.autoComplete) return { issues: [], changed: false, modelFile: file };
    if (ctx.runCode === false) return { issues: [], changed: false, modelFile: file };
    // Only scripts that define it pay for a worker at load time.
    const text = await readModelSource(file);
    if (!/autoCompleteConfig|auto_complete_config/.test(text)) return { issues: [], changed: false, modelFile: file };
    try {
      const json = await scriptAutoComplete(
        { file, versionDir: ctx.versionDir, modelDir: path.dirname(ctx.versionDir), instanceName: `${ctx.model}_autocomplete` },
        configToTritonJson(ctx.config),
        () => undefined,
        30_000,
        ctx.signal,
      );
      const changed = json ? applyScriptAutoComplete(ctx.config, json, ctx.filled) : false;
      return { issues: [], changed, modelFile: file };
    } catch (err) {
      return { issues: [issue('script.auto-complete', errorMessage(err), undefined, 'INTERNAL')], changed: false, modelFile: file };
    }
  },
  check: () => undefined,
};

/** Takes what a script's autoCompleteConfig may set, as Triton's UpdateModelConfig does. */
function applyScriptAutoComplete(c: ModelConfig, json: Record<string, unknown>, filled: Set<string>): boolean {
  const next = fromJson(ModelConfigSchema, json as JsonValue);
  let changed = false;
  if (next.maxBatchSize !== c.maxBatchSize) {
    c.maxBatchSize = next.maxBatchSize;
    filled.add('max_batch_size');
    changed = true;
  }
  if (next.input.length !== c.input.length) {
    c.input = next.input;
    filled.add('input');
    changed = true;
  }
  if (next.output.length !== c.output.length) {
    c.output = next.output;
    filled.add('output');
    changed = true;
  }
  if (c.schedulingChoice.case === undefined && next.schedulingChoice.case !== undefined) {
    c.schedulingChoice = next.schedulingChoice;
    filled.add(next.schedulingChoice.case === 'dynamicBatching' ? 'dynamic_batching' : 'sequence_batching');
    changed = true;
  }
  if (next.modelTransactionPolicy && !c.modelTransactionPolicy) {
    c.modelTransactionPolicy = next.modelTransactionPolicy;
    filled.add('model_transaction_policy');
    changed = true;
  }
  return changed;
}

/** Triton's Python backend: model.py in a stub process per instance (backends/python). */
const python: BackendDescriptor = {
  name: BACKEND.python,
  runnable: true,
  async complete(ctx) {
    const p = await preparePython(ctx);
    const changed = p.completed ? applyScriptAutoComplete(ctx.config, p.completed, ctx.filled) : false;
    return {
      issues: p.issues,
      changed,
      ...(p.modelFile ? { modelFile: p.modelFile } : {}),
      ...(p.ioFromUnrunnableCode ? { ioFromUnrunnableCode: true } : {}),
    };
  },
  check: () => undefined,
};

const identity: BackendDescriptor = {
  name: BACKEND.identity,
  runnable: true,
  complete: () => Promise.resolve({ issues: [], changed: false }),
  check: (ctx) => validateIdentityConfig(ctx.config),
};

/** Why a backend does not run here, and what to do instead. */
const FOREIGN: Record<string, { why: string; fix: string }> = {
  [BACKEND.pytorch]: { why: "Model Lab cannot run PyTorch models (backend 'pytorch' needs LibTorch)", fix: 'Export the model to ONNX to run it here.' },
  [BACKEND.tensorflow]: { why: "Model Lab cannot run TensorFlow models (backend 'tensorflow')", fix: 'Export the model to ONNX (for example with tf2onnx) to run it here.' },
  [BACKEND.tensorrt]: {
    why: "Model Lab cannot run TensorRT engines (backend 'tensorrt')",
    fix: 'A model.plan is built for one GPU and TensorRT version; run the ONNX model it was built from instead.',
  },
  [BACKEND.openvino]: { why: "Model Lab cannot run OpenVINO models (backend 'openvino')", fix: 'Run the ONNX model it was converted from instead.' },
};

function foreign(name: string): BackendDescriptor {
  return {
    name,
    runnable: false,
    async complete(ctx) {
      const file = path.join(ctx.versionDir, ctx.config.defaultModelFilename);
      const hasFile = ctx.config.defaultModelFilename ? await exists(file) : undefined;
      const { why, fix } = FOREIGN[name] ?? { why: `Model Lab cannot run the '${name}' backend`, fix: '' };
      const missing = ctx.config.defaultModelFilename && !hasFile ? ` Note that '${file}' is missing too.` : '';
      const notice: ConfigIssue = {
        ...issue('backend.not-runnable', `${why}; its config was read, completed and checked`, ['backend'], 'UNSUPPORTED'),
        severity: 'info',
        fix: `${fix}${missing}`.trim(),
      };
      return {
        issues: [notice],
        changed: false,
        ...(hasFile ? { modelFile: file } : {}),
      };
    },
    check: () => undefined,
  };
}

function unknownBackend(name: string): BackendDescriptor {
  return {
    name,
    runnable: false,
    complete: () =>
      Promise.resolve({
        issues: [issue('backend.unknown', `unable to find backend library for backend '${name}', try specifying runtime on the model configuration.`, ['backend'])],
        changed: false,
      }),
    check: () => undefined,
  };
}

const RUNNABLE: Record<string, BackendDescriptor> = { onnxruntime, script, python, identity };

export function backendFor(name: string): BackendDescriptor {
  return RUNNABLE[name] ?? (KNOWN_FOREIGN_BACKENDS.has(name) ? foreign(name) : unknownBackend(name));
}
