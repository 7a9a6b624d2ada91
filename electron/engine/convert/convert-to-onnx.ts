/**
 * "Convert to ONNX": a TorchScript model (Triton's PyTorch backend) becomes an
 * ONNX model folder (Triton's ONNX Runtime backend) with the same tensor
 * names, and both are shown to answer the same. torch exports it in a Python
 * child (torch-export.ts), which also runs the TorchScript model on seeded
 * random inputs; the lab then opens the converted folder like any repository
 * and runs the ONNX model on those same inputs with its own onnxruntime
 * backend, so the comparison also proves the converted config loads.
 *
 * The converted models go into a repository of the lab's own (a `converted`
 * folder beside the settings file, or a temporary folder), never into the
 * source repository: samples are read-only, and a user's folder is theirs.
 * Converting the same model again replaces its earlier conversion.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OnnxConversion, OnnxConversionRequest, OnnxOutputComparison } from '../../contract/deploy-api';
import { BACKEND, PLATFORM } from '../config/constants';
import type { ModelConfig } from '../config/gen/model_config_pb';
import { toNumbers } from '../config/shape';
import { LabError, errorMessage } from '../errors';
import type { Lab } from '../lab';
import type { Repository } from '../repository/repository';
import type { ModelRecord, VersionRecord } from '../repository/types';
import { apiDType } from '../tensor/dtype';
import { findTorch } from '../backends/pytorch/torch-probe';
import { maxAbsDiff, readSampleTensor } from './compare';
import { onnxConfigText } from './onnx-config';
import { exportWithTorch, type ExportAnswer, type ExportJob } from './torch-export';

/** The newest opset the export asks for (torch lowers it to what it supports). */
const ONNX_OPSET = 17;
const SAMPLES = 4;
const SEED = 0;
const MAX_LABEL_FILE_BYTES = 16 * 1024 * 1024;

export interface ConvertDeps {
  lab: Lab;
  /** The writable repository folder converted models go into (created on demand). */
  convertedRoot: () => Promise<string>;
}

interface Source {
  record: ModelRecord;
  version: VersionRecord;
  config: ModelConfig;
  modelFile: string;
}

function isTorchScript(c: ModelConfig): boolean {
  return c.backend === BACKEND.pytorch && (c.platform === '' || c.platform === PLATFORM.pytorchLibtorch || c.platform === PLATFORM.pytorchLibtorchAlt);
}

function checkTensors(c: ModelConfig, model: string): void {
  if (c.input.length === 0 || c.output.length === 0)
    throw new LabError('INVALID_ARG', `model '${model}' must list its inputs and outputs in config.pbtxt to be exported (Triton's PyTorch backend needs them too)`);
  for (const t of [...c.input, ...c.output]) {
    if (t.reshape) throw new LabError('UNSUPPORTED', `'${t.name}' of model '${model}' has a reshape; converting a model with reshaped tensors is not supported`);
    const dtype = apiDType(t.dataType);
    if (!dtype || dtype === 'BYTES' || dtype === 'BF16')
      throw new LabError('UNSUPPORTED', `'${t.name}' of model '${model}' is ${dtype ?? 'of an unknown type'}: only numeric and BOOL tensors go through torch.onnx.export`);
  }
}

/** The version's TorchScript file, read only inside its version folder (real paths: a link may not lead out). */
async function modelFileOf(version: VersionRecord, name: string, model: string): Promise<string> {
  if (name !== path.basename(name) || name === '..' || name === '.') throw new LabError('INVALID_ARG', `default_model_filename '${name}' of model '${model}' must be a file name`);
  const file = path.join(version.dir, name);
  const [real, realDir] = await Promise.all([fs.realpath(file).catch(() => undefined), fs.realpath(version.dir).catch(() => undefined)]);
  const st = real ? await fs.stat(real).catch(() => undefined) : undefined;
  if (!real || !realDir || !st?.isFile()) throw new LabError('NOT_FOUND', `model '${model}' version ${version.version} has no ${name} (a TorchScript archive saved with torch.jit.save)`);
  if (!real.startsWith(realDir + path.sep)) throw new LabError('INVALID_ARG', `'${name}' of model '${model}' version ${version.version} leads outside its version folder`);
  return real;
}

async function sourceOf(repo: Repository, req: OnnxConversionRequest): Promise<Source> {
  const record = repo.models.get(req.model);
  if (!record) throw new LabError('NOT_FOUND', `no model '${req.model}' in this repository`);
  const versions = [...record.versions].sort((a, b) => b.version - a.version);
  const version = req.version === undefined ? versions[0] : versions.find((v) => v.version === req.version);
  if (!version) throw new LabError('NOT_FOUND', req.version === undefined ? `model '${req.model}' has no version folder` : `model '${req.model}' has no version ${req.version}`);
  const config = version.config ?? record.base;
  if (!config || !isTorchScript(config))
    throw new LabError('INVALID_ARG', `model '${req.model}' is not a TorchScript model (backend pytorch, platform pytorch_libtorch); only those convert to ONNX here`);
  checkTensors(config, req.model);
  const modelFile = await modelFileOf(version, config.defaultModelFilename || 'model.pt', req.model);
  if (!repo.options.runCode) {
    throw new LabError('UNAVAILABLE', `'${path.basename(repo.root)}' is not trusted, and loading a TorchScript archive runs its code: trust the folder first`, { reason: 'UNTRUSTED' });
  }
  return { record, version, config, modelFile };
}

