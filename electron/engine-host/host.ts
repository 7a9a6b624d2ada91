/**
 * The engine host: the lab (repositories, ONNX Runtime sessions, sharp, script workers, run history),
 * its Triton-compatible server and the remote-server clients, in a process of their own so a runaway
 * model, a large file or a crash cannot freeze or take down the window. Main relays the typed lab API
 * to it (`protocol.ts`): calls come in and go through the same handler table as browser mode's HTTP API,
 * results and lab events go out, and what only main can do (native dialogs, safeStorage) is asked of
 * main. What opens at start follows `engine/workspace.ts`; after a crash, main names the repositories
 * that were open and they are reopened instead.
 */
import type { HostInfo, WorkspaceSkip } from '../contract/lab-api';
import { errorMessage, LabError, toLabError } from '../engine/errors';
import { Lab } from '../engine/lab';
import { createLabHandlers, dispatch, type LabHandlers } from '../engine/lab-handlers';
import { MemoryCredentials } from '../engine/remote/memory-credentials';
import type { CredentialStore } from '../engine/remote/types';
import { inSamples, openInOrder, openStartup } from '../engine/workspace';
import { connectTriton, fetchText } from '../server/remote/connect';
import { LabServing } from '../server/triton/lab-serving';
import type { HostChannel } from './channel';
import { type CredentialAnswer, type EngineHostOptions, type HostAsk, settle, type ToEngine, toWireError, type Waiter } from './protocol';

/**
 * sharp's guidance for glibc: load it on the main thread before any worker thread does (script models
 * use it in workers). A failed load (no binary for this platform) is logged, never fatal: only image
 * inputs need it, and they report their own error.
 */
export async function preloadSharp(log: (line: string) => void): Promise<boolean> {
  try {
    await import('sharp');
    return true;
  } catch (err) {
    log(`sharp could not be loaded; image inputs will not work: ${errorMessage(err)}`);
    return false;
  }
}

/**
 * The engine behind the window, its settings (theme, language, recent repositories, trusted folders,
 * the workspace) in `settings.json` under the user data folder. A corrupt file means defaults and one log line.
 */
export function openEngineLab(files: { settingsFile: string; sampleImagesDir: string }, log: (line: string) => void): Lab {
  const lab = new Lab({ settingsFile: files.settingsFile, sampleImagesDir: files.sampleImagesDir });
  if (lab.settings.loadProblem) log(lab.settings.loadProblem);
  return lab;
}

/** Header values kept by main (safeStorage); the store's kind and problem follow main's answers. */
class HostCredentials implements CredentialStore {
  kind: CredentialAnswer['kind'] = 'safeStorage';
  problem: string | undefined;

  constructor(private readonly ask: (a: HostAsk) => Promise<unknown>) {}

  private async op(a: HostAsk): Promise<CredentialAnswer> {
    const answer = (await this.ask(a)) as CredentialAnswer | undefined;
    if (!answer || typeof answer !== 'object') throw new LabError('INTERNAL', 'the credential store gave no answer');
    this.kind = answer.kind;
    this.problem = answer.problem;
    return answer;
  }

  async get(serverId: string): Promise<Record<string, string>> {
    return (await this.op({ op: 'credentials.get', serverId })).headers ?? {};
  }

  async set(serverId: string, headers: Record<string, string>): Promise<void> {
    await this.op({ op: 'credentials.set', serverId, headers });
  }

  async delete(serverId: string): Promise<void> {
    await this.op({ op: 'credentials.delete', serverId });
  }
}

/**
 * After a crash: the repositories that were open, in their order. A folder inside the bundled samples
 * (after following links) opens as a sample again; any other as the user's, under its saved trust.
 */
async function reopen(lab: Lab, paths: readonly string[], samplesDir: string, log: (line: string) => void): Promise<{ opened: string[]; skipped: WorkspaceSkip[] }> {
  const repositories = await Promise.all(paths.map(async (p) => ({ path: p, sample: await inSamples(p, samplesDir) })));
  const { opened, skipped } = await openInOrder(lab, repositories, log);
  return { opened: opened.map((r) => r.path), skipped };
}

export class EngineHost {
  private lab: Lab | undefined;
  private serving: LabServing | undefined;
  private started: Promise<LabHandlers> | undefined;
  private readonly asks = new Map<number, Waiter>();
  private nextAsk = 1;
  private closing: Promise<void> | undefined;

