/**
 * Which view a tensor opens in, decided from its shape, datatype and value
 * range alone (issue 14: the data pipeline's FP32 [1,264,620,3] image opened as
 * a table of `1 1 1`, its Image tab last). Pure, so the whole decision is one
 * table-driven test: pictures open as images, 2-D maps (unit axes squeezed) as
 * heatmaps, channel stacks as feature maps, long vectors as a plot or a
 * histogram, small tensors as tables, strings as strings, booleans as booleans.
 * The tabs come back in order, the chosen one first.
 */
import type { ImageLayout, TensorInfo } from '@contract/lab-api';

export type ViewTab = 'image' | 'heatmap' | 'featureMaps' | 'plot' | 'table' | 'histogram' | 'strings' | 'bool';

/** How a numeric image's values map to the screen: a known range, or its own min…max (with a note). */
export type ImageRange = { kind: 'fixed'; range: [number, number] } | { kind: 'normalized'; min: number; max: number };

export interface ViewChoice {
  /** Every view that suits the tensor, the chosen one first. */
  tabs: ViewTab[];
  /** Which of `imageLayouts` the image view starts on. */
  imageLayout: number;
  /** Numeric images: the range shown as black…white. */
  imageRange?: ImageRange;
  /** The heatmap's rows and columns axes by default. */
  heatmapAxes?: [number, number];
}

/** Up to this many elements a tensor reads best as a table of numbers. */
export const SMALL_TENSOR = 16;
/** Up to this many elements a vector is plotted value by value (one page of the lab API). */
export const PLOT_MAX = 10_000;
/** A heatmap needs both of its sides at least this long to say more than a table. */
const MAP_SIDE = 8;
/** An image needs at least this many pixels (8×8) to say more than a table. */
const IMAGE_PIXELS = 64;
/** Slack on the [0, 1] and [0, 255] ranges (rounding of resized or normalized pixels). */
const RANGE_SLACK = 0.02;

const FLOATS = new Set<TensorInfo['dtype']>(['FP16', 'FP32', 'FP64', 'BF16']);

/** Axis positions of an image layout's height and width, by the layout's letters. */
export function layoutAxes(layout: ImageLayout['layout']): { h: number; w: number; c?: number; n?: number } | undefined {
  if (layout === 'ENCODED') return undefined;
  const at = (ch: string): number | undefined => (layout.includes(ch) ? layout.indexOf(ch) : undefined);
  const c = at('C');
  const n = at('N');
  return { h: at('H')!, w: at('W')!, ...(c !== undefined ? { c } : {}), ...(n !== undefined ? { n } : {}) };
}

/** The range an image's values are meant in: [0, 255] for bytes, [0, 1] or [0, 255] when the data fits one, else none. */
export function imageRangeOf(info: TensorInfo): ImageRange {
  if (info.dtype === 'UINT8') return { kind: 'fixed', range: [0, 255] };
  const s = info.stats;
  if (!s || s.count === 0) return { kind: 'normalized', min: 0, max: 0 };
  if (s.min >= -RANGE_SLACK && s.max <= 1 + RANGE_SLACK) return { kind: 'fixed', range: [0, 1] };
  if (s.min >= -1 && s.max <= 255 * (1 + RANGE_SLACK) && s.max > 1 + RANGE_SLACK) return { kind: 'fixed', range: [0, 255] };
  return { kind: 'normalized', min: s.min, max: s.max };
}

/** The image layout that reads as a picture (1, 3 or 4 channels, large enough), by index, or -1. */
function pictureLayout(info: TensorInfo): number {
  return info.imageLayouts.findIndex((l) => {
    if (l.layout === 'ENCODED' || ![1, 3, 4].includes(l.channels)) return false;
    if (l.height * l.width < IMAGE_PIXELS) return false;
    // One float channel is a map (a detection probability map), not a grey picture.
    if (l.channels === 1) return !FLOATS.has(info.dtype);
    return true;
  });
}

/**
 * The default rows × columns of a heatmap: an image layout's H and W (both at
 * least 8 long; the picture's layout first); else the
 * last two axes longer than 1, skipping a short trailing axis (≤ 4, channels
 * last) when two longer ones remain. Undefined when fewer than two axes are
 * longer than 1.
 */
export function defaultHeatmapAxes(info: TensorInfo): [number, number] | undefined {
  const shape = info.shape;
  const long = shape.map((d, i) => ({ d, i })).filter((a) => a.d > 1);
  if (long.length < 2) return undefined;
  const picture = pictureLayout(info);
  const layout = picture >= 0 ? info.imageLayouts[picture] : info.imageLayouts.find((l) => l.layout !== 'ENCODED');
  const axes = layout && layoutAxes(layout.layout);
  if (axes && shape[axes.h]! >= MAP_SIDE && shape[axes.w]! >= MAP_SIDE) return [axes.h, axes.w];
  let pool = long;
  if (pool.length > 2 && pool.at(-1)!.d <= 4 && pool.slice(0, -1).filter((a) => a.d > 4).length >= 2) pool = pool.slice(0, -1);
  const [r, c] = pool.slice(-2);
  return [r!.i, c!.i];
}

