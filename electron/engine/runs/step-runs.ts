/**
 * Ensemble step-through: one request through an ensemble in step mode, with
 * every tensor kept, driven by the UI (step, continue to a breakpoint, run to
 * the end, stop). While paused the state says which step comes next, what it
 * will read and every ensemble tensor produced so far; once over, the run
 * goes into the playground history like any other, edges included.
 *
 * Only ensembles step: a plain model is one request with nothing between
 * its input and output, so the playground's Run is the way to run it.
 */
import type { ExportedTrace, StepAction, StepEdge, StepRunRequest, StepRunState } from '../../contract/inspect-api';
import type { RunResult, TensorInfo, TensorRef } from '../../contract/lab-api';
import type { ModelEnsembling_Step } from '../config/gen/model_config_pb';
import { ensembleSteps } from '../config/ensemble-graph';
import { LabError, errorMessage, toLabError } from '../errors';
import { EnsembleRunner, neededSteps } from '../runtime/ensemble-runner';
import { StepController, Trace, type TraceSpan } from '../runtime/trace';
import type { Runner } from '../runtime/types';
import type { Tensor } from '../tensor/tensor';
import { type RunService, runParameters, stepsOf, tensorOf } from './runs';
import { sequenceFlags } from './sequence';
import { describeTensor } from './tensor-info';
import { exportTrace } from './trace-export';

export interface StepRunServiceOptions {
  /** Step-throughs open at once (paused or running); default 4. */
  maxActive?: number;
  /** A paused run nobody acts on is stopped after this long (ms); default 10 minutes. */
  idleMs?: number;
  /** Called once per run when it ends (finished, failed or stopped), after it is in the history. */
  onFinished?: (result: RunResult) => void;
}

const ACTIONS: readonly StepAction[] = ['step', 'continue', 'run-to-end', 'stop'];
const KEEP_FINISHED = 20;

interface ActiveRun {
  runId: string;
  req: StepRunRequest;
  runner: Runner;
  steps: ModelEnsembling_Step[];
  needed: Set<number>;
  inputs: Tensor[];
  trace: Trace;
  ctl: StepController;
  abort: AbortController;
  status: StepRunState['state'];
  error?: string;
  result?: RunResult;
  /** Resolved at the next pause or at the end. */
  waiters: (() => void)[];
  settled: Promise<void>;
  idle?: ReturnType<typeof setTimeout>;
  /** TensorInfo is computed once per tensor (statistics walk every element). */
  infos: Map<string, TensorInfo>;
  /** Time spent paused so far (ns), and when the current pause began (monotonic ns), so compute can be told from waiting. */
  pausedNs: bigint;
  pausedSince?: bigint;
}

export class StepRunService {
  private readonly active = new Map<string, ActiveRun>();
  /** Starts past the limit check that are not in `active` yet. */
  private starting = 0;
  /** States of ended runs, newest last, so the UI can still read them. */
  private readonly ended = new Map<string, StepRunState>();

  constructor(
    private readonly runs: RunService,
    private readonly options: StepRunServiceOptions = {},
  ) {}

  async start(req: StepRunRequest): Promise<StepRunState> {
    if (!req || typeof req !== 'object') throw new LabError('INVALID_ARG', 'a step-through request is required');
    const maxActive = this.options.maxActive ?? 4;
    if (this.active.size + this.starting >= maxActive) {
      throw new LabError('UNAVAILABLE', `${this.active.size + this.starting} step-throughs are open already; stop one (or run it to the end) before starting another`);
    }
    // The slot is taken before the first await, so starts arriving together cannot pass the limit.
    this.starting++;
    const slot = { held: true };
    const release = (): void => {
      if (slot.held) this.starting--;
      slot.held = false;
    };
    try {
      return await this.open(req, release);
    } finally {
      release();
    }
  }

