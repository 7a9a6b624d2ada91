import { describe, expect, it } from 'vitest';
import type { GraphSummary, ModelDetail, RepositoryInfo, RunResult, StepRunState } from '@contract/lab-api';
import { dataPipeline, ocrBls, ocrEnsemble, quickDeploy, repository, runResult, summary, tensor } from '../components/playground/test-support';
import { runKey, type ModelRuns } from '../stores/run';
import { bls } from './content/bls';
import { dataPipelines } from './content/data-pipelines';
import { modelEnsembles } from './content/model-ensembles';
import { migrating } from './content/migrating';
import { quickDeploy as quickDeployTour } from './content/quick-deploy';
import { lastRunOk, modelSelected, repoNamed, stepRunFinished, tabShown } from './checks';
import { tensorKey, type TourState, type Walkthrough } from './types';

function repo(id: string, name: string, models: string[], sample = true): RepositoryInfo {
  return repository(id, name, `/s/${name}`, { sample, hasCode: true, models: models.map((m) => summary(m)) });
}

const REPOS = [
  repo('r1', 'ocr_ensemble', ['ensemble_model', 'text_detection']),
  repo('r2', 'data_pipeline', ['ensemble_model', 'model1']),
  repo('r3', 'quick_deploy_onnx', ['text_direction']),
  repo('r5', 'ocr_bls', ['ocr_pipeline']),
];

function state(over: Partial<TourState> = {}): TourState {
  return {
    repos: { repos: REPOS },
    model: { loading: false, tab: 'overview' },
    run: { models: {} },
    step: {},
    graph: { selection: { kind: 'model' }, findQuery: '' },
    serve: {},
    pages: {},
    ...over,
  };
}

/** The lab showing `detail` on `tab`. */
function showing(detail: ModelDetail, tab: TourState['model']['tab'] = 'overview', over: Partial<TourState> = {}): TourState {
  return state({ repos: { repos: REPOS, selection: { repoId: detail.repoId, model: detail.summary.name } }, model: { detail, loading: false, tab }, ...over });
}

function withRuns(s: TourState, detail: ModelDetail, ...history: RunResult[]): TourState {
  const m = { repoId: detail.repoId, model: detail.summary.name, history } as Partial<ModelRuns> as ModelRuns;
  return { ...s, run: { models: { ...s.run.models, [runKey(detail.repoId, detail.summary.name)]: m } } };
}

function step(w: Walkthrough, title: string) {
  const s = w.steps.find((x) => x.title.en.startsWith(title));
  if (!s) throw new Error(`no step '${title}' in ${w.id}`);
  return s;
}

describe('tour checks', () => {
  it('find a sample repository before a user folder of the same name', () => {
    const own = repo('u1', 'ocr_ensemble', [], false);
    expect(repoNamed(state({ repos: { repos: [own, ...REPOS] } }), 'ocr_ensemble')?.id).toBe('r1');
    expect(repoNamed(state({ repos: { repos: [own] } }), 'ocr_ensemble')?.id).toBe('u1');
  });

  it('tell the selected model and tab apart from a file or another repository', () => {
    expect(modelSelected(showing(ocrEnsemble), 'ocr_ensemble', 'ensemble_model')).toBe(true);
    // data_pipeline has an ensemble_model too: it is not the OCR one.
    expect(modelSelected(showing(dataPipeline), 'ocr_ensemble', 'ensemble_model')).toBe(false);
    const file = state({ repos: { repos: REPOS, selection: { repoId: 'r1', model: 'ensemble_model', file: 'ensemble_model/config.pbtxt' } } });
    expect(modelSelected(file, 'ocr_ensemble', 'ensemble_model')).toBe(false);
    expect(tabShown(showing(ocrEnsemble, 'config'), 'ocr_ensemble', 'ensemble_model', 'config')).toBe(true);
    expect(tabShown({ ...showing(ocrEnsemble, 'config'), model: { detail: ocrEnsemble, loading: true, tab: 'config' } }, 'ocr_ensemble', 'ensemble_model', 'config')).toBe(false);
  });

  it('look at the newest run only', () => {
    const s = withRuns(state(), ocrEnsemble, runResult('new', ocrEnsemble, { state: 'error', error: 'boom' }), runResult('old', ocrEnsemble));
    expect(lastRunOk(s, 'ocr_ensemble', 'ensemble_model')).toBe(false);
  });

  it('accept a step run only once it finished on this ensemble', () => {
    const base = { runId: 's1', done: [0, 1], skipped: [], edges: [], breakpoints: [] };
    const paused: StepRunState = { ...base, state: 'paused' };
    const finished: StepRunState = { ...base, state: 'finished', result: runResult('s1', ocrEnsemble) };
    expect(stepRunFinished(showing(ocrEnsemble, 'ensemble', { step: { state: paused } }), 'ocr_ensemble', 'ensemble_model')).toBe(false);
    expect(stepRunFinished(showing(ocrEnsemble, 'ensemble', { step: { state: finished } }), 'ocr_ensemble', 'ensemble_model')).toBe(true);
    expect(stepRunFinished(showing(dataPipeline, 'ensemble', { step: { state: finished } }), 'data_pipeline', 'ensemble_model')).toBe(false);
  });
});

