/**
 * The frame format shared with the Python stub: uint32 LE header length,
 * uint64 LE payload length, the header (UTF-8 JSON), then the payload. Tensor
 * bytes go into the payload as they are (BYTES in Triton's length-prefixed
 * layout), never through JSON, each at an 8-byte aligned offset so the other
 * side can view them in place.
 */
import { LabError } from '../../errors';
import { type Tensor, deserializeBytes, elementCount, isBytesData, serializeBytes, viewAs } from '../../tensor/tensor';
import type { TensorMeta } from './protocol';

export const HEAD_BYTES = 12;
/** The largest JSON header read (tensor bytes travel in the payload; a header over this is a malformed frame). */
export const MAX_HEADER_BYTES = 64 * 2 ** 20;

/** Collects the tensors of one outgoing frame. */
export class PayloadBuilder {
  readonly chunks: Uint8Array[] = [];
  size = 0;

  add(t: Tensor): TensorMeta {
    const raw = isBytesData(t.data) ? serializeBytes(t.data) : new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const pad = (8 - (this.size % 8)) % 8;
    if (pad) {
      this.chunks.push(new Uint8Array(pad));
      this.size += pad;
    }
    const meta: TensorMeta = { name: t.name, dtype: t.dtype, shape: t.shape, offset: this.size, nbytes: raw.byteLength };
    if (raw.byteLength) this.chunks.push(raw);
    this.size += raw.byteLength;
    return meta;
  }
}

/** The buffers to write for one frame, in order (tensor bytes are not copied). */
export function encodeFrame(header: object, payload?: PayloadBuilder): Buffer[] {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const head = Buffer.allocUnsafe(HEAD_BYTES);
  head.writeUInt32LE(json.byteLength, 0);
  head.writeBigUInt64LE(BigInt(payload?.size ?? 0), 4);
  const out: Buffer[] = [head, json];
  for (const c of payload?.chunks ?? []) out.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  return out;
}

/** Engine tensors over a received payload: numeric data as views (the payload starts 8-byte aligned), BYTES as element views. */
export function tensorsFrom(metas: readonly TensorMeta[], payload: Uint8Array): Tensor[] {
  return metas.map((m) => {
    if (m.offset + m.nbytes > payload.byteLength) throw new LabError('INTERNAL', `tensor '${m.name}' lies outside its frame`);
    const bytes = payload.subarray(m.offset, m.offset + m.nbytes);
    const count = elementCount(m.shape);
    const data = m.dtype === 'BYTES' ? deserializeBytes(bytes, count) : viewAs(m.dtype, bytes);
    if (data.length !== count) throw new LabError('INTERNAL', `tensor '${m.name}' has ${data.length} elements, its shape [${m.shape.join(',')}] needs ${count}`);
    return { name: m.name, dtype: m.dtype, shape: m.shape, data };
  });
}

export interface Frame<H> {
  header: H;
  payload: Uint8Array;
}

/**
 * Reassembles frames from a byte stream. The payload is copied once, into its
 * own buffer, so tensors viewing it stay valid and aligned.
 */
export class FrameReader<H> {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private header: H | undefined;
  private payload: Uint8Array | undefined;
  private filled = 0;

  constructor(private readonly onFrame: (frame: Frame<H>) => void) {}

  push(chunk: Buffer): void {
    let rest: Buffer | undefined = chunk;
    while (rest) rest = this.step(rest);
  }

  /** Consumes what it can of `chunk`; returns what is left for the next step. */
  private step(chunk: Buffer): Buffer | undefined {
    if (this.payload) {
      const take = Math.min(chunk.byteLength, this.payload.byteLength - this.filled);
      this.payload.set(chunk.subarray(0, take), this.filled);
      this.filled += take;
      if (this.filled === this.payload.byteLength) this.emit();
      return take < chunk.byteLength ? chunk.subarray(take) : undefined;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.byteLength;
    if (this.pendingBytes < HEAD_BYTES) return undefined;
    if (this.pending.length > 1 && this.pending[0]!.byteLength < HEAD_BYTES) this.pending = [Buffer.concat(this.pending)];
    const hlen = this.pending[0]!.readUInt32LE(0);
    if (hlen > MAX_HEADER_BYTES) throw new Error(`a frame header of ${hlen} bytes (at most ${MAX_HEADER_BYTES})`);
    // The chunks are joined once the whole header is there, not on every chunk (a large header stays linear).
    if (this.pendingBytes < HEAD_BYTES + hlen) return undefined;
    const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    const plen = Number(buf.readBigUInt64LE(4));
    this.header = JSON.parse(buf.toString('utf8', HEAD_BYTES, HEAD_BYTES + hlen)) as H;
    this.pending = [];
    this.pendingBytes = 0;
    // Not zero-filled: every byte is written before the frame is handed on.
    const fresh = Buffer.allocUnsafeSlow(plen);
    this.payload = new Uint8Array(fresh.buffer, fresh.byteOffset, plen);
    this.filled = 0;
    const rest = buf.subarray(HEAD_BYTES + hlen);
    if (plen === 0) this.emit();
    return rest.byteLength ? rest : undefined;
  }

  private emit(): void {
    const frame = { header: this.header!, payload: this.payload! };
    this.header = undefined;
    this.payload = undefined;
    this.onFrame(frame);
  }
}
