/**
 * One Python stub process and its plumbing: frames both ways over fd 3 (a
 * socket pair), the model's stdout as info lines and stderr as error lines in
 * its log, waiters for answers, and how it died.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Socket } from 'node:net';
import { ChildChannel, type ControlMessage, type ControlRequest } from '../child-supervisor';
import { FrameReader, type Frame, type PayloadBuilder, encodeFrame } from './frames';
import type { FromStub, LogLevel, StubSetup, ToStub } from './protocol';
import { STUB_FILE, stubDir } from './resources';
import { lineSplitter } from '../log-lines';

/**
 * Payloads from this size on go through a file (tmpfs where there is one), both ways: Node cannot
 * enlarge its side's socket buffer, so a 4 MB tensor would cross in dozens of wake-ups of both
 * processes; a file is one write and one read (or a mapping, on the Python side).
 */
export const SPILL_BYTES = 256 * 1024;
const SPILL_ROOT = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();

export type StubFrame = Frame<FromStub>;

/** A payload the stub wrote to a file: read into a fresh (aligned, not zero-filled) buffer, then removed. */
function readSpill(file: string, size: number): Uint8Array {
  const buf = Buffer.allocUnsafeSlow(size);
  const fd = openSync(file, 'r');
  try {
    for (let off = 0; off < size;) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) throw new Error(`${file} is shorter than ${size} bytes`);
      off += n;
    }
  } finally {
    closeSync(fd);
    unlinkSync(file);
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, size);
}

export class PythonProcess extends ChildChannel<StubFrame> {
  readonly child: ChildProcess;
  private readonly channel: Socket;
  /** Frames nobody waits for by key: BLS calls, decoupled responses. */
  onFrame?: (frame: StubFrame) => void;
  private readonly exitPromise: Promise<void>;
  private spillDir: string | undefined = mkdtempSync(path.join(SPILL_ROOT, 'model-lab-py-'));
  private spills = 0;

  constructor(executable: string, setup: StubSetup, log: (level: LogLevel, message: string) => void) {
    super();
    const dir = stubDir();
    this.child = spawn(executable, [path.join(dir, STUB_FILE), JSON.stringify({ ...setup, spillDir: this.spillDir })], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      // Unbuffered: print() reaches the log when it happens; no __pycache__ written into the user's repository.
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
      windowsHide: true,
      // Its own process group (POSIX): stopping the model stops whatever processes model.py started too.
      detached: process.platform !== 'win32',
    });
    const out = lineSplitter((l) => log('info', l));
    const err = lineSplitter((l) => log('error', l));
    this.child.stdout!.on('data', (c: Buffer) => out.push(c));
    this.child.stderr!.on('data', (c: Buffer) => err.push(c));
    this.channel = this.child.stdio[3] as Socket;
    const reader = new FrameReader<FromStub>((frame) => this.dispatch(frame, log));
    this.channel.on('data', (c: Buffer) => {
      try {
        reader.push(c);
      } catch (e) {
        this.died(new Error(`the Python process sent a malformed frame (${(e as Error).message})`));
        this.kill();
      }
    });
    // A write to a process that just died fails here; 'exit' reports why.
    this.channel.on('error', () => undefined);
    this.exitPromise = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.removeSpills();
        out.flush();
        err.flush();
        this.died(new Error(signal ? `the Python process was killed by ${signal}` : `the Python process exited with code ${code}`));
        resolve();
      });
    });
    this.child.on('error', (e) => {
      // A process that never started emits no 'exit': its spill folder is removed here.
      if (this.child.pid === undefined) this.removeSpills();
      this.died(new Error(`the Python process could not start: ${e.message}`));
    });
  }

  private dispatch(received: StubFrame, log: (level: LogLevel, message: string) => void): void {
    const spilled = received.header as { payloadFile?: string; payloadSize?: number };
    const frame = spilled.payloadFile === undefined ? received : { header: received.header, payload: readSpill(spilled.payloadFile, spilled.payloadSize ?? 0) };
    const h = frame.header;
    if (h.type === 'log') return log(h.level, h.message);
    if (!this.deliver(h.type === 'executed' || h.type === 'execute-error' ? `execute:${h.id}` : h.type, frame)) this.onFrame?.(frame);
  }

  controlOf(f: StubFrame): ControlMessage {
    return f.header as ControlMessage;
  }

  sendControl(msg: ControlRequest): void {
    this.send(msg);
  }

  send(header: ToStub, payload?: PayloadBuilder): void {
    if (this.exited) return;
    if (payload && payload.size >= SPILL_BYTES && this.spillDir) {
      // The stub maps the file and removes it; the folder goes with the process.
      const file = path.join(this.spillDir, `in-${this.spills++}.bin`);
      const fd = openSync(file, 'w', 0o600);
      try {
        for (const c of payload.chunks) for (let off = 0; off < c.byteLength;) off += writeSync(fd, c, off);
      } finally {
        closeSync(fd);
      }
      return this.writeFrame(encodeFrame({ ...header, payloadFile: file, payloadSize: payload.size }));
    }
    this.writeFrame(encodeFrame(header, payload));
  }

  private writeFrame(parts: Buffer[]): void {
    this.channel.cork();
    for (const p of parts) this.channel.write(p);
    this.channel.uncork();
  }

  private removeSpills(): void {
    if (this.spillDir) rmSync(this.spillDir, { recursive: true, force: true });
    this.spillDir = undefined;
  }

  /** Kills the process and its process group (what model.py started); the group is killed even after the stub exited. */
  kill(): void {
    const pid = this.child.pid;
    if (pid !== undefined && process.platform !== 'win32') {
      try {
        process.kill(-pid, 'SIGKILL');
        return;
      } catch {
        /* no group left (ESRCH): the stub alone, if it still runs */
      }
    }
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** Kills the process and waits until it is gone. */
  async terminate(): Promise<void> {
    this.kill();
    this.channel.destroy();
    if (this.child.pid !== undefined) await this.exitPromise;
  }

  /**
   * Closes the channel (the stub then finishes on its own) and waits up to `ms` before killing it;
   * processes model.py started and left behind go with its process group.
   */
  async shutdown(ms = 2000): Promise<void> {
    const timer = setTimeout(() => this.kill(), ms);
    this.channel.end();
    if (this.child.pid !== undefined) await this.exitPromise;
    clearTimeout(timer);
    this.kill();
  }
}
