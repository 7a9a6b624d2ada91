/**
 * ONNX Runtime loaded on first use (defect: a binding that fails to load took
 * the engine down at startup). A binding that does not load makes each ONNX
 * model UNAVAILABLE with the binding's error and a hint for this platform,
 * while the other models, the config auto-complete and the lab keep working;
 * "Run to see" says the same; a later load tries again. Also: which execution
 * provider each instance runs on, and the CUDA check that looks for the
 * provider libraries next to the binding (app.asar.unpacked in a packaged app).
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LabError } from '../../errors';
import { runObserved } from '../../graph/observe/ort-run';
import { buildOnnxModel } from '../../onnx/testing/build-model';
import { closeRepositories, identityConfig, loadRepository, TempDirs } from '../../repository/testing/temp-repo';
import { toModelSummary } from '../../repository/views';
import { f32, modelConfig, values } from '../../runtime/testing/models';
import { makeTensor } from '../../tensor/tensor';
import { noCudaNote } from './index';
import { bindingDir, bindingFailure, bindingHint, cudaProviderFiles, cudaSupport, loadOrt, packagedRuntime, setOrtImporterForTests } from './runtime';
import { unpackedPath } from '../bundled-files';

const temp = new TempDirs();
afterEach(async () => {
  setOrtImporterForTests(undefined);
  await closeRepositories();
  temp.cleanup();
  vi.doUnmock('onnxruntime-node');
  vi.resetModules();
});

const FLOAT = 1;
const ADD = buildOnnxModel({
  inputs: [
    { name: 'A', type: FLOAT, dims: ['batch', 3] },
    { name: 'B', type: FLOAT, dims: ['batch', 3] },
  ],
  outputs: [{ name: 'SUM', type: FLOAT, dims: ['batch', 3] }],
  nodes: [{ op: 'Add', inputs: ['A', 'B'], outputs: ['SUM'] }],
});

/** No config.pbtxt: auto-complete reads the inputs from the file (no ONNX Runtime needed for that). */
const REPO = { 'add/1/model.onnx': ADD, 'echo/config.pbtxt': identityConfig('echo'), 'echo/1': null };

const DLOPEN = 'libonnxruntime.so.1: cannot open shared object file: No such file or directory';

