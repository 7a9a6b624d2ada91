/**
 * Shared by the playground tests: model details shaped like the sample
 * repositories, a fake lab client that records calls, runs, and a TensorView
 * stand-in that shows the props it was given.
 */
import { defineComponent, h, type PropType } from 'vue';
import type { IoRow, LabClient, LabEvent, LabMethod, LabRequest, LabResponse, ModelDetail, ModelSummary, RepositoryInfo, RunResult, TensorInfo, TensorRef } from '@contract/lab-api';

export function io(name: string, datatype: string, dims: number[], maxBatchSize: number, extra: Partial<IoRow> = {}): IoRow {
  return { name, dataType: `TYPE_${datatype === 'BYTES' ? 'STRING' : datatype}`, datatype, dims, fullShape: maxBatchSize > 0 ? [-1, ...dims] : dims, ...extra };
}

export function summary(name: string, extra: Partial<ModelSummary> = {}): ModelSummary {
  return {
    name,
    state: 'READY',
    reason: '',
    backend: 'onnxruntime',
    platform: 'onnxruntime_onnx',
    isEnsemble: false,
    runnable: true,
    hasConfigFile: true,
    versions: [{ version: 1, served: true, state: 'READY', reason: '', files: [] }],
    files: [],
    errors: 0,
    warnings: 0,
    ...extra,
  };
}

/** A loaded, trusted repository without code, as repositories lists it. */
export function repository(id: string, name: string, path: string, extra: Partial<RepositoryInfo> = {}): RepositoryInfo {
  return { id, path, name, sample: false, controlMode: 'none', watching: false, pollSecs: 15, diagnostics: [], loading: false, trust: 'trusted', hasCode: false, models: [], ...extra };
}

export function detail(name: string, maxBatchSize: number, inputs: IoRow[], outputs: IoRow[], extra: Partial<ModelSummary> = {}, repoId = 'r1'): ModelDetail {
  return {
    repoId,
    summary: summary(name, extra),
    diagnostics: [],
    autoFilled: [],
    maxBatchSize,
    inputs,
    outputs,
    instanceGroups: [],
    scheduling: 'none',
    ensembleSteps: [],
    versionPolicy: 'latest { num_versions: 1 }',
    defaultModelFilename: '',
  };
}

/** ocr_ensemble/ensemble_model */
export const ocrEnsemble = detail('ensemble_model', 8, [io('input_image', 'UINT8', [-1], 8)], [io('recognized_text', 'BYTES', [-1], 8)], { backend: '', platform: 'ensemble', isEnsemble: true });

/** data_pipeline/ensemble_model */
export const dataPipeline = detail(
  'ensemble_model',
  8,
  [
    io('ensemble_input_string', 'BYTES', [-1], 8),
    io('ensemble_input_UINT8_array', 'UINT8', [-1], 8),
    io('ensemble_input_INT8_array', 'INT8', [-1], 8),
    io('ensemble_input_FP32_image', 'FP32', [-1, -1, -1], 8),
    io('ensemble_input_bool', 'BOOL', [-1], 8),
  ],
  [io('ensemble_output_string', 'BYTES', [-1], 8), io('ensemble_output_FP32_image', 'FP32', [-1, -1, -1], 8)],
  { backend: '', platform: 'ensemble', isEnsemble: true },
  'r2',
);

/** quick_deploy_onnx/text_direction after auto-complete: x FP32 [-1, 3, -1, -1]. */
export const quickDeploy = detail('text_direction', 4, [io('x', 'FP32', [3, -1, -1], 4)], [io('softmax_0.tmp_0', 'FP32', [2], 4)], {}, 'r3');

/** ocr_bls/text_direction: the size is fixed. */
export const fixedDirection = detail('text_direction', 8, [io('x', 'FP32', [3, 48, 192], 8)], [io('softmax_0.tmp_0', 'FP32', [2], 8)], {}, 'r4');

/** ocr_bls/ocr_pipeline: texts, boxes, scores. */
export const ocrBls = detail(
  'ocr_pipeline',
  0,
  [io('input_image', 'UINT8', [-1], 0)],
  [io('texts', 'BYTES', [-1], 0), io('boxes', 'FP32', [-1, 4, 2], 0), io('scores', 'FP32', [-1], 0)],
  { backend: 'script', platform: '' },
  'r5',
);

