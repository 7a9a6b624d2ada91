/**
 * The deployment export: the repository's models (lab-only ones swapped for
 * their Python twins when asked) under `model_repository/`, a Dockerfile on
 * Triton's NGC image with the Python packages the models need, a
 * docker-compose.yml, Kubernetes manifests and a README, written into a new or
 * empty folder. The report returned is made from what was written, so it is
 * what Triton will see. A failed export removes what it wrote.
 */
import path from 'node:path';
import type { DeploymentExport, ExportedFile, ModelPortability, PortabilityReport } from '../../contract/deploy-api';
import { ModelInstanceGroup_Kind } from '../config/gen/model_config_pb';
import { LabError } from '../errors';
import { Repository } from '../repository/repository';
import { Created, copyModelFolder, prepareOutDir, writeNew } from './files';
import { composeFile, type DeploySpec, dnsLabel, dockerfile, isImageReference, isPipRequirement, kubernetesFiles, serviceName } from './manifests';
import { portabilityOf } from './portability';
import { readme } from './readme';
import { type TwinSource, withTwins } from './twins';

export interface ExportOptions {
  /** Absolute; new or empty. */
  outDir: string;
  useTwins?: boolean;
  /** The twins repository folder (default: the sibling `<repository>_python`). */
  twins?: string;
  gpus?: number;
  image?: string;
}

export const MAX_GPUS = 64;

/** The checked options as a spec (no packages yet: they come from the written report). */
function specOf(repo: Repository, opts: ExportOptions): DeploySpec {
  const label = dnsLabel(path.basename(repo.root));
  const name = serviceName(label);
  const gpus = opts.gpus ?? 1;
  if (!Number.isInteger(gpus) || gpus < 0 || gpus > MAX_GPUS) throw new LabError('INVALID_ARG', `GPUs must be a whole number from 0 to ${MAX_GPUS}, got ${gpus}`);
  const image = opts.image ?? `model-lab/${label}:latest`;
  if (!isImageReference(image)) throw new LabError('INVALID_ARG', `'${image}' is not an image reference ([registry/]name[:tag], lowercase name)`);
  return { name, image, gpus, packages: [] };
}

/** Copies every model (or its twin) into `<out>/model_repository`; returns what was swapped and what was written. */
async function copyModels(repo: Repository, report: PortabilityReport, twins: TwinSource | undefined, useTwins: boolean, out: string, created: Created) {
  const files: ExportedFile[] = [];
  const skipped: string[] = [];
  const swapped: { model: string; from: string }[] = [];
  for (const m of report.models) {
    const twin = useTwins && m.twin ? twins?.repo.models.get(m.model) : undefined;
    const src = twin ?? repo.models.get(m.model)!;
    const rel = `model_repository/${m.model}`;
    const copied = await copyModelFolder(src.dir, path.join(out, 'model_repository', m.model), m.model, twin ? twins!.repo.root : repo.root, created);
    if (twin && copied.files.length > 0) swapped.push({ model: m.model, from: m.twin!.repositoryName });
    files.push(...copied.files.map((f) => ({ path: `${rel}/${f.path}`, bytes: f.bytes })));
    skipped.push(...copied.skipped);
  }
  return { files, skipped, swapped };
}

/** With no GPU asked for, a model whose config asks for one (KIND_GPU, or a TensorRT plan) will not load: its reasons say so. */
function gpuReasons(written: Repository, m: ModelPortability, gpus: number): ModelPortability {
  if (gpus > 0) return m;
  const c = written.models.get(m.model)?.base;
  const gpuGroup = c?.instanceGroup.some((g) => g.kind === ModelInstanceGroup_Kind.GPU) ?? false;
  if (!gpuGroup && m.backend !== 'tensorrt') return m;
  const why = gpuGroup ? 'its instance_group asks for KIND_GPU' : 'a TensorRT plan runs only on a GPU';
  return { ...m, reasons: [...m.reasons, `${why}, but the export asks for no GPU (--gpus 0): Triton fails to load it on a node without one`] };
}

