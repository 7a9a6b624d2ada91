/** Test helpers for PyTorch models: whether torch is here, and the TorchScript files build_models.py makes. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON = process.env['MODEL_LAB_PYTHON'] ?? '/usr/bin/python3';

/**
 * Why the PyTorch tests cannot run here, or '' when they can. CI installs python3-torch (.ci/run),
 * so there they always run (a missing torch fails them rather than skipping them).
 */
export const torchMissing: string = (() => {
  if (process.env['CI']) return '';
  try {
    execFileSync(PYTHON, ['-c', 'import numpy, torch'], { stdio: 'ignore', timeout: 60_000 });
    return '';
  } catch {
    return `${PYTHON} cannot import numpy and torch (install python3-torch)`;
  }
})();

export type BuiltModel = 'pair' | 'types' | 'strings' | 'keyed' | 'batched' | 'tensors' | 'failing' | 'sequence' | 'training' | 'first_row';

/** Builds every test model with torch.jit.script and returns each model.pt's bytes. */
export function buildTorchModels(): Record<BuiltModel, Uint8Array> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'lab-torch-models-'));
  try {
    const script = fileURLToPath(new URL('./build_models.py', import.meta.url));
    execFileSync(PYTHON, [script, out], { stdio: 'pipe', timeout: 120_000 });
    const names: BuiltModel[] = ['pair', 'types', 'strings', 'keyed', 'batched', 'tensors', 'failing', 'sequence', 'training', 'first_row'];
    return Object.fromEntries(names.map((n) => [n, new Uint8Array(readFileSync(path.join(out, `${n}.pt`)))])) as Record<BuiltModel, Uint8Array>;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
