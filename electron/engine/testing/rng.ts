/**
 * A small seeded random source for the fuzz suites, so that every failure
 * can be replayed: the seed comes from FUZZ_SEED (or the suite's default) and
 * is printed with every failing case.
 */

export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** mulberry32: fast, 32-bit state, good enough to pick cases. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }

  /** A short string of printable, control and non-ASCII characters. */
  text(max = 12): string {
    const alphabet = ['a', 'Z', '0', '_', '-', '.', '/', '%', '"', "'", '\\', ' ', '\n', '\u0000', '\u00e9', '\u4e2d', '\ud83d\ude00', '{', '}', '[', ']', ':', ','];
    let s = '';
    for (let i = this.int(0, max); i > 0; i--) s += this.pick(alphabet);
    return s;
  }
}

/** The seed a suite runs with: FUZZ_SEED when set, else its fixed default. */
export function fuzzSeed(dflt: number): number {
  const env = process.env['FUZZ_SEED'];
  const n = env === undefined ? dflt : Number(env);
  if (!Number.isInteger(n)) throw new Error(`FUZZ_SEED must be an integer, got '${env}'`);
  return n;
}
