/**
 * sample-repos/ocr_ensemble_python and ocr_bls_python (model.py files with
 * numpy) against the script versions they twin (ocr_ensemble, ocr_bls): the
 * same models with the same tensors, and the same text, line for line and
 * byte for byte, on every bundled sample image. Also the numpy image
 * decoders the twins fall back to without OpenCV, against sharp (libvips) on
 * the PNG and JPEG variants they claim to read.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import zlib from 'node:zlib';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest';
import { DataType } from '../../config/gen/model_config_pb';
import type { Repository } from '../../repository/repository';
import { closeRepositories, loadRepository } from '../../repository/testing/temp-repo';
import type { InferResult } from '../../runtime/types';
import { tensor, values } from '../../runtime/testing/models';
import { stringsFromBytes, type Tensor } from '../../tensor/tensor';
import { projectRoot as root, sampleBytes as sample, sampleImages } from '../script/samples/sample-images';
import { pythonMissing } from './testing/repo';

/** Skipped, not failed, where no Python with numpy is installed (never on CI). */
const describe = describeAll.skipIf(pythonMissing);
const SAMPLES = path.join(root, 'sample-repos');
const PYTHON = process.env['MODEL_LAB_PYTHON'] ?? '/usr/bin/python3';

const batchOfOne = (bytes: Uint8Array): Tensor => tensor('input_image', 'UINT8', [1, bytes.length], bytes);
const imageInput = (bytes: Uint8Array): Tensor => tensor('input_image', 'UINT8', [bytes.length], bytes);
const output = (r: InferResult, name: string): Tensor => r.outputs.find((t) => t.name === name)!;
const texts = (t: Tensor): string[] => stringsFromBytes(t.data as Uint8Array[]);

interface Pair {
  script: Repository;
  python: Repository;
}
let ensemble: Pair;
let bls: Pair;

beforeAll(async () => {
  if (pythonMissing) return;
  for (const f of ['ocr_ensemble_python/text_detection/1/model.onnx', 'ocr_bls_python/text_direction/1/model.onnx', 'ocr_bls_python/ocr_pipeline/1/ppocr_keys_v1.txt']) {
    if (!existsSync(path.join(SAMPLES, f))) throw new Error(`sample-repos/${f} is missing: run node scripts/prepare-samples.mjs`);
  }
  const [a, b, c, d] = await Promise.all(['ocr_ensemble', 'ocr_ensemble_python', 'ocr_bls', 'ocr_bls_python'].map((n) => loadRepository(path.join(SAMPLES, n))));
  ensemble = { script: a!, python: b! };
  bls = { script: c!, python: d! };
}, 120_000);
afterAll(() => closeRepositories());

/** A model's interface as Triton sees it: batching, and each tensor's name, type and dims. */
function signature(repo: Repository, model: string): unknown {
  const c = repo.models.get(model)!.versions[0]!.config!;
  const io = (list: { name: string; dataType: DataType; dims: bigint[] }[]): unknown[] => list.map((t) => [t.name, DataType[t.dataType], t.dims.map(Number)]);
  return { maxBatchSize: c.maxBatchSize, input: io(c.input), output: io(c.output) };
}

describe('the twins have the script versions’ models and tensors', () => {
  it.each([
    ['ocr_ensemble_python', () => ensemble],
    ['ocr_bls_python', () => bls],
  ] as const)('%s: the same models, all READY, the same names, types and dims; Python where the script version runs scripts', (_name, pair) => {
    const { script, python } = pair();
    expect(python.index()).toEqual(script.index());
    expect(python.index().every((e) => e.state === 'READY')).toBe(true);
    for (const { name } of script.index()) {
      expect(signature(python, name), name).toEqual(signature(script, name));
      const backend = (r: Repository): string => r.models.get(name)!.versions[0]!.config!.backend;
      expect(backend(python), name).toBe(backend(script) === 'script' ? 'python' : backend(script));
    }
  });

  it('the helper modules shared by several models are identical copies', () => {
    const folders = [
      'ocr_ensemble_python/detection_preprocessing/1',
      'ocr_ensemble_python/detection_postprocessing/1',
      'ocr_ensemble_python/recognition_postprocessing/1',
      'ocr_bls_python/ocr_pipeline/1',
    ];
    const seen = new Map<string, string>();
    let shared = 0;
    for (const folder of folders) {
      for (const file of readdirSync(path.join(SAMPLES, folder)).filter((f) => f.endsWith('.py') && f !== 'model.py')) {
        const text = readFileSync(path.join(SAMPLES, folder, file), 'utf8');
        const first = seen.get(file);
        if (first === undefined) seen.set(file, text);
        else {
          shared++;
          expect(text, `${folder}/${file}`).toBe(first);
        }
      }
    }
    expect(shared).toBeGreaterThanOrEqual(9);
  });
});

