/**
 * A virtual clock for tests of the profiler: time moves only when every pending promise chain has
 * settled (checked with setImmediate), straight to the next sleeper's wake-up time. A fake target
 * that sleeps on it gives exact, repeatable windows.
 */
import type { Clock } from './types';

export class FakeClock implements Clock {
  private now = 0;
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;
  private scheduled = false;

  nowNs(): number {
    return this.now;
  }

  /** Fake targets always sleep, so the loop cannot starve the clock: nothing to yield to. */
  yield(): Promise<void> {
    return Promise.resolve();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timers.push({ at: this.now + Math.round(ms * 1e6), seq: this.seq++, resolve });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) return;
      this.now = Math.max(this.now, next.at);
      next.resolve();
      if (this.timers.length) this.schedule();
    });
  }
}
