/**
 * Request bodies read with their size known to be acceptable before the
 * memory is spent. A Content-Length over the cap is refused before a byte is
 * read; a chunked body is cut off the moment it passes the cap; gzip and
 * deflate bodies are inflated with the cap on the inflated size
 * (Triton's --http-max-input-size applies to decompressed data); and every
 * byte held counts against one server-wide budget, so many large uploads at
 * once are refused (503) instead of exhausting memory. A request keeps its
 * body's share of the budget while it is worked on (its tensors are views
 * of the body); once its answer is ready, the share becomes the answer's
 * size, held until the answer has gone out or the connection is gone.
 */
import type http from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { LabError, errorMessage } from '../../../engine/errors';

/** Bytes of request bodies (and of responses waiting to go out) held at once, server-wide. */
export class BodyBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  /** Takes `n` bytes if they fit. */
  take(n: number): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    return true;
  }

  /** Counts bytes that are held whether or not they fit (a response already computed). */
  force(n: number): void {
    this.used += n;
  }

  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

/** One request's share of the budget: its body's bytes, then its answer's, given back once its exchange ends. */
export class Reservation {
  private held = 0;
  private done = false;

  constructor(private readonly budget: BodyBudget) {}

  take(n: number): boolean {
    if (this.done || !this.budget.take(n)) return false;
    this.held += n;
    return true;
  }

  force(n: number): void {
    if (this.done) return;
    this.budget.force(n);
    this.held += n;
  }

  /** Gives back what is held and holds `n` instead (the body's share becomes the answer's). */
  replace(n: number): void {
    if (this.done) return;
    this.budget.give(this.held);
    this.held = 0;
    this.force(n);
  }

  release(): void {
    if (this.done) return;
    this.done = true;
    this.budget.give(this.held);
    this.held = 0;
  }
}

/** What a body may be, and how a refusal is worded. */
export interface BodyRules {
  /** The most bytes on the wire (before inflating). */
  maxWireBytes: number;
  /** The most bytes once inflated (compressed bodies only). */
  maxInflatedBytes: number;
  /** The error for a body over the cap; `size` is unknown for chunked bodies. */
  tooLarge(size: number | undefined): LabError;
  /** The error for a body that will not fit in the budget. */
  busy(): LabError;
}

/** Set by the reader when the rest of the body cannot be skipped safely: the connection must close after the reply. */
export interface BodyOutcome {
  closeConnection: boolean;
}

const declaredLength = (req: http.IncomingMessage): number | undefined => {
  const v = req.headers['content-length'];
  return v === undefined ? undefined : Number(v);
};

/**
 * Stops reading: a body of known length is drained without being kept (the connection stays usable),
 * a chunked one would never end, so the connection closes after the reply.
 */
function abandon(req: http.IncomingMessage, outcome: BodyOutcome): void {
  req.removeAllListeners('data');
  if (declaredLength(req) === undefined) outcome.closeConnection = true;
  req.resume();
}

/** The error for an unsupported Content-Encoding, before anything is read (Triton's DecompressBuffer). */
export function checkEncoding(req: http.IncomingMessage): 'gzip' | 'deflate' | undefined {
  const enc = req.headers['content-encoding'];
  if (!enc || enc === 'identity') return undefined;
  if (enc !== 'gzip' && enc !== 'deflate') throw new LabError('UNSUPPORTED', 'Unsupported compression type');
  return enc;
}

/** Reads the whole body under `rules`, holding its bytes in `reservation`. */
export function readBody(req: http.IncomingMessage, rules: BodyRules, reservation: Reservation, outcome: BodyOutcome): Promise<Buffer> {
  const enc = checkEncoding(req);
  const declared = declaredLength(req);
  if (declared !== undefined && declared > rules.maxWireBytes) {
    abandon(req, outcome);
    return Promise.reject(rules.tooLarge(declared));
  }
  if (declared === 0) return Promise.resolve(Buffer.alloc(0));
  return enc ? readInflated(req, enc, rules, reservation, outcome) : readPlain(req, rules, reservation, outcome);
}

function readPlain(req: http.IncomingMessage, rules: BodyRules, reservation: Reservation, outcome: BodyOutcome): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (err: LabError): void => {
      abandon(req, outcome);
      reject(err);
    };
    req.on('data', (c: Buffer) => {
      size += c.byteLength;
      if (size > rules.maxWireBytes) return fail(rules.tooLarge(declaredLength(req)));
      if (!reservation.take(c.byteLength)) return fail(rules.busy());
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on('close', () => {
      if (!req.complete) reject(new LabError('CANCELLED', 'the client closed the connection before sending the whole request body'));
    });
    req.on('error', reject);
  });
}

const INFLATE_CHUNK_BYTES = 1024 * 1024;
const unzip = promisify(zlib.unzip);

/**
 * Reads the compressed body (capped on the wire and counted in the budget), then inflates it in
 * the thread pool with the cap on the inflated size (zlib's 15|32 window bits, as Triton's
 * DataCompressor: gzip or zlib headers). Inflating a whole buffer, rather than a stream fed by
 * the socket, is what lets a refused bomb go: a zlib stream closed while it inflated socket data
 * stayed registered with Node for good, with its output buffer. Output chunks are large, so their
 * memory is mapped and given back to the system when freed.
 */
async function readInflated(req: http.IncomingMessage, enc: string, rules: BodyRules, reservation: Reservation, outcome: BodyOutcome): Promise<Buffer> {
  const compressed = await readPlain(req, rules, reservation, outcome);
  let out: Buffer;
  try {
    out = await unzip(compressed, { maxOutputLength: rules.maxInflatedBytes, chunkSize: INFLATE_CHUNK_BYTES });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw inflatedTooLarge(rules.maxInflatedBytes);
    throw new LabError('INVALID_ARG', `failed to decompress the request body (${enc}): ${errorMessage(err)}`);
  }
  if (!reservation.take(out.byteLength)) throw rules.busy();
  return out;
}

/** Triton's DataCompressor wording. */
export function inflatedTooLarge(max: number): LabError {
  return new LabError('INVALID_ARG', `Decompressed data size exceeds the maximum allowed value of ${max} bytes. Use --http-max-input-size to increase the limit.`);
}
