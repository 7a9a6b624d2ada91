/**
 * "Copy as curl" and "Copy as Python" with hostile names: the model
 * folder `td$(touch${IFS}X)` and others. The curl command is run by bash with
 * curl replaced by a function that prints its arguments; the Python script is
 * run with a stand-in tritonclient. Nothing injected may run, and every value
 * must arrive exactly as it was.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InputSpec } from '../../contract/lab-api';
import { bytesFromStrings, type Tensor } from '../tensor/tensor';
import { HOSTILE } from '../util/testing/hostile-strings';
import { runSnippets } from './snippets';

const BASH = '/bin/bash';
const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => !p.startsWith('/') || existsSync(p))!;
const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-snippets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Lone surrogates cannot reach a file as themselves; everything else must. */
const asWritten = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');
/** Folder names cannot be empty or hold '/' (or NUL). */
const MODEL_NAMES = HOSTILE.filter((n) => n !== '' && !n.includes('/'));

function fresh(): string {
  return mkdtempSync(path.join(dir, 'run-'));
}

/** Pasted into bash (history expansion on, as in a terminal), with curl printing its arguments instead of sending. */
function runCurl(curl: string): { args: string[]; files: string[] } {
  const cwd = fresh();
  writeFileSync(path.join(cwd, 'paste.sh'), `set -H\ncurl() { printf '%s\\0' "$@" > "$ARGS"; }\n${curl}\n`);
  execFileSync(BASH, ['-n', path.join(cwd, 'paste.sh')]);
  const argsFile = path.join(os.tmpdir(), `lab-snippet-args-${process.pid}-${path.basename(cwd)}`);
  execFileSync(BASH, [path.join(cwd, 'paste.sh')], { cwd, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ARGS: argsFile } });
  const args = readFileSync(argsFile, 'utf8').split('\0').slice(0, -1);
  rmSync(argsFile);
  return { args, files: readdirSync(cwd).filter((f) => f !== 'paste.sh') };
}

const textTensor = (name: string, lines: string[]): Tensor => ({ name, dtype: 'BYTES', shape: [lines.length], data: bytesFromStrings(lines) });

