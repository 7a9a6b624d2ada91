/**
 * Triton's dependency step for ensembles (model_repository_manager.cc
 * ConnectDependencyGraph / CircularDependencyCheck / CheckNode): members must
 * exist, must not form a cycle, must have a ready version (the required one
 * when pinned), and then the ensemble's mapping is checked against the
 * members' final configs.
 */
import { clone, create, equals } from '@bufbuild/protobuf';
import { type ModelConfig, ModelConfigSchema, type ModelEnsembling_Step, ModelTransactionPolicySchema } from '../config/gen/model_config_pb';
import { ensembleSteps, memberPath } from '../config/ensemble-graph';
import { validateEnsembleAgainstMembers } from '../config/ensemble-members';
import { type ConfigIssue, firstError, issue } from '../config/issues';
import { isEnsemble, logEvent, reasonOf, setVersionState } from './model-loader';
import type { ModelRecord } from './types';
import { EnsembleRunner } from '../runtime/ensemble-runner';
import type { ModelResolver } from '../runtime/types';

interface Verdict {
  ok: boolean;
  message?: string;
}

function readyVersions(rec: ModelRecord): number[] {
  return rec.versions.filter((v) => v.served && v.state === 'READY').map((v) => v.version);
}

/** The config Triton would check against: latest READY version, else the newest attempted one. */
export function memberConfig(rec: ModelRecord | undefined, readyOnly: boolean): ModelConfig | undefined {
  if (!rec) return undefined;
  const served = rec.versions.filter((v) => v.served && v.config && (!readyOnly || v.state === 'READY'));
  return served[served.length - 1]?.config ?? (readyOnly ? undefined : rec.base);
}

function loadFailure(rec: ModelRecord): string | undefined {
  if (rec.unloaded) return undefined;
  const failed = rec.versions.filter((v) => v.served && v.state === 'UNAVAILABLE' && v.reason);
  if (failed.length > 0) return failed.map((v) => `version ${v.version} is at UNAVAILABLE state: ${v.reason};`).join('');
  // No version to load at all: the version policy's own error ("at least one version must be available ...").
  return rec.versions.some((v) => v.served) ? undefined : firstError(rec.issues)?.message;
}

/**
 * Triton's CircularDependencyCheck from `start`, walking members upstream:
 * `start -> ... -> <the member that depends on start> -> start`.
 */
