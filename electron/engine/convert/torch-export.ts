/**
 * Runs the converter script (py/model_lab_to_onnx.py) in a Python child with
 * torch: one JSON job on stdin, one JSON answer on stdout. The script is
 * bundled as text and written into the job's temporary folder, so a built or
 * packaged lab needs no Python file beside its JavaScript (Python cannot read
 * inside an asar archive). Output is bounded; the child is killed after the
 * time limit.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { torchInstallHint } from '../backends/pytorch/torch-probe';
import { LabError } from '../errors';
import script from './py/model_lab_to_onnx.py?raw';

export interface ExportJob {
  modelFile: string;
  onnxFile: string;
  workDir: string;
  opset: number;
  maxBatchSize: number;
  samples: number;
  seed: number;
  inputs: { name: string; dtype: string; dims: number[] }[];
  outputs: { name: string; dtype: string; dims: number[] }[];
}

export interface SampleTensor {
  name: string;
  /** numpy's name for it: float32, int64, bool, … */
  dtype: string;
  shape: number[];
  file: string;
}

export interface ExportAnswer {
  torch: string;
  python: string;
  opset: number;
  samples: { inputs: SampleTensor[]; outputs: SampleTensor[] }[];
}

const MAX_STDOUT = 4 * 1024 * 1024;
const MAX_STDERR = 64 * 1024;
/** Exit status of the script when `import torch` fails. */
const NO_TORCH = 3;

function lastJsonLine(stdout: string): Record<string, unknown> | undefined {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function failure(status: number | null, signal: string | null, answer: Record<string, unknown> | undefined, stderr: string, python: string, timeoutMs: number): LabError {
  const said = typeof answer?.['error'] === 'string' ? answer['error'] : stderr.trim().split('\n').slice(-3).join(' ');
  if (status === NO_TORCH) {
    return new LabError('UNAVAILABLE', `Converting to ONNX needs torch, and '${python}' cannot import it (${said}). ${torchInstallHint(python)}.`, { reason: 'PYTHON_ENV' });
  }
  if (signal) return new LabError('UNAVAILABLE', `the ONNX export was stopped (${signal}) after ${Math.round(timeoutMs / 1000)} s at most: ${said || 'no output'}`);
  return new LabError('INVALID_ARG', `torch could not export the model to ONNX: ${said || `exit status ${status}`}`);
}

/** Exports job.modelFile to job.onnxFile with `python`, and the seeded samples with torch's answers into job.workDir. */
export async function exportWithTorch(python: string, job: ExportJob, timeoutMs = 300_000): Promise<ExportAnswer> {
  const file = path.join(job.workDir, 'model_lab_to_onnx.py');
  await fs.writeFile(file, script);
  return new Promise((resolve, reject) => {
    const child = spawn(python, [file], { cwd: job.workDir, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < MAX_STDOUT) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-MAX_STDERR);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new LabError('UNAVAILABLE', `cannot start '${python}' to export to ONNX: ${err.message}`));
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const answer = lastJsonLine(stdout);
      if (status === 0 && answer && Array.isArray(answer['samples'])) return resolve(answer as unknown as ExportAnswer);
      reject(failure(status, signal, answer, stderr, python, timeoutMs));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(job));
  });
}
