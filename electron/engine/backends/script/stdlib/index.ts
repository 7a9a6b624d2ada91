/**
 * The `lab` global of script models: a small standard library so model.js
 * files need no node_modules. One instance per model version, because file
 * access is scoped to that model's folder.
 */
import * as array from './array';
import { modelFiles } from './files';
import * as geometry from './geometry';
import * as image from './image';

export function createStdlib(modelVersionDir: string): LabStdlib {
  return {
    image: {
      decode: image.decode,
      encode: image.encode,
      resize: image.resize,
      crop: image.crop,
      rotate: image.rotate,
      warp: image.warp,
      toGray: image.toGray,
      toTensor: image.toTensor,
      fromTensor: image.fromTensor,
    },
    geometry: {
      components: geometry.components,
      convexHull: geometry.convexHull,
      minAreaRect: geometry.minAreaRect,
      corners: geometry.corners,
      polygonArea: geometry.polygonArea,
      polygonPerimeter: geometry.polygonPerimeter,
    },
    array: {
      argmax: array.argmax,
      max: array.max,
      min: array.min,
      mean: array.mean,
      softmax: array.softmax,
      strides: array.strides,
    },
    ...modelFiles(modelVersionDir),
  };
}
