/** Lab API handlers for the tensor viewers: facts, pages, images, heatmaps, histograms and exports of a run's tensors. */
import type { ImageRequest } from '../../contract/lab-api';
import { LabError } from '../errors';
import type { LabHandlers } from '../lab-handlers';
import type { Lab } from '../lab';
import { exportTensor, tensorHeatmap, tensorHistogram, tensorImage, tensorPage } from '../runs/tensor-access';
import { describeTensor } from '../runs/tensor-info';
import { int, list, optNumber, payload, str, tensorRef } from './payload';

type TensorMethods = 'tensorInfo' | 'tensorPage' | 'tensorImage' | 'tensorHeatmap' | 'tensorHistogram' | 'exportTensor';

export function createTensorHandlers(lab: Lab): Pick<LabHandlers, TensorMethods> {
  return {
    tensorInfo: async (req) => describeTensor(lab.tensor(tensorRef(payload(req)))),
    tensorPage: async (req) => {
      const p = payload(req);
      const ref = tensorRef(p);
      const offset = int(p, 'offset');
      const count = int(p, 'count');
      return tensorPage(lab.tensor(ref), offset, count);
    },
    tensorImage: async (req) => {
      const p = payload(req);
      const range = p['range'];
      if (range !== undefined && (!Array.isArray(range) || range.length !== 2 || range.some((v) => typeof v !== 'number' || !Number.isFinite(v)))) {
        throw new LabError('INVALID_ARG', "'range' must be [min, max]");
      }
      const order = p['order'];
      if (order !== undefined && order !== 'RGB' && order !== 'BGR') throw new LabError('INVALID_ARG', "'order' must be RGB or BGR");
      const image: ImageRequest = {
        ...tensorRef(p),
        layout: str(p, 'layout', 8) as ImageRequest['layout'],
        ...(p['batchIndex'] !== undefined ? { batchIndex: int(p, 'batchIndex') } : {}),
        ...(range ? { range: range as [number, number] } : {}),
        ...(order ? { order } : {}),
      };
      return tensorImage(lab.tensor(image), image);
    },
    tensorHeatmap: async (req) => {
      const p = payload(req);
      const fixed = list(p, 'fixed');
      if (fixed.some((v) => typeof v !== 'number')) throw new LabError('INVALID_ARG', "'fixed' must be a list of indices");
      const axes = p['axes'];
      if (axes !== undefined && (!Array.isArray(axes) || axes.length !== 2 || axes.some((v) => typeof v !== 'number'))) throw new LabError('INVALID_ARG', "'axes' must be [rows axis, columns axis]");
      return tensorHeatmap(lab.tensor(tensorRef(p)), fixed as number[], optNumber(p, 'maxSide'), axes as [number, number] | undefined);
    },
    tensorHistogram: async (req) => {
      const p = payload(req);
      return tensorHistogram(lab.tensor(tensorRef(p)), optNumber(p, 'bins'));
    },
    exportTensor: async (req) => {
      const p = payload(req);
      const format = p['format'];
      if (format !== 'npy' && format !== 'json') throw new LabError('INVALID_ARG', "'format' must be npy or json");
      return exportTensor(lab.tensor(tensorRef(p)), format);
    },
  };
}
