#!/usr/bin/env node
// `npm test`: type-check, lint, build, unit and component tests (vitest), end-to-end tests (Playwright),
// the Electron smoke tests (Playwright's _electron; SKIPPED without an Electron binary), the same
// smoke steps against the browser stand-in with no network (scripts/release/smoke.mjs --standin
// --offline; SKIPPED where no network namespace can be made) and the packaging test
// (scripts/package/run.mjs). Steps can be picked: `npm test -- unit package`.
// Prints `N skipped` (tests that could not run here, each with its reason in its step's output), then
// the closing line `N passed, N failed` (the form CI reads), and exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { netnsAvailable } from './release/offline.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const only = process.argv.slice(2);
const want = (step) => only.length === 0 || only.includes(step);

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
const skips = [];

function run(label, cmd, args, env = {}) {
  process.stdout.write(`\n▶ ${label}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

function check(label, cmd, args) {
  if (run(label, cmd, args)) passed++;
  else {
    failed++;
    failures.push(label);
  }
}

function counted(label, cmd, args, report, count, env = {}) {
  rmSync(report, { force: true });
  const ok = run(label, cmd, args, env);
  if (!existsSync(report)) {
    failed++;
    failures.push(`${label} (no report)`);
    return;
  }
  const { p, f, s = 0 } = count(JSON.parse(readFileSync(report, 'utf8')));
  passed += p;
  failed += f;
  skipped += s;
  if (s > 0) skips.push(`${label}: ${s}`);
  if (f > 0 || (!ok && f === 0)) failures.push(label);
  if (!ok && f === 0) failed++;
}

function playwrightCounts(j) {
  return { p: j.stats?.expected ?? 0, f: (j.stats?.unexpected ?? 0) + (j.stats?.flaky ?? 0), s: j.stats?.skipped ?? 0 };
}

if (want('typecheck')) {
  check('type-check (node)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.node.json']);
  check('type-check (renderer)', bin('vue-tsc'), ['--noEmit', '-p', 'tsconfig.web.json']);
}
if (want('lint')) {
  check('lint', bin('eslint'), ['.', '--max-warnings=0']);
  check('format (prettier --check)', bin('prettier'), ['--check', '.']);
}
if (want('unit')) {
  const report = path.join(root, '.vitest.json');
  counted('unit and component tests (vitest)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], report, (j) => {
    // A file that fails to load has no test results of its own: count it as one failure.
    const brokenFiles = (j.testResults ?? []).filter((s) => s.status === 'failed' && !(s.assertionResults ?? []).some((a) => a.status === 'failed')).length;
    return { p: j.numPassedTests ?? 0, f: (j.numFailedTests ?? 0) + brokenFiles, s: (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0) };
  });
}
/** Builds once (into MODEL_LAB_OUT, as the steps that use the build read it); false when the build failed. */
let built;
function build() {
  if (built === undefined) {
    built = run('build', bin('electron-vite'), ['build']);
    if (!built) {
      failed++;
      failures.push('build');
    }
  }
  return built;
}

if (want('e2e')) {
  if (build()) {
    const report = path.join(root, process.env.E2E_RESULTS ?? 'test-results', 'e2e.json');
    counted('end-to-end tests (Playwright)', bin('playwright'), ['test'], report, playwrightCounts);
  }
}
if (want('electron')) {
  // The desktop app itself (e2e-electron/): SKIPPED with the reason printed when no Electron binary is present.
  // Its own results folder (E2E_RESULTS-electron when E2E_RESULTS is set): Playwright empties its output
  // folder at the start, which would delete the end-to-end tests' screenshots kept as artifacts.
  const results = process.env.E2E_RESULTS ? `${process.env.E2E_RESULTS}-electron` : 'test-results-electron';
  const report = path.join(root, results, 'e2e-electron.json');
  counted('Electron smoke tests (Playwright _electron)', bin('playwright'), ['test', '-c', 'playwright.electron.config.ts'], report, playwrightCounts, { E2E_RESULTS: results });
}
if (want('standin')) {
  // The Electron smoke test's steps against browser mode in Chromium, in a network namespace with
  // loopback only: a first start needs no network, and the steps the release workflow runs against
  // the packed app are not broken. Without a namespace it would run online and prove nothing about
  // the network, so it is SKIPPED with the reason instead.
  const label = 'Electron smoke steps, browser stand-in, offline (scripts/release/smoke.mjs --standin --offline)';
  const ns = netnsAvailable();
  if (!ns.ok) {
    process.stdout.write(`\n▶ ${label}\n  SKIPPED: ${ns.reason}\n`);
    skipped++;
    skips.push(`${label}: 1 (${ns.reason})`);
  } else if (build()) {
    // Its own results folder: Playwright empties its output folder, and the Electron step's report has the same name.
    const results = `${process.env.E2E_RESULTS ?? 'test-results'}-standin`;
    const report = path.join(root, results, 'e2e-electron.json');
    counted(label, process.execPath, [path.join(root, 'scripts/release/smoke.mjs'), '--standin', '--offline'], report, playwrightCounts, { E2E_RESULTS: results });
  }
}
if (want('package')) {
  // Packs the Linux app (electron-builder --linux dir, a stand-in Electron) and checks the packed files;
  // it packs the build this run made (--no-build) instead of building again.
  const report = path.join(root, 'test-results', 'package-test.json');
  mkdirSync(path.dirname(report), { recursive: true });
  const args = [path.join(root, 'scripts/package/run.mjs'), '--report', report, ...(built ? ['--no-build'] : [])];
  counted('packaging test (scripts/package/run.mjs)', process.execPath, args, report, (j) => ({ p: j.passed, f: j.failed, s: j.skipped }));
}

if (failures.length) process.stdout.write(`\nFailed: ${failures.join(', ')}\n`);
if (skips.length) process.stdout.write(`\nSkipped (see each step's output for why): ${skips.join(', ')}\n`);
process.stdout.write(`\n${skipped} skipped\n${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
