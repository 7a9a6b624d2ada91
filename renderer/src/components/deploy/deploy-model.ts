/**
 * What the Deploy panel reads out of a portability report, kept apart from the
 * components so the rules (how models are counted, when the twins box starts
 * ticked, what an output folder or a GPU count must look like) are tested
 * without mounting anything. The engine checks the same values again.
 */
import type { ModelPortability, PortabilityReport, PortabilityVerdict } from '@contract/lab-api';

export const VERDICTS: readonly PortabilityVerdict[] = ['as-is', 'needs-packages', 'lab-only'];

/** The most GPUs the form accepts per pod (a node rarely has more than 8; 64 leaves room without inviting typos like 100). */
export const MAX_GPUS = 64;

export type VerdictCounts = Record<PortabilityVerdict, number>;

export function countVerdicts(models: readonly ModelPortability[]): VerdictCounts {
  const counts: VerdictCounts = { 'as-is': 0, 'needs-packages': 0, 'lab-only': 0 };
  for (const m of models) counts[m.verdict]++;
  return counts;
}

/** Lab-only models that have a Python twin: the ones "use Python twins" would swap. */
export function twinned(report: PortabilityReport | undefined): ModelPortability[] {
  return report?.models.filter((m) => m.verdict === 'lab-only' && m.twin) ?? [];
}

/** Each ensemble's step models, by ensemble name (read from the model's details; the report does not list them). */
export type EnsembleSteps = Record<string, readonly string[]>;

/**
 * Whether a lab-only model is still lab-only in the export: a model with a twin is not when twins are
 * used; an ensemble is not when every step model it has is in the repository and portable after the
 * swap (the export reports the written repository again, so such an ensemble comes out as it is). An
 * ensemble whose steps are not known counts as lab-only.
 */
function staysLabOnly(m: ModelPortability, byName: Map<string, ModelPortability>, useTwins: boolean, steps: EnsembleSteps, seen: Set<string>): boolean {
  if (m.verdict !== 'lab-only') return false;
  if (m.backend !== 'ensemble') return !(useTwins && m.twin);
  const members = steps[m.model];
  if (!useTwins || !members || seen.has(m.model)) return true;
  const next = new Set([...seen, m.model]);
  return members.some((s) => {
    const member = byName.get(s);
    return !member || staysLabOnly(member, byName, useTwins, steps, next);
  });
}

/** Lab-only models the export would still write lab-only: Triton will not load them. */
export function stranded(report: PortabilityReport | undefined, useTwins: boolean, steps: EnsembleSteps = {}): ModelPortability[] {
  const byName = new Map(report?.models.map((m) => [m.model, m]) ?? []);
  return report?.models.filter((m) => staysLabOnly(m, byName, useTwins, steps, new Set())) ?? [];
}

/** Lab-only ensembles that the Python twins of their steps make portable. */
export function ensemblesFreedByTwins(report: PortabilityReport | undefined, steps: EnsembleSteps): string[] {
  const left = new Set(stranded(report, true, steps).map((m) => m.model));
  return report?.models.filter((m) => m.verdict === 'lab-only' && m.backend === 'ensemble' && !left.has(m.model)).map((m) => m.model) ?? [];
}

/** Every pip package the report's models need (not the optional ones), sorted and once each. */
export function neededPackages(report: PortabilityReport | undefined): string[] {
  return [...new Set(report?.models.flatMap((m) => m.packages) ?? [])].sort();
}

/** A POSIX absolute path, a Windows drive path (C:\ or C:/) or a UNC path (\\server\share). */
export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/** The GPU count as the export takes it, or undefined when the text is not a whole number in 0..MAX_GPUS. */
export function parseGpus(value: string | number): number | undefined {
  const text = String(value).trim();
  if (!/^\d{1,3}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= MAX_GPUS ? n : undefined;
}

/**
 * The image the manifests refer to when the field is left empty, as the engine names it: the
 * repository's folder name as a DNS label (lowercase letters, digits and single hyphens, at most
 * 63 characters; "triton" when nothing is left), the rule of engine/deploy/manifests.ts.
 */
export function defaultImage(repositoryName: string): string {
  const label =
    repositoryName
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63)
      .replace(/-+$/, '') || 'triton';
  return `model-lab/${label}:latest`;
}

/**
 * An image reference as Docker reads it: [registry[:port]/]path[:tag][@sha256:digest], the
 * registry and path in lowercase (the grammar of distribution/reference, which the engine checks
 * with the same expression before writing any manifest).
 */
const IMAGE_REF =
  /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** Whether a typed image name would be refused (an empty field is not: the default is used). */
export function imageProblem(image: string): boolean {
  const s = image.trim();
  return s !== '' && (s.length > 255 || !IMAGE_REF.test(s));
}

/** A folder for a shell line: single-quoted on POSIX, double-quoted for a Windows path (which cannot hold a double quote). */
export function shellQuote(dir: string): string {
  if (/^[A-Za-z]:[\\/]/.test(dir) || dir.startsWith('\\\\')) return `"${dir}"`;
  return `'${dir.replace(/'/g, `'\\''`)}'`;
}

export interface ExportCommandParts {
  repository: string;
  outDir: string;
  useTwins: boolean;
  gpus?: number;
  image?: string;
  twins?: string;
}

/** The same export as a `model-lab export` command line (CLI flags of electron/cli/export.ts), every value quoted. */
export function exportCommand(p: ExportCommandParts): string {
  const parts = ['model-lab export', shellQuote(p.repository), p.outDir ? shellQuote(p.outDir) : '<out-dir>'];
  if (p.useTwins) parts.push('--python-twins');
  if (p.twins) parts.push('--twins', shellQuote(p.twins));
  if (p.gpus !== undefined && p.gpus !== 1) parts.push('--gpus', String(p.gpus));
  if (p.image) parts.push('--image', shellQuote(p.image));
  return parts.join(' ');
}

/** The exported model repository folder (absolute), read from the files written: the folder that holds the config.pbtxt files. */
export function exportedRepository(outDir: string, files: readonly { path: string }[]): string | undefined {
  const top = files.map((f) => /^([^/]+)\/[^/]+\/config\.pbtxt$/.exec(f.path)?.[1]).find((x) => x !== undefined);
  if (!top) return undefined;
  const sep = outDir.includes('\\') && !outDir.includes('/') ? '\\' : '/';
  return `${outDir.replace(/[\\/]+$/, '')}${sep}${top}`;
}

/** Bytes for people: 812 B, 4.2 KiB, 31 MiB (binary units, as the tensor viewers write them). */
export function formatSize(n: number, locale: string): string {
  if (n < 1024) return `${new Intl.NumberFormat(locale).format(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  for (; v >= 1024 && u < units.length - 1; u++) v /= 1024;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: v >= 100 ? 0 : 1 }).format(v)} ${units[u]}`;
}
