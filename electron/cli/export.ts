/**
 * `model-lab export <repo> <out-dir>`: the repository as a Triton deployment
 * (model_repository/, Dockerfile, docker-compose.yml, kubernetes/, README.md)
 * in a new or empty folder, lab-only models swapped for their Python twins
 * with --python-twins. Nothing of the repository runs while it is exported.
 */
import path from 'node:path';
import type { DeploymentExport } from '../contract/deploy-api';
import { exportDeployment, type ExportOptions, MAX_GPUS } from '../engine/deploy/export';
import { shQuote } from '../engine/util/shell-quote';
import { type CommonFlags, repositoryArg, UsageError } from './args';
import type { Output } from './output';
import { withConfigsOnly } from './repo-model';

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

function optionsOf(flags: CommonFlags, outDir: string): ExportOptions {
  const v = flags.values;
  const opts: ExportOptions = { outDir: path.resolve(outDir), useTwins: v['python-twins'] === true };
  if (typeof v.twins === 'string') opts.twins = path.resolve(v.twins);
  if (typeof v.gpus === 'string') {
    if (!/^\d{1,3}$/.test(v.gpus) || Number(v.gpus) > MAX_GPUS) throw new UsageError(`--gpus expects a whole number from 0 (CPU only) to ${MAX_GPUS}, got '${v.gpus}'`);
    opts.gpus = Number(v.gpus);
  }
  if (typeof v.image === 'string') opts.image = v.image;
  return opts;
}

export function formatExport(e: DeploymentExport): string[] {
  const deploy = e.files.filter((f) => !f.path.startsWith('model_repository/'));
  const models = e.files.filter((f) => f.path.startsWith('model_repository/'));
  const out = [`Wrote ${e.outDir}:`, `  ${'model_repository/'.padEnd(27)} ${e.report.models.length} models, ${models.length} files, ${size(models.reduce((n, f) => n + f.bytes, 0))}`];
  for (const f of deploy) out.push(`  ${f.path.padEnd(27)} ${size(f.bytes)}`);
  if (e.swapped.length > 0) out.push(`Swapped for their Python twins: ${e.swapped.join(', ')}`);
  if (e.labOnly.length > 0)
    out.push(`warning: left lab-only (Triton will not load them): ${e.labOnly.join(', ')}${e.report.models.some((m) => m.twin) ? ' (use --python-twins to swap in their twins)' : ''}`);
  for (const s of e.skipped ?? []) out.push(`warning: not copied: ${s}`);
  out.push('', `Next: cd ${shQuote(e.outDir)} && docker compose up --build   (README.md has the Kubernetes steps)`);
  return out;
}

export async function exportCommand(flags: CommonFlags, out: Output): Promise<number> {
  const { repo: dir, rest } = repositoryArg(flags);
  const [outDir, extra] = rest;
  if (!outDir) throw new UsageError('an output folder is required: model-lab export <repo> <out-dir>');
  if (extra) throw new UsageError(`unexpected argument '${extra}'`);
  const opts = optionsOf(flags, outDir);
  return withConfigsOnly(dir, out, async (repo) => {
    const result = await exportDeployment(repo, opts);
    if (flags.values.json) out.log(JSON.stringify(result, null, 2));
    else for (const l of formatExport(result)) out.log(l);
    return 0;
  });
}