  /** `registered` hands the reserved slot over once the run is in `active`. */
  private async open(req: StepRunRequest, registered: () => void): Promise<StepRunState> {
    runParameters(req.parameters);
    const runId = this.runs.claimId(req.runId);
    const abort = new AbortController();
    this.runs.track(runId, abort);
    let prepared: { runner: Runner; inputs: Tensor[] };
    try {
      prepared = await this.runs.prepare(req, (runner) => {
        if (!(runner instanceof EnsembleRunner))
          throw new LabError('INVALID_ARG', `'${req.model}' is not an ensemble: only ensembles have steps to go through; use Run in the playground for a single model`);
      });
    } catch (err) {
      this.runs.untrack(runId);
      throw err;
    }
    const { runner, inputs } = prepared;
    const steps = ensembleSteps(runner.config);
    const ctl = new StepController();
    ctl.scope = 'first';
    try {
      ctl.breakpoints = checkBreakpoints(req.breakpoints ?? [], steps.length);
    } catch (err) {
      this.runs.untrack(runId);
      throw err;
    }
    const trace = new Trace(true, ctl);
    const requested = req.outputs && req.outputs.length > 0 ? req.outputs : runner.config.output.map((o) => o.name);
    const a: ActiveRun = {
      runId,
      req,
      runner,
      steps,
      needed: neededSteps(steps, requested),
      inputs,
      trace,
      ctl,
      abort,
      status: 'running',
      waiters: [],
      settled: Promise.resolve(),
      infos: new Map(),
      pausedNs: 0n,
    };
    this.active.set(runId, a);
    registered();
    ctl.onPause = () => {
      a.status = 'paused';
      a.pausedSince = process.hrtime.bigint();
      this.armIdle(a);
      this.wake(a);
    };
    // A cancelRun from the playground reaches a paused run too.
    abort.signal.addEventListener('abort', () => ctl.stop(), { once: true });
    const first = this.nextStop(a);
    a.settled = this.drive(a);
    await first;
    return this.snapshot(a);
  }

  async act(runId: string, action: StepAction, breakpoints?: number[]): Promise<StepRunState> {
    if (!ACTIONS.includes(action)) throw new LabError('INVALID_ARG', `action must be one of ${ACTIONS.join(', ')}, got '${String(action)}'`);
    const a = this.active.get(runId);
    if (!a) {
      const ended = this.ended.get(runId);
      if (!ended) throw new LabError('NOT_FOUND', `no step-through run '${runId}' (it may have ended long ago); start a new one`);
      // Stopping something already over is harmless (the UI may race the end); moving it on is not.
      if (action === 'stop') return ended;
      throw new LabError(
        'INVALID_ARG',
        `step-through run '${runId}' has ${ended.state === 'finished' ? 'finished' : ended.state === 'stopped' ? 'been stopped' : 'failed'}; start a new one to step again`,
      );
    }
    if (breakpoints !== undefined) a.ctl.breakpoints = checkBreakpoints(breakpoints, a.steps.length);
    if (action === 'stop') {
      a.abort.abort();
      await a.settled;
      return this.state(runId);
    }
    if (a.status !== 'paused') throw new LabError('INVALID_ARG', `step-through run '${runId}' is running a step; wait until it pauses (or stop it)`);
    this.disarmIdle(a);
    this.endPause(a);
    a.status = 'running';
    const stop = this.nextStop(a);
    if (action === 'step') a.ctl.step();
    else if (action === 'continue') a.ctl.continueRun();
    else a.ctl.runToEnd();
    await stop;
    return this.state(runId);
  }

  state(runId: string): StepRunState {
    const a = this.active.get(runId);
    if (a) return this.snapshot(a);
    const ended = this.ended.get(runId);
    if (!ended) throw new LabError('NOT_FOUND', `no step-through run '${runId}' (it may have ended long ago); start a new one`);
    return ended;
  }

  /** A tensor of a run still open (paused or running); undefined when the run is not open. */
  tensor(ref: TensorRef): Tensor | undefined {
    const a = this.active.get(ref.runId);
    if (!a) return undefined;
    return tensorOf(a.runId, { inputs: a.inputs, outputs: [], spans: a.trace.spans, edges: this.edgeTensors(a).map((e) => e.tensor) }, ref);
  }

  /** The trace so far of a run still open. */
  exportTrace(runId: string): ExportedTrace | undefined {
    const a = this.active.get(runId);
    return a ? exportTrace({ result: { runId, model: a.req.model }, spans: a.trace.spans, originNs: a.trace.originNs }) : undefined;
  }

