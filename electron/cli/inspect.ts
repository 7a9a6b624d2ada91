/**
 * `model-lab inspect <repo> <model> [--version N] [--json]` or `model-lab inspect <file.onnx> [--json]`:
 * the graph summary the lab's graph view shows, for scripts and terminals. A repository model's file
 * is found as the engine finds it (model-file.ts) and read only when its real path is inside the
 * repository; the repository is polled but no model is loaded, so no model code runs.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { GraphSummary } from '../contract/inspect-api';
import { LabError } from '../engine/errors';
import { analyzeGraph } from '../engine/graph/analyze';
import { resolveModelFile } from '../engine/graph/model-file';
import { type ParsedOnnx, parseOnnxFile } from '../engine/graph/onnx-summary';
import { Repository } from '../engine/repository/repository';
import { realInside } from '../engine/util/real-path';
import { type CommonFlags, loadOptions, repositoryArg, UsageError } from './args';
import { type InspectReport, inspectReport } from './inspect-report';
import { inspectText } from './inspect-text';
import type { Output } from './output';
import { modelIn } from './repo-model';

export const INSPECT_USAGE = 'model-lab inspect <repo> <model> [--version N] [--json]  or  model-lab inspect <file.onnx> [--json]';

interface Target {
  file: string;
  source: InspectReport['source'];
}

function versionFlag(flags: CommonFlags): number | undefined {
  const v = flags.values.version;
  if (typeof v !== 'string') return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--version expects a version number (1, 2, …), got '${v}'`);
  return Number(v);
}

/** One positional naming a file (not a folder) is a model file; otherwise a repository and a model. */
function isFileTarget(flags: CommonFlags): boolean {
  if (typeof flags.values['model-repository'] === 'string' || flags.positionals.length !== 1) return false;
  const p = path.resolve(flags.positionals[0]!);
  try {
    return !statSync(p).isDirectory();
  } catch {
    // A missing path is reported as missing ('… does not exist'), not as a missing model name.
    return true;
  }
}

async function fileTarget(flags: CommonFlags): Promise<Target> {
  if (flags.values.version !== undefined) throw new UsageError('--version applies to a repository model, not to a model file');
  const file = path.resolve(flags.positionals[0]!);
  return { file, source: { file } };
}

async function repositoryTarget(flags: CommonFlags, use: (t: Target) => Promise<number>, out: Output): Promise<number> {
  const { repo: dir, rest } = repositoryArg(flags);
  const [model, extra] = rest;
  if (!model) throw new UsageError(`a model name is required: ${INSPECT_USAGE}`);
  if (extra) throw new UsageError(`unexpected argument '${extra}'`);
  const version = versionFlag(flags);
  const repo = new Repository(path.resolve(dir), { ...loadOptions(flags.values), controlMode: 'explicit', startupModels: [] });
  await repo.loadAll();
  try {
    const rec = modelIn(repo, model, out);
    if (!rec) return 1;
    const found = resolveModelFile(repo.root, rec, version);
    const real = await realInside(repo.root, found.abs, found.rel);
    return await use({ file: real, source: { repository: repo.root, model, version: found.version.version, file: found.rel } });
  } finally {
    await repo.close();
  }
}

function summaryOf(parsed: ParsedOnnx, t: Target): GraphSummary {
  return { graphId: 'cli', repoId: 'cli', model: t.source.model ?? path.basename(t.file), version: t.source.version ?? 0, file: t.source.file, ...parsed.summary };
}

/**
 * `model-lab inspect … | head` closes the pipe after a few lines: stop quietly with status 0, as
 * Unix tools do, instead of dying on an unhandled EPIPE.
 */
function endOnClosedPipe(): void {
  if (process.stdout.listenerCount('error') > 0) return;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

export async function inspectCommand(flags: CommonFlags, out: Output): Promise<number> {
  endOnClosedPipe();
  if (flags.values.pbtxt) throw new UsageError('--pbtxt does not apply to inspect; use --json for a JSON document');
  const print = async (t: Target): Promise<number> => {
    // As the graph view shows it: small constants' values and inferred dims added.
    const parsed = await analyzeGraph(await parseOnnxFile(t.file), t.file);
    const report = inspectReport(summaryOf(parsed, t), t.source);
    if (flags.values.json) out.log(JSON.stringify(report, null, 2));
    else for (const line of inspectText(report)) out.log(line);
    return 0;
  };
  try {
    if (isFileTarget(flags)) return await print(await fileTarget(flags));
    return await repositoryTarget(flags, print, out);
  } catch (err) {
    if (!(err instanceof LabError)) throw err;
    out.err(`error: ${err.message}`);
    return 1;
  }
}
