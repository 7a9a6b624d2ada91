/**
 * Connections that cannot hold the HTTP endpoint hostage. Headers must
 * arrive within the header timeout (Node's headersTimeout, checked often
 * enough to be prompt) and a body within the body timeout of its headers
 * (408, then the connection closes). A response must keep going out: if
 * its client reads nothing for the send timeout (no slice of it completes,
 * see response-writer.ts), the connection is closed, so an answer nobody
 * reads cannot keep its connection and its memory for ever. The number of
 * open connections is capped, and a new connection is never turned away
 * because of stalled ones: at the cap, the connection that has waited
 * longest on its client (idle keep-alive first, then stalled uploads, then
 * answers the client is not reading) is closed to make room. Only when
 * every connection has a request being worked on is the newcomer refused.
 */
import type http from 'node:http';
import type net from 'node:net';
import { longestWaiting } from '../eviction';

export interface ConnectionLimits {
  /** Headers must be complete this long after the connection opens or the request starts. */
  headerTimeoutMs: number;
  /** A request's body must have arrived this long after its headers. */
  bodyTimeoutMs: number;
  /** Open connections at most. */
  maxConnections: number;
  /** A response whose client reads none of it for this long is cut off (the connection closes). */
  sendTimeoutMs: number;
}

/**
 * idle: no request (new, or keep-alive between requests); body: receiving a body; busy: a request
 * is being worked on; sending: its answer is going out, as fast as the client reads it.
 */
type Phase = 'idle' | 'body' | 'busy' | 'sending';

interface Tracked {
  phase: Phase;
  since: number;
}

const EVICTION_ORDER: Phase[] = ['idle', 'body', 'sending'];

export class ConnectionGuard {
  private readonly open = new Map<net.Socket, Tracked>();

  constructor(
    server: http.Server,
    private readonly limits: ConnectionLimits,
  ) {
    server.headersTimeout = limits.headerTimeoutMs;
    server.requestTimeout = 0;
    server.on('connection', (socket: net.Socket) => this.admit(socket));
  }

  /** Node checks header timeouts on this interval (a server option, so it is passed at creation). */
  static checkingIntervalMs(limits: ConnectionLimits): number {
    return Math.max(25, Math.min(1000, Math.floor(limits.headerTimeoutMs / 4)));
  }

  get count(): number {
    return this.open.size;
  }

  private admit(socket: net.Socket): void {
    if (this.open.size >= this.limits.maxConnections && !this.evictOne()) {
      socket.destroy();
      return;
    }
    this.open.set(socket, { phase: 'idle', since: Date.now() });
    socket.once('close', () => this.open.delete(socket));
  }

  /** Closes the connection that has waited longest without work in progress; false when every one is busy. */
  private evictOne(): boolean {
    const entries = [...this.open].map(([socket, t]) => ({ socket, phase: t.phase, since: t.since }));
    const victim = longestWaiting(
      entries,
      EVICTION_ORDER.map((phase) => (e) => e.phase === phase),
    );
    if (!victim) return false;
    this.open.delete(victim.socket);
    victim.socket.destroy();
    return true;
  }

  /** Closing: connections without a request in progress go now, the others after `graceMs` (their response is being written). */
  closeAll(graceMs: number): void {
    for (const [socket, t] of this.open) if (t.phase === 'idle' || t.phase === 'body') socket.destroy();
    setTimeout(() => {
      for (const socket of this.open.keys()) socket.destroy();
    }, graceMs).unref();
  }

  private set(socket: net.Socket, phase: Phase): void {
    const t = this.open.get(socket);
    if (t) {
      t.phase = phase;
      t.since = Date.now();
    }
  }

  /**
   * Follows one request: receiving its body, then busy until the response is done. `onBodyTimeout`
   * runs if the body has not all arrived within the body timeout (answered or not).
   */
  track(req: http.IncomingMessage, res: http.ServerResponse, onBodyTimeout: () => void): void {
    const socket = req.socket;
    const length = req.headers['content-length'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
    this.set(socket, hasBody ? 'body' : 'busy');
    if (hasBody) {
      const timer = setTimeout(onBodyTimeout, this.limits.bodyTimeoutMs);
      timer.unref();
      req.once('end', () => {
        clearTimeout(timer);
        if (!res.writableEnded) this.set(socket, 'busy');
      });
      req.once('close', () => clearTimeout(timer));
    }
    // Answered (even before the body arrived): the connection waits for its next request again.
    res.once('finish', () => this.set(socket, 'idle'));
  }

  /**
   * The answer to `res` starts going out. Returns the function to call whenever a part of it has
   * been taken by the client; without one for the send timeout, `onStall` runs and the connection
   * closes.
   */
  sending(res: http.ServerResponse, onStall: () => void): () => void {
    const socket = res.socket;
    if (!socket || res.writableFinished) return () => undefined;
    this.set(socket, 'sending');
    const timer = setTimeout(() => {
      onStall();
      socket.destroy();
    }, this.limits.sendTimeoutMs);
    timer.unref();
    const stop = (): void => clearTimeout(timer);
    res.once('finish', stop);
    res.once('close', stop);
    return () => {
      if (res.writableFinished || res.destroyed) return;
      timer.refresh();
      // Progress: the connection is the last to be evicted among those sending.
      this.set(socket, 'sending');
    };
  }
}