/** The report of what was written, with the twins the original report found for models left lab-only. */
async function writtenReport(out: string, before: PortabilityReport, gpus: number): Promise<PortabilityReport> {
  const written = new Repository(path.join(out, 'model_repository'), { runtime: false, runCode: false });
  await written.loadAll();
  try {
    const report = await portabilityOf(written);
    const twinOf = new Map(before.models.filter((m) => m.twin).map((m) => [m.model, m.twin!]));
    const models: ModelPortability[] = report.models.map((m) => gpuReasons(written, m.verdict === 'lab-only' && twinOf.has(m.model) ? { ...m, twin: twinOf.get(m.model)! } : m, gpus));
    return { ...report, models, ...(before.twinsRepository ? { twinsRepository: before.twinsRepository } : {}) };
  } finally {
    await written.close();
  }
}

/** A model some of whose files were not copied says so in its reasons (its folder on Triton lacks them). */
function withSkipped(report: PortabilityReport, skipped: string[]): PortabilityReport {
  const models = report.models.map((m) => {
    const mine = skipped.filter((s) => s.startsWith(`${m.model}/`));
    return mine.length > 0 ? { ...m, reasons: [...m.reasons, `not copied (the exported folder lacks ${mine.length > 1 ? 'them' : 'it'}): ${mine.join('; ')}`] } : m;
  });
  return { ...report, models };
}

function packagesOf(report: PortabilityReport): { packages: string[]; optional: string[]; refused: string[] } {
  const all = new Set(report.models.flatMap((m) => m.packages));
  const optional = new Set(report.models.flatMap((m) => m.optionalPackages).filter((p) => !all.has(p)));
  const refused = [...all, ...optional].filter((p) => !isPipRequirement(p));
  return { packages: [...all].filter(isPipRequirement).sort(), optional: [...optional].filter(isPipRequirement).sort(), refused };
}

async function writeDeployFiles(out: string, spec: DeploySpec, readmeText: string, optional: string[], created: Created): Promise<ExportedFile[]> {
  const k8s = await kubernetesFiles(spec);
  const entries: [string, string][] = [
    ['Dockerfile', dockerfile(spec)],
    ['docker-compose.yml', await composeFile(spec)],
    ['kubernetes/deployment.yaml', k8s.deployment],
    ['kubernetes/service.yaml', k8s.service],
    ['README.md', readmeText],
  ];
  if (spec.packages.length > 0) {
    const opt = optional.length > 0 ? [`# Used when present (not needed): ${optional.join(' ')}`] : [];
    entries.push(['requirements.txt', ['# Python packages the models import (from their import statements).', ...spec.packages, ...opt, ''].join('\n')]);
  }
  const files: ExportedFile[] = [];
  for (const [rel, text] of entries) files.push({ path: rel, bytes: await writeNew(path.join(out, rel), text, created) });
  return files;
}

async function exportInto(repo: Repository, opts: ExportOptions, twins: TwinSource | undefined): Promise<DeploymentExport> {
  const checked = specOf(repo, opts); // options checked before anything is written
  const before = await portabilityOf(repo, twins);
  const created = new Created();
  try {
    const out = await prepareOutDir(opts.outDir, [repo.root, ...(twins ? [twins.repo.root] : [])], created);
    const copied = await copyModels(repo, before, twins, opts.useTwins === true, out, created);
    const report = withSkipped(await writtenReport(out, before, checked.gpus), copied.skipped);
    const { packages, optional, refused } = packagesOf(report);
    const spec: DeploySpec = { ...checked, packages };
    const skipped = [...copied.skipped, ...refused.map((p) => `requirement '${p}': not a pip package name (not written)`)];
    const text = readme({ source: repo.root, spec, report, swapped: copied.swapped, optionalPackages: optional, skipped });
    const files = [...copied.files, ...(await writeDeployFiles(out, spec, text, optional, created))];
    const labOnly = report.models.filter((m) => m.verdict === 'lab-only').map((m) => m.model);
    return { outDir: out, report, swapped: copied.swapped.map((s) => s.model), labOnly, files, ...(skipped.length > 0 ? { skipped } : {}) };
  } catch (err) {
    // Exactly what this export created goes (the folder too, when it made it); nothing else.
    await created.undo();
    throw err;
  }
}

/** Exports a loaded repository (see the module header). */
export async function exportDeployment(repo: Repository, opts: ExportOptions): Promise<DeploymentExport> {
  return withTwins(repo.root, opts.twins, (twins) => exportInto(repo, opts, twins));
}

/** The portability report of a loaded repository, with twins looked for beside it (or in `twins`). */
export async function portabilityReport(repo: Repository, twins?: string): Promise<PortabilityReport> {
  return withTwins(repo.root, twins, (t) => portabilityOf(repo, t));
}
