/**
 * What one gRPC call may hold, and for how long. grpc-js reads a request
 * message whole before any hook sees it, with HTTP/2 flow control granted
 * as fast as it buffers, so a client could leave many calls holding almost
 * a whole message each. Here every call's request bytes are counted as they
 * arrive against the server-wide budget the HTTP endpoint also uses (a call
 * that does not fit ends RESOURCE_EXHAUSTED), and held until the request is
 * answered; a message that has started must arrive within the message
 * timeout, and a unary call's whole request (message and end) within that
 * timeout of its start (DEADLINE_EXCEEDED). Streams are long-lived by
 * design: between messages a stream holds nothing and no clock runs. An
 * answer counts against the budget until it has gone out; when its
 * connection sends nothing for the send timeout, the call is cut off.
 *
 * The clocks are one sweep per server, not a timer per call: a timer set and
 * cleared on every call cost more than the rest of the metering (timers,
 * their unref and the garbage they leave measured in `npm run bench:serve`).
 * Deadlines are checked every quarter of the shorter timeout (at most once a
 * second), so a call is cut off up to that much late.
 *
 * The bytes are seen on the call's HTTP/2 stream, which grpc-js keeps on
 * the call that interceptors wrap (its BaseServerInterceptingCall): read
 * with a runtime check, and tested, since it is not public API. Without it
 * calls are served unmetered and a warning is logged once.
 */
import http2 from 'node:http2';
import { Metadata, ServerInterceptingCall, status, type ServerInterceptingCallInterface, type ServerInterceptor, type StatusObject } from '@grpc/grpc-js';
import type { BodyBudget } from '../http/body';
import type { GrpcConnections, TrackedCall } from './connections';

export interface CallLimits {
  budget: BodyBudget;
  /** A started message (a unary call's whole request) must arrive within this. */
  messageTimeoutMs: number;
  /** A call whose answer is waiting while its connection sends nothing for this long is cut off. */
  sendTimeoutMs: number;
  connections?: GrpcConnections;
  log?: (message: string) => void;
  /**
   * Refuses a call from its path, :authority and headers before its message is read (the status it
   * ends with), or admits it (undefined). Run here rather than by an interceptor of its own: each
   * interceptor layer costs every call its own listeners and responders.
   */
  admit?: (path: string, authority: string, metadata: Metadata) => Refusal | undefined;
}

/** Why a call is refused before its message is read. */
export type Refusal = Pick<StatusObject, 'code' | 'details'>;

type Stream = http2.ServerHttp2Stream;

const meters = new WeakMap<Metadata, CallMeter>();

/** How often the sweep looks at the clocks: a quarter of the shorter timeout, between 10 ms and 1 s. */
function sweepPeriod(limits: CallLimits): number {
  return Math.min(1000, Math.max(10, Math.min(limits.messageTimeoutMs, limits.sendTimeoutMs) / 4));
}

/**
 * The clocks of one server's calls: calls waiting for a message to arrive, and calls whose answer
 * waits to be sent. One unref'd interval looks at them while any is waiting, and stops when none is.
 */
