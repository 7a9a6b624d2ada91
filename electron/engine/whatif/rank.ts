/**
 * Model Analyzer's ranking: a variant counts only with a measured point whose latency (at the
 * profile's percentile, else the average) keeps the budget; among those, the highest throughput
 * wins (ties: the lower latency). A variant with no point within the budget is listed after them
 * with its lowest-latency point, so the user sees by how much it missed.
 */
import type { ProfilePoint, WhatIfVariant } from '../../contract/profile-api';

type Best = NonNullable<WhatIfVariant['best']>;

/** The latency a point is judged on, in µs. */
export function judgedLatencyUs(p: ProfilePoint, percentile: number | undefined): number {
  switch (percentile) {
    case 50:
      return p.latencyUs.p50;
    case 90:
      return p.latencyUs.p90;
    case 95:
      return p.latencyUs.p95;
    case 99:
      return p.latencyUs.p99;
    default:
      return p.latencyUs.avg;
  }
}

function summary(p: ProfilePoint, percentile: number | undefined): Best {
  return {
    inferPerSec: p.inferPerSec,
    latencyUs: judgedLatencyUs(p, percentile),
    ...(p.concurrency !== undefined ? { concurrency: p.concurrency } : {}),
    ...(p.requestRate !== undefined ? { requestRate: p.requestRate } : {}),
  };
}

/** The highest-throughput point within the budget, and the lowest-latency point overall. */
export function bestPoint(points: readonly ProfilePoint[], budgetUs: number, percentile: number | undefined): { best?: Best; closest?: Best } {
  const measured = points.filter((p) => p.requestCount > 0);
  const inside = measured.filter((p) => judgedLatencyUs(p, percentile) <= budgetUs);
  inside.sort((x, y) => y.inferPerSec - x.inferPerSec || judgedLatencyUs(x, percentile) - judgedLatencyUs(y, percentile));
  const lowest = [...measured].sort((x, y) => judgedLatencyUs(x, percentile) - judgedLatencyUs(y, percentile))[0];
  return { ...(inside[0] ? { best: summary(inside[0], percentile) } : {}), ...(lowest ? { closest: summary(lowest, percentile) } : {}) };
}

/** Sets `rank` (1 = best) on the variants within the budget; returns the winner's name. */
export function rankVariants(variants: WhatIfVariant[]): string | undefined {
  for (const v of variants) delete v.rank;
  const ranked = variants.filter((v) => v.withinBudget && v.best).sort((x, y) => y.best!.inferPerSec - x.best!.inferPerSec || x.best!.latencyUs - y.best!.latencyUs);
  ranked.forEach((v, i) => (v.rank = i + 1));
  return ranked[0]?.name;
}
