/**
 * Runs the layout off the main thread: in a module Web Worker where there is
 * one, inline (same pure function) in tests and other worker-less places.
 * One worker is reused; cancelling terminates it and the next job starts a new one.
 */
import { layoutGraph, type LayoutInput, type LayoutResult } from './layout';

export { layoutInputOf } from './layout-input';

export class LayoutCancelled extends Error {
  constructor() {
    super('layout cancelled');
    this.name = 'LayoutCancelled';
  }
}

export interface LayoutJob {
  result: Promise<LayoutResult>;
  cancel(): void;
}

let worker: Worker | undefined;
/** Set when a worker failed before answering once (e.g. a host that refuses module workers): lay out inline from then on. */
let workerBroken = false;
let seq = 0;
const pending = new Map<number, { input: LayoutInput; resolve(r: LayoutResult): void; reject(e: Error): void }>();

function inline(input: LayoutInput): Promise<LayoutResult> {
  return new Promise((resolve, reject) => {
    // A macrotask first, so the caller can paint its progress state.
    setTimeout(() => {
      try {
        resolve(layoutGraph(input));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    }, 0);
  });
}

function getWorker(): Worker | undefined {
  if (workerBroken || typeof Worker === 'undefined' || import.meta.env?.MODE === 'test') return undefined;
  if (!worker) {
    let answered = false;
    try {
      worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
    } catch {
      workerBroken = true;
      return undefined;
    }
    worker.onmessage = (ev: MessageEvent<{ id: number; result?: LayoutResult; error?: string }>) => {
      answered = true;
      const p = pending.get(ev.data.id);
      if (!p) return;
      pending.delete(ev.data.id);
      if (ev.data.result) p.resolve(ev.data.result);
      else p.reject(new Error(ev.data.error ?? 'layout failed'));
    };
    worker.onerror = (ev) => {
      ev.preventDefault?.();
      worker?.terminate();
      worker = undefined;
      const jobs = [...pending.values()];
      pending.clear();
      if (!answered) {
        workerBroken = true;
        for (const p of jobs) inline(p.input).then(p.resolve, p.reject);
      } else for (const p of jobs) p.reject(new Error(ev.message || 'the layout worker failed'));
    };
  }
  return worker;
}

export function startLayout(input: LayoutInput): LayoutJob {
  const w = getWorker();
  if (!w) {
    let cancelled = false;
    const result = inline(input).then((r) => {
      if (cancelled) throw new LayoutCancelled();
      return r;
    });
    return { result, cancel: () => void (cancelled = true) };
  }
  const id = ++seq;
  const result = new Promise<LayoutResult>((resolve, reject) => pending.set(id, { input, resolve, reject }));
  w.postMessage({ id, input });
  return {
    result,
    cancel: () => {
      const p = pending.get(id);
      if (!p) return;
      // Only terminating stops a running layout; other queued jobs fail with it and are retried by their owners.
      w.terminate();
      if (worker === w) worker = undefined;
      for (const other of pending.values()) other.reject(new LayoutCancelled());
      pending.clear();
    },
  };
}
