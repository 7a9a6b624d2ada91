/**
 * "Open in Netron": finds a `netron` executable on the PATH (no shell), starts
 * it on 127.0.0.1 for one model file (no browser: netron opens one only with
 * -b), waits until its port answers, and keeps one process per file until the
 * lab closes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { LabError } from '../errors';

export interface NetronOptions {
  /** Where PATH (and PATHEXT on Windows) come from; the process's environment by default. */
  env?: NodeJS.ProcessEnv;
  /** How long netron may take to answer on its port. */
  startTimeoutMs?: number;
}

interface Running {
  child: ChildProcess;
  url: string;
  ready: Promise<string>;
}

const HOST = '127.0.0.1';
const TAIL_BYTES = 2000;

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env['PATH'] ?? env['Path'] ?? '').split(path.delimiter).filter(Boolean);
  const exts = process.platform === 'win32' ? (env['PATHEXT'] ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean) : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const file = path.join(dir, name + ext);
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: HOST, port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

export class NetronLauncher {
  private readonly running = new Map<string, Running>();
  private readonly starting = new Map<string, Promise<string>>();
  private readonly env: NodeJS.ProcessEnv;
  private readonly startTimeoutMs: number;
  /** Kills children if the host exits without closing the lab. */
  private readonly onExit = (): void => {
    for (const r of this.running.values()) r.child.kill();
  };

  constructor(opts: NetronOptions = {}) {
    this.env = opts.env ?? process.env;
    this.startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  }

  status(): { available: boolean; path?: string } {
    const found = findOnPath('netron', this.env);
    return found ? { available: true, path: found } : { available: false };
  }

  /** The address of a netron serving `file`, started if needed. */
  async open(file: string): Promise<string> {
    const existing = this.running.get(file);
    if (existing && existing.child.exitCode === null && existing.child.signalCode === null) return existing.ready;
    // Two quick clicks share one start: a second netron would be left running, unknown to close().
    const pending = this.starting.get(file);
    if (pending) return pending;
    const started = this.start(file).finally(() => this.starting.delete(file));
    this.starting.set(file, started);
    return started;
  }

  private async start(file: string): Promise<string> {
    const exe = findOnPath('netron', this.env);
    if (!exe) throw new LabError('UNAVAILABLE', 'netron is not on the PATH; install it (pip install netron) and restart the lab, or use the lab’s own graph view');
    const port = await freePort();
    const child = spawn(exe, [file, '--host', HOST, '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], shell: false, env: this.env, windowsHide: true });
    let tail = '';
    const keep = (chunk: Buffer): void => {
      tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const url = `http://${HOST}:${port}`;
    const entry: Running = { child, url, ready: Promise.resolve(url) };
    entry.ready = this.waitReady(child, port, file, () => tail.trim()).then(
      () => url,
      (err: unknown) => {
        if (this.running.get(file) === entry) this.running.delete(file);
        child.kill();
        throw err;
      },
    );
    this.running.set(file, entry);
    if (this.running.size === 1) process.once('exit', this.onExit);
    child.once('exit', () => {
      if (this.running.get(file) === entry) this.running.delete(file);
      if (this.running.size === 0) process.removeListener('exit', this.onExit);
    });
    return entry.ready;
  }

  private waitReady(child: ChildProcess, port: number, file: string, tail: () => string): Promise<void> {
    const deadline = Date.now() + this.startTimeoutMs;
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (err?: LabError): void => {
        if (done) return;
        done = true;
        if (err) reject(err);
        else resolve();
      };
      const printed = (): string => (tail() ? `; it printed: ${tail()}` : '');
      child.once('error', (err) => finish(new LabError('UNAVAILABLE', `netron could not be started: ${err.message}`)));
      child.once('exit', (code, signal) => finish(new LabError('UNAVAILABLE', `netron exited (${signal ?? `code ${code}`}) before serving '${path.basename(file)}'${printed()}`)));
      const poll = (): void => {
        if (done) return;
        void answers(port).then((ok) => {
          if (done) return;
          if (ok) finish();
          else if (Date.now() > deadline) finish(new LabError('UNAVAILABLE', `netron did not answer on ${HOST}:${port} within ${Math.round(this.startTimeoutMs / 1000)} s${printed()}`));
          else setTimeout(poll, 100);
        });
      };
      poll();
    });
  }

  /** Stops the netrons serving files inside `dir` (their repository was closed). */
  stopUnder(dir: string): void {
    for (const [file, r] of [...this.running]) {
      if (!file.startsWith(dir + path.sep)) continue;
      this.running.delete(file);
      r.child.kill();
    }
  }

  /** Stops every netron this launcher started and waits (briefly) for them to exit. */
  async close(): Promise<void> {
    const children = [...this.running.values()].map((r) => r.child);
    this.running.clear();
    process.removeListener('exit', this.onExit);
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const force = setTimeout(() => child.kill('SIGKILL'), 2000);
            child.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            child.kill();
          }),
      ),
    );
  }
}
