/** Shape helpers shared by validation, metadata and request checks. */

export const WILDCARD_DIM = -1;

/** Triton's DimsListToString: `[a,b,c]`, no spaces. */
export function dimsToString(dims: readonly (number | bigint)[]): string {
  return `[${dims.map(String).join(',')}]`;
}

export function toNumbers(dims: readonly bigint[]): number[] {
  return dims.map((d) => Number(d));
}

/** The shape a request carries: [-1, ...dims] when the model batches (max_batch_size > 0), else dims. */
export function fullShape(dims: readonly number[], maxBatchSize: number): number[] {
  return maxBatchSize > 0 ? [WILDCARD_DIM, ...dims] : [...dims];
}

/** Equal rank and every pair equal or either side -1. */
export function compatibleDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((d, i) => d === b[i] || d === WILDCARD_DIM || b[i] === WILDCARD_DIM);
}

/** The .proto spelling of an enum value (protoc-gen-es strips prefixes from TS names). */
export function enumValueName(schema: { values: readonly { number: number; name: string }[] }, n: number): string {
  return schema.values.find((v) => v.number === n)?.name ?? String(n);
}