describe('ONNX Runtime loaded on first use', () => {
  it('a binding that does not load makes the ONNX model UNAVAILABLE with the reason and a hint; the other models load', async () => {
    let tries = 0;
    setOrtImporterForTests(() => {
      tries++;
      return Promise.reject(new Error(`${DLOPEN}\n    at Module._extensions..node`));
    });
    const d = await temp.make(REPO);
    const repo = await loadRepository(d.root);
    const add = repo.models.get('add')!;
    expect(add.state).toBe('UNAVAILABLE');
    const v = add.versions[0]!;
    expect(v.reasonCode).toBe('ORT_BINDING');
    expect(v.reason).toContain('ONNX Runtime could not be loaded on this computer');
    expect(v.reason).toContain(DLOPEN);
    expect(v.reason).not.toContain('Module._extensions');
    // The config was still completed from the file: the model page shows its inputs.
    expect(v.config?.input.map((i) => i.name)).toEqual(['A', 'B']);
    expect(toModelSummary(add, repo.root).versions[0]!.reasonCode).toBe('ORT_BINDING');
    expect(repo.models.get('echo')!.state).toBe('READY');
    expect(tries).toBe(1);

    // The failure is not kept: once the binding loads, a reload of the model works.
    setOrtImporterForTests(undefined);
    await repo.load(['add']);
    expect(repo.models.get('add')!.state).toBe('READY');
    const r = await repo.infer('add', -1, { inputs: [f32('A', [1, 3], [1, 2, 3]), f32('B', [1, 3], [1, 1, 1])] });
    expect(values(r.outputs[0])).toEqual([2, 3, 4]);
  });

  it('the real import failing (onnxruntime-node mocked to throw) is caught the same way', async () => {
    vi.resetModules();
    vi.doMock('onnxruntime-node', () => {
      throw new Error('The specified module could not be found. \\\\?\\C:\\app\\onnxruntime_binding.node');
    });
    const fresh = await import('./runtime');
    const err = await fresh.loadOrt().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as LabError).code).toBe('UNAVAILABLE');
    expect((err as LabError).reason).toBe('ORT_BINDING');
    // Vitest wraps the factory's error; the binding's own error is kept as the cause.
    const causes: string[] = [];
    for (let c: unknown = err; c instanceof Error; c = c.cause) causes.push(c.message);
    expect(causes.some((m) => m.includes('The specified module could not be found'))).toBe(true);
  });

  it.skipIf(process.platform === 'win32')('a real native failure: onnxruntime-node whose binding file is not a library (dlopen fails) is caught', async () => {
    // A copy of the package with its binding replaced, onnxruntime-common linked beside it: the real module code runs and dlopen refuses.
    const d = (await temp.make()).root;
    const real = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const copy = path.join(d, 'node_modules', 'onnxruntime-node');
    mkdirSync(copy, { recursive: true });
    cpSync(path.join(real, 'package.json'), path.join(copy, 'package.json'));
    cpSync(path.join(real, 'dist'), path.join(copy, 'dist'), { recursive: true });
    const bin = path.join(copy, 'bin', 'napi-v6', process.platform, process.arch);
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'onnxruntime_binding.node'), 'not a shared library');
    const common = createRequire(path.join(real, 'package.json')).resolve('onnxruntime-common');
    symlinkSync(common.slice(0, common.lastIndexOf('onnxruntime-common') + 'onnxruntime-common'.length), path.join(d, 'node_modules', 'onnxruntime-common'));
    setOrtImporterForTests(() => import(path.join(copy, 'dist', 'index.js')));
    const err = (await loadOrt().catch((e: unknown) => e)) as LabError;
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.reason).toBe('ORT_BINDING');
    expect(err.message).toContain('onnxruntime_binding.node');
    expect(err.message).toContain(bindingHint(process.platform, process.arch));
  });

  it('"Run to see" reports the same instead of crashing', async () => {
    setOrtImporterForTests(() => Promise.reject(new Error(DLOPEN)));
    const a = makeTensor('A', 'FP32', [1, 3], new Float32Array(3));
    const err = await runObserved(ADD, [a, makeTensor('B', 'FP32', [1, 3], new Float32Array(3))], ['SUM'], { modelDir: '.', external: false }).catch((e: unknown) => e);
    expect((err as LabError).reason).toBe('ORT_BINDING');
    // The next observation is not stuck behind the failed one.
    setOrtImporterForTests(undefined);
    const got = await runObserved(ADD, [a, makeTensor('B', 'FP32', [1, 3], new Float32Array([1, 1, 1]))], ['SUM'], { modelDir: '.', external: false });
    expect(got[0]!.tensor?.shape).toEqual([1, 3]);
  });

  it('the hint names the fix for each platform', () => {
    expect(bindingHint('win32', 'x64')).toMatch(/Microsoft Visual C\+\+ Redistributable/);
    expect(bindingHint('darwin', 'x64')).toMatch(/no binary for Intel Macs/);
    expect(bindingHint('linux', 'x64')).toMatch(/glibc/);
    expect(bindingHint('freebsd', 'x64')).toMatch(/no binary for freebsd-x64/);
    const e = bindingFailure(new Error('dlopen failed\nstack'), 'darwin', 'x64');
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toBe(`ONNX Runtime could not be loaded on this computer (darwin-x64): dlopen failed. To run ONNX models: ${bindingHint('darwin', 'x64')}.`);
  });

  it('no other module of the app imports onnxruntime-node (type-only imports aside; tests and testing helpers aside)', () => {
    const root = path.resolve(import.meta.dirname, '../../..');
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (e.name !== 'testing' && e.name !== 'node_modules') walk(p);
        } else if (/\.(ts|mts|mjs|js)$/.test(e.name) && !/\.test\.ts$/.test(e.name) && e.name !== 'testing.ts') {
          const text = readFileSync(p, 'utf8');
          if (/^import (?!type )[^;]*from 'onnxruntime-node'|require\('onnxruntime-node'\)|import\('onnxruntime-node'\)/m.test(text)) offenders.push(path.relative(root, p));
        }
      }
    };
    walk(root);
    expect(offenders).toEqual([path.join('engine', 'backends', 'onnxruntime', 'runtime.ts')]);
  });

  it('loads once and hands the same module to every caller', async () => {
    const [a, b] = await Promise.all([loadOrt(), loadOrt()]);
    expect(a).toBe(b);
    expect(typeof a.InferenceSession.create).toBe('function');
  });
});

