/**
 * Which connection makes room at a connection cap, for both endpoints: the
 * one that has waited longest in the first tier that has any (idle before
 * stalled, as each endpoint orders them); none when every connection has
 * work in progress.
 */
export function longestWaiting<T extends { since: number }>(items: Iterable<T>, tiers: ((item: T) => boolean)[]): T | undefined {
  const all = [...items];
  for (const fits of tiers) {
    let found: T | undefined;
    for (const item of all) if (fits(item) && (!found || item.since < found.since)) found = item;
    if (found) return found;
  }
  return undefined;
}