export function tensor(name: string, dtype: TensorInfo['dtype'], shape: number[], stats?: Partial<NonNullable<TensorInfo['stats']>>): TensorInfo {
  const elements = shape.reduce((a, b) => a * b, 1);
  return {
    name,
    dtype,
    shape,
    elements,
    byteSize: elements * 4,
    imageLayouts: [],
    ...(stats ? { stats: { count: elements, min: 0, max: 1, mean: 0.5, std: 0.1, nan: 0, inf: 0, ...stats } } : {}),
  };
}

export function runResult(runId: string, d: ModelDetail, extra: Partial<RunResult> = {}): RunResult {
  return {
    runId,
    repoId: d.repoId,
    model: d.summary.name,
    version: 1,
    startedAt: Date.UTC(2025, 0, 2, 10, 0, 0),
    ms: 42.5,
    state: 'ok',
    inputs: d.inputs.map((i) =>
      tensor(
        i.name,
        i.datatype as TensorInfo['dtype'],
        i.dims.map((x) => (x < 0 ? 2 : x)),
      ),
    ),
    outputs: d.outputs.map((o) =>
      tensor(
        o.name,
        o.datatype as TensorInfo['dtype'],
        o.dims.map((x) => (x < 0 ? 2 : x)),
        o.datatype === 'BYTES' ? undefined : {},
      ),
    ),
    steps: [],
    ...extra,
  };
}

export interface Call {
  method: LabMethod;
  req: unknown;
}

type Handler = (req: never) => unknown;

export type FakeClient = LabClient & {
  calls: Call[];
  of<M extends LabMethod>(method: M): LabRequest<M>[];
  emit(ev: LabEvent): void;
};

export const SAMPLES = [
  { file: 'dejavu-sans-lines.png', width: 620, height: 264, description: 'Four lines of DejaVu Sans' },
  { file: 'dejavu-serif-large.png', width: 760, height: 277, description: 'Two lines of DejaVu Serif' },
];

/** A lab client answering from `handlers` (by method), with samples, empty history and snippets by default. */
export function fakeClient(handlers: Partial<Record<LabMethod, Handler>> = {}): FakeClient {
  const calls: Call[] = [];
  const listeners = new Set<(ev: LabEvent) => void>();
  const defaults: Partial<Record<LabMethod, Handler>> = {
    sampleImages: () => SAMPLES,
    listRuns: () => [],
    runSnippets: (req: { runId: string }) => ({ curl: `curl -X POST localhost:8000/v2/models/m/infer # ${req.runId}`, python: `import tritonclient.http as httpclient # ${req.runId}` }),
    cancelRun: () => ({ cancelled: true }),
    checkInputPath: (req: { path: string }) => ({ path: req.path, readable: true }),
  };
  return {
    calls,
    of<M extends LabMethod>(method: M): LabRequest<M>[] {
      return calls.filter((c) => c.method === method).map((c) => c.req as LabRequest<M>);
    },
    emit(ev: LabEvent): void {
      for (const l of listeners) l(ev);
    },
    async call<M extends LabMethod>(method: M, req: LabRequest<M>): Promise<LabResponse<M>> {
      calls.push({ method, req: JSON.parse(JSON.stringify(req)) as unknown });
      const h = handlers[method] ?? defaults[method];
      if (!h) throw new Error(`unexpected call ${method}`);
      return (await h(req as never)) as LabResponse<M>;
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Stands in for the viewers' TensorView: shows which tensor, where from, and any boxes. */
export const TensorViewStub = defineComponent({
  name: 'TensorView',
  props: {
    tensor: { type: Object as PropType<TensorInfo>, required: true },
    source: { type: Object as PropType<TensorRef>, required: true },
    boxes: { type: Object as PropType<TensorRef>, default: undefined },
  },
  setup(props) {
    return () =>
      h(
        'div',
        {
          class: 'tensor-stub',
          'data-tensor': props.tensor.name,
          'data-source': `${props.source.runId}/${props.source.side}/${props.source.name}`,
          'data-boxes': props.boxes ? props.boxes.name : '',
          'data-mean': props.tensor.stats ? String(props.tensor.stats.mean) : '',
        },
        `${props.tensor.name} ${props.tensor.dtype} [${props.tensor.shape.join(', ')}]`,
      );
  },
});

/** A promise with its resolve/reject handles, to hold a run open. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