describe('curl snippet', () => {
  it.skipIf(!existsSync(BASH))('runs nothing from a model name, and sends it percent-encoded in the URL', () => {
    for (const model of MODEL_NAMES) {
      const { curl } = runSnippets({ model, version: 1, specs: [{ name: 'TEXT', kind: 'text', lines: ['a'] }], inputs: [textTensor('TEXT', ['a'])], outputs: ['OUT'] });
      const { args, files } = runCurl(curl);
      expect(files, model).toEqual([]);
      expect(args[args.indexOf('POST') + 1], model).toBe(`http://127.0.0.1:8000/v2/models/${encodeURIComponent(asWritten(model))}/versions/1/infer`);
    }
  });

  it.skipIf(!existsSync(BASH))('sends hostile input names, values and output names exactly, as JSON', () => {
    const values = HOSTILE;
    const inputs = [textTensor('in$(touch X)\n#', values)];
    const specs: InputSpec[] = [{ name: inputs[0]!.name, kind: 'text', lines: values }];
    const { curl } = runSnippets({ model: 'm', version: 2, specs, inputs, outputs: ["out'`touch X`"] });
    const { args, files } = runCurl(curl);
    expect(files).toEqual([]);
    const body = JSON.parse(args[args.indexOf('-d') + 1]!) as { inputs: { name: string; data: string[] }[]; outputs: { name: string }[] };
    expect(body.inputs[0]!.name).toBe('in$(touch X)\n#');
    expect(body.inputs[0]!.data).toEqual(values.map(asWritten));
    expect(body.outputs).toEqual([{ name: "out'`touch X`" }]);
  });

  it.skipIf(!existsSync(BASH))('names a hostile file path as one argument, and a large input’s name only in a one-line comment', () => {
    for (const name of ['$(touch X).png', 'a b\n`touch X`', "it's -rf", '-x', '图像.png']) {
      const file = `/data/${name}`;
      const { curl } = runSnippets({
        model: 'td$(touch${IFS}X)',
        version: 1,
        specs: [{ name: 'IMG', kind: 'bytes', dtype: 'UINT8', source: { path: file } }],
        inputs: [{ name: 'IMG', dtype: 'UINT8', shape: [3], data: new Uint8Array(3) }],
        outputs: [],
      });
      const { args, files } = runCurl(curl);
      expect(files, name).toEqual([]);
      expect(args[args.indexOf('--data-binary') + 1], name).toBe(`@${file}`);
    }
    const big: Tensor = { name: 'big\ntouch X\n#', dtype: 'FP32', shape: [2000], data: new Float32Array(2000) };
    const { curl } = runSnippets({ model: 'm', version: 1, specs: [{ name: big.name, kind: 'generate', dtype: 'FP32', shape: [2000], fill: 'zeros' }], inputs: [big], outputs: [] });
    expect(runCurl(curl).files).toEqual([]);
    expect(curl.split('\n')[0]).toMatch(/^# /);
  });
});

interface PyCalls {
  url: string;
  model: string;
  version: string;
  inputs: [string, string, unknown][];
  outputs: string[];
  parameters: Record<string, unknown> | null;
  /** The other keywords infer() was given (priority, timeout, the sequence flags). */
  kw: Record<string, unknown>;
}

/** Runs Python snippets (one process for all) with a stand-in tritonclient that records what each asked to send. */
function runPython(snippets: string[]): { calls: PyCalls[]; files: string[] } {
  const cwd = fresh();
  snippets.forEach((py, i) => writeFileSync(path.join(cwd, `snippet${i}.py`), py));
  writeFileSync(
    path.join(cwd, 'stub.py'),
    `import json, sys, types
http = types.ModuleType("tritonclient.http")
root = types.ModuleType("tritonclient"); root.http = http
sys.modules["tritonclient"], sys.modules["tritonclient.http"] = root, http
results = []
for file in sys.argv[2:]:
    calls = {"outputs": [], "inputs": []}
    class Client:
        def __init__(self, url): calls["url"] = url
        def infer(self, model, inputs, model_version=None, outputs=None, parameters=None, **kw):
            calls["model"] = model; calls["version"] = model_version; calls["parameters"] = parameters; calls["kw"] = kw
            calls["inputs"] = [[i.name, i.dtype, i.data] for i in inputs]
            return types.SimpleNamespace(as_numpy=lambda n: None)
    class Input:
        def __init__(self, name, shape, dtype): self.name, self.dtype, self.data = name, dtype, None
        def set_data_from_numpy(self, a): self.data = a.tolist()
    http.InferenceServerClient, http.InferInput = Client, Input
    http.InferRequestedOutput = lambda n: calls["outputs"].append(n)
    src = open(file, encoding="utf-8").read()
    exec(compile(src, file, "exec"), {"__name__": "__main__"})
    results.append(calls)
with open(sys.argv[1], "w", encoding="utf-8") as f: json.dump(results, f)
`,
  );
  execFileSync(PYTHON, ['stub.py', 'calls.json', ...snippets.map((_, i) => `snippet${i}.py`)], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const calls = JSON.parse(readFileSync(path.join(cwd, 'calls.json'), 'utf8')) as PyCalls[];
  return { calls, files: readdirSync(cwd).filter((f) => !/^(snippet\d+\.py|stub\.py|calls\.json)$/.test(f)) };
}

describe('Python snippet', () => {
  it('passes hostile model, input and output names and string values as Python literals', () => {
    const values = HOSTILE.filter((v) => !/[\ud800-\udfff]/.test(v) || v.includes('🙂'));
    const cases = MODEL_NAMES.map((model) => {
      const inputs = [textTensor(`in ${model}`, values), textTensor(`in_${model}`, ['x'])];
      const specs: InputSpec[] = inputs.map((t, i) => ({ name: t.name, kind: 'text', lines: i === 0 ? values : ['x'] }));
      return { model, inputs, python: runSnippets({ model, version: 3, specs, inputs, outputs: [`"""${model}`] }).python };
    });
    const { calls, files } = runPython(cases.map((c) => c.python));
    expect(files).toEqual([]);
    cases.forEach(({ model, inputs }, i) => {
      const c = calls[i]!;
      expect(c.model, model).toBe(asWritten(model));
      expect(c.version).toBe('3');
      expect(c.inputs.map((x) => x[0])).toEqual(inputs.map((t) => asWritten(t.name)));
      expect(c.inputs[0]![2]).toEqual(values.map(asWritten));
      expect(c.inputs[1]![2]).toEqual(['x']);
      expect(c.outputs).toEqual([asWritten(`"""${model}`)]);
    });
  });

  it('writes numbers from the form as numbers only', () => {
    const spec = {
      name: 'IMG',
      kind: 'image',
      dtype: 'FP32',
      layout: 'CHW',
      channels: 3,
      source: { path: '/data/a.png' },
      scale: '1; __import__("os").system("touch X")',
      mean: ['0); touch(', 0.5],
      std: [0.5],
    } as unknown as InputSpec;
    const { python } = runSnippets({ model: 'm', version: 1, specs: [spec], inputs: [{ name: 'IMG', dtype: 'FP32', shape: [3, 2, 2], data: new Float32Array(12) }], outputs: [] });
    expect(python).not.toContain('__import__');
    expect(python).not.toContain('touch(');
    expect(python).toContain('/ np.array([0.5], dtype=np.float32)');
  });
});

describe('request parameters in the snippets', () => {
  const params = { "k$(touch X)'": "v'`touch X`\n", n: -7, on: true, off: false };
  const opts = { model: 'm', version: 1, specs: [{ name: 'TEXT', kind: 'text' as const, lines: ['a'] }], inputs: [textTensor('TEXT', ['a'])], outputs: ['OUT'], parameters: params };

  it.skipIf(!existsSync(BASH))('curl sends them in the body, after the sequence flags', () => {
    const { args, files } = runCurl(runSnippets({ ...opts, sequence: { id: '5', start: true, end: false } }).curl);
    expect(files).toEqual([]);
    const body = JSON.parse(args[args.indexOf('-d') + 1]!) as { parameters: Record<string, unknown> };
    expect(body.parameters).toEqual({ sequence_id: 5, sequence_start: true, sequence_end: false, ...params });
  });

  it('Python passes them as parameters=, exactly; none without them', () => {
    const { calls, files } = runPython([runSnippets(opts).python, runSnippets({ ...opts, parameters: undefined }).python] as string[]);
    expect(files).toEqual([]);
    expect(calls[0]!.parameters).toEqual(params);
    expect(calls[1]!.parameters).toBeNull();
  });

  it('Python gives priority and timeout as infer() keywords, which tritonclient refuses inside parameters=', () => {
    const { calls } = runPython([runSnippets({ ...opts, parameters: { priority: 2, timeout: 5000, n: 1 } }).python] as string[]);
    expect(calls[0]!.parameters).toEqual({ n: 1 });
    expect(calls[0]!.kw).toEqual({ priority: 2, timeout: 5000 });
  });
});
