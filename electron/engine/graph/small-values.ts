/**
 * The values of a model's small numeric tensors (initializers and Constant
 * TENSOR attributes), read once after parsing: up to 16 elements become the
 * `preview` text node boxes show (`B = 3`, `shape = [0, -1, 512]`), and integer
 * tensors up to 1024 elements feed shape inference's constant folding.
 * Byte ranges in the model file are read through one handle, nearby ranges
 * together; external data goes through the initializer reader, which only
 * reads files inside the model's folder by real path. Reads are bounded in
 * count and bytes, and one unreadable tensor only loses its own values.
 */
import { fromBinary } from '@bufbuild/protobuf';
import type { FileHandle } from 'node:fs/promises';
import { TensorProtoSchema } from 'onnx-buf';
import type { GraphDim, GraphInitializer } from '../../contract/inspect-api';
import { numberAt } from '../runs/tensor-info';
import { type Tensor, isBytesData } from '../tensor/tensor';
import { withRegularFile } from '../util/regular-file';
import { formatFloat } from './attributes';
import { readInitializer } from './initializer-reader';
import type { TensorLocator } from './initializers';
import type { ParsedOnnx } from './summary-builder';
import { tensorFromProto, tensorFromRaw } from './tensor-values';

/** Tensors this small get a preview. */
export const PREVIEW_ELEMENTS = 16;
/** Integer tensors this small are read for constant folding. */
export const FOLD_ELEMENTS = 1024;
/** Most tensors read, and most bytes of the model file read for them. */
const MAX_TENSORS = 200_000;
/** Most values kept for constant folding in all (a crafted model with many 1024-element tensors stays bounded). */
const MAX_KEPT_VALUES = 2_000_000;
const MAX_BYTES = 64 * 2 ** 20;
/** Ranges closer than this are read in one go. */
const GAP = 64 * 1024;
const CHUNK = 2 * 2 ** 20;

const INTEGER = new Set(['INT64', 'INT32', 'INT16', 'INT8', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'BOOL']);

export interface SmallValues {
  /** Values by initializer index, as numbers. */
  values: Map<number, GraphDim[]>;
  /** How many tensors got a preview, and how many could not be read. */
  previews: number;
  unreadable: number;
}

const NUMERIC = new Set([...INTEGER, 'FP32', 'FP64', 'FP16', 'BF16']);

function wanted(e: GraphInitializer): boolean {
  if (!NUMERIC.has(e.dtype)) return false;
  return e.elements <= PREVIEW_ELEMENTS || (INTEGER.has(e.dtype) && e.elements <= FOLD_ELEMENTS);
}

/** One element as a number; 64-bit integers beyond 2^53 clamped to ±(2^53 - 1) (INT64_MAX as a Slice end stays "to the end"). */
function elementOf(t: Tensor, i: number): number | null {
  const d = t.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    const v = d[i]!;
    return v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER) ? (v > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER) : Number(v);
  }
  return numberAt(t, i);
}

function spell(v: number, dtype: string): string {
  if (dtype === 'BOOL') return v ? 'true' : 'false';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return dtype.startsWith('FP') || dtype === 'BF16' ? formatFloat(v) : String(v);
}

/** `3`, `0.5`, `[0, -1, 512]`, `[[1, 2], [3, 4]]`, `true`; 64-bit extremes as written. */
export function previewText(t: Tensor): string {
  const d = t.data;
  const big = d instanceof BigInt64Array || d instanceof BigUint64Array;
  const n = t.shape.reduce((a, b) => a * b, 1);
  const items = Array.from({ length: n }, (_, i) => (big ? String((d as BigInt64Array)[i]) : spell(numberAt(t, i), t.dtype)));
  if (t.shape.length === 0) return items[0] ?? '';
  // Nest by the shape, innermost first.
  let level: string[] = items;
  for (let k = t.shape.length - 1; k >= 0; k--) {
    const size = t.shape[k]!;
    const next: string[] = [];
    for (let i = 0; i < Math.max(1, level.length / Math.max(size, 1)); i++) next.push(`[${level.slice(i * size, (i + 1) * size).join(', ')}]`);
    level = size === 0 ? ['[]'] : next;
  }
  return level[0] ?? '[]';
}

