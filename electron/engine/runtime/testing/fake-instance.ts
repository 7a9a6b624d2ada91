/**
 * A stand-in backend instance for scheduler tests: echoes IN as OUT, records
 * what each execute() received, and holds every execute() until release() so
 * requests pile up in the queue.
 */
import type { BackendInstance, InstanceResult, PreparedRequest } from '../types';
import { f32 } from './models';

export class FakeInstance implements BackendInstance {
  readonly device = 'CPU';
  /** The batch size of each request, per execute(). */
  readonly batches: number[][] = [];
  /** The non-batch shape of each request, per execute(). */
  readonly shapes: string[][] = [];
  /** Request ids, per execute(). */
  readonly ids: string[][] = [];
  private gates: (() => void)[] = [];
  wrongCount = false;

  constructor(readonly name: string) {}

  async execute(requests: PreparedRequest[]): Promise<InstanceResult[]> {
    this.batches.push(requests.map((r) => Math.max(1, r.batchSize)));
    this.shapes.push(requests.map((r) => r.inputs.get('IN')!.shape.slice(1).join('x')));
    this.ids.push(requests.map((r) => r.id));
    await new Promise<void>((r) => this.gates.push(r));
    const out = requests.map((r) => [{ ...r.inputs.get('IN')!, name: 'OUT' }]);
    return this.wrongCount ? out.slice(1) : out;
  }

  /** Lets every execute() waiting now return. */
  release(): void {
    for (const g of this.gates.splice(0)) g();
  }

  /** Lets only the oldest waiting execute() return. */
  releaseOne(): void {
    this.gates.shift()?.();
  }

  get waiting(): number {
    return this.gates.length;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** A request of `rows` rows of `width` values `v` for the IN/OUT test model. */
export const rowsRequest = (rows: number, width = 2, v = 1, id?: string) => ({
  ...(id !== undefined ? { id } : {}),
  inputs: [f32('IN', [rows, width], new Array<number>(rows * width).fill(v))],
});

/** Lets the fake instance answer until every promise settles. */
export async function drain<T>(inst: FakeInstance, promises: Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
  let done = false;
  const all = Promise.allSettled(promises).finally(() => (done = true));
  while (!done) {
    inst.release();
    await tick();
  }
  return all;
}
