/**
 * The engine host's one line to main, whichever way it was started: Electron's utilityProcess gives the
 * child `process.parentPort` (a MessagePort-like object whose messages arrive as `{ data }`); plain
 * Node's `child_process.fork` (tests, the packaging test) gives `process.send` / `process.on('message')`,
 * structured-cloned when forked with `serialization: 'advanced'`. The host code sees only this interface.
 */
import type { FromEngine, ToEngine } from './protocol';

export interface HostChannel {
  /** Which transport this is, for the log. */
  readonly kind: 'utilityProcess' | 'fork';
  send(msg: FromEngine): void;
  onMessage(listener: (msg: ToEngine) => void): void;
  /** Sends what is queued, then ends the process with `code`. */
  exit(code: number): void;
}

/** Electron's `process.parentPort` in a utilityProcess (not in Node's types). */
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

function parentPortOf(proc: NodeJS.Process): ParentPort | undefined {
  const port = (proc as NodeJS.Process & { parentPort?: ParentPort }).parentPort;
  return port && typeof port.postMessage === 'function' ? port : undefined;
}

function utilityChannel(port: ParentPort): HostChannel {
  return {
    kind: 'utilityProcess',
    send: (msg) => port.postMessage(msg),
    onMessage: (listener) => port.on('message', (e) => listener(e.data as ToEngine)),
    // postMessage has no completion callback: give the port a moment to flush before the process ends.
    exit: (code) => void setTimeout(() => process.exit(code), 100),
  };
}

function forkChannel(proc: NodeJS.Process): HostChannel {
  const send = proc.send?.bind(proc);
  if (!send) throw new Error('the engine host was started without a channel to its parent (use utilityProcess.fork or child_process.fork)');
  return {
    kind: 'fork',
    // Once main has gone (disconnected), there is no one to tell: messages are dropped.
    send: (msg) => {
      if (proc.connected) send(msg);
    },
    onMessage: (listener) => proc.on('message', (m) => listener(m as ToEngine)),
    exit: (code) => {
      if (!proc.connected) process.exit(code);
      // The callback runs once the last message has been handed to the channel.
      send({ t: 'log', line: `engine host exiting (${code})` } satisfies FromEngine, undefined, {}, () => process.exit(code));
    },
  };
}

/** The channel this process was started with: utilityProcess's parent port, else the fork IPC channel. */
export function parentChannel(proc: NodeJS.Process = process): HostChannel {
  const port = parentPortOf(proc);
  return port ? utilityChannel(port) : forkChannel(proc);
}
