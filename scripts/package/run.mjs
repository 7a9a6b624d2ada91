#!/usr/bin/env node
// `npm run test:package`: packs the Linux app the way an offline machine does (electron-builder
// --linux dir with a local Electron distribution, here a stand-in: standin.mjs) and checks the result
// from the packaged files alone (inspect.mjs, graph.mjs), then starts the engine host with plain Node
// from the extracted package and reads a sample image with the OCR ensemble (smoke.mjs).
//
//   node scripts/package/run.mjs [--no-build] [--keep] [--report <file.json>] [--config <electron-builder.yml>] [--cuda]
//
// --cuda checks a CUDA build (electron-builder.cuda.yml; ONNX Runtime's CUDA provider libraries must
// be installed: docs/PACKAGING.md).
// The build goes to MODEL_LAB_OUT (default `out`), then the project is staged in a temp folder
// (package.json, the lock file, the electron-builder config, the build as `out/`, and links to
// node_modules, resources and sample-repos), so files others write into the working tree meanwhile
// cannot leak into the package. Prints one line per check and `N passed, N failed, N skipped`;
// exits non-zero on any failure. --keep leaves the packed app for inspection by hand.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkArchiveRoot, checkDependencies, checkGraphs, checkMetadata, checkNativeTarget, checkPythonFiles, checkRenderer, checkSamples, checkUnpacked, sizeTable } from './inspect.mjs';
import { extractPackage, smokeEngineHost } from './smoke.mjs';
import { makeStandinElectron } from './standin.mjs';

/** The Linux package's own files (resources/, Electron not counted): 141 MB when this budget was set. */
export const BUDGET_MB = 160;
/** The CUDA build (--cuda): ONNX Runtime's CUDA provider is large; a ceiling until a real CUDA build sets the number. */
export const BUDGET_CUDA_MB = 900;
/** What ONNXRUNTIME_NODE_INSTALL=cuda12 installs (onnxruntime-node script/install-metadata.js, linux/x64:cuda12). */
export const CUDA_PROVIDERS = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'];

/** Before target-only native modules (this change): app.asar.unpacked held every platform's binaries. */
export const UNPACKED_BEFORE_MB = 174;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'package.json'));
const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const option = (f) => (args.includes(f) ? args[args.indexOf(f) + 1] : undefined);
/** The Linux app for this machine's architecture: npm installed the native modules for it. */
const target = { platform: 'linux', arch: process.arch };

const WRAPPER = 'electron-builder.package-test.yml';
const results = [];

/** A config with its `extends: ./file` parents merged in (objects merged, the child's values win). */
function loadConfig(file) {
  const config = require('yaml').parse(readFileSync(file, 'utf8'));
  if (typeof config.extends !== 'string' || !config.extends.startsWith('.')) return config;
  const merge = (a, b) =>
    a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)
      ? Object.fromEntries([...new Set([...Object.keys(a), ...Object.keys(b)])].map((k) => [k, k in b ? merge(a[k], b[k]) : a[k]]))
      : (b ?? a);
  return merge(loadConfig(path.resolve(path.dirname(file), config.extends)), config);
}
function record(r) {
  results.push(r);
  const mark = { passed: '✓', failed: '✗', skipped: '-' }[r.status];
  process.stdout.write(`  ${mark} ${r.name}${r.status === 'skipped' ? ' (SKIPPED)' : ''}\n${r.detail ? `      ${r.detail}\n` : ''}`);
}

/** Runs one step; a throw is a failed check with the error's message. */
async function step(name, fn) {
  try {
    const r = await fn();
    if (r) for (const x of [r].flat()) record(x);
    return true;
  } catch (err) {
    record({ name, status: 'failed', detail: err instanceof Error ? err.message : String(err) });
    return false;
  }
}

function build(outName) {
  process.stdout.write(`▶ electron-vite build → ${outName}/\n`);
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, MODEL_LAB_OUT: outName },
  });
  if (r.status !== 0) throw new Error(`electron-vite build exited with ${r.status ?? r.signal}`);
}

