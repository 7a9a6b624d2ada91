/** Shared by the Profile tab's tests: points and runs shaped as the engine reports them. */
import type { ProfilePoint, ProfileRun } from '@contract/lab-api';

/** A measured level: components that add up to less than the average, percentiles around it. */
export function point(concurrency: number, inferPerSec: number, avgUs: number, extra: Partial<ProfilePoint> = {}): ProfilePoint {
  return {
    concurrency,
    stable: true,
    windows: 3,
    requestCount: Math.round(inferPerSec * 3),
    inferPerSec,
    latencyUs: { avg: avgUs, std: avgUs / 10, p50: avgUs * 0.9, p90: avgUs * 1.2, p95: avgUs * 1.3, p99: avgUs * 1.5 },
    components: {
      clientSendUs: 10,
      networkServerSendRecvUs: 40,
      serverQueueUs: avgUs * 0.2,
      serverComputeInputUs: 5,
      serverComputeInferUs: avgUs * 0.6,
      serverComputeOutputUs: 5,
      clientRecvUs: 20,
    },
    ...extra,
  };
}

/** A profile of `model` in repository r1 on an in-process target sharing the host. */
export function profileRun(profileId: string, model: string, extra: Partial<ProfileRun> = {}): ProfileRun {
  return {
    profileId,
    repoId: 'r1',
    model,
    label: `profile ${profileId}`,
    settings: { batchSize: 1, inputData: 'random', measurementIntervalMs: 300, maxTrials: 5, concurrency: { start: 1, end: 2, step: 1 } },
    startedAt: Date.UTC(2026, 11, 7, 20, 0, 0),
    state: 'done',
    target: { kind: 'in-process', address: 'in-process engine', sameHost: true },
    machine: { cores: 2, cpuModel: 'Test CPU', platform: 'linux x64', sameHost: true, provider: 'CPU' },
    warnings: [],
    points: [],
    progress: { level: 0, levels: 2, window: 0, maxWindows: 5 },
    csv: '',
    ...extra,
  };
}
