/**
 * Which members of an ensemble cannot run, and why, from the repository's
 * model list: a step naming a model the repository does not have, or one that
 * is not READY (its reason as the lab reports it). The DAG draws those red.
 */
import type { EnsembleStepRow, ModelState, ModelSummary } from '@contract/lab-api';

export type MemberProblem = { kind: 'missing'; model: string } | { kind: 'unavailable'; model: string; state: ModelState; reason: string };

export function memberProblems(steps: EnsembleStepRow[], models: ModelSummary[] | undefined): Record<string, MemberProblem> {
  const out: Record<string, MemberProblem> = {};
  // Without the repository's list (still loading) nothing is known to be wrong.
  if (!models) return out;
  const byName = new Map(models.map((m) => [m.name, m]));
  for (const model of new Set(steps.map((s) => s.modelName))) {
    const m = byName.get(model);
    if (!m) out[model] = { kind: 'missing', model };
    else if (m.state !== 'READY') out[model] = { kind: 'unavailable', model, state: m.state, reason: m.reason };
  }
  return out;
}
