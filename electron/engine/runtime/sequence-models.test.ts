/**
 * Sequence models with real backends, loaded from a repository: an ONNX model whose graph takes the
 * START/READY/CORRID control tensors and an implicit state (two sequences batched together by the
 * oldest strategy), and a Python accumulator that keys its sums by the CORRID tensor. The issue's
 * "input 'START' is missing in 'feeds'" is what the ONNX case used to fail with.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildOnnxModel } from '../onnx/testing/build-model';
import { closeRepositories, loadRepository, TempDirs } from '../repository/testing/temp-repo';
import { pythonMissing } from '../backends/python/testing/repo';
import type { Tensor } from '../tensor/tensor';
import { ensembleConfig, f32, modelConfig, rejection, tensor, values } from './testing/models';
import type { InferRequest } from './types';

const temp = new TempDirs();
afterAll(async () => {
  await closeRepositories();
  await temp.cleanup();
});

const FLOAT = 1;
const INT64 = 7;
const ACCUMULATE = buildOnnxModel({
  inputs: [
    { name: 'INPUT', type: FLOAT, dims: ['b', 1] },
    { name: 'START', type: FLOAT, dims: ['b', 1] },
    { name: 'READY', type: FLOAT, dims: ['b', 1] },
    { name: 'CORRID', type: INT64, dims: ['b', 1] },
    { name: 'ACC', type: FLOAT, dims: ['b', 1] },
  ],
  outputs: [
    { name: 'OUTPUT', type: FLOAT, dims: ['b', 1] },
    { name: 'ACC_OUT', type: FLOAT, dims: ['b', 1] },
    { name: 'SEEN', type: FLOAT, dims: ['b', 1] },
    { name: 'CID', type: INT64, dims: ['b', 1] },
  ],
  nodes: [
    { op: 'Add', inputs: ['INPUT', 'ACC'], outputs: ['OUTPUT'] },
    { op: 'Add', inputs: ['INPUT', 'ACC'], outputs: ['ACC_OUT'] },
    { op: 'Mul', inputs: ['START', 'READY'], outputs: ['SEEN'] },
    { op: 'Identity', inputs: ['CORRID'], outputs: ['CID'] },
  ],
});

const SEQUENCE = `sequence_batching {
  max_sequence_idle_microseconds: 5000000
  oldest { max_candidate_sequences: 4 preferred_batch_size: [ 2 ] max_queue_delay_microseconds: 200000 }
  control_input [
    { name: "START" control [ { kind: CONTROL_SEQUENCE_START fp32_false_true: [ 0, 1 ] } ] },
    { name: "READY" control [ { kind: CONTROL_SEQUENCE_READY fp32_false_true: [ 0, 1 ] } ] },
    { name: "CORRID" control [ { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_INT64 } ] }
  ]
  state [ { input_name: "ACC" output_name: "ACC_OUT" data_type: TYPE_FP32 dims: [ 1 ] } ]
}`;

const onnxConfig = modelConfig('acc', {
  backend: 'onnxruntime',
  mbs: 4,
  inputs: [{ name: 'INPUT', dims: [1] }],
  outputs: [
    { name: 'OUTPUT', dims: [1] },
    { name: 'SEEN', dims: [1] },
    { name: 'CID', type: 'INT64', dims: [1] },
  ],
  count: 1,
  extra: SEQUENCE,
});

function step(v: number, id: bigint, start = false, end = false): InferRequest {
  return { inputs: [f32('INPUT', [1, 1], [v])], sequence: { id, start, end } };
}

const pick = (outputs: Tensor[], name: string): number[] => values(outputs.find((t) => t.name === name));

describe('an ONNX sequence model with controls and implicit state', () => {
  it('loads, gets its control tensors and state, and keeps two sequences apart while batching them (oldest)', async () => {
    const d = await temp.make({ 'acc/config.pbtxt': onnxConfig, 'acc/1/model.onnx': ACCUMULATE });
    const repo = await loadRepository(d.root);
    expect(repo.models.get('acc')!.state).toBe('READY');
    const first = await Promise.all([repo.infer('acc', -1, step(1, 11n, true)), repo.infer('acc', -1, step(100, 22n, true))]);
    expect(first.map((r) => [pick(r.outputs, 'OUTPUT'), pick(r.outputs, 'SEEN'), pick(r.outputs, 'CID')])).toEqual([
      [[1], [1], [11]],
      [[100], [1], [22]],
    ]);
    expect(first[0]!.outputs.map((t) => t.name)).toEqual(['OUTPUT', 'SEEN', 'CID']);
    const second = await Promise.all([repo.infer('acc', -1, step(2, 11n)), repo.infer('acc', -1, step(200, 22n, false, true))]);
    expect(second.map((r) => [pick(r.outputs, 'OUTPUT'), pick(r.outputs, 'SEEN')])).toEqual([
      [[3], [0]],
      [[300], [0]],
    ]);
    expect(pick((await repo.infer('acc', -1, step(4, 11n, false, true))).outputs, 'OUTPUT')).toEqual([7]);
    // Each pair ran as one batch of two (the oldest strategy's preferred size); the last request alone, after the delay.
    const stats = repo.models.get('acc')!.versions[0]!.runner!.statistics;
    expect([...stats.batches.keys()].sort()).toEqual([1, 2]);
    const e = await rejection(repo.infer('acc', -1, step(1, 11n)));
    expect(e.message).toBe("inference request for sequence 11 to model 'acc' must specify the START flag on the first request of the sequence");
  });
});

describe('initial_state from a data_file', () => {
  const withFile = onnxConfig.replace(
    'state [ { input_name: "ACC" output_name: "ACC_OUT" data_type: TYPE_FP32 dims: [ 1 ] } ]',
    'state [ { input_name: "ACC" output_name: "ACC_OUT" data_type: TYPE_FP32 dims: [ 1 ] initial_state { name: "ten" data_type: TYPE_FP32 dims: [ 1 ] data_file: "ten.bin" } } ]',
  );

  it('starts each sequence from <model>/initial_state/<file>, and refuses to load a file shorter than the state', async () => {
    expect(withFile).toContain('data_file');
    const ten = new Uint8Array(Float32Array.of(10, 99).buffer);
    const d = await temp.make({ 'acc/config.pbtxt': withFile, 'acc/1/model.onnx': ACCUMULATE, 'acc/initial_state/ten.bin': ten });
    const repo = await loadRepository(d.root);
    expect(repo.models.get('acc')!.state).toBe('READY');
    expect(pick((await repo.infer('acc', -1, step(1, 5n, true))).outputs, 'OUTPUT')).toEqual([11]);
    expect(pick((await repo.infer('acc', -1, step(2, 5n, false, true))).outputs, 'OUTPUT')).toEqual([13]);
    const short = await temp.make({ 'acc/config.pbtxt': withFile, 'acc/1/model.onnx': ACCUMULATE, 'acc/initial_state/ten.bin': new Uint8Array(2) });
    const bad = await loadRepository(short.root);
    expect(bad.models.get('acc')!.state).toBe('UNAVAILABLE');
    expect(bad.models.get('acc')!.reason).toContain('initial_state setting expects 4 bytes, but the data provided from ten.binonly has 2 bytes.');
  });
});

describe('a sequence model as an ensemble step', () => {
  it("gets the ensemble request's sequence flags, and its refusals carry the ensemble prefix", async () => {
    const seq = modelConfig('seqid', {
      backend: 'identity',
      inputs: [{ name: 'INPUT0', dims: [1] }],
      outputs: [{ name: 'OUTPUT0', dims: [1] }],
      extra: 'sequence_batching { control_input [ { name: "CORRID" control [ { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_UINT64 } ] } ] }',
    });
    const ens = ensembleConfig('ens', { inputs: [{ name: 'X', dims: [1] }], outputs: [{ name: 'Y', dims: [1] }], steps: [{ model: 'seqid', inputs: { INPUT0: 'X' }, outputs: { OUTPUT0: 'Y' } }] });
    const d = await temp.make({ 'seqid/config.pbtxt': seq, 'seqid/1/.keep': '', 'ens/config.pbtxt': ens, 'ens/1/.keep': '' });
    const repo = await loadRepository(d.root);
    const x = (v: number, flags?: { id: bigint; start: boolean; end: boolean }): InferRequest => ({ inputs: [f32('X', [1], [v])], ...(flags ? { sequence: flags } : {}) });
    expect(values((await repo.infer('ens', -1, x(3, { id: 8n, start: true, end: false }))).outputs[0])).toEqual([3]);
    expect(
      repo.models
        .get('seqid')!
        .versions[0]!.runner!.sequences?.()
        .map((r) => r.id),
    ).toEqual(['8']);
    expect(values((await repo.infer('ens', -1, x(4, { id: 8n, start: false, end: true }))).outputs[0])).toEqual([4]);
    expect((await rejection(repo.infer('ens', -1, x(1)))).message).toBe("in ensemble 'ens', inference request to model 'seqid' must specify a non-zero or non-empty correlation ID");
    expect((await rejection(repo.infer('ens', -1, x(1, { id: 8n, start: false, end: false })))).message).toBe(
      "in ensemble 'ens', inference request for sequence 8 to model 'seqid' must specify the START flag on the first request of the sequence",
    );
  });
});

const PY_ACCUMULATOR = `import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def initialize(self, args):
        self.sums = {}

    def execute(self, requests):
        responses = []
        for request in requests:
            x = int(pb_utils.get_input_tensor_by_name(request, "INPUT").as_numpy().flatten()[0])
            start = int(pb_utils.get_input_tensor_by_name(request, "START").as_numpy().flatten()[0])
            end = bool(pb_utils.get_input_tensor_by_name(request, "END").as_numpy().flatten()[0])
            corrid = pb_utils.get_input_tensor_by_name(request, "CORRID").as_numpy().flatten()[0]
            key = corrid.decode() if isinstance(corrid, bytes) else int(corrid)
            if start:
                self.sums[key] = 0
            self.sums[key] += x
            total = self.sums[key]
            if end:
                del self.sums[key]
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("OUTPUT", np.array([total], dtype=np.int32))]))
        return responses
`;

function pyConfig(corrid: string): string {
  return modelConfig('pyacc', {
    backend: 'python',
    inputs: [{ name: 'INPUT', type: 'INT32', dims: [1] }],
    outputs: [{ name: 'OUTPUT', type: 'INT32', dims: [1] }],
    count: 1,
    extra: `sequence_batching {
  control_input [
    { name: "START" control [ { kind: CONTROL_SEQUENCE_START int32_false_true: [ 0, 1 ] } ] },
    { name: "END" control [ { kind: CONTROL_SEQUENCE_END bool_false_true: [ false, true ] } ] },
    { name: "CORRID" control [ { kind: CONTROL_SEQUENCE_CORRID data_type: ${corrid} } ] }
  ]
}`,
  });
}

describe.skipIf(pythonMissing)('a Python accumulator keyed by CORRID', () => {
  const int = (v: number, id: bigint | string, start = false, end = false): InferRequest => ({ inputs: [tensor('INPUT', 'INT32', [1], Int32Array.of(v))], sequence: { id, start, end } });

  it('sums each sequence by its uint64 id, and by a string id when CORRID is TYPE_STRING', async () => {
    const d = await temp.make({ 'pyacc/config.pbtxt': pyConfig('TYPE_UINT64'), 'pyacc/1/model.py': PY_ACCUMULATOR });
    const repo = await loadRepository(d.root);
    expect(repo.models.get('pyacc')!.state).toBe('READY');
    const big = 18446744073709551615n;
    const sums: number[] = [];
    for (const [v, start, end] of [
      [5, true, false],
      [6, false, false],
      [7, false, true],
    ] as const) {
      sums.push(values((await repo.infer('pyacc', -1, int(v, big, start, end))).outputs[0])[0]!);
    }
    expect(sums).toEqual([5, 11, 18]);
    const s = await temp.make({ 'pyacc/config.pbtxt': pyConfig('TYPE_STRING'), 'pyacc/1/model.py': PY_ACCUMULATOR });
    const srepo = await loadRepository(s.root);
    await srepo.infer('pyacc', -1, int(2, 'alpha', true));
    expect(values((await srepo.infer('pyacc', -1, int(3, 'alpha', false, true))).outputs[0])).toEqual([5]);
    expect((await rejection(srepo.infer('pyacc', -1, int(3, 9n, true)))).message).toContain("data-type is 'UINT64', but model 'pyacc' expects 'BYTES'");
  }, 30_000);
});
