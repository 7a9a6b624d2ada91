/**
 * The portability report: for every model of a repository, whether Triton's
 * server image (facts.ts) loads it as it is, needs Python packages installed
 * first (read from its imports), or cannot load it (the lab's script backend,
 * a lab-only setting, a backend the image lacks), with a Python twin named for
 * a lab-only model when one exists. Nothing is run: configs come from the
 * loaded records and Python sources are read, never imported.
 */
import path from 'node:path';
import type { ModelPortability, PortabilityReport } from '../../contract/deploy-api';
import type { ModelConfig } from '../config/gen/model_config_pb';
import { BACKEND, PLATFORM } from '../config/constants';
import { ensembleSteps } from '../config/ensemble-graph';
import { EXECUTION_ENV_PATH, PYTHON_EXECUTABLE } from '../backends/python/interpreter';
import type { Repository } from '../repository/repository';
import { isInside } from '../util/real-path';
import type { ModelRecord } from '../repository/types';
import { IMAGE_BACKENDS, TRITON_CONTAINER_RELEASE, tritonImage } from './facts';
import { pythonDeps } from './python-deps';
import { interfaceDiffs } from './tensors';
import type { TwinSource } from './twins';

/** The config a model serves with (its newest served version's, after auto-complete), else its base config. */
export function servedConfig(rec: ModelRecord): ModelConfig | undefined {
  const served = rec.versions.filter((v) => v.served && v.config).sort((a, b) => b.version - a.version);
  return served[0]?.config ?? rec.base;
}

/** The backend name a report shows: the backend, else the platform Triton maps to one. */
export function backendName(c: ModelConfig | undefined): string {
  if (!c) return 'unknown';
  if (c.platform === PLATFORM.ensemble) return 'ensemble';
  if (c.backend) return c.backend;
  if (c.platform === PLATFORM.onnxruntimeOnnx) return BACKEND.onnxruntime;
  if (c.platform === PLATFORM.pytorchLibtorch || c.platform === PLATFORM.pytorchLibtorchAlt || c.platform === PLATFORM.torchAoti) return BACKEND.pytorch;
  if (c.platform === PLATFORM.tensorrtPlan) return BACKEND.tensorrt;
  if (c.platform.startsWith('tensorflow')) return BACKEND.tensorflow;
  return c.platform || 'unknown';
}

/** A model's own verdict; `bls`: the model names its Python code passes to BLS or mentions (dropped from the report). */
type Entry = Omit<ModelPortability, 'model'> & { bls?: { called: string[]; mentioned: string[] } };

function entry(backend: string, verdict: ModelPortability['verdict'], reasons: string[], packages: string[] = [], optionalPackages: string[] = []): Entry {
  return { backend, verdict, packages, optionalPackages, reasons };
}

/** Lab-only config parameters a model relies on. */
function labOnlyParameters(c: ModelConfig): string[] {
  return c.parameters[PYTHON_EXECUTABLE]
    ? [`uses the lab-only config parameter ${PYTHON_EXECUTABLE} (Triton's Python backend ignores it; remove it, and use EXECUTION_ENV_PATH for a packed environment)`]
    : [];
}

/** EXECUTION_ENV_PATH outside the model folder: the export (and Triton's model repository) does not carry it. */
function envPathReason(c: ModelConfig, dir: string): string[] {
  const v = c.parameters[EXECUTION_ENV_PATH]?.stringValue;
  if (!v) return [];
  const resolved = v.replaceAll('$$TRITON_MODEL_DIRECTORY', dir);
  const inside = isInside(dir, path.resolve(dir, resolved)) && v.includes('$$TRITON_MODEL_DIRECTORY');
  return [
    inside
      ? `ships its Python environment (${EXECUTION_ENV_PATH} '${v}'), which Triton unpacks as it is`
      : `${EXECUTION_ENV_PATH} '${v}' points outside the model folder: copy the environment archive into the model folder and name it as '$$TRITON_MODEL_DIRECTORY/<file>' so it travels with the model`,
  ];
}