interface Job {
  index: number;
  loc: TensorLocator;
}

/** Reads the in-file ranges of `jobs` through one handle, nearby ones in one read. */
async function readRanges(modelPath: string, jobs: Job[], put: (job: Job, t: Tensor) => void): Promise<number> {
  const ranged = jobs.filter((j) => j.loc.source.kind === 'raw' || j.loc.source.kind === 'message');
  const span = (j: Job): { offset: number; length: number } => j.loc.source as { offset: number; length: number };
  ranged.sort((a, b) => span(a).offset - span(b).offset);
  let failed = 0;
  await withRegularFile(modelPath, modelPath, async (handle: FileHandle, size: number) => {
    let bytesRead = 0;
    for (let i = 0; i < ranged.length && bytesRead < MAX_BYTES;) {
      const start = span(ranged[i]!).offset;
      let j = i;
      let end = start + span(ranged[i]!).length;
      while (j + 1 < ranged.length && span(ranged[j + 1]!).offset - end < GAP && span(ranged[j + 1]!).offset + span(ranged[j + 1]!).length - start <= CHUNK) {
        j++;
        end = Math.max(end, span(ranged[j]!).offset + span(ranged[j]!).length);
      }
      if (end > size) {
        failed += j - i + 1;
        i = j + 1;
        continue;
      }
      const buf = new Uint8Array(end - start);
      const { bytesRead: got } = await handle.read(buf, 0, buf.byteLength, start);
      bytesRead += got;
      for (let k = i; k <= j; k++) {
        const job = ranged[k]!;
        const s = span(job);
        const bytes = buf.subarray(s.offset - start, s.offset - start + s.length);
        try {
          const head = { name: job.loc.name, dataType: job.loc.dataType, dims: job.loc.dims };
          put(job, job.loc.source.kind === 'raw' ? tensorFromRaw(head, bytes) : tensorFromProto(head, fromBinary(TensorProtoSchema, bytes)));
        } catch {
          failed++;
        }
      }
      i = j + 1;
    }
  });
  return failed;
}

/**
 * Reads the small tensors of a parsed model, sets their `preview` on
 * `parsed.summary.initializers`, and returns their values by index.
 */
export async function readSmallValues(parsed: ParsedOnnx, modelPath: string): Promise<SmallValues> {
  const out: SmallValues = { values: new Map(), previews: 0, unreadable: 0 };
  const inits = parsed.summary.initializers;
  const jobs: Job[] = [];
  for (let i = 0; i < inits.length && jobs.length < MAX_TENSORS; i++) if (wanted(inits[i]!)) jobs.push({ index: i, loc: parsed.locators[i]! });
  let kept = 0;
  const put = (job: Job, t: Tensor): void => {
    if (isBytesData(t.data)) return;
    const e = inits[job.index]!;
    if (e.elements <= PREVIEW_ELEMENTS) {
      e.preview = previewText(t);
      out.previews++;
    }
    if (kept + e.elements > MAX_KEPT_VALUES) return;
    kept += e.elements;
    out.values.set(
      job.index,
      Array.from({ length: e.elements }, (_, i) => elementOf(t, i)),
    );
  };
  for (const job of jobs) {
    const kind = job.loc.source.kind;
    if (kind === 'raw' || kind === 'message') continue;
    try {
      put(job, readInitializer(modelPath, job.loc, 64 * 1024));
    } catch {
      out.unreadable++;
    }
  }
  try {
    out.unreadable += await readRanges(modelPath, jobs, put);
  } catch {
    out.unreadable += jobs.filter((j) => !out.values.has(j.index)).length;
  }
  return out;
}