describe('ocr_ensemble_python', () => {
  it.each(sampleImages.map((i) => [i.file, i] as const))(
    'reads %s as ocr_ensemble does',
    async (_file, image) => {
      const [py, js] = await Promise.all([ensemble.python, ensemble.script].map((r) => r.infer('ensemble_model', -1, { inputs: [batchOfOne(sample(image.file))] })));
      const got = output(py!, 'recognized_text');
      expect(got.shape).toEqual(output(js!, 'recognized_text').shape);
      expect(texts(got)).toEqual(texts(output(js!, 'recognized_text')));
      // Upright pages are read exactly (the ensemble has no text-direction step for the upside-down one).
      if (image.rotation === 0) expect(texts(got)).toEqual(image.lines);
    },
    60_000,
  );

  it('refuses a batch of two images with the script version’s message', async () => {
    const two = tensor('input_image', 'UINT8', [2, 4], new Uint8Array(8));
    await expect(ensemble.python.infer('ensemble_model', -1, { inputs: [two] })).rejects.toThrow(/send one image per request \(input_image of shape \[1, N\]\), got shape \[2, 4\]/);
  });

  it('answers an image without text with no lines, and bytes that are no image with the reason, and keeps working', async () => {
    const blank = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const r = await ensemble.python.infer('ensemble_model', -1, { inputs: [batchOfOne(new Uint8Array(blank))] });
    expect(output(r, 'recognized_text').shape).toEqual([1, 0]);
    await expect(ensemble.python.infer('ensemble_model', -1, { inputs: [batchOfOne(new TextEncoder().encode('not an image'))] })).rejects.toThrow(
      /image_decode: unsupported image format.*\(12 bytes\)/,
    );
    const again = await ensemble.python.infer('ensemble_model', -1, { inputs: [batchOfOne(sample('dark-banner.png'))] });
    expect(texts(output(again, 'recognized_text'))).toEqual(sampleImages.find((i) => i.file === 'dark-banner.png')!.lines);
  }, 60_000);
});

describe('ocr_bls_python', () => {
  it.each(sampleImages.map((i) => [i.file, i] as const))(
    'reads %s as ocr_bls does, boxes and scores alike',
    async (_file, image) => {
      const [py, js] = await Promise.all([bls.python, bls.script].map((r) => r.infer('ocr_pipeline', -1, { inputs: [imageInput(sample(image.file))] })));
      expect(texts(output(py!, 'texts'))).toEqual(texts(output(js!, 'texts')));
      expect(texts(output(py!, 'texts'))).toEqual(image.lines);
      const n = image.lines.length;
      expect([output(py!, 'boxes').shape, output(py!, 'scores').shape]).toEqual([[n, 4, 2], [n]]);
      // Pixels differ by a level of rounding here and there (resampling), so boxes and scores agree closely, not bit for bit.
      const [pb, jb] = [values(output(py!, 'boxes')), values(output(js!, 'boxes'))];
      expect(Math.max(...pb.map((v, i) => Math.abs(v - jb[i]!)))).toBeLessThan(3);
      const [ps, jsScores] = [values(output(py!, 'scores')), values(output(js!, 'scores'))];
      expect(Math.max(...ps.map((v, i) => Math.abs(v - jsScores[i]!)))).toBeLessThan(0.02);
    },
    60_000,
  );

  it('fails a request whose bytes are not an image, and answers an image without text with empty outputs', async () => {
    await expect(bls.python.infer('ocr_pipeline', -1, { inputs: [imageInput(new TextEncoder().encode('not an image'))] })).rejects.toThrow(/unsupported image format/);
    const blank = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const r = await bls.python.infer('ocr_pipeline', -1, { inputs: [imageInput(new Uint8Array(blank))] });
    expect(r.outputs.map((t) => [t.name, t.dtype, t.shape])).toEqual([
      ['texts', 'BYTES', [0]],
      ['boxes', 'FP32', [0, 4, 2]],
      ['scores', 'FP32', [0]],
    ]);
  }, 60_000);
});

