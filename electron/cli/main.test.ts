import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { runCli } from './main';
import type { Output } from './output';

function collect(): Output & { out: string[]; errs: string[] } {
  const out: string[] = [];
  const errs: string[] = [];
  return { out, errs, log: (l) => out.push(l), err: (l) => errs.push(l) };
}

const samples = path.resolve('sample-repos');
const fixtures = path.resolve('electron/engine/repository/__fixtures__');
const broken = path.resolve('e2e/fixtures/broken_configs');

describe('model-lab validate', () => {
  it('prints one line per model and version and exits 0 when all are ready', async () => {
    const io = collect();
    const code = await runCli(['validate', path.join(samples, 'ocr_ensemble')], io);
    expect(code).toBe(0);
    expect(io.out[0]).toMatch(/^MODEL\s+VERSION\s+BACKEND\s+STATE\s+REASON$/);
    expect(io.out.slice(1)).toHaveLength(6);
    expect(io.out.find((l) => l.startsWith('text_detection'))).toMatch(/text_detection\s+1\s+onnxruntime \(onnxruntime_onnx\)\s+READY/);
    expect(io.out.find((l) => l.startsWith('ensemble_model'))).toMatch(/ensemble_model\s+1\s+ensemble\s+READY/);
  });

  it('exits 1 and names the reason and the line when a model is broken', async () => {
    const io = collect();
    const code = await runCli(['validate', broken], io);
    expect(code).toBe(1);
    const line = io.out.find((l) => l.startsWith('syntax_error'));
    expect(line).toMatch(/UNAVAILABLE\s+failed to read text proto from .*syntax_error\/config\.pbtxt: 12:1: unknown field "outptu"/);
    expect(io.out.find((l) => l.startsWith('ok_identity'))).toMatch(/READY/);
    expect(io.errs.some((l) => l.startsWith('syntax_error/config.pbtxt:12:1: error: unknown field "outptu"'))).toBe(true);
    expect(io.errs.some((l) => l.startsWith('bad_dims/config.pbtxt:8:'))).toBe(true);
  });

  it('prints JSON objects with --json, one per model and version', async () => {
    const io = collect();
    const code = await runCli(['validate', '--json', `--model-repository=${path.join(fixtures, 'part5_ocr')}`], io);
    expect(code).toBe(1);
    const rows = io.out.map((l) => JSON.parse(l) as { name: string; version: number | null; state: string; reason: string; backend: string });
    expect(rows.map((r) => r.name).sort()).toEqual(['detection_postprocessing', 'detection_preprocessing', 'ensemble_model', 'recognition_postprocessing', 'text_detection', 'text_recognition']);
    const det = rows.find((r) => r.name === 'text_detection')!;
    expect(det.state).toBe('UNAVAILABLE');
    expect(det.reason).toContain("at least one version must be available under the version policy of model 'text_detection'");
    expect(rows.find((r) => r.name === 'detection_preprocessing')!.backend).toBe('python');
  });

  it('uses exit code 2 for usage errors', async () => {
    expect(await runCli([], collect())).toBe(2);
    expect(await runCli(['frobnicate'], collect())).toBe(2);
    expect(await runCli(['validate'], collect())).toBe(2);
    expect(await runCli(['validate', samples, '--bogus'], collect())).toBe(2);
    expect(await runCli(['config', samples], collect())).toBe(2);
  });

  it('reports a repository path that is not a folder', async () => {
    const io = collect();
    expect(await runCli(['validate', '/no/such/place'], io)).toBe(1);
    expect(io.errs.join('\n')).toContain('repository path is not a valid directory');
  });

  it('honours --backend-config=default-max-batch-size', async () => {
    const io = collect();
    expect(await runCli(['config', path.join(samples, 'quick_deploy_onnx'), 'text_direction', '--backend-config=default-max-batch-size=2'], io)).toBe(0);
    expect(io.out.join('\n')).toContain('max_batch_size: 2');
  });
});

describe('model-lab config', () => {
  it('prints the completed config as text by default', async () => {
    const io = collect();
    expect(await runCli(['config', path.join(samples, 'quick_deploy_onnx'), 'text_direction'], io)).toBe(0);
    const text = io.out.join('\n');
    expect(text).toContain('backend: "onnxruntime"');
    expect(text).toContain('max_batch_size: 4');
    expect(text).toMatch(/dims: \[ 3, -1, -1 \]/);
    expect(text).toContain('dynamic_batching');
  });

  it("prints Triton's /config JSON with --json", async () => {
    const io = collect();
    expect(await runCli(['config', path.join(samples, 'quick_deploy_onnx'), 'text_direction', '--json'], io)).toBe(0);
    const json = JSON.parse(io.out.join('\n')) as Record<string, unknown>;
    expect(Object.keys(json).slice(0, 6)).toEqual(['name', 'platform', 'backend', 'runtime', 'version_policy', 'max_batch_size']);
    expect(json['max_batch_size']).toBe(4);
    expect((json['input'] as { dims: number[] }[])[0]!.dims).toEqual([3, -1, -1]);
  });

  it('explains a model that cannot be completed, and an unknown model', async () => {
    const a = collect();
    expect(await runCli(['config', broken, 'syntax_error'], a)).toBe(1);
    expect(a.errs.join('\n')).toContain('unknown field "outptu"');
    const b = collect();
    expect(await runCli(['config', broken, 'nope'], b)).toBe(1);
    expect(b.errs.join('\n')).toContain("no model 'nope'");
  });
});
