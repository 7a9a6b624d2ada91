/**
 * Playground runs and tensor access: inputs built from the form's
 * descriptions (values, generated, text, file bytes, decoded images), runs
 * kept in a bounded history, pages, images, heatmaps, histograms, exports
 * and snippets; workspace trust for folders with script models.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { Lab } from '../lab';
import { UNTRUSTED_REASON } from '../repository/model-loader';
import { makeTempDir, type TempDir } from '../repository/testing/temp-repo';
import { modelConfig, scriptConfig, scriptModel } from '../runtime/testing/models';
import { floatToHalf } from '../tensor/half';
import type { Tensor } from '../tensor/tensor';
import { exportTensor, pixelIndex, tensorHeatmap, tensorHistogram, tensorImage, tensorPage, toNpy } from './tensor-access';
import { describeTensor } from './tensor-info';

const dirs: TempDir[] = [];
const labs: Lab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.close()));
  for (const d of dirs.splice(0)) d.cleanup();
});

async function labWith(files: Record<string, string | null>, opts: { sample?: boolean; settingsFile?: string; sampleImagesDir?: string } = {}) {
  const dir = await makeTempDir(files);
  dirs.push(dir);
  const lab = new Lab({ ...(opts.settingsFile ? { settingsFile: opts.settingsFile } : {}), sampleImagesDir: opts.sampleImagesDir ?? path.resolve('resources/sample-images') });
  labs.push(lab);
  const info = await lab.openRepository(dir.root, { sample: opts.sample ?? false });
  return { lab, info, dir };
}

const identity = (name: string, type: string, dims: number[], mbs = 0) => ({
  [`${name}/config.pbtxt`]: modelConfig(name, { backend: 'identity', mbs, inputs: [{ name: 'INPUT0', type, dims }], outputs: [{ name: 'OUTPUT0', type, dims }] }),
  [`${name}/1`]: null,
});

describe('inputs from the playground form', () => {
  it('values (nested), generated data, text lines; the batch dimension is added for a batching model', async () => {
    const { lab, info } = await labWith({ ...identity('f', 'FP32', [2, 2], 4), ...identity('s', 'STRING', [-1]), ...identity('g', 'INT64', [3]) });
    const r = await lab.runModel({
      repoId: info.id,
      model: 'f',
      inputs: [
        {
          name: 'INPUT0',
          kind: 'values',
          dtype: 'FP32',
          shape: [2, 2],
          values: [
            [1, 2],
            [3, 4],
          ],
        },
      ],
    });
    expect(r.state).toBe('ok');
    expect(r.outputs[0]).toMatchObject({ name: 'OUTPUT0', dtype: 'FP32', shape: [1, 2, 2], stats: { min: 1, max: 4, mean: 2.5 } });
    const text = await lab.runModel({ repoId: info.id, model: 's', inputs: [{ name: 'INPUT0', kind: 'text', lines: ['你好', 'hello'] }] });
    expect(tensorPage(lab.runs.tensor({ runId: text.runId, side: 'output', name: 'OUTPUT0' }), 0, 10).values).toEqual(['你好', 'hello']);
    const gen = await lab.runModel({ repoId: info.id, model: 'g', inputs: [{ name: 'INPUT0', kind: 'generate', dtype: 'INT64', shape: [3], fill: 'range' }] });
    expect(tensorPage(lab.runs.tensor({ runId: gen.runId, side: 'output', name: 'OUTPUT0' }), 0, 3).values).toEqual([0, 1, 2]);
  });

  it('records a plain run with mode run, no paused time, and what went in for the history', async () => {
    const { lab, info } = await labWith({ ...identity('f', 'FP32', [2], 4), ...identity('b', 'UINT8', [-1]) });
    const r = await lab.runModel({ repoId: info.id, model: 'f', inputs: [{ name: 'INPUT0', kind: 'values', dtype: 'FP32', shape: [2], values: [1, 2] }] });
    expect(r).toMatchObject({ mode: 'run', inputLabel: 'values' });
    expect(r.pausedMs).toBeUndefined();
    const img = await lab.runModel({ repoId: info.id, model: 'b', inputs: [{ name: 'INPUT0', kind: 'bytes', dtype: 'UINT8', source: { sample: 'tilted-text.png' } }] });
    expect(img.inputLabel).toBe('tilted-text.png');
    expect(lab.runs.list({ repoId: info.id, model: 'b' })[0]).toMatchObject({ mode: 'run', inputLabel: 'tilted-text.png' });
  });

  it('says which input is wrong and why', async () => {
    const { lab, info } = await labWith(identity('f', 'FP32', [2]));
    await expect(lab.runModel({ repoId: info.id, model: 'f', inputs: [{ name: 'INPUT0', kind: 'values', dtype: 'FP32', shape: [2], values: [1] }] })).rejects.toThrow(
      "input 'INPUT0': shape [2] needs 2 values, got 1",
    );
    await expect(lab.runModel({ repoId: info.id, model: 'f', inputs: [{ name: 'INPUT0', kind: 'values', dtype: 'FP32', shape: [2], values: ['x', 'y'] }] })).rejects.toThrow(
      "input 'INPUT0': 2 values are not FP32 values: value 1: 'x' is not a number; value 2: 'y' is not a number",
    );
    await expect(lab.runModel({ repoId: info.id, model: 'f', inputs: [{ name: 'NOPE', kind: 'values', dtype: 'FP32', shape: [1], values: [1] }] })).rejects.toThrow(
      "model 'f' has no input 'NOPE' (inputs: INPUT0)",
    );
    await expect(lab.runModel({ repoId: info.id, model: 'f', inputs: [{ name: 'INPUT0', kind: 'bytes', dtype: 'UINT8', source: { sample: '../secret' } }] })).rejects.toThrow(
      'is not a sample image name',
    );
    // A request the model refuses is a run that failed, kept in the history with Triton's message.
    const bad = await lab.runModel({ repoId: info.id, model: 'f', inputs: [{ name: 'INPUT0', kind: 'values', dtype: 'FP32', shape: [3], values: [1, 2, 3] }] });
    expect(bad.state).toBe('error');
    expect(bad.error).toContain("unexpected shape for input 'INPUT0' for model 'f'. Expected [2], got [3]");
  });

  it('a file as bytes (UINT8 [-1]) and an image decoded to CHW, resized and normalized, RGB or BGR', async () => {
    const { lab, info } = await labWith({ ...identity('raw', 'UINT8', [-1]), ...identity('img', 'FP32', [3, 2, 2]), ...identity('img4', 'FP32', [-1, 3, 2, 2]) });
    const sample = path.resolve('resources/sample-images/noisy-scan.jpg');
    const raw = await lab.runModel({ repoId: info.id, model: 'raw', inputs: [{ name: 'INPUT0', kind: 'bytes', dtype: 'UINT8', source: { sample: 'noisy-scan.jpg' } }] });
    expect(raw.outputs[0]!.shape).toEqual([readFileSync(sample).byteLength]);
    // 2x2 image: red, green / blue, white.
    const png = await sharp(Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]), { raw: { width: 2, height: 2, channels: 3 } })
      .png()
      .toBuffer();
    const spec = {
      name: 'INPUT0',
      kind: 'image' as const,
      dtype: 'FP32' as const,
      layout: 'CHW' as const,
      channels: 3 as const,
      source: { base64: png.toString('base64') },
      scale: 1 / 255,
      mean: [0.5],
      std: [0.5],
    };
    const rgb = await lab.runModel({ repoId: info.id, model: 'img', inputs: [spec] });
    const values = tensorPage(lab.runs.tensor({ runId: rgb.runId, side: 'input', name: 'INPUT0' }), 0, 12).values;
    // Channel R over the four pixels, then G, then B; (v/255 - 0.5) / 0.5.
    expect(values).toEqual([1, -1, -1, 1, -1, 1, -1, 1, -1, -1, 1, 1]);
    const bgr = await lab.runModel({ repoId: info.id, model: 'img', inputs: [{ ...spec, order: 'BGR' }] });
    expect(tensorPage(lab.runs.tensor({ runId: bgr.runId, side: 'input', name: 'INPUT0' }), 0, 4).values).toEqual([-1, -1, 1, 1]);
    const big = await lab.runModel({ repoId: info.id, model: 'img', inputs: [{ ...spec, source: { sample: 'noisy-scan.jpg' }, resize: { width: 2, height: 2 } }] });
    expect(big.state).toBe('ok');
    // A model that writes its own leading dimension (max_batch_size 0, dims [-1, 3, H, W]) gets [1, 3, H, W].
    const own = await lab.runModel({ repoId: info.id, model: 'img4', inputs: [spec] });
    expect(own.inputs[0]!.shape).toEqual([1, 3, 2, 2]);
  });
});

describe('the run history', () => {
  it('keeps runs newest first, bounded, per repository and model; cancels a running one', async () => {
    const { lab, info } = await labWith(
      {
        ...identity('a', 'INT32', [1]),
        'slow/config.pbtxt': scriptConfig('slow', { inputs: [{ name: 'IN', dims: [1] }], outputs: [{ name: 'OUT', dims: [1] }] }),
        'slow/1/model.js': scriptModel(`    await new Promise((r) => setTimeout(r, 5000));
    return new pb_utils.InferenceResponse({ output_tensors: [] });`),
      },
      { sample: true },
    );
    for (let i = 0; i < 3; i++) await lab.runModel({ repoId: info.id, model: 'a', inputs: [{ name: 'INPUT0', kind: 'values', dtype: 'INT32', shape: [1], values: [i] }] });
    expect(lab.runs.list({ model: 'a' }).map((r) => tensorPage(lab.runs.tensor({ runId: r.runId, side: 'input', name: 'INPUT0' }), 0, 1).values[0])).toEqual([2, 1, 0]);
    const running = lab.runModel({ repoId: info.id, model: 'slow', runId: 'r-slow', inputs: [{ name: 'IN', kind: 'values', dtype: 'FP32', shape: [1], values: [1] }] });
    await new Promise((r) => setTimeout(r, 200));
    expect(lab.runs.cancel('r-slow')).toBe(true);
    const r = await running;
    expect([r.runId, r.state]).toEqual(['r-slow', 'cancelled']);
    expect(r.steps[0]).toMatchObject({ kind: 'request', model: 'slow' });
  }, 20_000);
});

describe('tensor access', () => {
  const f32 = (shape: number[], values: number[]): Tensor => ({ name: 't', dtype: 'FP32', shape, data: Float32Array.from(values) });

  it('pages: FP16 decoded, big INT64 as strings, non-text BYTES as hex, NaN as text', () => {
    expect(tensorPage({ name: 'h', dtype: 'FP16', shape: [2], data: Uint16Array.from([floatToHalf(1.5), floatToHalf(-2)]) }, 0, 2).values).toEqual([1.5, -2]);
    expect(tensorPage({ name: 'i', dtype: 'INT64', shape: [2], data: BigInt64Array.from([2n ** 60n, -3n]) }, 0, 2).values).toEqual(['1152921504606846976', -3]);
    const bytes = tensorPage({ name: 'b', dtype: 'BYTES', shape: [2], data: [new TextEncoder().encode('图像'), Uint8Array.from([0xff, 0x00])] }, 0, 2);
    expect(bytes).toEqual({ offset: 0, total: 2, values: ['图像', 'ff 00'], hex: [1] });
    expect(tensorPage(f32([3], [Number.NaN, 1, Number.POSITIVE_INFINITY]), 1, 5).values).toEqual([1, 'Infinity']);
  });

  it('describes stats, true counts and the image readings of a shape', () => {
    const info = describeTensor(f32([2, 3], [1, 2, 3, 4, Number.NaN, Number.NEGATIVE_INFINITY]));
    expect(info.stats).toMatchObject({ count: 4, min: 1, max: 4, mean: 2.5, nan: 1, inf: 1 });
    expect(describeTensor({ name: 'b', dtype: 'BOOL', shape: [3], data: Uint8Array.from([1, 0, 1]) }).trueCount).toBe(2);
    expect(describeTensor({ name: 'i', dtype: 'UINT8', shape: [4, 5, 3], data: new Uint8Array(60) }).imageLayouts[0]).toMatchObject({ layout: 'HWC', height: 4, width: 5, channels: 3 });
    expect(describeTensor(f32([1, 3, 4, 5], new Array<number>(60).fill(0))).imageLayouts[0]).toMatchObject({ layout: 'NCHW', batch: 1, height: 4, width: 5, channels: 3 });
  });

  it('renders the same pixels from HWC and CHW data, with the range given or found', async () => {
    const hwc = f32([2, 2, 3], [0, 0, 0, 1, 1, 1, 0.5, 0.5, 0.5, 1, 0, 0]);
    const chw = f32([3, 2, 2], [0, 1, 0.5, 1, 0, 1, 0.5, 0, 0, 1, 0.5, 0]);
    const pixels = async (t: Tensor, layout: 'HWC' | 'CHW') => {
      const img = await tensorImage(t, { runId: 'x', side: 'output', name: 't', layout });
      expect(img.range).toEqual([0, 1]);
      return [...(await sharp(Buffer.from(img.png, 'base64')).raw().toBuffer())];
    };
    const a = await pixels(hwc, 'HWC');
    expect(a).toEqual(await pixels(chw, 'CHW'));
    expect(a.slice(9, 12)).toEqual([255, 0, 0]);
    const fixed = await tensorImage(hwc, { runId: 'x', side: 'output', name: 't', layout: 'HWC', range: [0, 2] });
    expect(fixed.range).toEqual([0, 2]);
    expect(pixelIndex({ layout: 'NCHW', batch: 2, height: 2, width: 3, channels: 3 }, 1, 1, 2, 2)).toBe(((1 * 3 + 2) * 2 + 1) * 3 + 2);
  });

  it('heatmaps average large slices down; histograms count finite values', async () => {
    const t = f32(
      [2, 4, 4],
      Array.from({ length: 32 }, (_, i) => i),
    );
    const h = await tensorHeatmap(t, [1], 2);
    // maxSide is at least 8, so 4x4 stays whole; the second slice holds 16..31.
    expect([h.rows, h.cols, h.min, h.max]).toEqual([4, 4, 16, 31]);
    await expect(tensorHeatmap(t, [2])).rejects.toThrow('give one index for each of the first 1 axes');
    const wide = await tensorHeatmap(
      f32(
        [20, 20],
        Array.from({ length: 400 }, (_, i) => i),
      ),
      [],
      8,
    );
    expect([wide.rows, wide.cols, wide.step]).toEqual([7, 7, [3, 3]]);
    expect(tensorHistogram(f32([5], [0, 1, 2, 3, Number.NaN]), 2)).toEqual({ min: 0, max: 3, counts: [2, 2] });
  });

  it('exports .npy with a header NumPy reads, and JSON', () => {
    const npy = toNpy(f32([2, 3], [1, 2, 3, 4, 5, 6]));
    expect(Buffer.from(npy.subarray(0, 6)).toString('latin1')).toBe('\x93NUMPY');
    const headerLen = new DataView(npy.buffer).getUint16(8, true);
    expect((10 + headerLen) % 64).toBe(0);
    expect(Buffer.from(npy.subarray(10, 10 + headerLen)).toString()).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    expect([...new Float32Array(npy.slice(10 + headerLen).buffer)]).toEqual([1, 2, 3, 4, 5, 6]);
    const strings = toNpy({ name: 's', dtype: 'BYTES', shape: [2], data: [new TextEncoder().encode('ab'), new TextEncoder().encode('中')] });
    expect(Buffer.from(strings.subarray(10, 60)).toString()).toContain("'descr': '<U2'");
    const json = exportTensor(f32([2], [1, 2]), 'json');
    expect(JSON.parse(Buffer.from(json.base64, 'base64').toString())).toEqual({ name: 't', datatype: 'FP32', shape: [2], data: [1, 2] });
  });
});

describe('workspace trust', () => {
  const scripted = {
    'echo/config.pbtxt': scriptConfig('echo', { inputs: [{ name: 'IN', dims: [1] }], outputs: [{ name: 'OUT', dims: [1] }] }),
    'echo/1/model.js': scriptModel(`    const t = pb_utils.get_input_tensor_by_name(request, 'IN');
    return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', t.data, t.shape)] });`),
    ...identity('plain', 'FP32', [1]),
  };

  it('a folder with script models opens untrusted: browsing works, scripts do not start until trusted', async () => {
    const settingsDir = mkdtempSync(path.join(os.tmpdir(), 'lab-settings-'));
    const settingsFile = path.join(settingsDir, 'settings.json');
    try {
      const { lab, info } = await labWith(scripted, { settingsFile });
      expect([info.trust, info.hasCode]).toEqual(['untrusted', true]);
      const echo = info.models.find((m) => m.name === 'echo')!;
      expect(echo.versions[0]).toMatchObject({ state: 'UNAVAILABLE', reason: UNTRUSTED_REASON });
      expect(info.models.find((m) => m.name === 'plain')!.state).toBe('READY');
      await expect(lab.runModel({ repoId: info.id, model: 'echo', inputs: [{ name: 'IN', kind: 'values', dtype: 'FP32', shape: [1], values: [1] }] })).rejects.toThrow('which is not trusted yet');
      const after = await lab.setTrust(info.id, 'always');
      expect(after.trust).toBe('trusted');
      expect(after.models.find((m) => m.name === 'echo')!.state).toBe('READY');
      await lab.settings.flush();
      expect(JSON.parse(readFileSync(settingsFile, 'utf8')).trustedFolders).toEqual([info.path]);
      // Opened again (a new lab, the same settings): remembered.
      const again = new Lab({ settingsFile });
      labs.push(again);
      expect((await again.openRepository(info.path)).trust).toBe('trusted');
      expect(again.getSettings().recentRepositories[0]).toBe(info.path);
    } finally {
      rmSync(settingsDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('samples and folders without code are trusted; browse-only is remembered for the session', async () => {
    expect((await labWith(scripted, { sample: true })).info.trust).toBe('trusted');
    expect((await labWith(identity('p', 'FP32', [1]))).info).toMatchObject({ trust: 'trusted', hasCode: false });
    const { lab, info } = await labWith(scripted);
    expect((await lab.setTrust(info.id, 'browse-only')).trust).toBe('browse-only');
  }, 30_000);

  it('a corrupt settings file means defaults and a note, never a crash', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-settings-'));
    try {
      writeFileSync(path.join(dir, 's.json'), '{ not json');
      const lab = new Lab({ settingsFile: path.join(dir, 's.json') });
      expect(lab.getSettings()).toEqual({ theme: 'system', locale: 'system', recentRepositories: [] });
      expect(lab.settings.loadProblem).toContain('could not be read');
      expect(() => lab.setSettings({ theme: 'pink' as 'dark' })).toThrow("theme must be system, light or dark, got 'pink'");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('model logs', () => {
  it('shows what a script model prints, per version, and a clear error for unknown models', async () => {
    const { lab, info } = await labWith(
      {
        'talk/config.pbtxt': scriptConfig('talk', { inputs: [{ name: 'IN', dims: [1] }], outputs: [{ name: 'OUT', dims: [1] }] }),
        'talk/1/model.js': scriptModel(`    console.log('saw ' + pb_utils.get_input_tensor_by_name(request, 'IN').data[0]);
    const t = pb_utils.get_input_tensor_by_name(request, 'IN');
    return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', t.data, t.shape)] });`),
      },
      { sample: true },
    );
    await lab.runModel({ repoId: info.id, model: 'talk', inputs: [{ name: 'IN', kind: 'values', dtype: 'FP32', shape: [1], values: [7] }] });
    // Worker output arrives through a pipe: give it a moment.
    const deadline = Date.now() + 5000;
    let lines: { message: string }[] = [];
    while (Date.now() < deadline && !lines.some((l) => l.message.includes('saw 7'))) {
      lines = lab.modelLog(info.id, 'talk')[0]?.lines ?? [];
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(lab.modelLog(info.id, 'talk').map((v) => v.version)).toEqual([1]);
    expect(lines.find((l) => l.message.includes('saw 7'))).toMatchObject({ level: 'info', time: expect.any(Number) });
    expect(() => lab.modelLog(info.id, 'nope')).toThrow("'nope' is not found");
    // A reload keeps the earlier lines, marked.
    await lab.loadModel(info.id, 'talk');
    const after = lab.modelLog(info.id, 'talk')[0]!.lines.map((l) => l.message);
    expect(after.some((m) => m.includes('saw 7'))).toBe(true);
    expect(after.findIndex((m) => m.includes('reloaded'))).toBeGreaterThan(after.findIndex((m) => m.includes('saw 7')));
  }, 30_000);
});
