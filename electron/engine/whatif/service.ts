/**
 * What-if runs, as Model Analyzer's search does them: the variants of a local model's config
 * (variants.ts) profiled one after the other in the background, each loaded as a temporary
 * config that never touches the user's files or loaded model (variant-profile.ts), ranked by
 * throughput among those within the latency budget (rank.ts), the winner proposed as a unified
 * diff to config.pbtxt and written only by `apply` (apply.ts). One what-if runs at a time: two at
 * once would share the CPU and spoil each other's numbers.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { LabEvent } from '../../contract/lab-api';
import type { ProfileRun, WhatIfRequest, WhatIfRun, WhatIfVariant } from '../../contract/profile-api';
import { create } from '@bufbuild/protobuf';
import { type ModelConfig, ModelConfigSchema } from '../config/gen/model_config_pb';
import { CONFIG_FILENAME } from '../config/constants';
import { parseConfigText } from '../config/text/parse';
import { LabError, toLabError } from '../errors';
import { DEFAULT_SETTINGS, type ProfileSettings } from '../profile/types';
import type { Repository } from '../repository/repository';
import { displayConfig } from '../repository/views';
import { unknownModel } from '../triton-errors';
import { readConfigFile } from './apply';
import { variantText } from './config-text';
import { bestPoint, rankVariants } from './rank';
import { unifiedDiff } from './unified-diff';
import { DEFAULT_MAX_VARIANTS, planVariants } from './variants';
import { profileVariant, type VariantProfileRequest } from './variant-profile';

/** What the service needs of the lab. */
export interface WhatIfLab {
  repository(repoId: string): Repository;
  emitEvent(ev: LabEvent): void;
}

/** What was true when a run started, for apply's "changed since" check. */
interface RunState {
  run: WhatIfRun;
  repo: Repository;
  configFile: string;
  originalText: string | undefined;
  configs: Map<string, ModelConfig>;
  request: WhatIfRequest;
  abort: AbortController;
  done: Promise<void>;
}

const HISTORY = 20;
/**
 * Requests run before each level's first window, as the Profile tab does: the variant profiled
 * first would otherwise pay for the runtime's first-request costs (allocations, lazy
 * initialization) and lose against the same config measured second.
 */
export const WARMUP_REQUESTS = 10;
const EMIT_EVERY_MS = 250;

export type ProfileVariantFn = (r: VariantProfileRequest) => ReturnType<typeof profileVariant>;

function settingsOf(p: WhatIfRequest['profile']): ProfileSettings {
  return {
    ...DEFAULT_SETTINGS,
    batchSize: p.batchSize ?? 1,
    concurrency: p.concurrency ?? DEFAULT_SETTINGS.concurrency,
    ...(p.requestRate ? { requestRate: p.requestRate } : {}),
    measurementIntervalMs: p.measurementIntervalMs ?? DEFAULT_SETTINGS.measurementIntervalMs,
    percentile: p.percentile ?? -1,
    maxTrials: p.maxTrials ?? DEFAULT_SETTINGS.maxTrials,
    stabilityThreshold: (p.stabilityPercentage ?? 10) / 100,
    warmupRequests: WARMUP_REQUESTS,
  };
}

/** The settings as a ProfileRun shows them (the Profile tab's form). */
function shownOf(p: WhatIfRequest['profile'], s: ProfileSettings): ProfileRun['settings'] {
  return {
    batchSize: s.batchSize,
    inputData: p.inputData ?? 'zero',
    measurementIntervalMs: s.measurementIntervalMs,
    maxTrials: s.maxTrials,
    ...(s.requestRate ? { requestRate: s.requestRate } : { concurrency: s.concurrency }),
    ...(p.percentile !== undefined ? { percentile: p.percentile } : {}),
    ...(p.stabilityPercentage !== undefined ? { stabilityPercentage: p.stabilityPercentage } : {}),
    ...(p.shapes && Object.keys(p.shapes).length ? { shapes: p.shapes } : {}),
  };
}

const copy = (run: WhatIfRun): WhatIfRun => structuredClone(run);

