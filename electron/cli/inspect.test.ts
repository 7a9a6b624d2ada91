import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './main';
import type { Output } from './output';
import type { InspectReport } from './inspect-report';
import { roleAt } from './inspect-report';

function collect(): Output & { out: string[]; errs: string[] } {
  const out: string[] = [];
  const errs: string[] = [];
  return { out, errs, log: (l) => out.push(l), err: (l) => errs.push(l) };
}

const repo = path.resolve('sample-repos/ocr_ensemble');
const detFile = path.join(repo, 'text_detection/1/model.onnx');

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'inspect-cli-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('roleAt', () => {
  it('names positions by the schema, repeats a variadic role and numbers positions without one', () => {
    expect(roleAt([{ name: 'X' }, { name: 'W' }, { name: 'B', option: 'optional' }], 2)).toBe('B');
    expect(roleAt([{ name: 'inputs', option: 'variadic' }], 3)).toBe('inputs');
    expect(roleAt([{ name: 'X' }], 1)).toBe('#1');
    expect(roleAt(undefined, 0)).toBe('#0');
  });
});

describe('model-lab inspect', () => {
  it('prints one JSON document with --json: the detector nodes, and every value with its kind and type', async () => {
    const io = collect();
    expect(await runCli(['inspect', detFile, '--json'], io)).toBe(0);
    expect(io.out).toHaveLength(1);
    const r = JSON.parse(io.out[0]!) as InspectReport;
    expect(r.format).toBe('model-lab.inspect/1');
    expect(r.source.file).toBe(detFile);
    expect(r.graph.nodes.length).toBe(r.counts.nodes);
    expect(r.counts).toMatchObject({ nodes: 672, initializers: 0, constants: 342 });
    const conv = r.graph.nodes.find((n) => n.opType === 'Conv')!;
    expect(conv.inputs[1]).toMatchObject({ name: 'conv2d_0.w_0', dtype: 'FP32', dims: [16, 3, 3, 3] });
    expect(conv.attributes.find((a) => a.name === 'kernel_shape')).toEqual({ name: 'kernel_shape', type: 'INTS', value: '[3, 3]' });
    expect(r.inputs[0]).toMatchObject({ name: 'x', dims: ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'] });
    expect(new Set(r.graph.tensors.map((t) => t.kind))).toEqual(new Set(['input', 'constant', 'intermediate', 'output']));
    const intermediate = r.graph.tensors.find((t) => t.name === conv.outputs[0]!.name)!;
    expect(intermediate).toMatchObject({ kind: 'intermediate', producer: conv.index });
    expect(intermediate.consumers).toBeGreaterThan(0);
    expect(r.graph.tensors.find((t) => t.name === 'conv2d_0.w_0')).toMatchObject({ kind: 'constant', dims: [16, 3, 3, 3], bytes: 1728 });
  });

  it('prints the detector as text: header, inputs, every node and every value', async () => {
    const io = collect();
    expect(await runCli(['inspect', repo, 'text_detection'], io)).toBe(0);
    const text = io.out.join('\n');
    expect(io.out[0]).toBe('text_detection version 1 (text_detection/1/model.onnx)');
    expect(text).toMatch(/INPUTS\n {2}x {2}FP32 \[p2o\.DynamicDimension\.0, 3, p2o\.DynamicDimension\.1, p2o\.DynamicDimension\.2\]/);
    expect(text).toMatch(/\n {6}attr dilations=\[1, 1\] .*kernel_shape=\[3, 3\]/);
    expect(text).toMatch(/\n {2}constant +conv2d_0\.w_0 +FP32 +\[16, 3, 3, 3\] +1\.7 KiB/);
    expect(text).toMatch(/\n {2}output +sigmoid_0\.tmp_0 +FP32 +\[p2o\.DynamicDimension\.3, 1,/);
    expect(io.out.filter((l) => /^ {2}\[\d+\] /.test(l))).toHaveLength(672);
  });

  it('names the detector inputs and outputs by role: Conv X, W; BatchNormalization scale, B, mean, var; a variadic Concat', async () => {
    const io = collect();
    expect(await runCli(['inspect', detFile, '--json'], io)).toBe(0);
    const r = JSON.parse(io.out[0]!) as InspectReport;
    const conv = r.graph.nodes.find((n) => n.opType === 'Conv')!;
    expect(conv.inputs.map((i) => i.role).slice(0, 2)).toEqual(['X', 'W']);
    expect(conv.outputs[0]!.role).toBe('Y');
    const bn = r.graph.nodes.find((n) => n.opType === 'BatchNormalization')!;
    expect(bn.inputs.map((i) => i.role)).toEqual(['X', 'scale', 'B', 'mean', 'var']);
    const concat = r.graph.nodes.find((n) => n.opType === 'Concat' && n.inputs.length > 2)!;
    expect(new Set(concat.inputs.map((i) => i.role))).toEqual(new Set(['inputs']));
    const text = await (async () => {
      const t = collect();
      await runCli(['inspect', repo, 'text_detection'], t);
      return t.out.join('\n');
    })();
    expect(text).toMatch(/\] Conv {2}\S+\n {6}in {3}X {2}x +FP32 .*\n {11}W {2}conv2d_0\.w_0 +FP32 \[16, 3, 3, 3\]/);
  });

  it('gives intermediate values their dims from shape inference, symbolic where they depend on the input', async () => {
    const io = collect();
    expect(await runCli(['inspect', detFile, '--json'], io)).toBe(0);
    const r = JSON.parse(io.out[0]!) as InspectReport;
    expect(r.shapeInference?.typed).toBeGreaterThan(0);
    const first = r.graph.nodes.find((n) => n.opType === 'Conv')!.outputs[0]!;
    expect(first.dims?.[1]).toBe(16);
    expect(first.dims?.[0]).toBe('p2o.DynamicDimension.0');
    const intermediates = r.graph.tensors.filter((t) => t.kind === 'intermediate');
    expect(intermediates.filter((t) => t.dims !== null).length / intermediates.length).toBeGreaterThan(0.9);
    expect(intermediates.find((t) => t.name === first.name)).toMatchObject({ typeFrom: 'inferred' });
  });

  it('opens If/Loop/Scan bodies: their nodes by role, outer values, and their own initializers by the names their nodes use', async () => {
    const io = collect();
    expect(await runCli(['inspect', path.resolve('electron/engine/graph/testing/control-flow.onnx'), '--json'], io)).toBe(0);
    const r = JSON.parse(io.out[0]!) as InspectReport;
    expect(r.counts.subgraphs).toBe(4);
    const then = r.subgraphs.find((g) => g.attribute === 'then_branch')!;
    expect(then).toMatchObject({ parent: -1, node: 1, outerInputs: ['xr', 'trip'] });
    // The body's own w is 4×4; the main graph's w (a different initializer) is [4].
    const project = then.nodes.find((n) => n.name === 'project')!;
    expect(project.inputs[1]).toMatchObject({ role: 'B', name: 'w', dims: [4, 4] });
    expect(then.tensors.find((t) => t.name === 'w')).toMatchObject({ kind: 'initializer', stored: 'branch/then_branch/w', dims: [4, 4] });
    expect(then.tensors.find((t) => t.name === 'xr')).toMatchObject({ kind: 'outer', dims: ['N', 4] });
    expect(r.graph.tensors.find((t) => t.name === 'w')).toMatchObject({ kind: 'initializer', dims: [4] });
  });

  it('picks a version with --version and refuses one that does not exist', async () => {
    const ok = collect();
    expect(await runCli(['inspect', repo, 'text_recognition', '--version', '1', '--json'], ok)).toBe(0);
    expect((JSON.parse(ok.out[0]!) as InspectReport).source).toMatchObject({ model: 'text_recognition', version: 1, file: 'text_recognition/1/model.onnx' });
    const bad = collect();
    expect(await runCli(['inspect', repo, 'text_recognition', '--version', '7'], bad)).toBe(1);
    expect(bad.errs.join('\n')).toContain("'text_recognition' has no version 7");
    expect(await runCli(['inspect', repo, 'text_recognition', '--version', 'x'], collect())).toBe(2);
  });

  it('gives clear errors and a non-zero exit for bad inputs', async () => {
    const cases: [string[], number, RegExp][] = [
      [['inspect'], 2, /a model repository path is required/],
      [['inspect', repo], 2, /a model name is required/],
      [['inspect', repo, 'nope'], 1, /no model 'nope' in .*models: .*text_detection/],
      [['inspect', repo, 'ensemble_model'], 1, /is an ensemble and has no model file of its own; open the graphs of its steps/],
      [['inspect', repo, 'detection_preprocessing'], 1, /uses the (python|script) backend; graph inspection reads ONNX models/],
      [['inspect', '/no/such/model.onnx'], 1, /does not exist/],
      [['inspect', detFile, '--version', '1'], 2, /--version applies to a repository model/],
      [['inspect', repo, 'text_detection', 'extra'], 2, /unexpected argument 'extra'/],
      [['inspect', detFile, '--pbtxt'], 2, /--pbtxt does not apply/],
    ];
    for (const [argv, code, message] of cases) {
      const io = collect();
      expect(await runCli(argv, io), argv.join(' ')).toBe(code);
      expect(io.errs.join('\n'), argv.join(' ')).toMatch(message);
    }
  });

  it('refuses a file that is not an ONNX model and a model file linked from outside the repository', async () => {
    const junk = path.join(tmp, 'junk.onnx');
    writeFileSync(junk, 'not a model at all');
    const io = collect();
    expect(await runCli(['inspect', junk], io)).toBe(1);
    expect(io.errs.join('\n')).toMatch(/is not (a readable ONNX model|an ONNX model)/);

    const outside = path.join(tmp, 'outside.onnx');
    copyFileSync(detFile, outside);
    const r = path.join(tmp, 'repo');
    mkdirSync(path.join(r, 'linked/1'), { recursive: true });
    writeFileSync(path.join(r, 'linked/config.pbtxt'), 'backend: "onnxruntime"\n');
    symlinkSync(outside, path.join(r, 'linked/1/model.onnx'));
    const linked = collect();
    expect(await runCli(['inspect', r, 'linked'], linked)).toBe(1);
    expect(linked.errs.join('\n')).toMatch(/is outside the repository \(after following links\)/);
  });
});
