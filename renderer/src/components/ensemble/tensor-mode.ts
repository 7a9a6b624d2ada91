/**
 * Which viewer tab suits a tensor flowing through an ensemble: colour
 * images and image batches (e.g. text crops) as images, single-channel
 * float maps (e.g. a detection probability map) as heatmaps; strings and
 * everything else keep the viewer's own default.
 */
import type { TensorInfo } from '@contract/lab-api';

export function preferredTab(info: TensorInfo): 'image' | 'heatmap' | undefined {
  const layout = info.imageLayouts[0];
  if (!layout || info.dtype === 'BYTES' || info.dtype === 'BOOL') return undefined;
  if (layout.channels === 3) return 'image';
  if (layout.channels === 1 && (info.dtype === 'FP32' || info.dtype === 'FP16' || info.dtype === 'BF16' || info.dtype === 'FP64')) return 'heatmap';
  return undefined;
}
