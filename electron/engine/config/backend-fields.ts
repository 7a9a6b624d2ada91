/**
 * Fills platform, backend and default_model_filename from the files in a
 * model folder, in the order and with the quirks of Triton's
 * AutoCompleteBackendFields: it looks in the lexicographically first
 * sub-folder (not the newest version), and a name like `foo.bar` selects a
 * custom backend `bar`. The lab adds its script backend after Python.
 */
import type { ModelConfig } from './gen/model_config_pb';
import { BACKEND, FILENAME, PLATFORM, SCRIPT_FILENAMES } from './constants';
import type { ConfigIssue } from './issues';

/** What the model folder holds, as far as backend detection needs. */
export interface FolderFacts {
  /** Every sub-folder name of the model folder. */
  subdirs: string[];
  /** Entries of the first sub-folder (byte order): name → is a directory. */
  firstDirEntries: Map<string, boolean>;
}

function byteOrder(a: string, b: string): number {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return Buffer.compare(ba, bb);
}

export function firstSubdir(subdirs: string[]): string | undefined {
  return [...subdirs].sort(byteOrder)[0];
}

/**
 * Mutates `config` like Triton does. Returns an issue only for the custom
 * backend naming error; anything else left unresolved is caught by validation.
 */
export function autoCompleteBackendFields(modelName: string, config: ModelConfig, facts: FolderFacts): ConfigIssue | undefined {
  const hasVersion = facts.subdirs.length > 0;
  const has = (name: string): boolean => facts.firstDirEntries.has(name);
  const isDir = (name: string): boolean => facts.firstDirEntries.get(name) === true;
  if (!config.name) config.name = modelName;

  // TensorFlow: the platform is what matters.
  if (!config.platform && (!config.backend || config.backend === BACKEND.tensorflow)) {
    if (config.defaultModelFilename === FILENAME.tensorflowSavedmodel) config.platform = PLATFORM.tensorflowSavedmodel;
    else if (config.defaultModelFilename === FILENAME.tensorflowGraphdef) config.platform = PLATFORM.tensorflowGraphdef;
    else if (!config.defaultModelFilename && hasVersion) {
      if (has(FILENAME.tensorflowSavedmodel) && isDir(FILENAME.tensorflowSavedmodel)) config.platform = PLATFORM.tensorflowSavedmodel;
      if (has(FILENAME.tensorflowGraphdef) && !isDir(FILENAME.tensorflowGraphdef)) config.platform = PLATFORM.tensorflowGraphdef;
    }
  }
  if (config.platform === PLATFORM.tensorflowSavedmodel || config.platform === PLATFORM.tensorflowGraphdef) {
    config.backend ||= BACKEND.tensorflow;
    config.defaultModelFilename ||=
      config.platform === PLATFORM.tensorflowSavedmodel ? FILENAME.tensorflowSavedmodel : FILENAME.tensorflowGraphdef;
    return undefined;
  }

  const noHints = (): boolean => !config.platform && !config.defaultModelFilename && hasVersion;

  // TensorRT
  if (!config.backend) {
    if (config.platform === PLATFORM.tensorrtPlan || config.defaultModelFilename === FILENAME.tensorrtPlan) config.backend = BACKEND.tensorrt;
    else if (noHints() && has(FILENAME.tensorrtPlan) && !isDir(FILENAME.tensorrtPlan)) config.backend = BACKEND.tensorrt;
  }
  if (config.backend === BACKEND.tensorrt) {
    config.platform ||= PLATFORM.tensorrtPlan;
    config.defaultModelFilename ||= FILENAME.tensorrtPlan;
    return undefined;
  }

  // ONNX Runtime: model.onnx may be a folder holding a large model.
  if (!config.backend) {
    if (config.platform === PLATFORM.onnxruntimeOnnx || config.defaultModelFilename === FILENAME.onnx) config.backend = BACKEND.onnxruntime;
    else if (noHints() && has(FILENAME.onnx)) config.backend = BACKEND.onnxruntime;
  }
  if (config.backend === BACKEND.onnxruntime) {
    config.platform ||= PLATFORM.onnxruntimeOnnx;
    config.defaultModelFilename ||= FILENAME.onnx;
    return undefined;
  }

  // OpenVINO leaves the platform alone.
  if (!config.backend) {
    if (config.defaultModelFilename === FILENAME.openvino) config.backend = BACKEND.openvino;
    else if (noHints() && has(FILENAME.openvino)) config.backend = BACKEND.openvino;
  }
  if (config.backend === BACKEND.openvino) {
    config.defaultModelFilename ||= FILENAME.openvino;
    return undefined;
  }

  // PyTorch: TorchScript (model.pt) or AOTInductor (model.pt2).
  if (!config.backend) {
    if (
      config.platform === PLATFORM.pytorchLibtorch ||
      config.platform === PLATFORM.pytorchLibtorchAlt ||
      config.defaultModelFilename === FILENAME.pytorch
    ) {
      config.backend = BACKEND.pytorch;
    } else if (config.platform === PLATFORM.torchAoti || config.defaultModelFilename === FILENAME.torchAoti) {
      config.backend = BACKEND.pytorch;
    } else if (noHints()) {
      if (has(FILENAME.pytorch)) {
        if (!isDir(FILENAME.pytorch)) {
          config.backend = BACKEND.pytorch;
          config.platform = PLATFORM.pytorchLibtorch;
        }
      } else if (has(FILENAME.torchAoti) && !isDir(FILENAME.torchAoti)) {
        config.backend = BACKEND.pytorch;
        config.platform = PLATFORM.torchAoti;
      }
    }
  }
  if (config.backend === BACKEND.pytorch) {
    if (!config.platform) {
      config.platform = PLATFORM.pytorchLibtorch;
      config.defaultModelFilename ||= FILENAME.pytorch;
    } else if (config.platform === PLATFORM.torchAoti) {
      config.defaultModelFilename ||= FILENAME.torchAoti;
    }
    return undefined;
  }

  // Python
  if (!config.backend) {
    if (config.defaultModelFilename === FILENAME.python) config.backend = BACKEND.python;
    else if (noHints() && has(FILENAME.python)) config.backend = BACKEND.python;
  }
  if (config.backend === BACKEND.python) {
    config.defaultModelFilename ||= FILENAME.python;
    return undefined;
  }

  // Model Lab's script backend (model.js / model.mjs / model.ts).
  if (!config.backend) {
    const named = SCRIPT_FILENAMES.find((f) => f === config.defaultModelFilename);
    const found = noHints() ? SCRIPT_FILENAMES.find((f) => has(f) && !isDir(f)) : undefined;
    if (named ?? found) config.backend = BACKEND.script;
  }
  if (config.backend === BACKEND.script) {
    config.defaultModelFilename ||= SCRIPT_FILENAMES.find((f) => has(f) && !isDir(f)) ?? SCRIPT_FILENAMES[0];
    return undefined;
  }

  // A custom backend is named by the model folder: `<anything>.<backend>`.
  if (!config.backend && !config.platform && !config.defaultModelFilename) {
    const dot = modelName.indexOf('.');
    if (dot < 0) {
      return {
        severity: 'error',
        code: 'backend.undetermined',
        status: 'INVALID_ARG',
        message: `Invalid model name: Could not determine backend for model '${modelName}' with no backend in model configuration. Expected model name of the form 'model.<backend_name>'.`,
        path: ['backend'],
      };
    }
    config.backend = modelName.substring(dot + 1);
    config.defaultModelFilename = `model.${config.backend}`;
  }
  return undefined;
}