function circularDependency(models: Map<string, ModelRecord>, start: string): string | undefined {
  const seen = new Set<string>();
  const walk = (current: string): string | undefined => {
    if (seen.has(current)) return undefined;
    seen.add(current);
    const rec = models.get(current);
    if (!rec?.base || !isEnsemble(rec)) return undefined;
    for (const m of new Set(ensembleSteps(rec.base).map((s) => s.modelName))) {
      if (m === start) return `circular dependency between ensembles: ${start} -> ... -> ${current} -> ${start}`;
      const found = walk(m);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start);
}

function available(rec: ModelRecord | undefined): boolean {
  // Unloading a model drops it from Triton's dependency graph, so an ensemble using it sees it as missing.
  return rec !== undefined && rec.polled && !rec.unloaded;
}

type Evaluate = (name: string, stack: string[]) => Verdict;

/** Member ensembles are evaluated first (a cycle through them is an error); one that fails makes this one invalid. */
function invalidMember(models: Map<string, ModelRecord>, name: string, steps: ModelEnsembling_Step[], memberNames: string[], stack: string[], evaluate: Evaluate): ConfigIssue | undefined {
  for (const m of memberNames) {
    if (!isEnsemble(models.get(m)!)) continue;
    if (m === name || stack.includes(m)) return issue('ensemble.cycle', `circular dependency between ensembles: ${m} -> ... -> ${name} -> ${m}`, memberPath(steps, m));
    const sub = evaluate(m, [...stack, name]);
    if (!sub.ok) return issue('ensemble.member-invalid', `ensemble '${name}' depends on '${m}' which is not valid. Model '${m}' failed with error: ${sub.message}`, memberPath(steps, m));
  }
  return undefined;
}

/** Every member needs a ready version, and the one a step pins when it pins one. */
function unreadyMember(models: Map<string, ModelRecord>, name: string, steps: ModelEnsembling_Step[], memberNames: string[]): ConfigIssue | undefined {
  for (const m of memberNames) {
    const member = models.get(m)!;
    const ready = readyVersions(member);
    if (ready.length === 0) {
      const failure = loadFailure(member);
      const message = `ensemble '${name}' depends on '${m}' which has no loaded version.` + (failure ? ` Model '${m}' loading failed with error: ${failure}` : '');
      return issue('ensemble.member-not-ready', message, memberPath(steps, m));
    }
    const pinned = steps.map((s, i) => ({ s, i })).find(({ s }) => s.modelName === m && s.modelVersion !== -1n && !ready.includes(Number(s.modelVersion)));
    if (pinned) {
      return issue('ensemble.member-version', `ensemble '${name}' depends on '${m}' whose required version ${pinned.s.modelVersion} is not loaded.`, [
        'ensemble_scheduling',
        'step',
        pinned.i,
        'model_version',
      ]);
    }
  }
  return undefined;
}

/** Triton's dependency checks in order: members exist, no cycle, member ensembles valid, members ready. The first problem only. */
function dependencyProblem(models: Map<string, ModelRecord>, name: string, steps: ModelEnsembling_Step[], stack: string[], evaluate: Evaluate): ConfigIssue | undefined {
  const memberNames = [...new Set(steps.map((s) => s.modelName))];
  const missing = memberNames.filter((m) => !available(models.get(m))).sort();
  // Placed at the first missing member's model_name (Triton's one message names them all).
  if (missing.length > 0) return issue('ensemble.member-missing', `ensemble ${name} contains models that are not available or ambiguous: ${missing.join(', ')}`, memberPath(steps, missing[0]!));
  const cycle = circularDependency(models, name);
  if (cycle) return issue('ensemble.cycle', cycle, ['ensemble_scheduling']);
  return invalidMember(models, name, steps, memberNames, stack, evaluate) ?? unreadyMember(models, name, steps, memberNames);
}

/** Each served version gets the final config (decoupled when a member is), its state, and a runner when ready. */
function setVersions(rec: ModelRecord, config: ModelConfig, verdict: Verdict, issues: ConfigIssue[], decoupled: boolean, resolver?: ModelResolver): void {
  for (const v of rec.versions) {
    if (!v.served) continue;
    const c = clone(ModelConfigSchema, config);
    c.modelTransactionPolicy = create(ModelTransactionPolicySchema, { decoupled });
    v.config = c;
    v.filled = new Set(rec.baseFilled);
    v.issues = [];
    const was = { state: v.state, reason: v.reason };
    if (verdict.ok) setVersionState(v, 'READY', '');
    else setVersionState(v, 'UNAVAILABLE', reasonOf(issues[0]!), issues[0]!.reason);
    // Ensembles are evaluated again and again: the log records changes only, and only where the lab runs models.
    if (resolver && (was.state !== v.state || (v.state !== 'READY' && was.reason !== v.reason))) logEvent(v, verdict.ok ? { kind: 'loaded' } : { kind: 'failed', reason: v.reason });
    // An unchanged ensemble keeps its runner, and with it its statistics, as in Triton.
    const kept = v.runner instanceof EnsembleRunner && equals(ModelConfigSchema, v.runner.config, c) ? v.runner : undefined;
    v.runner = verdict.ok && resolver ? (kept ?? new EnsembleRunner(c, v.version, resolver)) : undefined;
  }
}

/** One ensemble: its dependencies, then its wiring against the members' final configs, then its versions. */
function evaluateOne(models: Map<string, ModelRecord>, name: string, stack: string[], evaluate: Evaluate, resolver?: ModelResolver): Verdict {
  const rec = models.get(name)!;
  const config = rec.base!;
  const problem = dependencyProblem(models, name, ensembleSteps(config), stack, evaluate);
  const issues: ConfigIssue[] = problem ? [problem] : [];
  let verdict: Verdict = problem ? { ok: false, message: problem.message } : { ok: true };
  let decoupled = false;
  if (verdict.ok) {
    const check = validateEnsembleAgainstMembers(config, (m) => memberConfig(models.get(m), true));
    issues.push(...check.issues);
    decoupled = check.decoupled;
    if (check.issues.length > 0) verdict = { ok: false, message: check.issues[0]!.message };
  } else {
    // Triton stops at the dependency problem; the lab still checks the wiring against whatever configs it has.
    issues.push(...validateEnsembleAgainstMembers(config, (m) => memberConfig(models.get(m), false)).issues);
  }
  setVersions(rec, config, verdict, issues, decoupled, resolver);
  rec.dependencyIssues = issues;
  return verdict;
}

/** Evaluates every ensemble in `models`, members first; sets ensemble versions' states in place. */
export function evaluateEnsembles(models: Map<string, ModelRecord>, resolver?: ModelResolver): void {
  const verdicts = new Map<string, Verdict>();
  const evaluate: Evaluate = (name, stack) => {
    const known = verdicts.get(name);
    if (known) return known;
    const verdict = evaluateOne(models, name, stack, evaluate, resolver);
    verdicts.set(name, verdict);
    return verdict;
  };
  for (const [name, rec] of models) {
    if (rec.polled && !rec.unloaded && isEnsemble(rec)) evaluate(name, []);
  }
}
