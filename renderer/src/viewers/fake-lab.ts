/**
 * A lab client for the viewer tests: answers the tensor methods from
 * in-memory arrays (by tensor name) and records every call.
 */
import type { Heatmap, Histogram, LabClient, LabMethod, LabRequest, RenderedImage, RunResult, TensorInfo, TensorPage } from '@contract/lab-api';
import { LabCallError } from '../api/client';
import { toNumber, type Value } from './tensor-utils';

export interface FakeTensor {
  values: Value[];
  /** Positions (flat) of BYTES elements that are hex. */
  hex?: number[];
}

export interface FakeOptions {
  /** Size of the images tensorImage answers with. */
  image?: { width: number; height: number };
  heatmap?: Partial<Heatmap>;
  runs?: RunResult[];
  /** Methods that fail. */
  fail?: LabMethod[];
}

export interface Call {
  method: LabMethod;
  req: Record<string, unknown>;
}

export type FakeLab = LabClient & { calls: Call[]; of(method: LabMethod): Record<string, unknown>[]; clear(): void };

export function fakeLab(tensors: Record<string, FakeTensor>, opts: FakeOptions = {}): FakeLab {
  const calls: Call[] = [];
  const get = (name: string): FakeTensor => {
    const t = tensors[name];
    if (!t) throw new LabCallError('NOT_FOUND', `no tensor ${name}`);
    return t;
  };
  const finite = (vals: Value[]): number[] => vals.map(toNumber).filter(Number.isFinite);
  const answer = (method: LabMethod, req: Record<string, unknown>): unknown => {
    if (opts.fail?.includes(method)) throw new LabCallError('INTERNAL', `${method} failed`);
    const name = String(req.name ?? '');
    switch (method) {
      case 'tensorPage': {
        const t = get(name);
        const offset = Number(req.offset);
        const values = t.values.slice(offset, offset + Number(req.count));
        const hex = (t.hex ?? []).filter((i) => i >= offset && i < offset + values.length).map((i) => i - offset);
        const page: TensorPage = { offset, total: t.values.length, values };
        if (hex.length) page.hex = hex;
        return page;
      }
      case 'tensorImage': {
        const nums = finite(get(name).values);
        const r = req.range as [number, number] | undefined;
        const img: RenderedImage = { width: opts.image?.width ?? 4, height: opts.image?.height ?? 3, png: 'iVBORw0KGgo=', range: r ?? [Math.min(...nums), Math.max(...nums)] };
        return img;
      }
      case 'tensorHeatmap': {
        const nums = finite(get(name).values);
        const h: Heatmap = { rows: 2, cols: 3, step: [1, 1], min: Math.min(...nums), max: Math.max(...nums), png: 'iVBORw0KGgo=', ...opts.heatmap };
        return h;
      }
      case 'tensorHistogram': {
        const nums = finite(get(name).values);
        const bins = Number(req.bins ?? 10);
        const min = Math.min(...nums);
        const max = Math.max(...nums);
        const counts = new Array<number>(bins).fill(0);
        for (const v of nums) counts[Math.min(bins - 1, Math.floor(((v - min) / (max - min || 1)) * bins))]! += 1;
        const h: Histogram = { min, max, counts };
        return h;
      }
      case 'exportTensor':
        return { fileName: `${name}.${String(req.format)}`, base64: btoa('{"data":[1]}'), mime: req.format === 'json' ? 'application/json' : 'application/octet-stream' };
      case 'listRuns':
        return opts.runs ?? [];
      default:
        throw new LabCallError('UNIMPLEMENTED', method);
    }
  };
  return {
    calls,
    of: (method) => calls.filter((c) => c.method === method).map((c) => c.req),
    clear: () => void calls.splice(0),
    call: (async <M extends LabMethod>(method: M, req: LabRequest<M>) => {
      calls.push({ method, req: { ...(req as Record<string, unknown>) } });
      return answer(method, req as Record<string, unknown>);
    }) as LabClient['call'],
    onEvent: () => () => undefined,
  };
}

/** A TensorInfo for tests, the rest filled in. */
export function info(name: string, dtype: TensorInfo['dtype'], shape: number[], extra: Partial<TensorInfo> = {}): TensorInfo {
  const elements = shape.reduce((a, d) => a * d, 1);
  return { name, dtype, shape, elements, byteSize: elements * 4, imageLayouts: [], ...extra };
}

export const range = (n: number, f: (i: number) => Value = (i) => i): Value[] => Array.from({ length: n }, (_, i) => f(i));
