/**
 * The desktop app's serve switch: one open repository of the Lab behind
 * Triton's endpoints, sharing the Lab's loaded models (what the UI runs is
 * what clients get). Model control through the API (load/unload, with
 * config and file overrides) is off unless the user turns it on: lab
 * repositories are not in explicit mode, so Triton's own rule refuses it.
 * Status changes go out as lab events.
 */
import type { ServeSettings, ServeStatus } from '../../contract/lab-api';
import { errorMessage } from '../../engine/errors';
import type { Lab } from '../../engine/lab';
import type { ServeControl } from '../../engine/lab-handlers';
import { type Serving, startServing } from './serve';

const DEFAULTS: ServeSettings = { host: '127.0.0.1', httpPort: 8000, grpcPort: 8001, metricsPort: 8002, modelControl: false };

export class LabServing implements ServeControl {
  private serving: Serving | undefined;
  private repoId: string | undefined;
  private state: ServeStatus['state'] = 'stopped';
  private error: string | undefined;
  private settings: ServeSettings = { ...DEFAULTS };
  private chain: Promise<unknown> = Promise.resolve();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly lab: Lab,
    private readonly version: string,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    // Closing the served repository stops the server first.
    this.unsubscribe = lab.onEvent((ev) => {
      if (ev.type === 'repositories-changed' && this.repoId && !lab.listRepositories().some((r) => r.id === this.repoId)) void this.stop();
    });
  }

  status(): ServeStatus {
    const s = this.serving;
    const repo = this.repoId ? this.lab.listRepositories().find((r) => r.id === this.repoId) : undefined;
    return {
      available: true,
      state: this.state,
      ...(this.repoId ? { repoId: this.repoId } : {}),
      ...(repo ? { repoName: repo.name } : {}),
      ...(s?.http ? { http: `http://${s.http.host}:${s.http.port}` } : {}),
      ...(s?.grpc ? { grpc: `${s.grpc.host}:${s.grpc.port}` } : {}),
      ...(s?.metrics ? { metrics: `http://${s.metrics.host}:${s.metrics.port}/metrics` } : {}),
      inFlight: s?.core.inFlight ?? 0,
      ...(this.error ? { error: this.error } : {}),
      settings: { ...this.settings },
    };
  }

  private changed(): ServeStatus {
    const status = this.status();
    this.lab.emitEvent({ type: 'serve-changed', status });
    return status;
  }

  /** Start and stop run one at a time. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  start(repoId: string, settings: Partial<ServeSettings>): Promise<ServeStatus> {
    return this.serial(async () => {
      const repo = this.lab.repository(repoId);
      if (this.serving) await this.stopNow();
      this.settings = { ...this.settings, ...settings };
      this.repoId = repoId;
      this.state = 'starting';
      this.error = undefined;
      this.changed();
      try {
        const { host, httpPort, grpcPort, metricsPort, modelControl } = this.settings;
        this.serving = await startServing(repo, {
          http: { host, port: httpPort },
          grpc: { host, port: grpcPort },
          metrics: { host, port: metricsPort },
          version: this.version,
          allowModelControl: modelControl,
          sink: this.log,
        });
        this.state = 'running';
      } catch (err) {
        this.serving = undefined;
        this.repoId = undefined;
        this.state = 'stopped';
        this.error = errorMessage(err);
      }
      return this.changed();
    });
  }

  private async stopNow(): Promise<void> {
    const s = this.serving;
    if (!s) return;
    this.state = 'stopping';
    this.changed();
    try {
      await s.stop();
    } catch (err) {
      this.error = errorMessage(err);
    }
    this.serving = undefined;
    this.repoId = undefined;
    this.state = 'stopped';
  }

  stop(): Promise<ServeStatus> {
    return this.serial(async () => {
      await this.stopNow();
      return this.changed();
    });
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.stop();
  }
}
