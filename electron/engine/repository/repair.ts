/**
 * Applies a repair a diagnostic offers: writes the new file, keeps the one
 * it replaces under another name, never overwrites anything, and refuses
 * when the folder changed since the plan was shown.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RepairPlan } from '../../contract/lab-api';
import { LabError, errorMessage } from '../errors';
import { readRegularFile } from '../util/regular-file';
import type { ModelRecord } from './types';

/** The plan the model's current diagnostics offer for `code`; the client's copy is never trusted. */
export function repairPlan(rec: ModelRecord, code: string): RepairPlan {
  const plan = rec.fileDiagnostics.find((d) => d.code === code && d.repair)?.repair;
  if (!plan) throw new LabError('NOT_FOUND', `'${rec.name}' has no repair for '${code}' (it may have been fixed already: reload the model)`);
  return plan;
}

/** Resolves a repository-relative path, refusing anything that leaves the repository. */
function inside(root: string, rel: string): string {
  const abs = path.resolve(root, ...rel.split('/'));
  if (abs !== root && !abs.startsWith(root + path.sep)) throw new LabError('INVALID_ARG', `'${rel}' is outside the repository`);
  return abs;
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

/** The folder a file would land in, after links: a model folder linked from elsewhere is not written through. */
async function checkRealFolder(root: string, abs: string, rel: string): Promise<void> {
  const [realRoot, realDir] = await Promise.all([fs.realpath(root), fs.realpath(path.dirname(abs)).catch(() => undefined)]);
  if (!realDir) throw new LabError('NOT_FOUND', `the folder of '${rel}' does not exist; nothing was changed`);
  if (realDir !== realRoot && !realDir.startsWith(realRoot + path.sep)) {
    throw new LabError('INVALID_ARG', `'${rel}' is inside a linked folder outside the repository; nothing was changed (make this repair by hand)`);
  }
}

export async function applyRepairPlan(root: string, plan: RepairPlan): Promise<void> {
  const target = inside(root, plan.write);
  await checkRealFolder(root, target, plan.write);
  if (plan.from) {
    await checkRealFolder(root, inside(root, plan.from.file), plan.from.file);
    await checkRealFolder(root, inside(root, plan.from.keepAs), plan.from.keepAs);
  }
  if (await exists(target)) throw new LabError('ALREADY_EXISTS', `'${plan.write}' exists already; nothing was changed (reload the model to see it)`);
  const from = plan.from ? { abs: inside(root, plan.from.file), keep: inside(root, plan.from.keepAs), ...plan.from } : undefined;
  if (from) {
    // Read without blocking (a FIFO swapped in is refused) and no larger than the planned text: a bigger file changed anyway.
    const now = await readRegularFile(from.abs, from.file, Buffer.byteLength(from.text)).then(
      (b) => b.toString('utf8'),
      () => undefined,
    );
    if (now !== from.text) throw new LabError('UNAVAILABLE', `'${from.file}' changed since the repair was planned; nothing was changed (reload the model and look again)`);
    if (await exists(from.keep)) throw new LabError('ALREADY_EXISTS', `'${from.keepAs}' exists already, so '${from.file}' cannot be kept there; nothing was changed`);
  }
  try {
    // 'wx': a file that appeared since the check above is never overwritten.
    await fs.writeFile(target, plan.text, { flag: 'wx' });
  } catch (err) {
    throw new LabError('INTERNAL', `could not write '${plan.write}': ${errorMessage(err)}`);
  }
  if (!from) return;
  try {
    await fs.rename(from.abs, from.keep);
  } catch (err) {
    // Half a repair would leave two configs: take the new one back.
    await fs.rm(target, { force: true });
    throw new LabError('INTERNAL', `could not move '${from.file}' to '${from.keepAs}': ${errorMessage(err)}; nothing was changed`);
  }
}
