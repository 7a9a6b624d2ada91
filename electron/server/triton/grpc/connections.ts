/**
 * The gRPC endpoint's connections, capped. We own the listening socket and
 * hand each accepted connection to grpc-js (Server.createConnectionInjector),
 * so the count of open connections is ours to bound: grpc-js alone accepts
 * any number, each carrying up to grpc.max_concurrent_streams calls. At the
 * cap a new connection is never turned away because of stalled ones, as on
 * the HTTP endpoint: the connection idle longest (no call open) is closed to
 * make room, else the one that has waited longest on its client (every call
 * waiting for the client's bytes, none being worked on). Only when every
 * connection has work in progress is the newcomer refused.
 *
 * Calls find their connection by the peer's address and port, which grpc-js
 * reports for every call and which name one TCP connection at a time.
 */
import type net from 'node:net';
import { longestWaiting } from '../eviction';

/** What the cap needs to know of one call: whether the server is working on it. */
export interface TrackedCall {
  /** A request is being worked on (received, not yet answered). */
  readonly working: boolean;
}

interface Connection {
  socket: net.Socket;
  calls: Set<TrackedCall>;
  /** When the connection last opened or closed a call, received a request byte or sent an answer. */
  since: number;
}

const peerKey = (address: string | undefined, port: number | undefined): string => `${address ?? ''}|${port ?? 0}`;

export class GrpcConnections {
  private readonly open = new Map<string, Connection>();

  constructor(private readonly maxConnections: number) {}

  get count(): number {
    return this.open.size;
  }

  /** A connection just accepted: admitted (handed to grpc-js through `inject`) or, when nothing can make room, closed. */
  admit(socket: net.Socket, inject: (socket: net.Socket) => void): void {
    if (this.open.size >= this.maxConnections && !this.evictOne()) {
      socket.destroy();
      return;
    }
    const key = peerKey(socket.remoteAddress, socket.remotePort);
    this.open.set(key, { socket, calls: new Set(), since: Date.now() });
    socket.once('close', () => {
      if (this.open.get(key)?.socket === socket) this.open.delete(key);
    });
    socket.on('error', () => undefined);
    inject(socket);
  }

  /** A call opened on the connection of this peer; returns what to call as its state changes and when it ends. */
  callOpened(call: TrackedCall, peer: { remoteAddress?: string | undefined; remotePort?: number | undefined }): { touch(): void; closed(): void } {
    const conn = this.open.get(peerKey(peer.remoteAddress, peer.remotePort));
    const touch = (): void => {
      if (conn) conn.since = Date.now();
    };
    conn?.calls.add(call);
    touch();
    return {
      touch,
      closed: () => {
        conn?.calls.delete(call);
        touch();
      },
    };
  }

  /** Closes the connection that has waited longest on its client; false when every one has work in progress. */
  private evictOne(): boolean {
    const victim = longestWaiting(this.open.values(), [(c) => c.calls.size === 0, (c) => [...c.calls].every((call) => !call.working)]);
    if (!victim) return false;
    this.open.delete(peerKey(victim.socket.remoteAddress, victim.socket.remotePort));
    victim.socket.destroy();
    return true;
  }

  /** Closes every connection (after grpc-js had its chance to close them gracefully). */
  destroyAll(): void {
    for (const c of this.open.values()) c.socket.destroy();
    this.open.clear();
  }
}