export interface WhatIfServiceOptions {
  /** Keeps each variant's profile in the Profile tab's history (ProfileService.record); answers with it as kept. */
  record?: (run: ProfileRun) => Promise<ProfileRun>;
  log?: (line: string) => void;
}

export class WhatIfService {
  private readonly runs = new Map<string, RunState>();
  private lastEmit = 0;
  private closed = false;
  private starting = false;

  constructor(
    private readonly lab: WhatIfLab,
    private readonly profile: ProfileVariantFn = profileVariant,
    private readonly o: WhatIfServiceOptions = {},
  ) {}

  private running(): RunState | undefined {
    return [...this.runs.values()].find((s) => s.run.state === 'running');
  }

  private state(whatIfId: string): RunState {
    const s = this.runs.get(whatIfId);
    if (!s) throw new LabError('NOT_FOUND', `no what-if with id '${whatIfId}'`);
    return s;
  }

  /** Plans the variants (refusing knobs that do not apply), then profiles them in the background. */
  async start(req: WhatIfRequest): Promise<WhatIfRun> {
    if (req.repoId.startsWith('remote:')) throw new LabError('UNSUPPORTED', 'what-if is available for local models only: its variants load as temporary configs in the lab');
    if (this.closed) throw new LabError('UNAVAILABLE', 'the lab is closing');
    const busy = this.running();
    if (busy || this.starting) {
      throw new LabError('UNAVAILABLE', `a what-if is already running${busy ? ` (model '${busy.run.model}')` : ''}; stop it first: two at once would share the CPU and spoil both`);
    }
    // Reading the config awaits: a second start meanwhile must not slip past the check above.
    this.starting = true;
    try {
      return await this.begin(req);
    } finally {
      this.starting = false;
    }
  }

  private async begin(req: WhatIfRequest): Promise<WhatIfRun> {
    const repo = this.lab.repository(req.repoId);
    const rec = repo.models.get(req.model);
    if (!rec) throw unknownModel(req.model);
    const configFile = path.join(rec.dir, CONFIG_FILENAME);
    const originalText = await readConfigFile(repo.root, configFile);
    const base = this.baseConfig(originalText, req.model);
    const completed = displayConfig(rec) ?? base;
    const settings = settingsOf(req.profile);
    const planned = planVariants(base, completed, req.knobs, req.model, req.maxVariants ?? DEFAULT_MAX_VARIANTS);
    const variants: WhatIfVariant[] = planned.map((p) => ({
      name: p.name,
      changes: p.changes,
      knobs: { ...p.values },
      configText: variantText(originalText, base, p.config),
      state: 'pending',
      withinBudget: false,
    }));
    const run: WhatIfRun = {
      whatIfId: randomUUID(),
      repoId: req.repoId,
      model: req.model,
      latencyBudgetMs: req.latencyBudgetMs,
      profile: req.profile,
      state: 'running',
      startedAt: Date.now(),
      variants,
    };
    const s: RunState = { run, repo, configFile, originalText, configs: new Map(planned.map((p) => [p.name, p.config])), request: req, abort: new AbortController(), done: Promise.resolve() };
    this.runs.set(run.whatIfId, s);
    this.trim();
    s.done = this.runAll(s, settings);
    this.emit(s, true);
    return copy(run);
  }

  private baseConfig(text: string | undefined, model: string): ModelConfig {
    if (text === undefined) return create(ModelConfigSchema, { name: model });
    const parsed = parseConfigText(text);
    if (!parsed.config) throw new LabError('INVALID_ARG', `${model}/${CONFIG_FILENAME} does not parse (${parsed.error?.message ?? 'unknown error'}): fix it before a what-if`);
    return parsed.config;
  }

  private trim(): void {
    const old = [...this.runs.values()].filter((s) => s.run.state !== 'running');
    for (const s of old.slice(0, Math.max(0, this.runs.size - HISTORY))) this.runs.delete(s.run.whatIfId);
  }

