/**
 * The heap in use after a full garbage collection, so that a fuzz suite can
 * tell memory it still holds from garbage not yet collected.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | undefined;

export function heapAfterGc(): number {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
  gc();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}

/** Samples the resident set while `fn` runs: the largest growth over the start, in bytes. */
export async function peakRssGrowth<T>(fn: () => Promise<T>): Promise<{ result: T; peak: number }> {
  const start = process.memoryUsage().rss;
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss - start);
  }, 10);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss - start);
    return { result, peak };
  } finally {
    clearInterval(timer);
  }
}