describe('execution providers', () => {
  it('each instance records its execution provider, in the model summary', async () => {
    const d = await temp.make({
      'add/config.pbtxt': modelConfig('add', {
        backend: 'onnxruntime',
        mbs: 8,
        inputs: [
          { name: 'A', dims: [3] },
          { name: 'B', dims: [3] },
        ],
        outputs: [{ name: 'SUM', dims: [3] }],
        extra: 'instance_group [ { kind: KIND_CPU count: 2 } ]',
      }),
      'add/1/model.onnx': ADD,
    });
    const repo = await loadRepository(d.root);
    const summary = toModelSummary(repo.models.get('add')!, repo.root);
    expect(summary.versions[0]!.instances).toEqual([
      { name: 'add_0_0', device: 'CPU', provider: 'CPUExecutionProvider' },
      { name: 'add_0_1', device: 'CPU', provider: 'CPUExecutionProvider' },
    ]);
    // Unloaded, the version runs nowhere: no provider is claimed for it (the page and the tree chip show none).
    await repo.unload('add');
    expect(toModelSummary(repo.models.get('add')!, repo.root).versions[0]!.instances).toBeUndefined();
  });

  it('CUDA is usable only when the binding lists it and its provider libraries sit next to the binding', async () => {
    const d = (await temp.make()).root;
    const withCuda = {
      listSupportedBackends: () => [
        { name: 'cpu', bundled: true },
        { name: 'cuda', bundled: false },
      ],
    };
    const cpuOnly = { listSupportedBackends: () => [{ name: 'cpu', bundled: true }] };
    expect(cudaSupport(cpuOnly, d).usable).toBe(false);
    expect(cudaSupport(cpuOnly, d).why).toMatch(/has no CUDA execution provider/);
    const missing = cudaSupport(withCuda, d);
    expect(missing.usable).toBe(false);
    expect(missing.why).toContain(cudaProviderFiles(process.platform)[0]);
    for (const f of cudaProviderFiles(process.platform)) writeFileSync(path.join(d, f), '');
    expect(cudaSupport(withCuda, d)).toEqual({ usable: true });
    expect(
      cudaSupport(
        {
          listSupportedBackends: () => {
            throw new Error('no');
          },
        },
        d,
      ).usable,
    ).toBe(false);
  });

  it('the fallback note names the fix that fits: the CUDA build for an installed app, the provider libraries for an npm install', () => {
    expect(packagedRuntime('/opt/Model Lab/resources/app.asar.unpacked/node_modules/onnxruntime-node/bin/napi-v6/linux/x64')).toBe(true);
    expect(packagedRuntime('C:\\Model Lab\\resources\\app.asar.unpacked\\node_modules\\x')).toBe(true);
    expect(packagedRuntime('/work/lab/node_modules/onnxruntime-node/bin/napi-v6/linux/x64')).toBe(false);
    expect(packagedRuntime(undefined)).toBe(false);
    // This checkout runs ONNX Runtime from node_modules.
    expect(packagedRuntime()).toBe(false);
    expect(noCudaNote(true)).toMatch(/this build of Model Lab has no CUDA execution provider \(the CUDA build of the Linux x64 installers has it\)/);
    expect(noCudaNote(true)).not.toContain('ONNXRUNTIME_NODE_INSTALL');
    expect(noCudaNote(false)).toContain('reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12');
  });

  it('in a packaged app the provider libraries are looked for in app.asar.unpacked', () => {
    expect(unpackedPath('/opt/Model Lab/resources/app.asar/node_modules/onnxruntime-node/bin/napi-v6/linux/x64')).toBe(
      '/opt/Model Lab/resources/app.asar.unpacked/node_modules/onnxruntime-node/bin/napi-v6/linux/x64',
    );
    expect(unpackedPath('C:\\Model Lab\\resources\\app.asar\\node_modules\\x')).toBe('C:\\Model Lab\\resources\\app.asar.unpacked\\node_modules\\x');
    expect(unpackedPath('/home/u/app.asarx/y')).toBe('/home/u/app.asarx/y');
    // The one mapping of bundled-files.ts: the innermost archive counts (a folder above the install may be called app.asar).
    expect(unpackedPath('/home/app.asar/Lab/resources/app.asar/node_modules/x')).toBe('/home/app.asar/Lab/resources/app.asar.unpacked/node_modules/x');
    expect(bindingDir('linux', 'x64')).toMatch(/onnxruntime-node[\\/]bin[\\/]napi-v6[\\/]linux[\\/]x64$/);
  });

  it('a packaged CUDA build: the provider libraries in app.asar.unpacked are found from the path Node resolves inside app.asar', async () => {
    const res = (await temp.make({ 'app.asar': 'archive' })).root;
    const entry = path.join(res, 'app.asar', 'node_modules', 'onnxruntime-node', 'dist', 'index.js');
    const dir = bindingDir('linux', 'x64', entry)!;
    expect(dir).toBe(path.join(res, 'app.asar.unpacked', 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'linux', 'x64'));
    mkdirSync(dir, { recursive: true });
    const withCuda = { listSupportedBackends: () => [{ name: 'cuda', bundled: false }] };
    expect(cudaSupport(withCuda, dir).usable).toBe(false);
    for (const f of cudaProviderFiles(process.platform)) writeFileSync(path.join(dir, f), '');
    expect(cudaSupport(withCuda, dir)).toEqual({ usable: true });
  });
});