function jobFor(source: Source, workDir: string): ExportJob {
  const side = (ts: readonly { name: string; dataType: number; dims: bigint[] }[]): ExportJob['inputs'] => ts.map((t) => ({ name: t.name, dtype: apiDType(t.dataType)!, dims: toNumbers(t.dims) }));
  return {
    modelFile: source.modelFile,
    onnxFile: path.join(workDir, 'model.onnx'),
    workDir,
    opset: ONNX_OPSET,
    maxBatchSize: source.config.maxBatchSize,
    samples: SAMPLES,
    seed: SEED,
    inputs: side(source.config.input),
    outputs: side(source.config.output),
  };
}

/** Replaces <root>/<name> with the converted model folder: config.pbtxt, 1/model.onnx and the label files. */
async function writeModelFolder(root: string, name: string, source: Source, onnxFile: string): Promise<string> {
  const dir = path.join(root, name);
  const st = await fs.lstat(dir).catch(() => undefined);
  if (st && !st.isDirectory()) throw new LabError('ALREADY_EXISTS', `'${dir}' exists and is not a folder; move it away to convert '${source.record.name}'`);
  if (st) await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(path.join(dir, '1'), { recursive: true });
  await fs.copyFile(onnxFile, path.join(dir, '1', 'model.onnx'));
  await fs.writeFile(path.join(dir, 'config.pbtxt'), onnxConfigText(source.config, name, `${source.record.name} (version ${source.version.version})`));
  for (const label of new Set(source.config.output.map((o) => o.labelFilename).filter(Boolean))) {
    if (path.basename(label) !== label || label === '..') continue;
    const from = path.join(source.record.dir, label);
    const ls = await fs.lstat(from).catch(() => undefined);
    if (ls?.isFile() && ls.size <= MAX_LABEL_FILE_BYTES) await fs.copyFile(from, path.join(dir, label));
  }
  return path.join(dir, '1', 'model.onnx');
}

/** Opens the converted repository in the lab (or reloads it when it is open) and returns its id. */
async function openConverted(lab: Lab, root: string, name: string): Promise<string> {
  const open = lab.listRepositories().find((r) => r.path === root);
  const info = open ? await lab.reloadRepository(open.id) : await lab.openRepository(root);
  const model = info.models.find((m) => m.name === name);
  if (model?.state !== 'READY') throw new LabError('UNAVAILABLE', `the converted model '${name}' did not load: ${model?.reason || model?.state || 'not found'}`);
  return info.id;
}

async function compare(repo: Repository, name: string, answer: ExportAnswer, workDir: string): Promise<OnnxOutputComparison[]> {
  const worst = new Map<string, OnnxOutputComparison>();
  for (const sample of answer.samples) {
    const inputs = await Promise.all(sample.inputs.map((t) => readSampleTensor(workDir, t)));
    const result = await repo.infer(name, -1, { inputs });
    for (const t of sample.outputs) {
      const expected = await readSampleTensor(workDir, t);
      const actual = result.outputs.find((o) => o.name === t.name);
      if (!actual) throw new LabError('INTERNAL', `the ONNX model did not answer '${t.name}'`);
      const diff = maxAbsDiff(expected, actual);
      const prev = worst.get(t.name);
      worst.set(t.name, { name: t.name, shape: prev?.shape ?? actual.shape, maxAbsDiff: Math.max(prev?.maxAbsDiff ?? 0, diff) });
    }
  }
  return [...worst.values()];
}

export async function convertToOnnx(deps: ConvertDeps, req: OnnxConversionRequest): Promise<OnnxConversion> {
  const { lab } = deps;
  const source = await sourceOf(lab.repository(req.repoId), req);
  // The model's interpreter, as the PyTorch backend picks it: the first that imports numpy and torch.
  const env = await findTorch(source.config, source.record.dir, lab.settings.get().pythonExecutable).catch((err: unknown) => {
    throw err instanceof LabError ? new LabError(err.code, errorMessage(err).replace(/^PyTorch backend:/, 'Converting to ONNX:'), err.reason ? { reason: err.reason } : undefined) : err;
  });
  const workDir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'model-lab-convert-')));
  try {
    const answer = await exportWithTorch(env.executable, jobFor(source, workDir));
    const root = await deps.convertedRoot();
    const name = `${source.record.name}_onnx`;
    const onnxPath = await writeModelFolder(root, name, source, path.join(workDir, 'model.onnx'));
    const repoId = await openConverted(lab, root, name);
    const outputs = await compare(lab.repository(repoId), name, answer, workDir);
    return {
      onnxPath,
      repository: root,
      repoId,
      model: name,
      opset: answer.opset,
      samples: answer.samples.length,
      outputs,
      maxAbsDiff: Math.max(0, ...outputs.map((o) => o.maxAbsDiff)),
      torch: `Python ${answer.python}, torch ${answer.torch}`,
    };
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
}