/**
 * A tree of hard links to `src` (copies where the two folders are on different file systems), so the
 * stage's node_modules is a real folder: electron-builder collects dependencies with `npm list`, which
 * through a linked node_modules reads npm's hidden lockfile wrongly and finds the packages missing (it
 * passed only where a later write had made that lockfile stale, and failed on a fresh `npm ci`).
 */
function linkTree(src, dst) {
  mkdirSync(dst, { recursive: true });
  for (const e of readdirSync(src, { withFileTypes: true })) {
    const from = path.join(src, e.name);
    const to = path.join(dst, e.name);
    if (e.isDirectory()) linkTree(from, to);
    else if (e.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else {
      try {
        linkSync(from, to);
      } catch {
        copyFileSync(from, to);
      }
    }
  }
}

/** The project as electron-builder sees it, in `stage`: copies of what others may change meanwhile, links to the rest. */
function stageProject(stage, outName, configFile) {
  mkdirSync(stage, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) cpSync(path.join(root, f), path.join(stage, f));
  // The config under test keeps its name (a variant `extends: ./electron-builder.yml`); a wrapper adds
  // the stand-in Electron and the output folder.
  cpSync(path.join(root, 'electron-builder.yml'), path.join(stage, 'electron-builder.yml'));
  const name = path.basename(configFile);
  if (name !== 'electron-builder.yml') cpSync(path.resolve(root, configFile), path.join(stage, name));
  writeFileSync(path.join(stage, WRAPPER), `# written by scripts/package/run.mjs\nextends: ./${name}\n`);
  cpSync(path.join(root, outName), path.join(stage, 'out'), { recursive: true });
  linkTree(path.join(root, 'node_modules'), path.join(stage, 'node_modules'));
  for (const d of ['resources', 'sample-repos']) symlinkSync(path.join(root, d), path.join(stage, d), process.platform === 'win32' ? 'junction' : 'dir');
  // Hooks are resolved from the working directory and must lie inside the project (electron-builder's rule).
  cpSync(path.join(root, 'scripts/package'), path.join(stage, 'scripts/package'), { recursive: true });
}

async function pack(stage, electronDist, output) {
  const { build: ebBuild, Platform, Arch } = require('electron-builder');
  process.stdout.write(`▶ electron-builder --linux dir -c.electronDist=${electronDist}\n`);
  const started = Date.now();
  const cwd = process.cwd();
  process.chdir(stage);
  try {
    const wrapper = path.join(stage, WRAPPER);
    writeFileSync(wrapper, `${readFileSync(wrapper, 'utf8')}electronDist: ${JSON.stringify(electronDist)}\ndirectories:\n  output: ${JSON.stringify(output)}\n`);
    await ebBuild({ projectDir: stage, targets: Platform.LINUX.createTarget('dir', Arch[target.arch]), config: wrapper, publish: 'never' });
  } finally {
    process.chdir(cwd);
  }
  process.stdout.write(`  packed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return path.join(output, target.arch === 'x64' ? 'linux-unpacked' : `linux-${target.arch}-unpacked`);
}

/** A CUDA build carries ONNX Runtime's CUDA provider libraries, unpacked beside libonnxruntime.so.1. */
function checkCudaProviders(resources) {
  const name = `CUDA build: ${CUDA_PROVIDERS.join(', ')} unpacked beside libonnxruntime.so.1`;
  const dir = path.join(resources, 'app.asar.unpacked/node_modules/onnxruntime-node/bin/napi-v6', target.platform, target.arch);
  const missing = CUDA_PROVIDERS.filter((f) => !existsSync(path.join(dir, f)));
  if (missing.length === 0) return { name, status: 'passed', detail: CUDA_PROVIDERS.map((f) => `${f} ${(statSync(path.join(dir, f)).size / 1024 / 1024).toFixed(1)} MB`).join(', ') };
  return {
    name,
    status: 'failed',
    detail: `missing: ${missing.join(', ')}; install them first: ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci (or node node_modules/onnxruntime-node/script/install.js --onnxruntime-node-install=cuda12)`,
  };
}

async function main() {
  const outName = process.env.MODEL_LAB_OUT ?? 'out';
  const cuda = flag('--cuda');
  const configFile = option('--config') ?? (cuda ? 'electron-builder.cuda.yml' : 'electron-builder.yml');
  const tmp = mkdtempSync(path.join(process.env.PACKAGE_TMP ?? os.tmpdir(), 'model-lab-package-'));
  let packed;
  try {
    if (!flag('--no-build')) build(outName);
    else if (!existsSync(path.join(root, outName, 'main'))) throw new Error(`--no-build, but ${outName}/ holds no build`);
    const config = loadConfig(path.resolve(root, configFile));
    const electronVersion = JSON.parse(readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')).version;
    stageProject(path.join(tmp, 'stage'), outName, configFile);
    const dist = makeStandinElectron(path.join(tmp, 'electron-dist'), electronVersion);
    if (
      !(await step('electron-builder --linux dir with a stand-in Electron', async () => {
        packed = await pack(path.join(tmp, 'stage'), dist, path.join(tmp, 'release'));
      }))
    )
      return;
    const resources = path.join(packed, 'resources');
    process.stdout.write(`▶ checks of ${packed}\n`);
    await step('the executable', () =>
      existsSync(path.join(packed, 'model-lab'))
        ? { name: 'the executable is the renamed Electron binary (model-lab)', status: 'passed' }
        : { name: 'the executable', status: 'failed', detail: 'linux-unpacked/model-lab is missing' },
    );
    await step('archive root', () => checkArchiveRoot(resources));
    await step('app.asar.unpacked', () => checkUnpacked(resources));
    await step('native modules', () => checkNativeTarget(resources, target));
    if (cuda) await step('CUDA provider', () => checkCudaProviders(resources));
    await step('Python files', () => checkPythonFiles(resources, root));
    await step('sample repositories', () => checkSamples(resources, root));
    await step('dependencies', () => checkDependencies(resources));
    await step('metadata', () => checkMetadata(root, config));
    const extracted = extractPackage(resources, path.join(tmp, 'extracted'));
    await step('import graphs', () => checkGraphs(extracted, target));
    await step('renderer', () => checkRenderer(extracted, target));
    await step('size', () => {
      const { check } = sizeTable(packed, cuda ? BUDGET_CUDA_MB : BUDGET_MB);
      check.detail += `\n      (before target-only native modules: app.asar.unpacked ${UNPACKED_BEFORE_MB} MB)`;
      return check;
    });
    const smokeName = 'engine host under plain Node from the extracted package: samples open, the OCR ensemble reads the sample text, a TypeScript script model runs';
    await step(smokeName, async () => {
      const started = Date.now();
      const r = await smokeEngineHost({ resources: extracted, packed: resources, tmp: path.join(tmp, 'smoke') });
      return {
        name: smokeName,
        status: 'passed',
        detail: `${r.repos.length} repositories (${r.repos.join(', ')}); ${r.image} read as ${JSON.stringify(r.text)}; a TypeScript script model answered ${JSON.stringify(r.typed)}; in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      };
    });
  } finally {
    if (flag('--keep') && packed) process.stdout.write(`\nkept: ${packed} (extracted: ${path.join(tmp, 'extracted')})\n`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  if (process.env.PACKAGE_TMP) mkdirSync(process.env.PACKAGE_TMP, { recursive: true });
  // The Linux package needs the Linux native modules that npm installs on Linux only.
  if (process.platform !== 'linux')
    record({ name: 'packaging test', status: 'skipped', detail: `it packs the Linux app with the native modules npm installed, so it runs on Linux (this is ${process.platform})` });
  else await main();
} catch (err) {
  record({ name: 'packaging test', status: 'failed', detail: err instanceof Error ? err.message : String(err) });
}
const count = (s) => results.filter((r) => r.status === s).length;
const report = option('--report');
if (report) writeFileSync(report, JSON.stringify({ passed: count('passed'), failed: count('failed'), skipped: count('skipped'), results }, null, 2));
process.stdout.write(`\n${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped\n`);
process.exit(count('failed') > 0 ? 1 : 0);
