/**
 * Traces: one span per request, per ensemble step and per BLS call, linked
 * to their parent, with monotonic timestamps and (on request) the tensors in
 * and out. The UI's step-through and timeline and the CLI's timing table read
 * them; a stepper lets an ensemble pause before each step.
 */
import { LabError } from '../errors';
import type { Tensor } from '../tensor/tensor';

export type SpanKind = 'request' | 'step' | 'bls';

export interface TraceSpan {
  id: number;
  parentId?: number;
  kind: SpanKind;
  model: string;
  version: number;
  requestId: string;
  /** Ensemble step index, for kind 'step'. */
  step?: number;
  /** Nanoseconds since the trace began. */
  requestStart: number;
  queueStart?: number;
  computeStart?: number;
  computeEnd?: number;
  requestEnd?: number;
  instance?: string;
  /** How many requests the instance ran together. */
  batchedWith?: number;
  /** The backend's own compute time inside the execution (no queueing, no messaging), in ns. */
  ownNs?: number;
  inputs?: Tensor[];
  outputs?: Tensor[];
  error?: string;
}

/** Pauses an ensemble before each step; the UI resolves it (step, continue, stop). */
export interface Stepper {
  beforeStep(info: { ensemble: string; step: number; model: string; inputs: Tensor[]; spanId: number }): Promise<void>;
}

export class Trace {
  readonly spans: TraceSpan[] = [];
  private readonly t0 = process.hrtime.bigint();
  /** The monotonic clock's reading when the trace began, in ns (Triton stamps traces with steady-clock ns). */
  readonly originNs = Number(this.t0);
  private nextId = 1;

  constructor(
    readonly captureTensors = false,
    readonly stepper?: Stepper,
  ) {}

  now(): number {
    return Number(process.hrtime.bigint() - this.t0);
  }

  start(span: Omit<TraceSpan, 'id' | 'requestStart'>): TraceSpan {
    const s: TraceSpan = { ...span, id: this.nextId++, requestStart: this.now() };
    this.spans.push(s);
    return s;
  }

  span(id: number): TraceSpan | undefined {
    return this.spans.find((s) => s.id === id);
  }
}

/** An instance held by a request further up the call chain (ensemble or BLS parent). */
export interface HeldInstance {
  model: string;
  version: number;
  instance: string;
}

/** What a request carries about its place in a trace and in the call chain. */
export interface TraceContext {
  trace?: Trace;
  parentSpan?: number;
  kind?: SpanKind;
  step?: number;
  /** Instances busy waiting on this request: it must not wait for them. */
  held: HeldInstance[];
}

/** Opens the span of a request a runner receives (model or ensemble), under its caller's span; none when untraced. */
export function requestSpan(ctx: TraceContext | undefined, model: string, version: number, requestId: string | undefined): TraceSpan | undefined {
  return ctx?.trace?.start({
    kind: ctx.kind ?? 'request',
    model,
    version,
    requestId: requestId ?? '',
    ...(ctx.parentSpan !== undefined ? { parentId: ctx.parentSpan } : {}),
    ...(ctx.step !== undefined ? { step: ctx.step } : {}),
  });
}

export function childContext(parent: TraceContext | undefined, span: TraceSpan | undefined, kind: SpanKind, extra: { step?: number; hold?: HeldInstance } = {}): TraceContext {
  return {
    ...(parent?.trace ? { trace: parent.trace } : {}),
    ...(span ? { parentSpan: span.id } : {}),
    kind,
    ...(extra.step !== undefined ? { step: extra.step } : {}),
    held: [...(parent?.held ?? []), ...(extra.hold ? [extra.hold] : [])],
  };
}

/** Step-mode control for one run: each step waits until told to go on. */
export class StepController implements Stepper {
  private waiting: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private mode: 'step' | 'continue' | 'run' = 'step';
  private stopped = false;
  /** Steps `continue` pauses before. */
  breakpoints = new Set<number>();
  /**
   * Only steps of this span (the stepped ensemble's request) pause; ensembles nested inside it
   * (as members or through BLS) run through. 'first': the first ensemble that asks, which is the
   * outermost one, since nested ones only start inside its steps. Unset: every ensemble pauses.
   */
  scope: number | 'first' | undefined;
  /** The step the run is paused before, if any. */
  paused: { ensemble: string; step: number; model: string; inputs: Tensor[]; spanId: number } | undefined;
  onPause?: (info: NonNullable<StepController['paused']>) => void;

  beforeStep(info: NonNullable<StepController['paused']>): Promise<void> {
    if (this.stopped) return Promise.reject(new LabError('CANCELLED', 'the run was stopped'));
    if (this.scope === 'first') this.scope = info.spanId;
    if (this.scope !== undefined && info.spanId !== this.scope) return Promise.resolve();
    if (this.mode === 'run') return Promise.resolve();
    if (this.mode === 'continue' && !this.breakpoints.has(info.step)) return Promise.resolve();
    this.paused = info;
    this.onPause?.(info);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** Runs the paused step and pauses before the next. */
  step(): void {
    this.mode = 'step';
    this.release();
  }

  /** Runs the paused step, then on until a breakpoint step (or the end). */
  continueRun(): void {
    this.mode = 'continue';
    this.release();
  }

  /** Runs to the end without pausing again. */
  runToEnd(): void {
    this.mode = 'run';
    this.release();
  }

  stop(): void {
    this.stopped = true;
    const w = this.waiting;
    this.waiting = undefined;
    this.paused = undefined;
    w?.reject(new LabError('CANCELLED', 'the run was stopped'));
  }

  private release(): void {
    const w = this.waiting;
    this.waiting = undefined;
    this.paused = undefined;
    w?.resolve();
  }
}