async function pythonEntry(rec: ModelRecord, c: ModelConfig): Promise<Entry> {
  const dirs = rec.versions.map((v) => v.dir);
  const packages = new Set<string>();
  const optional = new Set<string>();
  const bls = { called: new Set<string>(), mentioned: new Set<string>() };
  const reasons: string[] = [...labOnlyParameters(c), ...envPathReason(c, rec.dir)];
  let labOnly = c.parameters[PYTHON_EXECUTABLE] !== undefined;
  for (const dir of dirs) {
    const deps = await pythonDeps(dir);
    deps.packages.forEach((p) => packages.add(p));
    deps.optionalPackages.forEach((p) => optional.add(p));
    deps.called.forEach((n) => bls.called.add(n));
    deps.mentioned.forEach((n) => bls.mentioned.add(n));
    if (deps.labOnly.length > 0) {
      labOnly = true;
      reasons.push(`imports Model Lab's own module${deps.labOnly.length > 1 ? 's' : ''} ${deps.labOnly.join(', ')}, which Triton does not have`);
    }
    for (const u of deps.unreadable) reasons.push(`could not read ${u}`);
  }
  for (const p of packages) optional.delete(p);
  const pk = [...packages].sort();
  const opt = [...optional].sort();
  if (pk.length > 0) reasons.push(`imports ${pk.join(', ')}, which Triton's image does not have: the export's Dockerfile installs ${pk.length > 1 ? 'them' : 'it'}`);
  if (opt.length > 0) reasons.push(`imports ${opt.join(', ')} only when present (inside try/except ImportError): it runs without ${opt.length > 1 ? 'them' : 'it'}`);
  const refs = { bls: { called: [...bls.called].sort(), mentioned: [...bls.mentioned].sort() } };
  if (labOnly) return { ...entry(BACKEND.python, 'lab-only', reasons, pk, opt), ...refs };
  if (pk.length > 0) return { ...entry(BACKEND.python, 'needs-packages', reasons, pk, opt), ...refs };
  return { ...entry(BACKEND.python, 'as-is', [`imports only the standard library and what Triton's image has (numpy, triton_python_backend_utils)`, ...reasons], pk, opt), ...refs };
}

/**
 * BLS: a Python model that calls a lab-only model (a `model_name="x"` literal) fails on Triton when it
 * does; one that calls a model missing from the repository, or names a lab-only model in another
 * string, is flagged in words. Runs once over the models' own verdicts, before ensembles and twins.
 */
function applyBlsCalls(own: Map<string, Entry>): void {
  const labOnly = new Set([...own].filter(([, e]) => e.verdict === 'lab-only').map(([n]) => n));
  for (const [name, e] of own) {
    if (!e.bls) continue;
    const blocked = e.bls.called.filter((n) => labOnly.has(n) && n !== name);
    const missing = e.bls.called.filter((n) => !own.has(n));
    const named = e.bls.mentioned.filter((n) => labOnly.has(n) && n !== name);
    if (blocked.length > 0) {
      e.verdict = 'lab-only';
      e.reasons.push(
        `calls ${blocked.join(', ')} through BLS (model_name), which ${blocked.length > 1 ? 'are' : 'is'} lab-only: swap ${blocked.length > 1 ? 'them' : 'it'} for a Python twin to deploy it`,
      );
    }
    if (missing.length > 0)
      e.reasons.push(
        `calls ${missing.join(', ')} through BLS (model_name), which ${missing.length > 1 ? 'are' : 'is'} not in this repository: Triton answers such a call with an error unless the server has that model`,
      );
    if (named.length > 0)
      e.reasons.push(
        `names ${named.join(', ')} in its code, ${named.length > 1 ? 'lab-only models' : 'a lab-only model'} of this repository: a BLS call to ${named.length > 1 ? 'them' : 'it'} fails on Triton`,
      );
  }
}

function backendEntry(backend: string, c: ModelConfig): Entry {
  const image = tritonImage();
  if (backend === BACKEND.script) {
    return entry(backend, 'lab-only', [`uses backend 'script' (a JavaScript/TypeScript model), which is Model Lab's own: Triton has no such backend`]);
  }
  if (backend === BACKEND.tensorflow) {
    return entry(backend, 'lab-only', [
      `is a TensorFlow model (${c.platform || 'backend tensorflow'}): Triton's server image has had no TensorFlow backend since 25.03, so ${image} cannot load it; export it to ONNX (tf2onnx) or build an image with the tensorflow backend`,
    ]);
  }
  if (backend === 'unknown') return entry(backend, 'lab-only', ['its config names no backend or platform, and none can be told from its files: Triton cannot load it either']);
  if (!IMAGE_BACKENDS.includes(backend)) {
    return entry(backend, 'lab-only', [`uses backend '${backend}', which ${image} does not have: add it to /opt/tritonserver/backends/${backend} in the image`]);
  }
  const reasons = [`backend '${backend}' is part of ${image}`];
  if (backend === BACKEND.tensorrt)
    reasons.push(`a TensorRT plan runs only with the TensorRT version and GPU it was built for: rebuild it with the TensorRT of Triton ${TRITON_CONTAINER_RELEASE} on the target GPU`);
  return entry(backend, 'as-is', reasons);
}

