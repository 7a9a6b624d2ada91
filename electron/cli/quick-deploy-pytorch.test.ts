/**
 * sample-repos/quick_deploy_pytorch served by `model-lab serve`, asked as its
 * client.py asks (Triton's HTTP protocol, binary data, class_count=3): every
 * held-out sample comes back with its true digit first, as
 * "probability:index:label" strings from labels.txt; and the BLS model
 * digits_bls reads each sample's PNG (and 64 raw pixels) and answers the same
 * digit through the classifier. Skipped (with the reason) without torch.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { torchMissing } from '../engine/backends/pytorch/testing/torch-models';
import { tensor } from '../engine/runtime/testing/models';
import { stringsFromBytes } from '../engine/tensor/tensor';
import { TritonHttpClient } from '../server/triton/http/client';
import type { Output } from './output';
import { parseServeArgs, startServe } from './serve';

const SAMPLE = path.join(__dirname, '..', '..', 'sample-repos', 'quick_deploy_pytorch');

interface Expected {
  npy: string;
  samples: { index: number; png: string; digit: number }[];
}
const expected = JSON.parse(readFileSync(path.join(SAMPLE, 'samples.json'), 'utf8')) as Expected;

/** A little-endian float32, C-order .npy file: its shape and values. */
function readNpy(file: string): { shape: number[]; data: Float32Array } {
  const buf = readFileSync(file);
  expect(buf.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
  const headerLen = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + headerLen).toString('latin1');
  expect(header).toContain("'descr': '<f4'");
  expect(header).toContain("'fortran_order': False");
  const shape = /'shape': \(([^)]*)\)/
    .exec(header)![1]!
    .split(',')
    .filter((s) => s.trim() !== '')
    .map(Number);
  const bytes = buf.subarray(10 + headerLen);
  return { shape, data: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
}

