/**
 * bench:profile's processes, as a user runs them: the built CLI (`MODEL_LAB_OUT`, or out-bench, so
 * the shared `out/` is never rebuilt), `model-lab serve` in its own process, and `model-lab profile
 * -u` as its own process reading back its -f CSV. Neither client then shares a thread with the
 * server: a client that costs more CPU shows up as the client's limit, not as a slower server.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { cpuSeconds } from '../processes';

export const OUT = process.env['MODEL_LAB_OUT'] ?? 'out-bench';
export const CLI = path.resolve(OUT, 'main/cli.js');

/** Builds the CLI into OUT (a few seconds), unless BENCH_NO_BUILD=1 and it is there already. */
export function buildCli(): void {
  if (process.env['BENCH_NO_BUILD'] === '1' && existsSync(CLI)) return;
  const r = spawnSync('npx', ['electron-vite', 'build'], { env: { ...process.env, MODEL_LAB_OUT: OUT }, encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(CLI)) throw new Error(`electron-vite build into ${OUT} failed:\n${r.stdout}\n${r.stderr}`);
}

export interface ProfileRun {
  inferPerSec: number;
  p50ms: number;
  exitCode: number;
  /** CPU seconds the profile process used (sampled from /proc until it exits; the last ≤100 ms may be missed). */
  clientCpuS: number;
  wallS: number;
}

/** `model-lab profile -u` at one concurrency, run as its own process; infer/s and p50 from its CSV. */
export async function profileProcess(args: string[], csvFile: string): Promise<ProfileRun> {
  rmSync(csvFile, { force: true }); // a run that fails writes none: never read the last run's
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [CLI, 'profile', ...args, '-f', csvFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  child.stdout.on('data', (d: Buffer) => lines.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => lines.push(d.toString()));
  let cpu = 0;
  const sample = (): void => {
    try {
      cpu = cpuSeconds(child.pid!);
    } catch {
      // exited between the check and the read
    }
  };
  const timer = setInterval(sample, 100);
  const exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  clearInterval(timer);
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const rows = existsSync(csvFile) ? readFileSync(csvFile, 'utf8').trimEnd().split('\n') : [];
  const head = rows[0]?.split(',') ?? [];
  const row = rows[1]?.split(',');
  if (exitCode !== 0 || !row) console.log(`model-lab profile ${args.join(' ')} exited ${exitCode}:\n${lines.join('').split('\n').slice(-8).join('\n')}`);
  return {
    inferPerSec: row ? Number(row[head.indexOf('Inferences/Second')]) : NaN,
    p50ms: row ? Number(row[head.indexOf('p50 latency')]) / 1000 : NaN,
    exitCode,
    clientCpuS: cpu,
    wallS,
  };
}

export interface IndependentRun {
  /** NaN when no 3 windows in a row agreed. */
  throughput: number;
  p50ms: number;
  cpuS: number;
  wallS: number;
}

const INDEPENDENT = path.resolve('bench/profile/independent-client.mjs');

/** bench:serve's closed loop as its own process (independent-client.mjs), sending the request in `requestFile`. */
export async function independentProcess(url: string, model: string, concurrency: number, requestFile: string, windowMs: number, maxWindows: number): Promise<IndependentRun> {
  const child = spawn(process.execPath, [INDEPENDENT, url, model, String(concurrency), requestFile, String(windowMs), String(maxWindows)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
  if (code !== 0) throw new Error(`independent client exited ${code}: ${err.slice(-2000)}`);
  const r = JSON.parse(out) as { throughput: number | null; p50ms: number; cpuS: number; wallS: number };
  return { throughput: r.throughput ?? NaN, p50ms: r.p50ms, cpuS: r.cpuS, wallS: r.wallS };
}