  private emit(s: RunState, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastEmit < EMIT_EVERY_MS) return;
    this.lastEmit = now;
    this.lab.emitEvent({ type: 'whatif-progress', run: copy(s.run) });
  }

  private async runAll(s: RunState, settings: ProfileSettings): Promise<void> {
    for (const v of s.run.variants) {
      if (s.abort.signal.aborted) {
        v.state = 'stopped';
        continue;
      }
      await this.runOne(s, v, settings);
    }
    this.finish(s);
  }

  private async runOne(s: RunState, v: WhatIfVariant, settings: ProfileSettings): Promise<void> {
    v.state = 'running';
    this.emit(s, true);
    let recorded: Promise<void> = Promise.resolve();
    const record = this.o.record;
    try {
      const points = await this.profile({
        meta: { repoId: s.run.repoId, model: s.run.model, label: `${s.run.model} (what-if: ${v.name})`, settings: shownOf(s.request.profile, settings), variant: v.name },
        onRun: (run) => {
          // A sweep the lab's closing stopped is not kept: the profile service closes beside this one.
          if (!record || this.closed) return;
          recorded = record(run).then(
            (kept) => void (v.profileId = kept.profileId),
            (err: unknown) => this.o.log?.(`what-if ${s.run.whatIfId}: the profile of variant '${v.name}' was not kept: ${err instanceof Error ? err.message : String(err)}`),
          );
        },
        source: s.repo,
        model: s.run.model,
        config: s.configs.get(v.name)!,
        settings,
        inputData: s.request.profile.inputData ?? 'zero',
        shapes: s.request.profile.shapes ?? {},
        signal: s.abort.signal,
        onWindow: (level, levels, window) => {
          v.progress = { level, levels, window, maxWindows: settings.maxTrials };
          this.emit(s);
        },
      });
      v.points = points;
      const { best, closest } = bestPoint(points, s.run.latencyBudgetMs * 1000, settings.percentile > 0 ? settings.percentile : undefined);
      v.withinBudget = best !== undefined;
      if (best) v.best = best;
      if (closest) v.closest = closest;
      v.state = s.abort.signal.aborted ? 'stopped' : 'done';
    } catch (err) {
      const e = toLabError(err);
      v.state = 'error';
      v.error = { code: e.code, message: e.message };
    }
    await recorded;
    delete v.progress;
    this.emit(s, true);
  }

  private finish(s: RunState): void {
    const run = s.run;
    const winner = rankVariants(run.variants);
    if (winner) run.winner = winner;
    const w = run.variants.find((v) => v.name === winner);
    if (w && w.name !== 'baseline') run.diff = unifiedDiff(s.originalText ?? '', w.configText, `a/${run.model}/${CONFIG_FILENAME}`, `b/${run.model}/${CONFIG_FILENAME}`);
    const errors = run.variants.filter((v) => v.state === 'error');
    if (s.abort.signal.aborted) run.state = 'stopped';
    else if (errors.length === run.variants.length) {
      run.state = 'error';
      run.error = { code: errors[0]!.error!.code, message: `every variant failed; the first: ${errors[0]!.error!.message}` };
    } else run.state = 'done';
    run.finishedAt = Date.now();
    this.emit(s, true);
  }

  get(whatIfId: string): WhatIfRun {
    return copy(this.state(whatIfId).run);
  }

  /** Stops after the request in flight: the variant running keeps the levels it measured, the rest are not run. */
  async stop(whatIfId: string): Promise<WhatIfRun> {
    const s = this.state(whatIfId);
    s.abort.abort();
    await s.done;
    return copy(s.run);
  }

  /** For apply: the run (finished), the variant's text, and the config.pbtxt text the run started from. */
  forApply(whatIfId: string, variant: string): { run: WhatIfRun; repo: Repository; configFile: string; originalText: string | undefined; text: string } {
    const s = this.state(whatIfId);
    if (s.run.state === 'running') throw new LabError('UNAVAILABLE', 'the what-if is still running: wait for it or stop it before applying a variant');
    const v = s.run.variants.find((x) => x.name === variant);
    if (!v) throw new LabError('NOT_FOUND', `the what-if has no variant '${variant}' (variants: ${s.run.variants.map((x) => x.name).join('; ')})`);
    return { run: s.run, repo: s.repo, configFile: s.configFile, originalText: s.originalText, text: v.configText };
  }

  /** Stops every run and waits for their hidden repositories to close. */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.runs.values()) s.abort.abort();
    await Promise.all([...this.runs.values()].map((s) => s.done));
  }
}