/** N×C×H×W with several channels, each map at least 2×2 (and not a channels-last picture): small multiples suit it. */
export function isFeatureMaps(info: TensorInfo): boolean {
  const s = info.shape;
  if (s.length !== 4 || !s.slice(1).every((d) => d >= 2)) return false;
  return info.imageLayouts[pictureLayout(info)]?.layout !== 'NHWC';
}

function numericTabs(info: TensorInfo, picture: number, axes: [number, number] | undefined): { chosen: ViewTab; tabs: ViewTab[] } {
  const long = info.shape.filter((d) => d > 1);
  const tabs: ViewTab[] = [];
  if (info.imageLayouts.some((l) => l.layout !== 'ENCODED')) tabs.push('image');
  if (axes) tabs.push('heatmap');
  if (isFeatureMaps(info)) tabs.push('featureMaps');
  if (long.length <= 1 && info.elements >= 2 && info.elements <= PLOT_MAX) tabs.push('plot');
  tabs.push('table', 'histogram');
  const bigMap = !!axes && info.shape[axes[0]]! >= MAP_SIDE && info.shape[axes[1]]! >= MAP_SIDE;
  let chosen: ViewTab;
  if (info.elements <= SMALL_TENSOR) chosen = 'table';
  else if (picture >= 0) chosen = 'image';
  else if (isFeatureMaps(info) && long.length >= 3 && (info.shape[1] ?? 0) > 4) chosen = 'featureMaps';
  else if (bigMap) chosen = 'heatmap';
  else if (long.length <= 1) chosen = info.elements <= PLOT_MAX ? 'plot' : 'histogram';
  else chosen = 'table';
  return { chosen, tabs };
}

/** The views of a tensor, the one it should open in first. */
export function chooseView(info: TensorInfo): ViewChoice {
  if (info.dtype === 'BYTES') {
    const enc = info.imageLayouts.findIndex((l) => l.layout === 'ENCODED');
    return enc >= 0 ? { tabs: ['image', 'strings'], imageLayout: enc } : { tabs: ['strings'], imageLayout: 0 };
  }
  if (info.dtype === 'BOOL') return { tabs: ['bool'], imageLayout: 0 };
  const picture = pictureLayout(info);
  const file = info.imageLayouts.findIndex((l) => l.layout === 'ENCODED');
  if (file >= 0 && picture < 0) {
    // UINT8 bytes of an image file (what a client sends for input_image): the picture they encode first.
    const { tabs } = numericTabs(info, picture, undefined);
    return { tabs: ['image', ...tabs.filter((t) => t !== 'image' && t !== 'plot')], imageLayout: file };
  }
  const axes = defaultHeatmapAxes(info);
  const { chosen, tabs } = numericTabs(info, picture, axes);
  const choice: ViewChoice = { tabs: [chosen, ...tabs.filter((t) => t !== chosen)], imageLayout: Math.max(0, picture) };
  if (tabs.includes('image')) choice.imageRange = imageRangeOf(info);
  if (axes) choice.heatmapAxes = axes;
  return choice;
}

/** The same choice with `first` moved to the front (a caller's hint or the user's remembered pick), when the tensor offers it. */
export function withFirst(choice: ViewChoice, first: ViewTab | undefined): ViewChoice {
  if (!first || !choice.tabs.includes(first) || choice.tabs[0] === first) return choice;
  return { ...choice, tabs: [first, ...choice.tabs.filter((t) => t !== first)] };
}

export type AxisRole = 'batch' | 'channel' | 'height' | 'width';

/** What each axis is, read from the image layout the tensor is shown with (the picture's, else the first); unknown axes are undefined. */
export function axisRoles(info: TensorInfo): (AxisRole | undefined)[] {
  const roles: (AxisRole | undefined)[] = info.shape.map(() => undefined);
  const picture = pictureLayout(info);
  const layout = picture >= 0 ? info.imageLayouts[picture] : info.imageLayouts.find((l) => l.layout !== 'ENCODED');
  const axes = layout && layoutAxes(layout.layout);
  if (!axes || layout.layout.length !== info.shape.length) return roles;
  roles[axes.h] = 'height';
  roles[axes.w] = 'width';
  if (axes.c !== undefined) roles[axes.c] = 'channel';
  if (axes.n !== undefined) roles[axes.n] = 'batch';
  return roles;
}