describe.skipIf(torchMissing !== '')(`quick_deploy_pytorch over HTTP${torchMissing ? ` — skipped: ${torchMissing}` : ''}`, () => {
  let http: TritonHttpClient;
  let stop: () => Promise<void>;
  const out: string[] = [];

  beforeAll(async () => {
    const io: Output = { log: (l) => out.push(l), err: (l) => out.push(l) };
    const setup = parseServeArgs([SAMPLE, '--http-port=0', '--grpc-port=0', '--allow-metrics=false']);
    if (setup === 'help') throw new Error('help');
    const running = await startServe(setup, io);
    stop = () => running.stop();
    http = new TritonHttpClient(`http://127.0.0.1:${running.serving.http!.port}`);
  }, 120_000);
  afterAll(async () => {
    http?.close();
    await stop?.();
  });

  it('loads both models and nothing else (the sample files beside them are not folders)', () => {
    expect(out.some((l) => /^digits\s+1\s+pytorch \(pytorch_libtorch\)\s+READY/.test(l))).toBe(true);
    expect(out.some((l) => /^digits_bls\s+1\s+python\s+READY/.test(l))).toBe(true);
    expect(out.filter((l) => /UNAVAILABLE/.test(l))).toEqual([]);
  });

  it("client.py's request: one batch, binary data, class_count=3, the true digit first for every sample", async () => {
    const { shape, data } = readNpy(path.join(SAMPLE, expected.npy));
    expect(shape).toEqual([expected.samples.length, 1, 8, 8]);
    const reply = await http.infer('digits', [tensor('INPUT__0', 'FP32', shape, data)], { outputs: [{ name: 'OUTPUT__0', binary: true, classification: 3 }] });
    const out0 = reply.outputs[0]!;
    expect([out0.name, out0.dtype, out0.shape]).toEqual(['OUTPUT__0', 'BYTES', [expected.samples.length, 3]]);
    const classes = stringsFromBytes(out0.data as Uint8Array[]);
    for (const [i, s] of expected.samples.entries()) {
      const top = classes.slice(i * 3, i * 3 + 3).map((c) => c.split(':'));
      // "probability:index:label", labels.txt has the digit itself on line <index>.
      expect(top.map(([, idx, label]) => idx === label)).toEqual([true, true, true]);
      expect(Number(top[0]![1]), `sample ${i}`).toBe(s.digit);
      expect(Number(top[0]![0])).toBeGreaterThan(0.9);
      expect(Number(top[0]![0])).toBeGreaterThanOrEqual(Number(top[1]![0]));
    }
  });

  it('digits_bls reads each PNG and answers the digit through the classifier (BLS)', async () => {
    for (const s of expected.samples) {
      const png = new Uint8Array(readFileSync(path.join(SAMPLE, s.png)));
      const reply = await http.infer('digits_bls', [tensor('IMAGE', 'UINT8', [png.length], png)]);
      const digit = reply.outputs.find((o) => o.name === 'DIGIT')!;
      const score = reply.outputs.find((o) => o.name === 'SCORE')!;
      expect([digit.dtype, Array.from(digit.data as Int32Array)], s.png).toEqual(['INT32', [s.digit]]);
      expect((score.data as Float32Array)[0]).toBeGreaterThan(0.9);
    }
  });

  it('digits_bls reads PNGs whose rows use the Sub, Up and Paeth filters (libpng, adaptive filtering), RGB and RGBA, and dark ink on light paper', async () => {
    // The sample PNGs are written unfiltered by train.py; these go through model.py's other filter paths.
    for (const s of expected.samples) {
      const upscaled = sharp(path.join(SAMPLE, s.png)).resize(96, 96, { kernel: 'cubic' });
      for (const variant of [upscaled.clone().toColourspace('srgb'), upscaled.clone().negate({ alpha: false }).ensureAlpha(1)]) {
        const png = new Uint8Array(await variant.png({ adaptiveFiltering: true, compressionLevel: 9 }).toBuffer());
        const reply = await http.infer('digits_bls', [tensor('IMAGE', 'UINT8', [png.length], png)]);
        expect(Array.from(reply.outputs.find((o) => o.name === 'DIGIT')!.data as Int32Array), s.png).toEqual([s.digit]);
      }
    }
  });

  it('digits_bls takes 64 raw pixels too, and refuses what is neither', async () => {
    const { data } = readNpy(path.join(SAMPLE, expected.npy));
    const s = expected.samples[7]!;
    const raw = Uint8Array.from(data.subarray(s.index * 64, s.index * 64 + 64), (v) => Math.round((v * 255) / 16));
    const reply = await http.infer('digits_bls', [tensor('IMAGE', 'UINT8', [64], raw)]);
    expect(Array.from(reply.outputs.find((o) => o.name === 'DIGIT')!.data as Int32Array)).toEqual([s.digit]);
    const bad = await http.request('POST', '/v2/models/digits_bls/infer', JSON.stringify({ inputs: [{ name: 'IMAGE', datatype: 'UINT8', shape: [3], data: [1, 2, 3] }] }), {
      'Content-Type': 'application/json',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.toString()).toContain('IMAGE must hold a PNG file or 64 raw pixels (an 8x8 image), got 3 bytes that are not a PNG');
  });

  it('digits_bls refuses a PNG whose IHDR chunk is too short as the client’s error (not a traceback)', async () => {
    // The PNG signature, then an IHDR chunk of 4 bytes (13 in a real PNG), its CRC left zero.
    const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 4, ...Buffer.from('IHDR'), 0, 0, 0, 8, 0, 0, 0, 0];
    const bad = await http.request('POST', '/v2/models/digits_bls/infer', JSON.stringify({ inputs: [{ name: 'IMAGE', datatype: 'UINT8', shape: [png.length], data: png }] }), {
      'Content-Type': 'application/json',
    });
    expect([bad.status, JSON.parse(bad.body.toString()).error]).toEqual([400, "the PNG's IHDR chunk is 4 bytes long, not 13"]);
  });

  it('digits_bls refuses a PNG larger than 512x512 before decoding it (its row filters are undone in Python)', async () => {
    const png = new Uint8Array(
      await sharp({ create: { width: 600, height: 600, channels: 3, background: '#ffffff' } })
        .png()
        .toBuffer(),
    );
    const bad = await http.request('POST', '/v2/models/digits_bls/infer', JSON.stringify({ inputs: [{ name: 'IMAGE', datatype: 'UINT8', shape: [png.length], data: Array.from(png) }] }), {
      'Content-Type': 'application/json',
    });
    expect([bad.status, JSON.parse(bad.body.toString()).error]).toEqual([400, 'the PNG is 600x600: at least 1x1 and at most 262144 pixels']);
  });
});
