import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { runCli } from './main';
import type { Output } from './output';

function collect(): Output & { out: string[]; errs: string[] } {
  const out: string[] = [];
  const errs: string[] = [];
  return { out, errs, log: (l) => out.push(l), err: (l) => errs.push(l) };
}

const dataPipeline = path.resolve('sample-repos/data_pipeline');
const ocr = path.resolve('sample-repos/ocr_ensemble');
const inputs = [
  '-i',
  'ensemble_input_string=["This is a string","你好"]',
  '-i',
  'ensemble_input_UINT8_array=[1,2,3]',
  '-i',
  'ensemble_input_INT8_array=[-1,2,-3]',
  '-i',
  'ensemble_input_FP32_image=[[[1.5,2,3],[4,5,6]]]',
  '-i',
  'ensemble_input_bool=[true]',
];

describe('model-lab infer', () => {
  it('runs an ensemble and prints every output readably, strings decoded', async () => {
    const io = collect();
    expect(await runCli(['infer', dataPipeline, 'ensemble_model', ...inputs], io)).toBe(0);
    const text = io.out.join('\n');
    expect(text).toContain('ensemble_output_string  BYTES [1, 2]');
    expect(text).toContain('[1] "你好"');
    expect(text).toContain('ensemble_output_INT8_array  INT8 [1, 3]');
    expect(text).toContain('-1, 2, -3');
    expect(text).toContain('ensemble_output_FP32_image  FP32 [1, 1, 2, 3]');
  });

  it('prints KServe-shaped JSON with --json, and a timing row per step with --trace', async () => {
    const io = collect();
    expect(await runCli(['infer', dataPipeline, 'ensemble_model', ...inputs, '--json', '--trace', '-o', 'ensemble_output_bool'], io)).toBe(0);
    const json = JSON.parse(io.out.join('\n')) as { outputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[]; trace: { kind: string; model: string }[] };
    expect(json.outputs).toEqual([{ name: 'ensemble_output_bool', datatype: 'BOOL', shape: [1, 1], data: [1] }]);
    // Only the steps needed for the requested output ran; both are needed here.
    expect(json.trace.filter((s) => s.kind === 'step').map((s) => s.model)).toEqual(['model1', 'model2']);
    const table = collect();
    expect(await runCli(['infer', dataPipeline, 'ensemble_model', ...inputs, '--trace'], table)).toBe(0);
    expect(table.out.find((l) => l.startsWith('MODEL'))).toMatch(/QUEUE ms\s+COMPUTE ms\s+TOTAL ms/);
    expect(table.out.some((l) => /^\s+step 1: model2\s+1\s/.test(l))).toBe(true);
  });

  it.skipIf(!existsSync(path.join(ocr, 'text_detection/1/model.onnx')))('reads an image file given with @', async () => {
    const io = collect();
    expect(await runCli(['infer', ocr, 'ensemble_model', '-i', `input_image=@${path.resolve('resources/sample-images/mixed-report.png')}`], io)).toBe(0);
    expect(io.out.join('\n')).toContain('"Sales grew by twelve percent"');
  });

  it("reports Triton's request errors and usage errors", async () => {
    const bad = collect();
    expect(await runCli(['infer', dataPipeline, 'ensemble_model', '-i', 'ensemble_input_bool=[true]'], bad)).toBe(1);
    expect(bad.errs.join('\n')).toContain("expected 5 inputs but got 1 inputs for model 'ensemble_model'");
    const unknown = collect();
    expect(await runCli(['infer', dataPipeline, 'ensemble_model', '-i', 'nope=[1]'], unknown)).toBe(1);
    expect(unknown.errs.join('\n')).toContain("model 'ensemble_model' has no input 'nope'");
    const missing = collect();
    expect(await runCli(['infer', dataPipeline, 'no_such_model'], missing)).toBe(1);
    expect(missing.errs.join('\n')).toContain("Request for unknown model: 'no_such_model' is not found");
    expect(await runCli(['infer', dataPipeline], collect())).toBe(2);
  });
});