describe('tour steps over the lab state', () => {
  it('Model Ensembles: the run step waits for a good run, then reads the recognized text', () => {
    const run = step(modelEnsembles, 'Run it');
    expect(run.check?.(showing(ocrEnsemble, 'run'))).toBe(false);
    const s = withRuns(showing(ocrEnsemble, 'run'), ocrEnsemble, runResult('run-7', ocrEnsemble));
    expect(run.check?.(s)).toBe(true);
    expect(run.result?.(s)).toEqual({ needs: [{ runId: 'run-7', name: 'recognized_text' }] });
    const read = { ...s, pages: { [tensorKey('run-7', 'recognized_text')]: { offset: 0, total: 2, values: ['Triton Server', 'Ensemble Demo'] } } };
    expect(run.result?.(read)?.text?.en).toBe('Read 2 lines: "Triton Server", "Ensemble Demo"');
    expect(run.result?.(read)?.text?.['zh-CN']).toBe('读出 2 行："Triton Server", "Ensemble Demo"');
  });

  it('Model Ensembles: lists the steps of the selected ensemble', () => {
    const d: ModelDetail = { ...ocrEnsemble, ensembleSteps: ['detection_preprocessing', 'text_detection'].map((modelName) => ({ modelName, modelVersion: -1, inputMap: {}, outputMap: {} })) };
    expect(step(modelEnsembles, 'Select the ensemble').result?.(showing(d))?.text?.en).toBe('2 steps: detection_preprocessing → text_detection');
  });

  it('BLS: counts the calls the script made, by model', () => {
    const calls = ['text_detection', 'text_direction', 'text_direction', 'text_recognition'].map((model, i) => ({
      kind: 'bls' as const,
      model,
      version: 1,
      id: i + 2,
      parentId: 1,
      startMs: i,
      queueMs: 0,
      computeMs: 1,
      totalMs: 1,
    }));
    const s = withRuns(
      state(),
      ocrBls,
      runResult('b1', ocrBls, { steps: [{ kind: 'request', model: 'ocr_pipeline', version: 1, id: 1, startMs: 0, queueMs: 0, computeMs: 5, totalMs: 5 }, ...calls] }),
    );
    const see = step(bls, 'See the calls');
    expect(see.check?.(s)).toBe(true);
    expect(see.result?.(s)?.text?.en).toBe('4 BLS calls: text_detection ×1, text_direction ×2, text_recognition ×1');
    expect(see.check?.(withRuns(state(), ocrBls, runResult('b0', ocrBls)))).toBe(false);
  });

  it('Data Pipelines: shows the five outputs and whether each came back as it was sent', () => {
    const five = ['string', 'UINT8_array', 'INT8_array', 'FP32_image', 'bool'];
    const dtypes = ['BYTES', 'UINT8', 'INT8', 'FP32', 'BOOL'] as const;
    const ok = runResult('d1', dataPipeline, {
      inputs: five.map((n, i) => tensor(`ensemble_input_${n}`, dtypes[i]!, [1, 3])),
      outputs: five.map((n, i) => tensor(`ensemble_output_${n}`, dtypes[i]!, [1, 3])),
    });
    const s = withRuns(showing(dataPipeline, 'run'), dataPipeline, ok);
    expect(step(dataPipelines, 'Run the ensemble').result?.(s)?.text?.en).toBe(
      '5 outputs: string BYTES [1, 3] · UINT8_array UINT8 [1, 3] · INT8_array INT8 [1, 3] · FP32_image FP32 [1, 3] · bool BOOL [1, 3]',
    );
    const read = step(dataPipelines, 'Read the five outputs');
    expect(read.result?.(s)?.text?.en).toBe('All 5 outputs came back with the type and shape they were sent with.');
    const bent = { ...ok, outputs: ok.outputs.map((o) => (o.dtype === 'BOOL' ? { ...o, dtype: 'INT8' as const } : o)) };
    expect(read.result?.(withRuns(s, dataPipeline, bent))?.text?.en).toBe('Type or shape changed: ensemble_output_bool');
  });

  it('Quick Deploy: reads the two probabilities and the serving address', () => {
    const s = withRuns(showing(quickDeploy, 'run'), quickDeploy, runResult('q1', quickDeploy));
    const run = step(quickDeployTour, 'Run it once');
    expect(run.result?.(s)).toEqual({ needs: [{ runId: 'q1', name: 'softmax_0.tmp_0' }] });
    expect(run.result?.({ ...s, pages: { [tensorKey('q1', 'softmax_0.tmp_0')]: { offset: 0, total: 2, values: [0.9871, 0.0129] } } })?.text?.en).toBe('0°: 0.987, 180°: 0.013');
    const serve = step(quickDeployTour, 'Serve the repository');
    const running = state({
      serve: {
        status: {
          available: true,
          state: 'running',
          repoId: 'r3',
          http: 'http://127.0.0.1:8000',
          grpc: '127.0.0.1:8001',
          inFlight: 0,
          settings: { host: '127.0.0.1', httpPort: 8000, grpcPort: 8001, metricsPort: 8002, modelControl: false },
        },
      },
    });
    expect(serve.check?.(running)).toBe(true);
    expect(serve.result?.(running)?.text?.en).toBe('Serving at HTTP http://127.0.0.1:8000, gRPC 127.0.0.1:8001');
    expect(serve.check?.(state({ serve: { status: { ...running.serve.status!, repoId: 'r1' } } }))).toBe(false);
  });

  it("Migrating: needs the exported model's graph on screen, then a node selected in it", () => {
    const det = { ...quickDeploy, repoId: 'r1', summary: summary('text_detection') };
    const graph = {
      repoId: 'r1',
      model: 'text_detection',
      inputs: [{ name: 'x', dtype: 'FP32', dims: [null, 3, 'h', 'w'] }],
      outputs: [{ name: 'sigmoid_0.tmp_0', dtype: 'FP32', dims: [null, 1, 'h', 'w'] }],
      nodes: [{ name: 'sig', opType: 'Sigmoid', domain: '', inputs: ['conv_out'], outputs: ['sigmoid_0.tmp_0'], attributes: [] }],
    } as Partial<GraphSummary> as GraphSummary;
    const open = step(migrating, 'Open its graph');
    const onGraph = showing(det, 'graph', { graph: { summary: graph, selection: { kind: 'model' }, findQuery: '' } });
    expect(open.check?.(showing(det, 'graph'))).toBe(false);
    expect(open.check?.(onGraph)).toBe(true);
    expect(open.check?.({ ...onGraph, model: { ...onGraph.model, tab: 'overview' } })).toBe(false);
    expect(open.result?.(onGraph)?.text?.en).toBe('1 node; x FP32 [?, 3, h, w] → sigmoid_0.tmp_0 FP32 [?, 1, h, w]');
    const find = step(migrating, 'Find a node');
    expect(find.check?.(onGraph)).toBe(false);
    const picked = { ...onGraph, graph: { ...onGraph.graph, selection: { kind: 'node' as const, name: 'sig' }, findQuery: 'Sigm' } };
    expect(find.check?.(picked)).toBe(true);
    expect(find.result?.(picked)?.text?.en).toBe('Sigmoid sig: conv_out → sigmoid_0.tmp_0');
  });
});
