import type { ImageLayout, TensorInfo, TensorStats } from '@contract/lab-api';
import { describe, expect, it } from 'vitest';
import { chooseView, defaultHeatmapAxes, imageRangeOf, layoutAxes, withFirst, type ViewTab } from './choose-view';

const stats = (min: number, max: number, count = 100): TensorStats => ({ count, min, max, mean: (min + max) / 2, std: 1, nan: 0, inf: 0 });
const L = (layout: ImageLayout['layout'], batch: number, height: number, width: number, channels: number): ImageLayout => ({ layout, batch, height, width, channels });

function tensor(dtype: TensorInfo['dtype'], shape: number[], layouts: ImageLayout[] = [], s?: TensorStats): TensorInfo {
  const elements = shape.reduce((a, d) => a * d, 1);
  return { name: 'x', dtype, shape, elements, byteSize: elements * 4, imageLayouts: layouts, ...(s ? { stats: s } : {}) };
}

interface Case {
  what: string;
  info: TensorInfo;
  first: ViewTab;
  tabs?: ViewTab[];
  axes?: [number, number];
  range?: ReturnType<typeof imageRangeOf>;
}

// The layouts are those the engine's imageLayouts() gives for each shape and datatype.
const CASES: Case[] = [
  {
    what: "the OCR ensemble's input_image: UINT8 [N] holding a PNG file's bytes",
    info: tensor('UINT8', [48213], [L('ENCODED', 1, 264, 620, 3)], stats(0, 255)),
    first: 'image',
    tabs: ['image', 'table', 'histogram'],
  },
  {
    what: "the data pipeline's FP32 [1,264,620,3] output (values in 0..1)",
    info: tensor('FP32', [1, 264, 620, 3], [L('NHWC', 1, 264, 620, 3)], stats(0, 1)),
    first: 'image',
    tabs: ['image', 'heatmap', 'table', 'histogram'],
    axes: [1, 2],
    range: { kind: 'fixed', range: [0, 1] },
  },
  {
    what: 'an FP32 HWC picture in 0..255',
    info: tensor('FP32', [48, 64, 3], [L('CHW', 1, 64, 3, 48), L('HWC', 1, 48, 64, 3)].slice(1), stats(0, 254.6)),
    first: 'image',
    axes: [0, 1],
    range: { kind: 'fixed', range: [0, 255] },
  },
  {
    what: 'an ImageNet-normalized FP32 NCHW batch (shown normalized)',
    info: tensor('FP32', [2, 3, 224, 224], [L('NCHW', 2, 224, 224, 3)], stats(-2.1, 2.64)),
    first: 'image',
    tabs: ['image', 'heatmap', 'featureMaps', 'table', 'histogram'],
    axes: [2, 3],
    range: { kind: 'normalized', min: -2.1, max: 2.64 },
  },
  {
    what: 'a UINT8 CHW picture with 4 channels',
    info: tensor('UINT8', [4, 32, 32], [L('CHW', 1, 32, 32, 4)], stats(0, 255)),
    first: 'image',
    axes: [1, 2],
    range: { kind: 'fixed', range: [0, 255] },
  },
  {
    what: 'a UINT8 grey picture (HW)',
    info: tensor('UINT8', [28, 28], [L('HW', 1, 28, 28, 1)], stats(0, 255)),
    first: 'image',
    tabs: ['image', 'heatmap', 'table', 'histogram'],
  },
  {
    what: 'the PaddleOCR detection output [1,1,H,W] (a probability map)',
    info: tensor('FP32', [1, 1, 640, 960], [L('NCHW', 1, 640, 960, 1)], stats(0, 0.99)),
    first: 'heatmap',
    tabs: ['heatmap', 'image', 'table', 'histogram'],
    axes: [2, 3],
  },
  {
    what: 'a plain 2-D float map',
    info: tensor('FP32', [80, 3000], [L('HW', 1, 80, 3000, 1)], stats(-4, 3)),
    first: 'heatmap',
    axes: [0, 1],
  },
  {
    what: 'a classifier [1,1000]',
    info: tensor('FP32', [1, 1000], [], stats(-3, 12)),
    first: 'plot',
    tabs: ['plot', 'table', 'histogram'],
  },
  {
    what: 'a long 1-D vector beyond one page',
    info: tensor('FP32', [1, 50_000], [], stats(0, 1)),
    first: 'histogram',
    tabs: ['histogram', 'table'],
  },
  {
    what: 'a small tensor (INT64 [1,10])',
    info: tensor('INT64', [1, 10], [], stats(0, 9)),
    first: 'table',
    tabs: ['table', 'plot', 'histogram'],
  },
  {
    what: 'a scalar',
    info: tensor('FP32', [], [], stats(3, 3, 1)),
    first: 'table',
    tabs: ['table', 'histogram'],
  },
  {
    what: 'a tiny FP32 [2,2,3] that could be an image',
    info: tensor('FP32', [2, 2, 3], [L('HWC', 1, 2, 2, 3)], stats(0, 11)),
    first: 'table',
    tabs: ['table', 'image', 'heatmap', 'histogram'],
  },
  {
    what: 'boxes [100,4] (a table, not a map)',
    info: tensor('FP32', [100, 4], [L('HW', 1, 100, 4, 1)], stats(0, 600)),
    first: 'table',
    axes: [0, 1],
  },
  {
    what: 'feature maps [1,512,7,7]',
    info: tensor('FP32', [1, 512, 7, 7], [], stats(-1, 5)),
    first: 'featureMaps',
    tabs: ['featureMaps', 'heatmap', 'table', 'histogram'],
    axes: [2, 3],
  },
  {
    what: 'a two-channel flow field [64,64,2] (channels last, not W×C)',
    info: tensor('FP32', [64, 64, 2], [L('NHW', 64, 64, 2, 1)], stats(-3, 3)),
    first: 'heatmap',
    axes: [0, 1],
  },
  {
    what: 'a detection head [1,8400,84]',
    info: tensor('FP32', [1, 8400, 84], [L('CHW', 1, 8400, 84, 1)], stats(0, 640)),
    first: 'heatmap',
    axes: [1, 2],
  },
  {
    what: 'conv weights [64,3,3,3] (too small to be pictures; their channels as feature maps)',
    info: tensor('FP32', [64, 3, 3, 3], [L('NCHW', 64, 3, 3, 3), L('NHWC', 64, 3, 3, 3)], stats(-0.5, 0.5)),
    first: 'table',
    tabs: ['table', 'image', 'heatmap', 'featureMaps', 'histogram'],
    axes: [2, 3],
  },
  {
    what: 'strings',
    info: tensor('BYTES', [3]),
    first: 'strings',
    tabs: ['strings'],
  },
  {
    what: 'image files inside strings',
    info: tensor('BYTES', [1], [L('ENCODED', 1, 480, 640, 3)]),
    first: 'image',
    tabs: ['image', 'strings'],
  },
  {
    what: 'booleans',
    info: tensor('BOOL', [1, 16]),
    first: 'bool',
    tabs: ['bool'],
  },
];

