/**
 * Backends Triton ships that the lab describes but cannot run (TensorFlow,
 * TensorRT, OpenVINO; PyTorch runs: backends/pytorch), and custom backends it does not know. Their
 * configs are still detected, completed and checked as Triton would; loading
 * a version says plainly why it does not run here and what to do instead.
 */
import path from 'node:path';
import type { ModelConfig } from '../../config/gen/model_config_pb';
import { BACKEND, FILENAME, PLATFORM } from '../../config/constants';
import { type ConfigIssue, issue } from '../../config/issues';
import { type Backend, type FolderView, filesDecide, pathKind } from '../backend';

interface Foreign {
  name: string;
  /** What it runs ("PyTorch models"): the notice says the lab cannot run them. */
  runs: string;
  /** Said after what it runs, e.g. "(backend 'pytorch' needs LibTorch)". */
  note: string;
  /** What to do instead. */
  fix: string;
  fields: (c: ModelConfig, folder: FolderView) => boolean;
}

/** Versions load to a notice: the backend does not run here, what to do instead, and a missing model file if it is. */
function foreign(f: Foreign): Backend {
  return {
    name: f.name,
    runs: f.runs,
    runsUserCode: false,
    fields: f.fields,
    async complete(ctx) {
      const file = path.join(ctx.versionDir, ctx.config.defaultModelFilename);
      const hasFile = ctx.config.defaultModelFilename ? await pathKind(file) : undefined;
      const missing = ctx.config.defaultModelFilename && !hasFile ? ` Note that '${file}' is missing too.` : '';
      const notice: ConfigIssue = {
        ...issue('backend.not-runnable', `Model Lab cannot run ${f.runs} ${f.note}; its config was read, completed and checked`, ['backend'], 'UNSUPPORTED'),
        severity: 'info',
        fix: `${f.fix}${missing}`.trim(),
      };
      return { issues: [notice], changed: false, ...(hasFile ? { modelFile: file } : {}) };
    },
    check: () => undefined,
  };
}

/** TensorFlow: the platform is what matters. */
export const tensorflow = foreign({
  name: BACKEND.tensorflow,
  runs: 'TensorFlow models',
  note: "(backend 'tensorflow')",
  fix: 'Export the model to ONNX (for example with tf2onnx) to run it here.',
  fields(c, folder) {
    if (!c.platform && (!c.backend || c.backend === BACKEND.tensorflow)) {
      if (c.defaultModelFilename === FILENAME.tensorflowSavedmodel) c.platform = PLATFORM.tensorflowSavedmodel;
      else if (c.defaultModelFilename === FILENAME.tensorflowGraphdef) c.platform = PLATFORM.tensorflowGraphdef;
      else if (!c.defaultModelFilename && folder.hasVersion) {
        if (folder.has(FILENAME.tensorflowSavedmodel) && folder.isDir(FILENAME.tensorflowSavedmodel)) c.platform = PLATFORM.tensorflowSavedmodel;
        if (folder.has(FILENAME.tensorflowGraphdef) && !folder.isDir(FILENAME.tensorflowGraphdef)) c.platform = PLATFORM.tensorflowGraphdef;
      }
    }
    if (c.platform !== PLATFORM.tensorflowSavedmodel && c.platform !== PLATFORM.tensorflowGraphdef) return false;
    c.backend ||= BACKEND.tensorflow;
    c.defaultModelFilename ||= c.platform === PLATFORM.tensorflowSavedmodel ? FILENAME.tensorflowSavedmodel : FILENAME.tensorflowGraphdef;
    return true;
  },
});

export const tensorrt = foreign({
  name: BACKEND.tensorrt,
  runs: 'TensorRT engines',
  note: "(backend 'tensorrt')",
  fix: 'A model.plan is built for one GPU and TensorRT version; run the ONNX model it was built from instead.',
  fields(c, folder) {
    if (!c.backend) {
      if (c.platform === PLATFORM.tensorrtPlan || c.defaultModelFilename === FILENAME.tensorrtPlan) c.backend = BACKEND.tensorrt;
      else if (filesDecide(c, folder) && folder.has(FILENAME.tensorrtPlan) && !folder.isDir(FILENAME.tensorrtPlan)) c.backend = BACKEND.tensorrt;
    }
    if (c.backend !== BACKEND.tensorrt) return false;
    c.platform ||= PLATFORM.tensorrtPlan;
    c.defaultModelFilename ||= FILENAME.tensorrtPlan;
    return true;
  },
});

/** OpenVINO leaves the platform alone. */
export const openvino = foreign({
  name: BACKEND.openvino,
  runs: 'OpenVINO models',
  note: "(backend 'openvino')",
  fix: 'Run the ONNX model it was converted from instead.',
  fields(c, folder) {
    if (!c.backend) {
      if (c.defaultModelFilename === FILENAME.openvino) c.backend = BACKEND.openvino;
      else if (filesDecide(c, folder) && folder.has(FILENAME.openvino)) c.backend = BACKEND.openvino;
    }
    if (c.backend !== BACKEND.openvino) return false;
    c.defaultModelFilename ||= FILENAME.openvino;
    return true;
  },
});

/** A backend nobody ships: Triton looks for its library and fails; so does the lab. */
export function unknownBackend(name: string): Backend {
  return {
    name,
    runs: `models of the custom backend '${name}'`,
    runsUserCode: false,
    complete: () =>
      Promise.resolve({
        issues: [issue('backend.unknown', `unable to find backend library for backend '${name}', try specifying runtime on the model configuration.`, ['backend'])],
        changed: false,
      }),
    check: () => undefined,
  };
}
