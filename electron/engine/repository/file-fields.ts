/**
 * The config fields that name files, checked before anything is read or run
 * (containment.ts says which check and why):
 * - default_model_filename and cc_model_filenames (the model file a backend
 *   loads, model.py included): lexically inside the model folder, checked
 *   before a backend's auto-complete can start model.py;
 * - output label_filename (served in classification outputs), model_warmup
 *   input_data_file (read at load) and the TRITON_BATCH_STRATEGY_PATH
 *   parameter: real paths inside the model folder, as Triton checks labels
 *   and batching libraries.
 * Triton has no check for model files or warm-up files; the lab's are
 * stricter (docs/TRITON-PARITY.md).
 */
import path from 'node:path';
import type { ModelConfig } from '../config/gen/model_config_pb';
import { type ConfigIssue, issue } from '../config/issues';
import { escapesLexically, escapesReally } from './containment';

export const BATCH_STRATEGY_PATH = 'TRITON_BATCH_STRATEGY_PATH';
/** Triton reads warm-up data files from this folder of the model. */
export const WARMUP_FOLDER = 'warmup';

/** Model file names (relative to a version folder) that leave the model folder. */
export function modelFileIssues(modelDir: string, versionDir: string, c: ModelConfig): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const check = (name: string, field: string, at: ConfigIssue['path']): void => {
    if (!name) return;
    const { escapes, normalized } = escapesLexically(modelDir, versionDir, name);
    if (escapes) out.push(issue('model-file.outside', `Invalid ${field} '${name}' with normalized path '${normalized}' must stay within model directory.`, at));
  };
  check(c.defaultModelFilename, 'default_model_filename', ['default_model_filename']);
  for (const [key, name] of Object.entries(c.ccModelFilenames)) check(name, `cc_model_filenames '${key}'`, ['cc_model_filenames', { key }]);
  return out;
}

/** A file the lab reads for the model (labels, warm-up data), and where it is named in the config. */
export interface NamedFile {
  file: string;
  /** The name as the config writes it ('' for a path taken as it is, the batching library's). */
  name: string;
  message: (file: string) => string;
  code: string;
  path: ConfigIssue['path'];
  status: ConfigIssue['status'];
}

/** Every file of a config that the lab reads itself, as absolute paths under the model folder. */
export function readFiles(modelName: string, modelDir: string, c: ModelConfig): NamedFile[] {
  const out: NamedFile[] = [];
  for (const [i, o] of c.output.entries()) {
    if (!o.labelFilename) continue;
    out.push({
      file: path.join(modelDir, o.labelFilename),
      name: o.labelFilename,
      message: (f) => `label file path '${f}' for output '${o.name}' in model '${modelName}' is outside model directory`,
      code: 'output.label-outside',
      path: ['output', i, 'label_filename'],
      status: 'UNSUPPORTED',
    });
  }
  for (const [i, w] of c.modelWarmup.entries()) {
    for (const [name, input] of Object.entries(w.inputs)) {
      if (input.inputDataType.case !== 'inputDataFile') continue;
      out.push({
        file: path.join(modelDir, WARMUP_FOLDER, input.inputDataType.value),
        name: input.inputDataType.value,
        message: (f) => `warmup data file '${f}' for input '${name}' of warmup sample '${w.name}' in model '${modelName}' is outside model directory`,
        code: 'warmup.file-outside',
        path: ['model_warmup', i, 'inputs', { key: name }, 'input_data_file'],
        status: 'INVALID_ARG',
      });
    }
  }
  const strategy = c.parameters[BATCH_STRATEGY_PATH]?.stringValue;
  if (strategy) {
    out.push({
      file: path.resolve(modelDir, strategy),
      name: '',
      message: () => 'Batching library path escapes model repository.',
      code: 'batching.library-outside',
      path: ['parameters', { key: BATCH_STRATEGY_PATH }],
      status: 'INVALID_ARG',
    });
  }
  return out;
}

/** The files of `c` the lab reads that are not inside the model folder's real path. */
export async function readFileIssues(modelName: string, modelDir: string, c: ModelConfig): Promise<ConfigIssue[]> {
  const out: ConfigIssue[] = [];
  for (const f of readFiles(modelName, modelDir, c)) {
    if ((await escapesReally(f.file, modelDir)).escapes) out.push(issue(f.code, f.message(f.file), f.path, f.status));
  }
  return out;
}