async function modelEntry(rec: ModelRecord): Promise<Entry> {
  const c = servedConfig(rec);
  if (!c) return entry('unknown', 'lab-only', [`its config does not load (${rec.reason || 'unreadable config.pbtxt'}): Triton will refuse it too; fix it first`]);
  const backend = backendName(c);
  const params = labOnlyParameters(c);
  if (backend === BACKEND.python) return pythonEntry(rec, c);
  if (backend === 'ensemble') return entry(backend, 'as-is', []);
  const e = backendEntry(backend, c);
  if (params.length > 0 && e.verdict !== 'lab-only') return { ...e, verdict: 'lab-only', reasons: [...params, ...e.reasons] };
  return params.length > 0 ? { ...e, reasons: [...params, ...e.reasons] } : e;
}

/** An ensemble is as portable as its members (recursively): lab-only when one is, or is missing. */
function ensembleEntry(name: string, recs: Map<string, ModelRecord>, own: Map<string, Entry>, seen: Set<string>): Entry {
  const c = servedConfig(recs.get(name)!);
  const members = [...new Set(c ? ensembleSteps(c).map((s) => s.modelName) : [])];
  const missing = members.filter((m) => !recs.has(m));
  const blocked: string[] = [];
  const needs: string[] = [];
  for (const m of members.filter((x) => recs.has(x))) {
    const e = own.get(m)!.backend === 'ensemble' && !seen.has(m) ? ensembleEntry(m, recs, own, new Set([...seen, m])) : own.get(m)!;
    if (e.verdict === 'lab-only') blocked.push(m);
    else if (e.verdict === 'needs-packages') needs.push(m);
  }
  const reasons: string[] = [];
  if (missing.length > 0) reasons.push(`its step model${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not in the repository`);
  if (blocked.length > 0)
    reasons.push(
      `its step model${blocked.length > 1 ? 's' : ''} ${blocked.join(', ')} ${blocked.length > 1 ? 'are' : 'is'} lab-only: swap ${blocked.length > 1 ? 'them' : 'it'} for ${blocked.length > 1 ? 'their Python twins' : 'its Python twin'} to deploy it`,
    );
  if (needs.length > 0) reasons.push(`its step model${needs.length > 1 ? 's' : ''} ${needs.join(', ')} need${needs.length > 1 ? '' : 's'} Python packages, which the export installs`);
  if (reasons.length === 0) reasons.push('every step model runs on Triton as it is');
  return entry('ensemble', missing.length + blocked.length > 0 ? 'lab-only' : 'as-is', reasons);
}

/** The report for the models of a loaded repository; `twins` is where lab-only models' Python twins are looked for. */
export async function portabilityOf(repo: Repository, twins?: TwinSource): Promise<PortabilityReport> {
  const recs = new Map([...repo.models.values()].map((r) => [r.name, r] as const));
  const names = [...recs.keys()].sort();
  const own = new Map<string, Entry>();
  for (const n of names) own.set(n, await modelEntry(recs.get(n)!));
  applyBlsCalls(own);
  const models: ModelPortability[] = [];
  for (const n of names) {
    const { bls: _bls, ...e } = own.get(n)!.backend === 'ensemble' && recs.get(n)!.base ? ensembleEntry(n, recs, own, new Set([n])) : own.get(n)!;
    const m: ModelPortability = { model: n, ...e };
    if (m.verdict === 'lab-only' && m.backend !== 'ensemble' && twins) await findTwin(m, recs.get(n)!, twins);
    models.push(m);
  }
  return { repository: repo.root, models, ...(twins ? { twinsRepository: twins.repo.root } : {}), tritonImage: tritonImage() };
}

/** Names `twins`' model of the same name as `m`'s twin when it is portable itself and has the same tensors; says why not otherwise. */
async function findTwin(m: ModelPortability, rec: ModelRecord, twins: TwinSource): Promise<void> {
  const where = path.basename(twins.repo.root);
  const twin = twins.repo.models.get(m.model);
  if (!twin) {
    m.reasons.push(`no model '${m.model}' in ${where} to stand in for it`);
    return;
  }
  const t = await modelEntry(twin);
  if (t.verdict === 'lab-only') {
    m.reasons.push(`'${m.model}' in ${where} cannot stand in for it: it is lab-only too (${t.reasons.join('; ')})`);
    return;
  }
  const [a, b] = [servedConfig(rec), servedConfig(twin)];
  const unread = b && b.input.length + b.output.length === 0 ? ['its config.pbtxt lists no tensors (an auto_complete_config the report does not run may set them): write them into config.pbtxt'] : [];
  const diffs = unread.length > 0 ? unread : a && b ? interfaceDiffs(a, b) : ['its config does not load'];
  if (diffs.length > 0) {
    m.reasons.push(`'${m.model}' in ${where} cannot stand in for it: ${diffs.join('; ')}`);
    return;
  }
  m.twin = { repository: twins.repo.root, repositoryName: where, model: m.model };
  const pk = t.packages.length > 0 ? ` (it needs ${t.packages.join(', ')})` : '';
  m.reasons.push(`its Python twin '${m.model}' in ${where} has the same tensors${pk}: export with Python twins to deploy it`);
}