  /** Stops the open runs of a repository that is closing and forgets its ended ones. */
  forget(repoId: string): void {
    for (const a of this.active.values()) if (a.req.repoId === repoId) a.abort.abort();
    for (const [id, st] of this.ended) if (st.result?.repoId === repoId) this.ended.delete(id);
  }

  async close(): Promise<void> {
    const open = [...this.active.values()];
    for (const a of open) a.abort.abort();
    await Promise.all(open.map((a) => a.settled));
  }

  get openCount(): number {
    return this.active.size;
  }

  private async drive(a: ActiveRun): Promise<void> {
    const startedAt = Date.now();
    const t0 = process.hrtime.bigint();
    let outputs: Tensor[] = [];
    let state: RunResult['state'] = 'ok';
    let error: string | undefined;
    try {
      const inferring = a.runner.infer({
        id: a.runId,
        inputs: a.inputs,
        ...(a.req.outputs && a.req.outputs.length ? { outputs: a.req.outputs } : {}),
        trace: { trace: a.trace, kind: 'request', held: [] },
        signal: a.abort.signal,
        ...(a.req.sequence ? { sequence: sequenceFlags(a.req.sequence) } : {}),
        ...(a.req.parameters ? { parameters: a.req.parameters } : {}),
      });
      // Stopped mid-step: the step finishes in the background and its result is dropped.
      inferring.catch(() => undefined);
      const stopped = new Promise<never>((_, reject) => {
        if (a.abort.signal.aborted) reject(new LabError('CANCELLED', 'the run was stopped'));
        a.abort.signal.addEventListener('abort', () => reject(new LabError('CANCELLED', 'the run was stopped')), { once: true });
      });
      outputs = (await Promise.race([inferring, stopped])).outputs;
    } catch (err) {
      const e = toLabError(err);
      state = e.code === 'CANCELLED' || a.abort.signal.aborted ? 'cancelled' : 'error';
      error = state === 'cancelled' ? 'the run was stopped' : errorMessage(e);
    }
    this.disarmIdle(a);
    this.endPause(a);
    // The run's ms and its trace include the pauses: they are what happened, gaps and all; pausedMs says how much.
    a.status = state === 'ok' ? 'finished' : state === 'cancelled' ? 'stopped' : 'error';
    if (error !== undefined) a.error = error;
    a.result = this.runs.record({
      runId: a.runId,
      req: a.req,
      runner: a.runner,
      inputs: a.inputs,
      outputs,
      trace: a.trace,
      startedAt,
      ms: Number(process.hrtime.bigint() - t0) / 1e6,
      state,
      ...(error !== undefined ? { error } : {}),
      edges: this.edgeTensors(a).map((e) => e.tensor),
      mode: 'step',
      pausedMs: Number(a.pausedNs) / 1e6,
    });
    const final = this.snapshot(a);
    this.active.delete(a.runId);
    this.runs.untrack(a.runId);
    this.ended.set(a.runId, final);
    while (this.ended.size > KEEP_FINISHED) this.ended.delete(this.ended.keys().next().value!);
    this.wake(a);
    try {
      this.options.onFinished?.(a.result);
    } catch {
      /* a listener's failure is its own */
    }
  }

  /** Adds the pause that is ending (the user moved on, stopped, or the idle timer did) to the run's paused time. */
  private endPause(a: ActiveRun): void {
    if (a.pausedSince === undefined) return;
    a.pausedNs += process.hrtime.bigint() - a.pausedSince;
    a.pausedSince = undefined;
  }

  private nextStop(a: ActiveRun): Promise<void> {
    return new Promise((resolve) => a.waiters.push(resolve));
  }

  private wake(a: ActiveRun): void {
    for (const w of a.waiters.splice(0)) w();
  }

  private armIdle(a: ActiveRun): void {
    this.disarmIdle(a);
    a.idle = setTimeout(() => a.abort.abort(), this.options.idleMs ?? 10 * 60_000);
    a.idle.unref?.();
  }

  private disarmIdle(a: ActiveRun): void {
    if (a.idle) clearTimeout(a.idle);
    a.idle = undefined;
  }