  constructor(private readonly channel: HostChannel) {}

  readonly log = (line: string): void => this.channel.send({ t: 'log', line });

  listen(): void {
    this.channel.onMessage((msg) => this.receive(msg));
  }

  private receive(msg: ToEngine): void {
    switch (msg.t) {
      case 'init':
        this.started ??= this.init(msg.options);
        this.started.catch((err: unknown) => {
          this.log(`the engine could not start: ${errorMessage(err)}`);
          this.channel.exit(1);
        });
        return;
      case 'call':
        void this.call(msg.id, msg.method, msg.req);
        return;
      case 'answer':
        settle(this.asks, msg);
        return;
      case 'shutdown':
        void this.shutdown();
        return;
    }
  }

  /** Asks main for something only it can do; resolves with main's answer. */
  ask(ask: HostAsk): Promise<unknown> {
    const id = this.nextAsk++;
    return new Promise((resolve, reject) => {
      this.asks.set(id, { resolve, reject });
      this.channel.send({ t: 'ask', id, ask });
    });
  }

  private async init(o: EngineHostOptions): Promise<LabHandlers> {
    await preloadSharp(this.log);
    const lab = openEngineLab(o, this.log);
    this.lab = lab;
    const serving = new LabServing(lab, o.appVersion, this.log);
    this.serving = serving;
    const skipped: WorkspaceSkip[] = [];
    const info = (): HostInfo => ({
      mode: 'electron',
      appVersion: o.appVersion,
      platform: process.platform,
      canPickFolder: true,
      canPickFile: true,
      samplesDir: o.samplesDir,
      ...(skipped.length ? { workspaceSkipped: skipped } : {}),
      ...(lab.startupSelection ? { restoreSelection: lab.startupSelection } : {}),
    });
    const handlers = createLabHandlers(lab, {
      info,
      pickFolder: async (purpose) => (await this.ask({ op: 'pickFolder', ...(purpose ? { purpose } : {}) })) as string | null,
      pickFile: async () => (await this.ask({ op: 'pickFile' })) as string | null,
      serving,
      remote: { connect: connectTriton, fetchText, credentials: o.credentialsViaHost ? new HostCredentials((a) => this.ask(a)) : new MemoryCredentials() },
    });
    lab.onEvent((ev) => this.channel.send({ t: 'event', ev }));
    const result = o.restart ? await reopen(lab, o.restart.reopen, o.samplesDir, this.log) : await this.openAtStart(lab, o);
    skipped.push(...result.skipped);
    if (result.skipped.length) lab.emitEvent({ type: 'repositories-changed' });
    this.channel.send({ t: 'ready', skipped: result.skipped, opened: result.opened });
    return handlers;
  }

  private async openAtStart(lab: Lab, o: EngineHostOptions): Promise<{ opened: string[]; skipped: WorkspaceSkip[] }> {
    const r = await openStartup(lab, { given: o.given, samplesDir: o.samplesDir, log: this.log });
    return { opened: r.opened.map((x) => x.path), skipped: r.skipped };
  }

  private async call(id: number, method: string, req: unknown): Promise<void> {
    try {
      if (!this.started) throw new LabError('UNAVAILABLE', 'the engine has not been started');
      const value = await dispatch(await this.started, method, req);
      try {
        this.channel.send({ t: 'result', id, ok: true, value });
      } catch (err) {
        // A value that cannot be structured-cloned is the engine's bug: say so instead of leaving the call hanging.
        throw new LabError('INTERNAL', `the result of ${method} could not be sent: ${errorMessage(err)}`);
      }
    } catch (err) {
      this.channel.send({ t: 'result', id, ok: false, error: toWireError(toLabError(err)) });
    }
  }

  /** Closes the server (requests in flight finish first), then the lab (workers, sessions, settings to disk), then exits. */
  shutdown(): Promise<void> {
    this.closing ??= (async () => {
      // Nobody will answer a dialog now: the calls waiting on one end (their results go out before `closed`).
      for (const waiting of this.asks.values()) waiting.reject(new LabError('CANCELLED', 'the engine is shutting down'));
      this.asks.clear();
      try {
        await this.serving?.close();
        await this.lab?.close();
      } catch (err) {
        this.log(`shutting down: ${errorMessage(err)}`);
      }
      this.channel.send({ t: 'closed' });
      this.channel.exit(0);
    })();
    return this.closing;
  }
}
