/**
 * FIFOs for tests of code that must never block on one: make them, release
 * any reader left stuck in open(2) (so a failing test does not park a
 * threadpool thread for the rest of the run), and race a promise against a
 * bounded wait.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';

export const noFifos = process.platform === 'win32';

export class Fifos {
  private readonly made: string[] = [];

  make(file: string): string {
    execFileSync('mkfifo', [file]);
    this.made.push(file);
    return file;
  }

  /** A writer comes and goes: a reader stuck in open(2) returns and reads end of file. */
  releaseAll(): void {
    for (const f of this.made.splice(0)) {
      try {
        closeSync(openSync(f, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // No reader is waiting (ENXIO), or the FIFO is gone.
      }
    }
  }
}

/** 'settled' when `p` settles (either way) within `ms`, else 'hung'. */
export function within(p: Promise<unknown>, ms: number): Promise<'settled' | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), ms)));
  const settled = p.then(
    () => 'settled' as const,
    () => 'settled' as const,
  );
  return Promise.race([settled, hung]).finally(() => clearTimeout(timer));
}
