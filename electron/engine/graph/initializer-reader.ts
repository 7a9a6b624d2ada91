/**
 * Reads one initializer's values from where parsing located them. Synchronous
 * because `Lab.tensor` is: the viewers ask for a tensor and page it at once;
 * the service caches what it read, so a tensor is read once per view.
 */
import { closeSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { TensorProtoSchema } from 'onnx-buf';
import { LabError, errorMessage } from '../errors';
import { isInside, realPathSync } from '../util/real-path';
import { openRegularSync } from '../util/regular-file';
import type { Tensor } from '../tensor/tensor';
import type { TensorLocator } from './initializers';
import { elementsOf, onnxApiDType, onnxDTypeName, onnxElementBits } from './onnx-types';
import { tensorFromProto, tensorFromRaw } from './tensor-values';

/** The most an initializer view reads into memory. */
export const MAX_VIEW_BYTES = 2 ** 30;

function mib(n: number): string {
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}

function checkSize(name: string, bytes: number, max: number): void {
  if (bytes > max) throw new LabError('UNSUPPORTED', `initializer '${name}' is ${mib(bytes)}; the viewer reads initializers up to ${mib(max)}`);
}

/** Synchronous on the main thread, so opened without blocking: a FIFO or device swapped in is refused unread. */
function readRange(file: string, offset: number, length: number, what: string): Uint8Array {
  let opened: { fd: number; size: number };
  try {
    opened = openRegularSync(file, file);
  } catch (err) {
    if (err instanceof LabError && err.code === 'NOT_FOUND') throw new LabError('NOT_FOUND', `${what}: '${file}' does not exist`);
    throw new LabError('INVALID_ARG', `${what}: ${errorMessage(err)}`);
  }
  const { fd, size } = opened;
  try {
    if (offset + length > size) {
      throw new LabError('INVALID_ARG', `${what}: bytes ${offset} to ${offset + length} are needed but '${file}' has only ${size} bytes (truncated, or the offset is wrong)`);
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, offset + done);
      if (n === 0) throw new LabError('INVALID_ARG', `${what}: '${file}' ended after ${offset + done} bytes`);
      done += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/**
 * The external data file of an initializer, by ONNX Runtime's rule (ValidateExternalDataPathFromDir):
 * a relative name, in the folder of the model file as named, and still inside that folder once
 * links are followed (a `weights.bin` linked to a file elsewhere is refused, as ONNX Runtime refuses it).
 */
function externalFile(modelPath: string, name: string, location: string): string {
  const dir = path.dirname(modelPath);
  const file = path.resolve(dir, location);
  const outside = (): LabError => new LabError('INVALID_ARG', `initializer '${name}' keeps its values in '${location}', which is outside the model's folder ${dir}`);
  if (path.isAbsolute(location) || !isInside(dir, file)) throw outside();
  const [realDir, real] = [realPathSync(dir), realPathSync(file)];
  if (realDir !== undefined && real !== undefined && !isInside(realDir, real)) throw outside();
  return file;
}

export function readInitializer(modelPath: string, loc: TensorLocator, maxBytes = MAX_VIEW_BYTES): Tensor {
  const head = { name: loc.name, dataType: loc.dataType, dims: loc.dims };
  if (!onnxApiDType(loc.dataType)) {
    throw new LabError('UNSUPPORTED', `initializer '${loc.name}' is ${onnxDTypeName(loc.dataType)}, which the tensor viewers cannot show`);
  }
  const s = loc.source;
  switch (s.kind) {
    case 'raw':
      checkSize(loc.name, s.length, maxBytes);
      return tensorFromRaw(head, readRange(modelPath, s.offset, s.length, `initializer '${loc.name}'`));
    case 'external': {
      const file = externalFile(modelPath, loc.name, s.location);
      const length = s.length ?? Math.ceil((elementsOf(loc.dims) * onnxElementBits(loc.dataType)) / 8);
      checkSize(loc.name, length, maxBytes);
      let st;
      try {
        st = statSync(file);
      } catch {
        throw new LabError('NOT_FOUND', `initializer '${loc.name}' keeps its values in the external file '${s.location}', which does not exist next to the model (${file})`);
      }
      if (!st.isFile()) throw new LabError('INVALID_ARG', `initializer '${loc.name}': external data '${s.location}' is not a file`);
      return tensorFromRaw(head, readRange(file, s.offset, length, `external data of initializer '${loc.name}'`));
    }
    case 'message': {
      checkSize(loc.name, s.length, maxBytes);
      const bytes = readRange(modelPath, s.offset, s.length, `initializer '${loc.name}'`);
      let proto;
      try {
        proto = fromBinary(TensorProtoSchema, bytes);
      } catch (err) {
        throw new LabError('INVALID_ARG', `initializer '${loc.name}' cannot be decoded (the model file changed or is damaged): ${errorMessage(err)}`);
      }
      return tensorFromProto(head, proto);
    }
    case 'inline':
      return tensorFromProto(head, s.proto);
    case 'empty':
      if (elementsOf(loc.dims) === 0) return tensorFromRaw(head, new Uint8Array(0));
      throw new LabError('INVALID_ARG', `initializer '${loc.name}' has shape [${loc.dims.join(', ')}] but holds no values`);
  }
}
