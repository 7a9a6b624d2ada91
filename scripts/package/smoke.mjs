// The engine host started with plain Node from the packed files: app.asar extracted into a folder
// named app.asar, next to a copy of app.asar.unpacked, so paths look as they do in the installed app
// (…/resources/app.asar/out/main/engine-host.js) and the script workers really start from
// app.asar.unpacked (backends/script/host.ts), where only the unpacked files are. The engine opens the
// packed sample repositories and runs the OCR ensemble on a packed sample image; the text it reads
// must be the image's text (resources/sample-images/manifest.json, as the engine tests expect). Then a
// TypeScript script model in a folder of the user's (trusted once) must load and answer: its worker
// runs sucrase and the loader hooks from app.asar.unpacked. The init options are the ones main derives
// from process.resourcesPath in a packaged app (electron/main/index.ts: resources/sample-repos, sample-images).
import { fork } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** Builds the extracted layout under `dir` from a packed `resources` folder; returns the new resources folder. */
export function extractPackage(resources, dir) {
  const asar = require('@electron/asar');
  const res = path.join(dir, 'resources');
  mkdirSync(res, { recursive: true });
  asar.extractAll(path.join(resources, 'app.asar'), path.join(res, 'app.asar'));
  cpSync(path.join(resources, 'app.asar.unpacked'), path.join(res, 'app.asar.unpacked'), { recursive: true });
  return res;
}