type Decoded = [number, number, string] | { error: string };

/** Decodes files with the twins' image_decode.py, OpenCV forced off or required; per file [height, width, pixels as hex] or the error. */
function decodeWith(files: string[], opencv: boolean): Decoded[] {
  const script = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(path.join(SAMPLES, 'ocr_ensemble_python/detection_preprocessing/1'))})`,
    'import image_decode',
    opencv ? 'assert image_decode.cv2 is not None' : 'image_decode.cv2 = None',
    'out = []',
    'for f in sys.argv[1:]:',
    '    try:',
    '        img = image_decode.decode_rgb(open(f, "rb").read())',
    '        out.append([img.shape[0], img.shape[1], img.tobytes().hex()])',
    '    except ValueError as exc:',
    '        out.append({"error": str(exc)})',
    'print(json.dumps(out))',
  ].join('\n');
  return JSON.parse(execFileSync(PYTHON, ['-c', script, ...files], { maxBuffer: 1 << 28 }).toString()) as Decoded[];
}

const opencvImportable = ((): boolean => {
  try {
    execFileSync(PYTHON, ['-c', 'import cv2'], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
})();

describe('the numpy image decoders (the twins without OpenCV)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ocr-decode-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A 37x23 test card: gradients, a hard edge and a semi-transparent corner, in RGBA. */
  function card(): Buffer {
    const w = 37,
      h = 23,
      px = Buffer.alloc(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 4;
        px.set([(x * 7) % 256, (y * 11) % 256, x > 18 ? 240 : 16, x < 6 && y < 6 ? 90 : 255], i);
      }
    }
    return px;
  }

  it('read PNG (gray, gray+alpha, RGB, RGBA, palette, 16-bit, interlaced) as sharp does, bit for bit (16-bit with alpha within a level)', async () => {
    const raw = sharp(card(), { raw: { width: 37, height: 23, channels: 4 } });
    const variants: Record<string, Promise<Buffer>> = {
      rgba: raw.clone().png().toBuffer(),
      rgb: raw.clone().removeAlpha().png().toBuffer(),
      gray: raw.clone().removeAlpha().toColourspace('b-w').png().toBuffer(),
      grayAlpha: raw.clone().toColourspace('b-w').png().toBuffer(),
      palette: raw.clone().png({ palette: true, colours: 16 }).toBuffer(),
      sixteen: raw.clone().removeAlpha().toColourspace('rgb16').png().toBuffer(),
      sixteenAlpha: raw.clone().toColourspace('rgb16').png().toBuffer(),
      interlaced: raw.clone().png({ progressive: true }).toBuffer(),
      paeth: raw.clone().removeAlpha().png({ adaptiveFiltering: true }).toBuffer(),
    };
    const names = Object.keys(variants);
    const files = names.map((n) => path.join(dir, `${n}.png`));
    await Promise.all(names.map(async (n, k) => writeFileSync(files[k]!, await variants[n]!)));
    const ours = decodeWith(files, false) as [number, number, string][];
    for (const [k, file] of files.entries()) {
      const { data, info } = await sharp(file).flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      const mine = Buffer.from(ours[k]![2], 'hex');
      let worst = 0;
      for (let i = 0; i < mine.length; i++) worst = Math.max(worst, Math.abs(mine[i]! - data[i]!));
      // libvips composites 16-bit alpha at 16 bits before it narrows; here it is narrowed first.
      expect([names[k], ours[k]![0], ours[k]![1], mine.length, worst]).toEqual([names[k], info.height, info.width, data.length, names[k] === 'sixteenAlpha' ? Math.min(worst, 1) : 0]);
    }
  });

  it('read baseline JPEG (4:2:0, 4:2:2, 4:4:4, gray, restart markers, EXIF orientation) within two levels of libjpeg', async () => {
    const rgb = sharp(card(), { raw: { width: 37, height: 23, channels: 4 } }).removeAlpha();
    const variants: Record<string, Promise<Buffer>> = {
      yuv420: rgb.clone().jpeg({ quality: 90 }).toBuffer(),
      yuv444: rgb.clone().jpeg({ quality: 90, chromaSubsampling: '4:4:4' }).toBuffer(),
      gray: rgb.clone().toColourspace('b-w').jpeg({ quality: 85 }).toBuffer(),
      rotated: rgb.clone().jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer(),
    };
    const names = Object.keys(variants);
    // Written by OpenCV with a restart interval of 2 MCUs (4:2:0 and 4:2:2): libvips writes no restart markers.
    const fixtures = ['jpeg-restarts-420.jpg', 'jpeg-restarts-422.jpg'].map((f) => path.join(__dirname, 'testing', f));
    for (const f of fixtures) expect(readFileSync(f).includes(Buffer.from([0xff, 0xdd])), f).toBe(true);
    const files = [...names.map((n) => path.join(dir, `${n}.jpg`)), ...fixtures];
    await Promise.all(names.map(async (n, k) => writeFileSync(files[k]!, await variants[n]!)));
    const ours = decodeWith([...files, path.join(root, 'resources/sample-images/noisy-scan.jpg')], false) as [number, number, string][];
    for (const [k, file] of [...files, path.join(root, 'resources/sample-images/noisy-scan.jpg')].entries()) {
      const { data, info } = await sharp(file, { autoOrient: true }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      const mine = Buffer.from(ours[k]![2], 'hex');
      expect([file, ours[k]![0], ours[k]![1]]).toEqual([file, info.height, info.width]);
      const rgbData = info.channels === 1 ? Buffer.from([...data].flatMap((v) => [v, v, v])) : data;
      let worst = 0;
      for (let i = 0; i < mine.length; i++) worst = Math.max(worst, Math.abs(mine[i]! - rgbData[i]!));
      expect([path.basename(file), worst <= 2]).toEqual([path.basename(file), true]);
    }
  });

  it('refuse cut-short, corrupt and unsupported bytes with the reason', async () => {
    const png = readFileSync(path.join(root, 'resources/sample-images/dark-banner.png'));
    const jpeg = readFileSync(path.join(root, 'resources/sample-images/noisy-scan.jpg'));
    const progressive = await sharp(png).jpeg({ progressive: true }).toBuffer();
    const webp = await sharp(png).webp().toBuffer();
    const badFilter = Buffer.from(png);
    const cases: [string, Buffer][] = [
      ['png-cut', png.subarray(0, 2000)],
      ['jpeg-cut', jpeg.subarray(0, 3000)],
      ['progressive', progressive],
      ['webp', webp],
      ['empty', Buffer.alloc(0)],
      ['bad-zlib', Buffer.concat([badFilter.subarray(0, 60), Buffer.alloc(200, 0xff), badFilter.subarray(260)])],
    ];
    const files = cases.map(([n, b]) => ((p: string): string => (writeFileSync(p, b), p))(path.join(dir, `bad-${n}`)));
    const errors = decodeWith(files, false).map((d) => ('error' in d ? d.error : 'decoded'));
    expect(errors).toEqual([
      expect.stringMatching(/^PNG (chunk IDAT is cut short|without IEND|image data is cut short)/),
      expect.stringMatching(/^JPEG (data is cut short|without an end)/),
      expect.stringMatching(/^this JPEG is progressive.*pip install opencv-python-headless/),
      expect.stringMatching(/^unsupported image format \(\d+ bytes\).*opencv-python-headless/),
      'unsupported image format (0 bytes): without OpenCV only PNG and baseline JPEG are decoded; pip install opencv-python-headless for WebP, TIFF, progressive JPEG and more',
      expect.stringMatching(/^PNG (chunk|image data is corrupt)/),
    ]);
  });

  it('refuse a PNG with more Average/Paeth-filtered bytes than they undo in a few seconds, naming OpenCV', () => {
    // 2000x1400 RGB, every row Paeth-filtered (8.4 MB to undo byte by byte); a few KB once compressed.
    const [width, height] = [2000, 1400];
    const rows = Buffer.alloc(height * (width * 3 + 1));
    for (let y = 0; y < height; y++) rows[y * (width * 3 + 1)] = 4;
    const chunk = (kind: string, body: Buffer): Buffer => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(body.length);
      head.write(kind, 4, 'latin1');
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), body])));
      return Buffer.concat([head, body, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr.set([8, 2, 0, 0, 0], 8);
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
    const file = path.join(dir, 'paeth-rows.png');
    writeFileSync(file, png);
    expect(decodeWith([file], false)).toEqual([{ error: 'PNG has 8400000 bytes of Average/Paeth-filtered rows, more than 8000000 decoded without OpenCV: pip install opencv-python-headless' }]);
  });

  it.skipIf(!opencvImportable)(`with OpenCV (skipped when ${PYTHON} cannot import cv2): the same pixels as sharp, the samples too`, async () => {
    const images = sampleImages.map((i) => path.join(root, 'resources/sample-images', i.file));
    const theirs = await Promise.all(images.map((f) => sharp(f, { autoOrient: true }).flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })));
    const ours = decodeWith(images, true) as [number, number, string][];
    for (const [k, file] of images.entries()) {
      const mine = Buffer.from(ours[k]![2], 'hex');
      let worst = 0;
      for (let i = 0; i < mine.length; i++) worst = Math.max(worst, Math.abs(mine[i]! - theirs[k]!.data[i]!));
      expect([path.basename(file), ours[k]![0], ours[k]![1], worst <= (file.endsWith('.jpg') ? 2 : 0)]).toEqual([path.basename(file), theirs[k]!.info.height, theirs[k]!.info.width, true]);
    }
  });

  it('imaging.resize lands within 3 levels of sharp (libvips) when shrinking, enlarging, both, and shrinking past 4x', async () => {
    const file = path.join(root, 'resources/sample-images/dejavu-sans-lines.png');
    const sizes: [number, number][] = [
      [608, 256],
      [640, 288],
      [1240, 48],
      [100, 48],
      [300, 100],
      [48, 600],
    ];
    const script = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(path.join(SAMPLES, 'ocr_ensemble_python/detection_preprocessing/1'))})`,
      'import image_decode, imaging',
      'image_decode.cv2 = None',
      'img = image_decode.decode_rgb(open(sys.argv[1], "rb").read())',
      'print(json.dumps([imaging.resize(img, w, h).tobytes().hex() for w, h in json.loads(sys.argv[2])]))',
    ].join('\n');
    const ours = JSON.parse(execFileSync(PYTHON, ['-c', script, file, JSON.stringify(sizes)], { maxBuffer: 1 << 28 }).toString()) as string[];
    const decoded = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    for (const [k, [w, h]] of sizes.entries()) {
      const theirs = await sharp(decoded.data, { raw: decoded.info }).resize(w, h, { fit: 'fill' }).raw().toBuffer();
      const mine = Buffer.from(ours[k]!, 'hex');
      let worst = 0;
      for (let i = 0; i < mine.length; i++) worst = Math.max(worst, Math.abs(mine[i]! - theirs[i]!));
      expect([`${w}x${h}`, mine.length, worst <= 3]).toEqual([`${w}x${h}`, theirs.length, true]);
    }
  });

  it('decode or refuse with ValueError, never crash otherwise, on 400 randomly damaged PNG and JPEG files (seeded)', () => {
    const script = [
      'import json, random, sys',
      `sys.path.insert(0, ${JSON.stringify(path.join(SAMPLES, 'ocr_ensemble_python/detection_preprocessing/1'))})`,
      'import image_decode',
      'image_decode.cv2 = None',
      'rng, outcomes = random.Random(16), {}',
      'for name in sys.argv[1:]:',
      '    base = open(name, "rb").read()',
      '    for _ in range(200):',
      '        b = bytearray(base)',
      '        for _ in range(rng.randint(1, 20)):',
      '            b[rng.randrange(2, len(b))] = rng.randrange(256)',
      '        if rng.random() < 0.2:',
      '            b = b[: rng.randrange(8, len(b))]',
      '        try:',
      '            image_decode.decode_rgb(bytes(b))',
      '            kind = "decoded"',
      '        except ValueError:',
      '            kind = "ValueError"',
      '        except Exception as exc:',
      '            kind = "%s: %s" % (type(exc).__name__, exc)',
      '        outcomes[kind] = outcomes.get(kind, 0) + 1',
      'print(json.dumps(outcomes))',
    ].join('\n');
    const files = ['noisy-scan.jpg', 'dark-banner.png'].map((f) => path.join(root, 'resources/sample-images', f));
    const outcomes = JSON.parse(execFileSync(PYTHON, ['-c', script, ...files], { maxBuffer: 1 << 24 }).toString()) as Record<string, number>;
    expect(Object.keys(outcomes).filter((k) => k !== 'decoded' && k !== 'ValueError')).toEqual([]);
    expect(outcomes['ValueError']).toBeGreaterThan(100);
  }, 60_000);
});