describe('chooseView', () => {
  it.each(CASES)('$what → $first', (c) => {
    const choice = chooseView(c.info);
    expect(choice.tabs[0]).toBe(c.first);
    if (c.tabs) expect(choice.tabs).toEqual(c.tabs);
    if (c.axes) expect(choice.heatmapAxes).toEqual(c.axes);
    if (c.range) expect(choice.imageRange).toEqual(c.range);
    expect(new Set(choice.tabs).size).toBe(choice.tabs.length);
  });

  it('never offers a heatmap with fewer than two axes longer than 1', () => {
    expect(chooseView(tensor('FP32', [1, 1, 300], [], stats(0, 1))).tabs).not.toContain('heatmap');
    expect(defaultHeatmapAxes(tensor('FP32', [1, 1, 300]))).toBeUndefined();
  });

  it('starts the image view on the layout that reads as a picture, past a one-channel float map', () => {
    const info = tensor('FP32', [1, 64, 64, 1], [L('NCHW', 1, 64, 1, 64), L('NHWC', 1, 64, 64, 1), L('NHWC', 1, 64, 64, 3)], stats(0, 1));
    expect(chooseView(info).imageLayout).toBe(2);
    expect(chooseView(tensor('FP32', [1, 1, 64, 64], [L('NCHW', 1, 64, 64, 1)], stats(0, 1))).imageLayout).toBe(0);
  });
});

describe('imageRangeOf', () => {
  it('reads bytes as 0..255, and floats by where their values fall', () => {
    expect(imageRangeOf(tensor('UINT8', [8, 8, 3]))).toEqual({ kind: 'fixed', range: [0, 255] });
    expect(imageRangeOf(tensor('FP32', [8, 8, 3], [], stats(0.01, 1.004)))).toEqual({ kind: 'fixed', range: [0, 1] });
    expect(imageRangeOf(tensor('FP32', [8, 8, 3], [], stats(0, 255)))).toEqual({ kind: 'fixed', range: [0, 255] });
    expect(imageRangeOf(tensor('FP32', [8, 8, 3], [], stats(0, 1000)))).toEqual({ kind: 'normalized', min: 0, max: 1000 });
    expect(imageRangeOf(tensor('FP32', [8, 8, 3], [], stats(-1, 1)))).toEqual({ kind: 'normalized', min: -1, max: 1 });
  });
});

describe('layoutAxes and withFirst', () => {
  it('finds H, W, C and N by the layout letters', () => {
    expect(layoutAxes('NHWC')).toEqual({ n: 0, h: 1, w: 2, c: 3 });
    expect(layoutAxes('CHW')).toEqual({ c: 0, h: 1, w: 2 });
    expect(layoutAxes('HW')).toEqual({ h: 0, w: 1 });
    expect(layoutAxes('ENCODED')).toBeUndefined();
  });

  it('moves a remembered or hinted view first only when the tensor offers it', () => {
    const choice = chooseView(tensor('FP32', [1, 1000], [], stats(0, 1)));
    expect(withFirst(choice, 'table').tabs).toEqual(['table', 'plot', 'histogram']);
    expect(withFirst(choice, 'image')).toBe(choice);
    expect(withFirst(choice, undefined)).toBe(choice);
  });
});
