import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeploymentExport, PortabilityReport } from '../contract/deploy-api';
import { runCli } from './main';
import type { Output } from './output';

function collect(): Output & { out: string[]; errs: string[] } {
  const out: string[] = [];
  const errs: string[] = [];
  return { out, errs, log: (l) => out.push(l), err: (l) => errs.push(l) };
}

const samples = path.resolve('sample-repos');
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});
function tempOut(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'model-lab-cli-export-'));
  temps.push(d);
  return path.join(d, 'out');
}

describe('model-lab portability', () => {
  it('prints a table with verdicts and twins and the reasons, and exits 1 when a model is lab-only', async () => {
    const io = collect();
    expect(await runCli(['portability', path.join(samples, 'data_pipeline')], io)).toBe(1);
    expect(io.out[0]).toBe(`Triton image: nvcr.io/nvidia/tritonserver:26.07-py3; Python twins looked for in ${path.join(samples, 'data_pipeline_python')}`);
    expect(io.out).toContainEqual(expect.stringMatching(/^MODEL\s+BACKEND\s+VERDICT\s+PACKAGES\s+TWIN$/));
    expect(io.out).toContainEqual(expect.stringMatching(/^model1\s+script\s+lab-only\s+-\s+data_pipeline_python\/model1$/));
    expect(io.out).toContain("  - uses backend 'script' (a JavaScript/TypeScript model), which is Model Lab's own: Triton has no such backend");
  });

  it('exits 0 for a repository Triton runs as it is, and prints JSON with --json', async () => {
    const io = collect();
    expect(await runCli(['portability', path.join(samples, 'quick_deploy_onnx'), '--json'], io)).toBe(0);
    const r = JSON.parse(io.out.join('\n')) as PortabilityReport;
    expect(r.models.map((m) => [m.model, m.verdict])).toEqual([['text_direction', 'as-is']]);
  });
});

describe('model-lab export', () => {
  it('exports with --python-twins and prints the files and the next step', async () => {
    const io = collect();
    const out = tempOut();
    expect(await runCli(['export', path.join(samples, 'data_pipeline'), out, '--python-twins', '--gpus', '0', '--image', 'example.org/pipeline:2'], io)).toBe(0);
    expect(io.out[0]).toBe(`Wrote ${out}:`);
    expect(io.out).toContainEqual(expect.stringMatching(/^ {2}kubernetes\/deployment\.yaml\s+\d/));
    expect(io.out).toContain('Swapped for their Python twins: model1, model2');
    expect(readFileSync(path.join(out, 'kubernetes/deployment.yaml'), 'utf8')).toContain('image: "example.org/pipeline:2"');
    expect(readFileSync(path.join(out, 'kubernetes/deployment.yaml'), 'utf8')).not.toContain('nvidia.com/gpu');
  });

  it('the next step names the folder quoted for the shell (a $ or a quote in its name runs nothing)', async () => {
    const out = path.join(path.dirname(tempOut()), "it's $(touch pwned)");
    const io = collect();
    expect(await runCli(['export', path.join(samples, 'quick_deploy_onnx'), out], io)).toBe(0);
    expect(io.out.at(-1)).toBe(`Next: cd '${path.dirname(out)}/it'\\''s $(touch pwned)' && docker compose up --build   (README.md has the Kubernetes steps)`);
  });

  it('warns about lab-only models left, prints JSON with --json, and refuses a non-empty folder', async () => {
    const out = tempOut();
    const io = collect();
    expect(await runCli(['export', path.join(samples, 'data_pipeline'), out, '--json'], io)).toBe(0);
    const e = JSON.parse(io.out.join('\n')) as DeploymentExport;
    expect(e.labOnly).toEqual(['ensemble_model', 'model1', 'model2']);
    const again = collect();
    expect(await runCli(['export', path.join(samples, 'data_pipeline'), out], again)).toBe(1);
    expect(again.errs[0]).toMatch(/^model-lab export: the output folder '.*' is not empty/);
  });

  it('usage errors exit 2', async () => {
    const io = collect();
    expect(await runCli(['export', path.join(samples, 'data_pipeline')], io)).toBe(2);
    expect(io.errs[0]).toContain('an output folder is required');
    const gpus = collect();
    expect(await runCli(['export', path.join(samples, 'data_pipeline'), tempOut(), '--gpus', 'many'], gpus)).toBe(2);
    expect(gpus.errs[0]).toContain("--gpus expects a whole number from 0 (CPU only) to 64, got 'many'");
    const tooMany = collect();
    expect(await runCli(['export', path.join(samples, 'data_pipeline'), tempOut(), '--gpus', '100'], tooMany)).toBe(2);
    expect(tooMany.errs[0]).toContain("got '100'");
  });
});