  private root(a: ActiveRun): TraceSpan | undefined {
    return a.trace.spans[0];
  }

  /** Steps of the stepped ensemble that finished without error, in finishing order. */
  private doneSpans(a: ActiveRun): TraceSpan[] {
    const root = this.root(a);
    if (!root) return [];
    return a.trace.spans.filter((s) => s.parentId === root.id && s.kind === 'step' && s.step !== undefined && s.requestEnd !== undefined && !s.error).sort((x, y) => x.requestEnd! - y.requestEnd!);
  }

  /** The ensemble's tensors so far, by ensemble name: its inputs, then what each finished step wrote. */
  private edgeTensors(a: ActiveRun): { tensor: Tensor; producer?: number; key: string }[] {
    const out: { tensor: Tensor; producer?: number; key: string }[] = [];
    const root = this.root(a);
    for (const t of root?.inputs ?? []) out.push({ tensor: t, key: `in:${t.name}` });
    for (const span of this.doneSpans(a)) {
      const map = a.steps[span.step!]?.outputMap ?? {};
      for (const [key, name] of Object.entries(map)) {
        const t = span.outputs?.find((o) => o.name === key);
        if (t) out.push({ tensor: { ...t, name }, producer: span.step!, key: `${span.id}:${name}` });
      }
    }
    return out;
  }

  private info(a: ActiveRun, key: string, t: Tensor): TensorInfo {
    let info = a.infos.get(key);
    if (!info) {
      info = describeTensor(t);
      a.infos.set(key, info);
    }
    return info;
  }

  private spanTensors(a: ActiveRun): Record<number, { inputs: TensorInfo[]; outputs: TensorInfo[] }> {
    const out: Record<number, { inputs: TensorInfo[]; outputs: TensorInfo[] }> = {};
    for (const s of a.trace.spans) {
      if (!s.inputs && !s.outputs) continue;
      out[s.id] = {
        inputs: (s.inputs ?? []).map((t) => this.info(a, `s${s.id}:i:${t.name}`, t)),
        outputs: (s.outputs ?? []).map((t) => this.info(a, `s${s.id}:o:${t.name}`, t)),
      };
    }
    return out;
  }

  private snapshot(a: ActiveRun): StepRunState {
    const done = this.doneSpans(a).map((s) => s.step!);
    const pruned = a.steps.map((_, i) => i).filter((i) => !a.needed.has(i));
    // A step that never became ready (its inputs were never produced) is skipped too, once the run is over.
    const never = a.status === 'finished' ? a.steps.map((_, i) => i).filter((i) => a.needed.has(i) && !done.includes(i)) : [];
    const edges: StepEdge[] = this.edgeTensors(a).map((e) => ({ name: e.tensor.name, ...(e.producer !== undefined ? { producer: e.producer } : {}), info: this.info(a, e.key, e.tensor) }));
    const p = a.status === 'paused' ? a.ctl.paused : undefined;
    const step = p ? a.steps[p.step] : undefined;
    return {
      runId: a.runId,
      state: a.status,
      ...(p && step
        ? {
            paused: {
              step: p.step,
              model: p.model,
              inputs: p.inputs.map((t) => ({ name: t.name, edge: step.inputMap[t.name] ?? t.name, info: this.info(a, `p${p.step}:${t.name}`, t) })),
            },
          }
        : {}),
      done,
      skipped: [...pruned, ...never].sort((x, y) => x - y),
      edges,
      breakpoints: [...a.ctl.breakpoints].sort((x, y) => x - y),
      spans: stepsOf(a.trace),
      spanTensors: this.spanTensors(a),
      ...(a.error !== undefined ? { error: a.error } : {}),
      ...(a.result ? { result: a.result } : {}),
    };
  }
}

function checkBreakpoints(list: unknown, count: number): Set<number> {
  if (!Array.isArray(list)) throw new LabError('INVALID_ARG', "'breakpoints' must be a list of step indices");
  for (const b of list) {
    if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b >= count) {
      throw new LabError('INVALID_ARG', `breakpoint ${String(b)} is not a step of this ensemble (steps 0 to ${count - 1})`);
    }
  }
  return new Set(list as number[]);
}
