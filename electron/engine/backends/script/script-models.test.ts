/**
 * Script models as written by users: tensors of every kind through a
 * worker and back, model.ts with types and relative imports, model.mjs, an
 * ES-module model.js without package.json, and Triton's initialize() args.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repository } from '../../repository/repository';
import { loadRepository, makeTempDir, type TempDir } from '../../repository/testing/temp-repo';
import { echoModel, f32, scriptConfig, tensor, values } from '../../runtime/testing/models';
import { floatToHalf } from '../../tensor/half';
import { stringsFromBytes } from '../../tensor/tensor';

let dir: TempDir;
let repo: Repository;

const ECHO_IO = [
  ['F', 'FP32'],
  ['I', 'INT64'],
  ['B', 'BOOL'],
  ['S', 'STRING'],
  ['H', 'FP16'],
] as const;

const ARGS_MODEL = `export default class TritonPythonModel {
  initialize(args) {
    this.args = args;
  }
  execute(requests) {
    return requests.map(() => new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('ARGS', [JSON.stringify(this.args)], [1])] }));
  }
}
`;

const TS_MODEL = `import { double, type Doubler } from './lib/math';
import { label } from './lib/label.ts';

interface Req { inputs(): { name: string; data: Float32Array; shape: number[] }[] }

export default class TritonPythonModel {
  private readonly f: Doubler = double;
  execute(requests: Req[]): unknown[] {
    return requests.map((r: Req) => {
      const x = r.inputs()[0]!;
      const y: Float32Array = this.f(x.data);
      return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', y, x.shape), new pb_utils.Tensor('LABEL', [label(y.length)], [1])] });
    });
  }
}
`;

const JS_WITH_IMPORT = `import { triple } from './helpers.js';
export default class TritonPythonModel {
  execute(requests) {
    return requests.map((r) => {
      const x = pb_utils.get_input_tensor_by_name(r, 'IN');
      return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', triple(x.data), x.shape)] });
    });
  }
}
`;

const io1 = { inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] };

beforeAll(async () => {
  dir = await makeTempDir({
    'echo/config.pbtxt': scriptConfig('echo', {
      mbs: 4,
      inputs: ECHO_IO.map(([n, t]) => ({ name: `IN_${n}`, type: t, dims: [-1] })),
      outputs: ECHO_IO.map(([n, t]) => ({ name: `OUT_${n}`, type: t, dims: [-1] })),
    }),
    'echo/1/model.js': echoModel(Object.fromEntries(ECHO_IO.map(([n]) => [`OUT_${n}`, `IN_${n}`]))),
    'args/config.pbtxt': scriptConfig('args', { inputs: [{ name: 'IN', dims: [1] }], outputs: [{ name: 'ARGS', type: 'STRING', dims: [1] }] }),
    'args/1/model.js': ARGS_MODEL,
    'typed/config.pbtxt': scriptConfig('typed', {
      inputs: [{ name: 'IN', dims: [-1] }],
      outputs: [
        { name: 'OUT', dims: [-1] },
        { name: 'LABEL', type: 'STRING', dims: [1] },
      ],
    }),
    'typed/1/model.ts': TS_MODEL,
    'typed/1/lib/math.ts': 'export type Doubler = (x: Float32Array) => Float32Array;\nexport const double: Doubler = (x: Float32Array): Float32Array => x.map((v: number) => v * 2);\n',
    'typed/1/lib/label.ts': 'export function label(n: number): string {\n  return `doubled ${n}`;\n}\n',
    'mjs/config.pbtxt': scriptConfig('mjs', io1),
    'mjs/1/model.mjs': echoModel(),
    'esm/config.pbtxt': scriptConfig('esm', io1),
    'esm/1/model.js': JS_WITH_IMPORT,
    'esm/1/helpers.js': 'export function triple(x) {\n  return x.map((v) => v * 3);\n}\n',
  });
  repo = await loadRepository(dir.root);
});
afterAll(() => dir.cleanup());

describe('tensors through a script model', () => {
  it('echoes FP32, INT64 (bigint), BOOL, BYTES (UTF-8, Chinese, binary) and FP16 (raw) exactly', async () => {
    const strings = ['hello', '你好，世界', '', 'emoji 🚀'];
    const half = Uint16Array.from([1, -2.5, 65504, 0.099975586].map(floatToHalf));
    const binary = new Uint8Array([0, 255, 10, 0]);
    const r = await repo.infer('echo', -1, {
      inputs: [
        f32('IN_F', [1, 3], [1.5, -0, 3.25]),
        tensor('IN_I', 'INT64', [1, 3], BigInt64Array.from([9007199254740993n, -1n, 0n])),
        tensor('IN_B', 'BOOL', [1, 3], Uint8Array.from([1, 0, 1])),
        tensor('IN_S', 'BYTES', [1, 5], [...strings.map((s) => new TextEncoder().encode(s)), binary]),
        tensor('IN_H', 'FP16', [1, 4], half),
      ],
    });
    const out = new Map(r.outputs.map((t) => [t.name, t]));
    expect(out.get('OUT_F')).toMatchObject({ dtype: 'FP32', shape: [1, 3] });
    expect(Array.from(out.get('OUT_F')!.data as Float32Array)).toEqual([1.5, -0, 3.25]);
    expect(out.get('OUT_I')!.dtype).toBe('INT64');
    expect(out.get('OUT_I')!.data).toBeInstanceOf(BigInt64Array);
    expect(Array.from(out.get('OUT_I')!.data as BigInt64Array)).toEqual([9007199254740993n, -1n, 0n]);
    expect(out.get('OUT_B')!.dtype).toBe('BOOL');
    expect(values(out.get('OUT_B'))).toEqual([1, 0, 1]);
    const s = out.get('OUT_S')!;
    expect(s).toMatchObject({ dtype: 'BYTES', shape: [1, 5] });
    expect(stringsFromBytes((s.data as Uint8Array[]).slice(0, 4))).toEqual(strings);
    expect(Array.from((s.data as Uint8Array[])[4]!)).toEqual([0, 255, 10, 0]);
    expect(out.get('OUT_H')).toMatchObject({ dtype: 'FP16', shape: [1, 4] });
    expect(Array.from(out.get('OUT_H')!.data as Uint16Array)).toEqual(Array.from(half));
  });
});

describe('module formats', () => {
  it('model.ts: type annotations stripped, extensionless and .ts relative imports resolved', async () => {
    expect(repo.models.get('typed')!.versions[0]!.config!.defaultModelFilename).toBe('model.ts');
    const r = await repo.infer('typed', -1, { inputs: [f32('IN', [3], [1, 2, 3])] });
    expect(values(r.outputs[0])).toEqual([2, 4, 6]);
    expect(stringsFromBytes(r.outputs[1]!.data as Uint8Array[])).toEqual(['doubled 3']);
  });

  it('model.mjs', async () => {
    expect(repo.models.get('mjs')!.versions[0]!.config!.defaultModelFilename).toBe('model.mjs');
    const r = await repo.infer('mjs', -1, { inputs: [f32('IN', [2], [7, 8])] });
    expect(values(r.outputs[0])).toEqual([7, 8]);
  });

  it('model.js with import/export and no package.json loads as an ES module, helpers too', async () => {
    // No package.json anywhere above the temp folder would make it a module.
    for (let d = path.join(dir.root, 'esm/1'); d !== path.dirname(d); d = path.dirname(d)) expect(existsSync(path.join(d, 'package.json'))).toBe(false);
    const r = await repo.infer('esm', -1, { inputs: [f32('IN', [2], [1, 2])] });
    expect(values(r.outputs[0])).toEqual([3, 6]);
  });
});

describe('initialize(args)', () => {
  it("has Triton's keys, all strings: model_config JSON, instance name and kind, model folder, version, name, device id", async () => {
    const r = await repo.infer('args', -1, { inputs: [f32('IN', [1], [0])] });
    const args = JSON.parse(stringsFromBytes(r.outputs[0]!.data as Uint8Array[])[0]!) as Record<string, string>;
    expect(Object.keys(args).sort()).toEqual(['model_config', 'model_instance_device_id', 'model_instance_kind', 'model_instance_name', 'model_name', 'model_repository', 'model_version']);
    for (const v of Object.values(args)) expect(typeof v).toBe('string');
    expect(args['model_name']).toBe('args');
    expect(args['model_version']).toBe('1');
    expect(args['model_repository']).toBe(path.join(dir.root, 'args'));
    expect(args['model_instance_name']).toBe('args_0');
    expect(args['model_instance_kind']).toBe('CPU');
    expect(args['model_instance_device_id']).toBe('0');
    const config = JSON.parse(args['model_config']!) as { name: string; backend: string; input: { name: string; data_type: string }[]; output: { name: string }[] };
    expect(config).toMatchObject({ name: 'args', backend: 'script', input: [{ name: 'IN', data_type: 'TYPE_FP32' }], output: [{ name: 'ARGS' }] });
  });
});
