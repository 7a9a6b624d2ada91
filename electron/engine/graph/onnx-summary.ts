/**
 * An ONNX model's graph as the lab shows it, read without copying weights:
 * files up to 256 MiB are decoded whole with onnx-buf (raw_data arrives as
 * views of the file's buffer, so only offsets are kept); bigger ones go through
 * the wire scanner, which reads the file window by window.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { type ModelProto, ModelProtoSchema } from 'onnx-buf';
import { LabError, errorMessage } from '../errors';
import { readUpTo, withRegularFile } from '../util/regular-file';
import { FileWindow } from './file-window';
import { checkNesting } from './nesting';
import { type OnnxSummary, type ParsedOnnx, SummaryBuilder } from './summary-builder';
import { scanModel } from './wire-scan';

export type { OnnxSummary, ParsedOnnx } from './summary-builder';

/** Above this size the wire scanner reads the file in windows instead of all at once. */
export const SCAN_ABOVE_BYTES = 256 * 2 ** 20;
/** Protobuf messages cannot be larger; bigger models keep their weights in external data. */
export const MAX_ONNX_FILE_BYTES = 2 ** 31 - 1;

export interface SummaryOptions {
  /** Files larger than this use the wire scanner (tests lower it). */
  scanAboveBytes?: number;
  /** Window size of the wire scanner. */
  windowBytes?: number;
  /** Nodes larger than this are walked field by field by the scanner (tests lower it). */
  largeNodeBytes?: number;
}

/**
 * The decoder stops at its recursion limit on bodies nested past about 30
 * levels; when it fails, the nesting walk tells whether that was the reason, so
 * the user reads that rather than the decoder's words. (Shallower nesting that
 * is still too deep is refused by the summary builder.)
 */
function decodeModel(buf: Uint8Array): ModelProto {
  try {
    return fromBinary(ModelProtoSchema, buf, { readUnknownFields: false });
  } catch (err) {
    checkNesting(buf, 'model');
    throw err;
  }
}

function decodeWhole(buf: Uint8Array, b: SummaryBuilder): void {
  const m = decodeModel(buf);
  b.irVersion = Number(m.irVersion);
  b.producer = m.producerName;
  b.producerVersion = m.producerVersion;
  b.domain = m.domain;
  b.modelVersion = Number(m.modelVersion);
  b.doc = m.docString;
  for (const o of m.opsetImport) b.addOpset(o);
  for (const p of m.metadataProps) b.addMetadata(p);
  const g = m.graph;
  if (!g) return;
  b.sawGraph = true;
  b.main.addGraph(g, { buf, fileOffset: 0 });
}

/** The summary plus where each initializer's values are and the I/O the config checks use. */
/** Reads the model through one handle opened without blocking: a FIFO or device is refused unread. */
export async function parseOnnxFile(absPath: string, opts: SummaryOptions = {}): Promise<ParsedOnnx> {
  const started = performance.now();
  const b = new SummaryBuilder();
  const size = await withRegularFile(absPath, absPath, async (handle, size) => {
    if (size > MAX_ONNX_FILE_BYTES) {
      throw new LabError('UNSUPPORTED', `'${absPath}' is ${(size / 2 ** 30).toFixed(1)} GiB; a single-file ONNX model is at most 2 GiB (larger models keep their weights in external data files)`);
    }
    try {
      if (size > (opts.scanAboveBytes ?? SCAN_ABOVE_BYTES)) await scanModel(new FileWindow(handle, size, opts.windowBytes), b, opts.largeNodeBytes);
      else decodeWhole(await readUpTo(handle, size), b);
    } catch (err) {
      if (err instanceof LabError && err.code !== 'INVALID_ARG') throw err;
      throw new LabError('INVALID_ARG', `'${absPath}' is not a readable ONNX model (damaged or truncated?): ${errorMessage(err)}`, { cause: err });
    }
    return size;
  }).catch((err: unknown) => {
    if (err instanceof LabError && err.code === 'NOT_FOUND') throw new LabError('NOT_FOUND', `the model file '${absPath}' does not exist`);
    throw err;
  });
  if (!b.sawGraph || b.irVersion <= 0) {
    throw new LabError('INVALID_ARG', `'${absPath}' is not an ONNX model: it has no ${b.sawGraph ? 'IR version' : 'graph'}`);
  }
  return b.finish(size, Math.round((performance.now() - started) * 100) / 100);
}

export async function readOnnxSummary(absPath: string, opts: SummaryOptions = {}): Promise<OnnxSummary> {
  return (await parseOnnxFile(absPath, opts)).summary;
}
