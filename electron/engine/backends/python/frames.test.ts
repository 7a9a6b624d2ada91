/** The frame format: tensors round-trip through encode and a reader fed in arbitrary pieces, aligned and uncopied where possible. */
import { describe, expect, it } from 'vitest';
import { bytesFromStrings, type Tensor } from '../../tensor/tensor';
import { FrameReader, HEAD_BYTES, MAX_HEADER_BYTES, PayloadBuilder, encodeFrame, tensorsFrom, type Frame } from './frames';
import type { TensorMeta } from './protocol';

const TENSORS: Tensor[] = [
  { name: 'u8', dtype: 'UINT8', shape: [3], data: Uint8Array.from([1, 2, 3]) },
  { name: 'f64', dtype: 'FP64', shape: [2], data: Float64Array.from([Math.PI, -0]) },
  { name: 's', dtype: 'BYTES', shape: [2], data: [...bytesFromStrings(['ab', ''])] },
  { name: 'i64', dtype: 'INT64', shape: [1, 1], data: BigInt64Array.from([-5n]) },
  { name: 'empty', dtype: 'FP32', shape: [0], data: new Float32Array(0) },
];

function roundTrip(pieces: (all: Buffer) => Buffer[]): Frame<{ t: TensorMeta[] }>[] {
  const payload = new PayloadBuilder();
  const header = { t: TENSORS.map((t) => payload.add(t)) };
  const all = Buffer.concat([...encodeFrame(header, payload), ...encodeFrame({ t: [] })]);
  const frames: Frame<{ t: TensorMeta[] }>[] = [];
  const reader = new FrameReader<{ t: TensorMeta[] }>((f) => frames.push(f));
  for (const p of pieces(all)) reader.push(p);
  return frames;
}

describe('frames', () => {
  it('lays tensors out at 8-byte aligned offsets, BYTES length-prefixed', () => {
    const payload = new PayloadBuilder();
    const metas = TENSORS.map((t) => payload.add(t));
    expect(metas.map((m) => [m.offset, m.nbytes])).toEqual([
      [0, 3],
      [8, 16],
      [24, 10],
      [40, 8],
      [48, 0],
    ]);
    const head = encodeFrame({ x: 1 }, payload)[0]!;
    expect(head.byteLength).toBe(HEAD_BYTES);
    expect([head.readUInt32LE(0), Number(head.readBigUInt64LE(4))]).toEqual([7, 48]);
  });

  it.each([
    ['whole', (all: Buffer) => [all]],
    ['byte by byte', (all: Buffer) => [...all].map((b) => Buffer.from([b]))],
    ['in 5-byte pieces', (all: Buffer) => Array.from({ length: Math.ceil(all.length / 5) }, (_, i) => all.subarray(i * 5, i * 5 + 5))],
  ])('a reader fed %s gets both frames back, tensors intact', (_label, pieces) => {
    const frames = roundTrip(pieces);
    expect(frames.length).toBe(2);
    const back = tensorsFrom(frames[0]!.header.t, frames[0]!.payload);
    expect(back.map((t) => [t.name, t.dtype, t.shape])).toEqual(TENSORS.map((t) => [t.name, t.dtype, t.shape]));
    expect(Array.from(back[1]!.data as Float64Array)).toEqual([Math.PI, -0]);
    expect((back[2]!.data as Uint8Array[]).map((b) => Buffer.from(b).toString())).toEqual(['ab', '']);
    expect((back[3]!.data as BigInt64Array)[0]).toBe(-5n);
    // Numeric tensors are views of the payload, not copies.
    expect((back[1]!.data as Float64Array).buffer).toBe(frames[0]!.payload.buffer);
    expect(frames[1]!.header.t).toEqual([]);
  });

  it('a meta pointing outside its payload is refused', () => {
    expect(() => tensorsFrom([{ name: 'x', dtype: 'FP32', shape: [4], offset: 0, nbytes: 16 }], new Uint8Array(8))).toThrow("tensor 'x' lies outside its frame");
  });

  it('a large header fed in small pieces is read whole; a header over the limit is a malformed frame', () => {
    const frames: Frame<{ message: string }>[] = [];
    const reader = new FrameReader<{ message: string }>((f) => frames.push(f));
    const all = Buffer.concat(encodeFrame({ message: 'z'.repeat(4 * 2 ** 20) }));
    for (let off = 0; off < all.byteLength; off += 7) reader.push(all.subarray(off, off + 7 > all.byteLength ? all.byteLength : off + 7));
    expect(frames.map((f) => f.header.message.length)).toEqual([4 * 2 ** 20]);
    const huge = Buffer.alloc(HEAD_BYTES);
    huge.writeUInt32LE(MAX_HEADER_BYTES + 1, 0);
    expect(() => new FrameReader(() => undefined).push(huge)).toThrow(/frame header of \d+ bytes/);
  });
});