class Clocks {
  private readonly waiting = new Set<CallMeter>();
  private readonly sending = new Set<CallMeter>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly period: number) {}

  watchMessage(m: CallMeter): void {
    this.waiting.add(m);
    this.run();
  }

  unwatchMessage(m: CallMeter): void {
    this.waiting.delete(m);
  }

  watchSending(m: CallMeter): void {
    this.sending.add(m);
    this.run();
  }

  unwatchSending(m: CallMeter): void {
    this.sending.delete(m);
  }

  private run(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(), this.period);
    this.timer.unref();
  }

  private sweep(): void {
    const now = performance.now();
    for (const m of this.waiting) m.checkMessage(now);
    for (const m of this.sending) m.checkSending(now);
    if (this.waiting.size === 0 && this.sending.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

/** The meter of the call with this metadata (a ModelStreamInfer handler says through it when a request is done). */
export function meterOf(metadata: Metadata): CallMeter | undefined {
  return meters.get(metadata);
}

function streamOf(call: ServerInterceptingCallInterface): Stream | undefined {
  const s = (call as unknown as { stream?: unknown }).stream;
  if (typeof s !== 'object' || s === null) return undefined;
  const ok = 'session' in s && typeof (s as Stream).prependListener === 'function' && typeof (s as Stream).close === 'function';
  return ok ? (s as Stream) : undefined;
}

/** One call's bytes: the request message being received, requests being worked on, answers not yet sent. */
export class CallMeter implements TrackedCall {
  private held = 0;
  private current = 0;
  private readonly prefix = Buffer.alloc(5);
  private prefixHave = 0;
  private left = 0;
  /** Shares of whole requests being worked on (streams), oldest first. */
  private readonly working_: number[] = [];
  private owed = 0;
  private unsent = 0;
  private answered = false;
  private halfClosed = false;
  private ended = false;
  /** When the message being received must have arrived (performance.now() ms); Infinity when none is awaited. */
  private messageDeadline = Infinity;
  /** The socket's bytes written when last looked at, and when they last moved. */
  private sentSeen = 0;
  private sentMovedAt = 0;
  private sendWatched = false;
  private readonly conn: { touch(): void; closed(): void } | undefined;

  constructor(
    private readonly call: ServerInterceptingCallInterface,
    private readonly stream: Stream,
    private readonly unary: boolean,
    private readonly limits: CallLimits,
    private readonly clocks: Clocks,
  ) {
    this.conn = limits.connections?.callOpened(this, call.getConnectionInfo());
    stream.prependListener('data', (chunk: Buffer) => this.received(chunk));
    if (unary) this.startClock();
  }

  get working(): boolean {
    return this.unary ? this.halfClosed && !this.answered : this.working_.length > 0;
  }

  private startClock(): void {
    this.messageDeadline = performance.now() + this.limits.messageTimeoutMs;
    this.clocks.watchMessage(this);
  }

  private stopClock(): void {
    if (this.messageDeadline === Infinity) return;
    this.messageDeadline = Infinity;
    this.clocks.unwatchMessage(this);
  }

  /** The sweep: a message past its deadline ends the call. */
  checkMessage(now: number): void {
    if (now < this.messageDeadline) return;
    this.fail(status.DEADLINE_EXCEEDED, `request message not received within ${this.limits.messageTimeoutMs / 1000} s`);
  }

  private received(chunk: Buffer): void {
    if (this.ended) return;
    const b = this.limits.budget;
    if (!b.take(chunk.byteLength)) {
      this.fail(status.RESOURCE_EXHAUSTED, `Server is busy: request messages being received already hold ${b.inUse} of ${b.limit} bytes; retry later`);
      return;
    }
    this.held += chunk.byteLength;
    this.conn?.touch();
    for (let at = 0; at < chunk.byteLength;) at = this.frame(chunk, at);
  }

  /** Follows gRPC's framing (1 flag byte, 4 length bytes, the message) over `chunk` from `at`; returns where it stopped. */
  private frame(chunk: Buffer, at: number): number {
    if (this.left === 0 && this.prefixHave < 5) {
      if (this.prefixHave === 0 && !this.unary) this.startClock();
      const n = Math.min(5 - this.prefixHave, chunk.byteLength - at);
      chunk.copy(this.prefix, this.prefixHave, at, at + n);
      this.prefixHave += n;
      this.current += n;
      if (this.prefixHave === 5) {
        this.left = this.prefix.readUInt32BE(1);
        if (this.left === 0) this.messageDone();
      }
      return at + n;
    }
    const n = Math.min(this.left, chunk.byteLength - at);
    this.left -= n;
    this.current += n;
    if (this.left === 0) this.messageDone();
    return at + n;
  }

  private messageDone(): void {
    this.prefixHave = 0;
    if (!this.unary) {
      this.stopClock();
      this.working_.push(this.current);
      if (this.owed > 0) {
        this.owed--;
        this.requestDone();
      }
    }
    this.current = 0;
  }

  /** A unary call's request is complete (message and end). */
  halfClose(): void {
    this.halfClosed = true;
    if (this.unary) this.stopClock();
  }

  /** A stream's oldest request being worked on has its answer: its bytes are given back. */
  requestDone(): void {
    if (this.ended) return;
    const share = this.working_.shift();
    if (share === undefined) {
      this.owed++;
      return;
    }
    this.give(share);
  }

  private give(n: number): void {
    const g = Math.min(n, this.held);
    this.held -= g;
    this.limits.budget.give(g);
  }

  /** An answer goes out through `write`: its bytes count until written; a unary call's request is done with. */
  answer(write: (written: () => void) => void, callback: () => void): void {
    if (this.unary && !this.answered) this.give(this.held);
    this.answered = true;
    const before = this.stream.writableLength;
    let size = 0;
    let written = false;
    write(() => {
      written = true;
      if (!this.ended) {
        this.unsent -= size;
        this.limits.budget.give(size);
        this.conn?.touch();
      }
      callback();
    });
    if (written || this.ended) return;
    size = Math.max(0, this.stream.writableLength - before);
    this.unsent += size;
    this.limits.budget.force(size);
    this.watchSending();
  }

  private socketBytes(): number {
    return this.stream.session?.socket?.bytesWritten ?? 0;
  }

  /** While answers wait, the connection must send something every send timeout, or the call is cut off. */
  private watchSending(): void {
    if (this.sendWatched) return;
    this.sendWatched = true;
    // Read at the first sweep: most answers are out before it, and the socket's count is not free to read.
    this.sentSeen = -1;
    this.sentMovedAt = performance.now();
    this.clocks.watchSending(this);
  }

  private unwatchSending(): void {
    if (!this.sendWatched) return;
    this.sendWatched = false;
    this.clocks.unwatchSending(this);
  }

  /** The sweep: answers still waiting while the connection sent nothing for the send timeout end the call. */
  checkSending(now: number): void {
    if (this.ended || this.unsent <= 0) {
      this.unwatchSending();
      return;
    }
    const bytes = this.socketBytes();
    if (bytes !== this.sentSeen) {
      this.sentSeen = bytes;
      this.sentMovedAt = now;
      return;
    }
    if (now - this.sentMovedAt < this.limits.sendTimeoutMs) return;
    this.limits.log?.(`${this.unary ? 'call' : 'stream'}: the client read nothing for ${this.limits.sendTimeoutMs / 1000} s; cutting it off`);
    this.end();
    this.stream.close(http2.constants.NGHTTP2_CANCEL);
  }

  /** Ends the call with a status (the client may still be sending: the stream is reset once the status is out). */
  private fail(code: status, details: string): void {
    if (this.ended) return;
    this.limits.log?.(`call ended ${status[code]}: ${details}`);
    this.end();
    this.call.sendStatus({ code, details, metadata: new Metadata() });
    if (!this.stream.destroyed) this.stream.close(http2.constants.NGHTTP2_NO_ERROR);
  }

  /** The call is over: everything it held goes back. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.stopClock();
    this.unwatchSending();
    this.limits.budget.give(this.held + this.unsent);
    this.held = 0;
    this.unsent = 0;
    this.conn?.closed();
  }
}

/** A call with its meter: request bytes seen as they arrive, answers as they go out. */
class MeteredCall extends ServerInterceptingCall {
  constructor(
    next: ServerInterceptingCallInterface,
    private readonly meter: CallMeter,
    streaming: boolean,
    admit: (metadata: Metadata) => Refusal | undefined,
  ) {
    super(next, {
      start: (go) =>
        go({
          onReceiveMetadata: (metadata, pass) => {
            // Only a stream's handler asks for its meter (meterOf); a WeakMap entry per unary call is garbage for nothing.
            if (streaming) meters.set(metadata, meter);
            const refusal = admit(metadata);
            if (refusal) return this.sendStatus({ ...refusal, metadata: new Metadata() });
            pass(metadata);
          },
          onReceiveHalfClose: (pass) => {
            meter.halfClose();
            pass();
          },
          onCancel: () => meter.end(),
        }),
      sendStatus: (s, pass) => {
        meter.end();
        pass(s);
      },
    });
  }

  override sendMessage(message: unknown, callback: () => void): void {
    this.meter.answer((written) => super.sendMessage(message, written), callback);
  }
}

/** A call that is only admitted or refused (no HTTP/2 stream to meter). */
function admittedCall(call: ServerInterceptingCallInterface, admit: (metadata: Metadata) => Refusal | undefined): ServerInterceptingCall {
  return new ServerInterceptingCall(call, {
    start: (go) =>
      go({
        onReceiveMetadata: (metadata, pass) => {
          const refusal = admit(metadata);
          if (refusal) return call.sendStatus({ ...refusal, metadata: new Metadata() });
          pass(metadata);
        },
      }),
  });
}

/** The interceptor that admits and meters every call; it must come first, to wrap grpc-js's own call. */
export function callLimits(limits: CallLimits): ServerInterceptor {
  let warned = false;
  const clocks = new Clocks(sweepPeriod(limits));
  return (descriptor, call) => {
    const admit = (metadata: Metadata): Refusal | undefined => limits.admit?.(descriptor.path, call.getHost(), metadata);
    const stream = streamOf(call);
    if (!stream) {
      if (!warned) limits.log?.('gRPC request messages are not metered: this grpc-js keeps no HTTP/2 stream on its calls');
      warned = true;
      return admittedCall(call, admit);
    }
    return new MeteredCall(call, new CallMeter(call, stream, !descriptor.requestStream, limits, clocks), descriptor.requestStream, admit);
  };
}
