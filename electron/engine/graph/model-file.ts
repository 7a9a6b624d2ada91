/** Finds the ONNX file of a model version the way the ONNX Runtime backend does. */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { BACKEND, FILENAME } from '../config/constants';
import type { ModelConfig } from '../config/gen/model_config_pb';
import { LabError } from '../errors';
import type { ModelRecord, VersionRecord } from '../repository/types';
import { displayConfig } from '../repository/views';
import { escapesLexically } from '../repository/containment';
import { isEnsemble } from '../repository/model-loader';
import { toPosix } from '../util/fs-tree';

export interface ModelFile {
  abs: string;
  /** Relative to the repository root, with forward slashes. */
  rel: string;
  version: VersionRecord;
  /** The config before the backend's auto-complete (what the user wrote, normalized). */
  config?: ModelConfig;
}

function pickVersion(rec: ModelRecord, version: number | undefined): VersionRecord {
  if (rec.versions.length === 0) {
    throw new LabError('NOT_FOUND', `'${rec.name}' has no version folder; create '${rec.name}/1/' holding the model file`);
  }
  if (version !== undefined) {
    const v = rec.versions.find((x) => x.version === version);
    if (!v) throw new LabError('NOT_FOUND', `'${rec.name}' has no version ${version}; its versions are ${rec.versions.map((x) => x.version).join(', ')}`);
    return v;
  }
  // Newest served version, as the model view shows; else the newest there is.
  const served = rec.versions.filter((v) => v.served);
  return (served.length ? served : rec.versions)[(served.length ? served : rec.versions).length - 1]!;
}

export function resolveModelFile(root: string, rec: ModelRecord, version?: number): ModelFile {
  const config = displayConfig(rec);
  if (isEnsemble(rec)) {
    const steps = config?.schedulingChoice.case === 'ensembleScheduling' ? config.schedulingChoice.value.step.map((s) => s.modelName) : [];
    throw new LabError('UNSUPPORTED', `'${rec.name}' is an ensemble and has no model file of its own${steps.length ? `; open the graphs of its steps (${[...new Set(steps)].join(', ')})` : ''}`);
  }
  const backend = config?.backend ?? '';
  if (backend && backend !== BACKEND.onnxruntime) {
    throw new LabError('UNSUPPORTED', `'${rec.name}' uses the ${backend} backend; graph inspection reads ONNX models (the onnxruntime backend) only`);
  }
  const v = pickVersion(rec, version);
  let abs = v.modelFile;
  if (!abs) {
    const name = config?.defaultModelFilename || FILENAME.onnx;
    // The loader's rule: a name may not lead out of the model folder; a link placed in it is followed.
    const { escapes, normalized } = escapesLexically(rec.dir, v.dir, name);
    if (escapes) throw new LabError('INVALID_ARG', `the model file name '${name}' of '${rec.name}' leads outside its model folder (${normalized})`);
    abs = normalized;
    // A folder named like the model file holds a large model and its external data.
    if (existsSync(abs) && statSync(abs).isDirectory()) abs = path.join(abs, FILENAME.onnx);
  }
  const rel = toPosix(path.relative(root, abs));
  if (!existsSync(abs)) throw new LabError('NOT_FOUND', `the model file '${rel}' does not exist (looked for ${abs})`);
  return { abs, rel, version: v, ...(rec.base ? { config: rec.base } : {}) };
}
