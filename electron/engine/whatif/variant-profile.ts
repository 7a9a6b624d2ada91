/**
 * Profiles one variant without touching the user's model: a second, hidden Repository over the
 * same folder in explicit mode loads the model with the variant's config as a load override
 * (Triton's `config` load parameter), so the files are only read, the user's loaded model keeps
 * its instances and statistics, and the lab's tree never sees it; it is closed after the sweep.
 * The sweep is perf_analyzer's (profile/measure.ts): concurrency or request rate; a stop ends it
 * after the window in flight and keeps the levels already measured.
 */
import type { ModelConfig } from '../config/gen/model_config_pb';
import type { ProfilePoint, ProfileRun } from '../../contract/profile-api';
import { LabError } from '../errors';
import { buildRequests } from '../profile/inputs';
import { inputSpecs, LocalTarget } from '../profile/local';
import { newRun, type RunMeta, runProfile } from '../profile/service';
import type { Clock, ProfileSettings } from '../profile/types';
import { Repository } from '../repository/repository';
import { displayConfig, toModelSummary } from '../repository/views';

export interface VariantProfileRequest {
  /** The user's repository: its folder and load options are reused, the repository itself is not touched. */
  source: Repository;
  model: string;
  config: ModelConfig;
  settings: ProfileSettings;
  inputData: 'zero' | 'random';
  shapes: Record<string, number[]>;
  signal: AbortSignal;
  onWindow?: (level: number, levels: number, window: number) => void;
  clock?: Clock;
  /** What the sweep's ProfileRun says it is (the Profile tab's history); `onRun` gets the run when the sweep ends. */
  meta: Omit<RunMeta, 'profileId'>;
  onRun?: (run: ProfileRun) => void;
}

/** A hidden repository over the user's folder, nothing loaded until asked. */
export function hiddenRepository(source: Repository): Repository {
  const o = source.options;
  return new Repository(source.root, {
    devices: o.devices,
    autoComplete: o.autoComplete,
    defaultMaxBatchSize: o.defaultMaxBatchSize,
    controlMode: 'explicit',
    ...(o.runCode !== undefined ? { runCode: o.runCode } : {}),
    ...(o.python !== undefined ? { python: o.python } : {}),
  });
}

/** Loads the variant in `repo`; refuses with the model's own reason when it did not become ready. */
export async function loadVariant(repo: Repository, model: string, config: ModelConfig): Promise<ModelConfig> {
  await repo.load([model], { [model]: { config } });
  const rec = repo.models.get(model);
  const summary = rec ? toModelSummary(rec, repo.root) : undefined;
  const completed = rec ? displayConfig(rec) : undefined;
  if (!rec || !completed || summary?.state !== 'READY') {
    throw new LabError('UNAVAILABLE', `the variant did not load: ${summary?.reason || summary?.versions.find((v) => v.reason)?.reason || 'no ready version'}`);
  }
  return completed;
}

/** Loads the variant, runs the sweep, closes the hidden repository; the points measured so far when stopped. */
export async function profileVariant(r: VariantProfileRequest): Promise<ProfilePoint[]> {
  const repo = hiddenRepository(r.source);
  // A stop during the load (a model starting slowly) ends the load between instances.
  const cancel = (): void => void repo.cancelLoad(r.model);
  r.signal.addEventListener('abort', cancel);
  try {
    const completed = await loadVariant(repo, r.model, r.config);
    if (r.signal.aborted) return [];
    const requests = buildRequests(inputSpecs(completed), { kind: r.inputData }, new Map(Object.entries(r.shapes)), r.settings.batchSize);
    const target = new LocalTarget(repo, r.model, -1, requests);
    const run = newRun({ ...r.meta, profileId: '' }, target, r.settings);
    // The Profile tab's sweep: a stop ends the level after the window in flight; the levels measured are kept.
    await runProfile(run, target, r.settings, {
      signal: r.signal,
      ...(r.clock ? { clock: r.clock } : {}),
      onUpdate: (u) => {
        if (u.state === 'running') r.onWindow?.(u.progress.level, u.progress.levels, u.progress.window);
      },
    });
    r.onRun?.(run);
    if (run.state === 'error') throw new LabError((run.error?.code ?? 'INTERNAL') as LabError['code'], run.error?.message ?? 'the sweep failed');
    return run.points;
  } catch (err) {
    // A stop during the load fails it: nothing was measured.
    if (r.signal.aborted) return [];
    throw err;
  } finally {
    r.signal.removeEventListener('abort', cancel);
    await repo.close();
  }
}