/** A small client of the engine host protocol (electron/engine-host/protocol.ts) over fork's IPC. */
function connect(child, log) {
  const pending = new Map();
  const waiters = [];
  let next = 1;
  child.on('message', (m) => {
    if (m.t === 'result') {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.ok) p?.resolve(m.value);
      else p?.reject(Object.assign(new Error(`${m.error.code}: ${m.error.message}`), { code: m.error.code }));
    } else if (m.t === 'ask') {
      child.send({ t: 'answer', id: m.id, ok: false, error: { code: 'UNAVAILABLE', message: 'no dialogs in the packaging test' } });
    } else if (m.t === 'log') log(m.line);
    for (const w of waiters.splice(0)) if (!w(m)) waiters.push(w);
  });
  return {
    call: (method, req) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        child.send({ t: 'call', id, method, req });
      }),
    waitFor: (t, ms) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no '${t}' from the engine host within ${ms / 1000} s`)), ms);
        child.once('exit', (code, signal) => reject(new Error(`the engine host exited (${signal ?? `code ${code}`}) before '${t}'`)));
        child.once('error', (err) => reject(new Error(`the engine host did not start: ${err.message}`)));
        waiters.push((m) => (m.t === t ? (clearTimeout(timer), resolve(m), true) : false));
      }),
  };
}

/** Waits until the OCR ensemble sample has loaded (its models out of LOADING); its ensemble must be READY. */
async function ocrLoaded(host, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const repos = await host.call('listRepositories', {});
    const ocr = repos.find((r) => path.basename(r.path) === 'ocr_ensemble');
    if (!ocr) throw new Error(`the OCR ensemble sample did not open; open: ${repos.map((r) => path.basename(r.path)).join(', ') || 'none'}`);
    const settled = !ocr.loading && ocr.models.every((m) => m.state !== 'LOADING');
    if (settled || Date.now() > end) {
      const ensemble = ocr.models.find((m) => m.name === 'ensemble_model');
      if (ensemble?.state === 'READY') return { repos, ocr };
      throw new Error(`the OCR ensemble is not ready${settled ? '' : ' (timed out)'}: ${ocr.models.map((m) => `${m.name} ${m.state}${m.reason ? ` (${m.reason})` : ''}`).join('; ')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A TypeScript script model with a typed relative import: sucrase and the loader hooks, from app.asar.unpacked. */
const TS_CONFIG = `name: "typed"
backend: "script"
max_batch_size: 0
input [ { name: "X", data_type: TYPE_FP32, dims: [ 3 ] } ]
output [ { name: "Y", data_type: TYPE_FP32, dims: [ 3 ] } ]
`;
const TS_MODEL = `import { double, type Doubler } from './lib/math';
interface Req { inputs(): { data: Float32Array; shape: number[] }[] }
export default class TritonPythonModel {
  private readonly f: Doubler = double;
  execute(requests: Req[]): unknown[] {
    return requests.map((r: Req) => new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('Y', this.f(r.inputs()[0]!.data), [3])] }));
  }
}
`;
const TS_LIB = 'export type Doubler = (x: Float32Array) => Float32Array;\nexport const double: Doubler = (x: Float32Array): Float32Array => x.map((v: number) => v * 2);\n';

/** Opens a folder with the TypeScript model, trusts it once, runs it; returns the output values. */
async function typescriptModel(host, tmp, timeoutMs) {
  const repo = path.join(tmp, 'typed-repo');
  mkdirSync(path.join(repo, 'typed', '1', 'lib'), { recursive: true });
  writeFileSync(path.join(repo, 'typed', 'config.pbtxt'), TS_CONFIG);
  writeFileSync(path.join(repo, 'typed', '1', 'model.ts'), TS_MODEL);
  writeFileSync(path.join(repo, 'typed', '1', 'lib', 'math.ts'), TS_LIB);
  const opened = await host.call('openRepository', { path: repo });
  await host.call('setTrust', { repoId: opened.id, decision: 'once' });
  const end = Date.now() + timeoutMs;
  for (;;) {
    const info = (await host.call('listRepositories', {})).find((r) => r.id === opened.id);
    const model = info?.models.find((m) => m.name === 'typed');
    if (model?.state === 'READY') break;
    if ((model && model.state !== 'LOADING' && !info.loading) || Date.now() > end)
      throw new Error(`the TypeScript script model did not load: ${model ? `${model.state} (${model.reason})` : 'not listed'}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const run = await host.call('runModel', { repoId: opened.id, model: 'typed', inputs: [{ name: 'X', kind: 'values', dtype: 'FP32', shape: [3], values: [1, 2, 3.5] }] });
  if (run.state !== 'ok') throw new Error(`the TypeScript script model's run ended '${run.state}': ${run.error?.message ?? ''}`);
  const page = await host.call('tensorPage', { runId: run.runId, side: 'output', name: 'Y', offset: 0, count: 3 });
  const values = page.values.map(Number);
  if (JSON.stringify(values) !== JSON.stringify([2, 4, 7])) throw new Error(`the TypeScript script model answered ${JSON.stringify(values)}, expected [2,4,7]`);
  return values;
}

/** The first sample image of the manifest with its expected lines. */
function expectedText(sampleImagesDir) {
  const manifest = JSON.parse(readFileSync(path.join(sampleImagesDir, 'manifest.json'), 'utf8'));
  const img = manifest.images.find((i) => i.file === 'dejavu-sans-lines.png') ?? manifest.images[0];
  return { file: img.file, lines: img.lines };
}

/**
 * Runs the smoke test; returns what it saw (repositories, the text read, the engine's log lines).
 * Throws with the reason on any failure. The engine host is shut down (then killed) in every case.
 */
export async function smokeEngineHost({ resources, packed, tmp, timeoutMs = 180_000 }) {
  const entry = path.join(resources, 'app.asar', 'out', 'main', 'engine-host.js');
  const lines = [];
  mkdirSync(tmp, { recursive: true });
  // No NODE_PATH: a module found through it would not be in the package, yet the run would pass.
  const child = fork(entry, [], { cwd: tmp, serialization: 'advanced', execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, NODE_PATH: '' } });
  child.stdout.on('data', (c) => lines.push(...String(c).split('\n').filter(Boolean)));
  child.stderr.on('data', (c) => lines.push(...String(c).split('\n').filter(Boolean)));
  let spawnError;
  child.on('error', (err) => (spawnError = err));
  const host = connect(child, (l) => lines.push(l));
  const sampleImagesDir = path.join(packed, 'sample-images');
  try {
    const options = {
      settingsFile: path.join(tmp, 'user-data', 'settings.json'),
      samplesDir: path.join(packed, 'sample-repos'),
      sampleImagesDir,
      appVersion: '0.0.0-package-test',
      given: [],
      credentialsViaHost: false,
    };
    mkdirSync(path.dirname(options.settingsFile), { recursive: true });
    const ready = host.waitFor('ready', timeoutMs);
    child.send({ t: 'init', options });
    await ready;
    const { repos, ocr } = await ocrLoaded(host, timeoutMs);
    const want = expectedText(sampleImagesDir);
    const run = await host.call('runModel', { repoId: ocr.id, model: 'ensemble_model', inputs: [{ name: 'input_image', kind: 'bytes', dtype: 'UINT8', source: { sample: want.file } }] });
    if (run.state !== 'ok') throw new Error(`the OCR run ended '${run.state}': ${run.error?.message ?? ''}`);
    const page = await host.call('tensorPage', { runId: run.runId, side: 'output', name: 'recognized_text', offset: 0, count: 64 });
    const text = page.values.map(String);
    if (JSON.stringify(text) !== JSON.stringify(want.lines)) throw new Error(`the OCR ensemble read ${JSON.stringify(text)}, expected ${JSON.stringify(want.lines)}`);
    const typed = await typescriptModel(host, tmp, timeoutMs);
    const closed = host.waitFor('closed', 30_000);
    child.send({ t: 'shutdown' });
    await closed;
    return { repos: repos.map((r) => path.basename(r.path)), image: want.file, text, typed, lines };
  } catch (err) {
    child.kill('SIGKILL');
    err.message += lines.length ? `\n  engine host output (last lines):\n    ${lines.slice(-20).join('\n    ')}` : '';
    throw err;
  } finally {
    const exited = spawnError || child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
  }
}
