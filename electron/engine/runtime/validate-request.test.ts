/**
 * Triton's request checks (core InferenceRequest::Normalize), message for
 * message: on prepareRequest directly, and through Repository.infer where the
 * backend must never see the refused request.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelConfig } from '../config/gen/model_config_pb';
import { parseConfigText } from '../config/text/parse';
import { LabError } from '../errors';
import { ModelRunner } from './model-runner';
import { loadRepository, TempDirs } from '../repository/testing/temp-repo';
import { f32, modelConfig, rejection, scriptConfig, scriptModel, tensor, text, values, type ModelOpts } from './testing/models';
import type { InferRequest } from './types';
import { prepareRequest } from './validate-request';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

const NOTE =
  'NOTE: Setting a non-zero max_batch_size in the model config requires a batch dimension to be prepended to each input shape. If you want to specify the full shape including the batch dim in your input dims config, try setting max_batch_size to zero. See the model configuration docs for more info on max_batch_size.';

function config(o: ModelOpts): ModelConfig {
  const parsed = parseConfigText(modelConfig('m', { backend: 'identity', ...o }));
  if (!parsed.config) throw new Error(parsed.error?.message);
  return parsed.config;
}

/** The error prepareRequest throws (it must throw a LabError with INVALID_ARG). */
function refusal(c: ModelConfig, req: InferRequest): string {
  try {
    prepareRequest(c, req);
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('INVALID_ARG');
    return (err as LabError).message;
  }
  throw new Error('the request was accepted');
}

const AB = config({
  mbs: 4,
  inputs: [
    { name: 'A', dims: [3] },
    { name: 'B', dims: [3] },
  ],
  outputs: [{ name: 'OUT', dims: [3] }],
});
const a = (shape = [1, 3], n = 3): ReturnType<typeof f32> => f32('A', shape, new Array<number>(n).fill(1));
const b = (shape = [1, 3], n = 3): ReturnType<typeof f32> => f32('B', shape, new Array<number>(n).fill(2));

describe('input count', () => {
  it('no optional inputs: "expected N inputs but got M inputs", got and missing lists', () => {
    expect(refusal(AB, { id: 'r1', inputs: [a()] })).toBe(
      "[request id: r1] expected 2 inputs but got 1 inputs for model 'm'. Got input(s) ['A'], but missing required input(s) ['B']. Please provide all required input(s).",
    );
  });

  it('with optional inputs: "expected number of inputs between R and N"; an empty request lists []', () => {
    const c = config({
      mbs: 4,
      inputs: [
        { name: 'A', dims: [3] },
        { name: 'B', dims: [3] },
        { name: 'C', dims: [3], extra: 'optional: true' },
      ],
      outputs: [{ name: 'OUT', dims: [3] }],
    });
    expect(refusal(c, { inputs: [] })).toBe(
      "[request id: <id_unknown>] expected number of inputs between 2 and 3 but got 0 inputs for model 'm'. Got input(s) [], but missing required input(s) ['A','B']. Please provide all required input(s).",
    );
    // Leaving out only the optional input is fine.
    expect(prepareRequest(c, { inputs: [a(), b()] }).inputs.size).toBe(2);
  });

  it('too many inputs with nothing missing keeps Triton\'s "missing required input(s) ]" text', () => {
    expect(refusal(AB, { id: 'x', inputs: [a(), b(), f32('X', [1, 3], [0, 0, 0])] })).toBe(
      "[request id: x] expected 2 inputs but got 3 inputs for model 'm'. Got input(s) ['A','B','X'], but missing required input(s) ]. Please provide all required input(s).",
    );
  });

  it('the same input twice is refused', () => {
    expect(refusal(AB, { id: 'd', inputs: [a(), a()] })).toBe("[request id: d] input 'A' already exists in request");
  });
});

describe('names', () => {
  it('an unknown input (count right) has no request-id prefix', () => {
    expect(refusal(AB, { id: 'r', inputs: [a(), f32('X', [1, 3], [0, 0, 0])] })).toBe("unexpected inference input 'X' for model 'm'");
  });

  it('an unknown requested output is reported first, without prefix', () => {
    // Even with a wrong input count, the output check comes first (Normalize step 1).
    expect(refusal(AB, { id: 'r', inputs: [a()], outputs: ['NOPE'] })).toBe("unexpected inference output 'NOPE' for model 'm'");
  });

  it('no outputs named means every config output', () => {
    const c = config({
      inputs: [{ name: 'A', dims: [1] }],
      outputs: [
        { name: 'X', dims: [1] },
        { name: 'Y', dims: [1] },
      ],
    });
    expect(prepareRequest(c, { inputs: [f32('A', [1], [1])] }).requested).toEqual(['X', 'Y']);
    expect(prepareRequest(c, { inputs: [f32('A', [1], [1])], outputs: ['Y'] }).requested).toEqual(['Y']);
  });
});

describe('types and shapes', () => {
  it('a dtype mismatch names both protocol types', () => {
    expect(refusal(AB, { id: 't', inputs: [a(), tensor('B', 'FP64', [1, 3], new Float64Array(3))] })).toBe("[request id: t] inference input 'B' data-type is 'FP64', but model 'm' expects 'FP32'");
  });

  it('a shape mismatch with max_batch_size > 0 shows [-1,...] and the NOTE', () => {
    expect(refusal(AB, { inputs: [a([2, 4], 8), b([2, 3], 6)] })).toBe(`[request id: <id_unknown>] unexpected shape for input 'A' for model 'm'. Expected [-1,3], got [2,4]. ${NOTE}`);
  });

  it('a shape mismatch with max_batch_size 0 has no NOTE and ends with ". "', () => {
    const c = config({ mbs: 0, inputs: [{ name: 'A', dims: [3] }], outputs: [{ name: 'OUT', dims: [3] }] });
    expect(refusal(c, { id: 'z', inputs: [f32('A', [4], [1, 2, 3, 4])] })).toBe("[request id: z] unexpected shape for input 'A' for model 'm'. Expected [3], got [4]. ");
    // A batch dimension sent to a non-batching model is a rank mismatch, not a batch.
    expect(refusal(c, { id: 'z', inputs: [f32('A', [1, 3], [1, 2, 3])] })).toBe("[request id: z] unexpected shape for input 'A' for model 'm'. Expected [3], got [1,3]. ");
  });

  it('a -1 in the request shape: "All input dimensions should be specified"', () => {
    const c = config({ mbs: 4, inputs: [{ name: 'A', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] });
    expect(refusal(c, { id: 'w', inputs: [f32('A', [1, -1], [])] })).toBe("[request id: w] All input dimensions should be specified for input 'A' for model 'm', got [1,-1]");
  });

  it('a config -1 matches any size', () => {
    const c = config({ mbs: 0, inputs: [{ name: 'A', dims: [-1, 2] }], outputs: [{ name: 'OUT', dims: [-1, 2] }] });
    expect(prepareRequest(c, { inputs: [f32('A', [3, 2], [1, 2, 3, 4, 5, 6])] }).inputs.get('A')!.shape).toEqual([3, 2]);
  });
});

describe('batch', () => {
  it('batch size over max_batch_size', () => {
    expect(refusal(AB, { id: 'b', inputs: [a([5, 3], 15), b([5, 3], 15)] })).toBe("[request id: b] inference request batch-size must be <= 4 for 'm'");
  });

  it('inputs with different batch sizes', () => {
    expect(refusal(AB, { id: 'b', inputs: [a([2, 3], 6), b([3, 3], 9)] })).toBe("[request id: b] input 'B' batch size does not match other inputs for 'm'");
  });

  it('an input without shape when the model batches', () => {
    expect(refusal(AB, { id: 'b', inputs: [f32('A', [], [1]), b()] })).toBe("[request id: b] input 'A' has no shape but model requires batch dimension for 'm'");
  });

  it('the batch size is the first dimension; 0 for a non-batching model', () => {
    expect(prepareRequest(AB, { inputs: [a([2, 3], 6), b([2, 3], 6)] }).batchSize).toBe(2);
    const c = config({ mbs: 0, inputs: [{ name: 'A', dims: [3] }], outputs: [{ name: 'OUT', dims: [3] }] });
    expect(prepareRequest(c, { inputs: [f32('A', [3], [1, 2, 3])] }).batchSize).toBe(0);
  });
});

describe('data size', () => {
  it('byte size mismatch counts the batch dimension', () => {
    expect(refusal(AB, { id: 's', inputs: [a([2, 3], 5), b([2, 3], 6)] })).toBe("[request id: s] input byte size mismatch for input 'A' for model 'm'. Expected 24, got 20");
  });

  it('BYTES: too few elements', () => {
    const c = config({ mbs: 4, inputs: [{ name: 'S', type: 'STRING', dims: [3] }], outputs: [{ name: 'OUT', type: 'STRING', dims: [3] }] });
    expect(refusal(c, { id: 'q', inputs: [text('S', [1, 3], ['a', 'b'])] })).toBe("[request id: q] expected 3 string elements for inference input 'S' for model 'm', got 2");
  });

  it('BYTES: too many elements reports count+1, as Triton stops at the first extra one', () => {
    const c = config({ mbs: 4, inputs: [{ name: 'S', type: 'STRING', dims: [3] }], outputs: [{ name: 'OUT', type: 'STRING', dims: [3] }] });
    expect(refusal(c, { id: 'q', inputs: [text('S', [1, 3], ['a', 'b', 'c', 'd', 'e'])] })).toBe(
      "[request id: q] unexpected number of string elements 4 for inference input 'S' for model 'm', expecting 3",
    );
  });
});

describe('reshape', () => {
  const c = config({
    mbs: 4,
    inputs: [{ name: 'A', dims: [-1, 4], extra: 'reshape: { shape: [ -1, 2, 2 ] }' }],
    outputs: [{ name: 'OUT', dims: [-1, 4], extra: 'reshape: { shape: [ -1, 2, 2 ] }' }],
  });

  it('is checked against dims, then the backend gets reshape.shape with the batch dimension', () => {
    const p = prepareRequest(c, { inputs: [f32('A', [2, 3, 4], new Array<number>(24).fill(0))] });
    expect(p.inputs.get('A')!.shape).toEqual([2, 3, 2, 2]);
    // A request in reshape space is refused: the check is against dims.
    expect(refusal(c, { inputs: [f32('A', [1, 3, 2, 2], new Array<number>(12).fill(0))] })).toContain("unexpected shape for input 'A' for model 'm'. Expected [-1,-1,4], got [1,3,2,2].");
  });

  it('end to end: a script model sees the reshaped input, the client gets dims back', async () => {
    const d = await temp.make({
      'rs/config.pbtxt': scriptConfig('rs', {
        mbs: 4,
        inputs: [{ name: 'IN', dims: [4], extra: 'reshape: { shape: [ 2, 2 ] }' }],
        outputs: [
          { name: 'OUT', dims: [4], extra: 'reshape: { shape: [ 2, 2 ] }' },
          { name: 'SHAPE', type: 'INT32', dims: [-1] },
        ],
      }),
      'rs/1/model.js': scriptModel(`    const t = pb_utils.get_input_tensor_by_name(request, 'IN');
    return new pb_utils.InferenceResponse({ output_tensors: [
      new pb_utils.Tensor('OUT', t.data, t.shape),
      new pb_utils.Tensor('SHAPE', Int32Array.from(t.shape), [1, t.shape.length]),
    ] });`),
    });
    const repo = await loadRepository(d.root);
    const r = await repo.infer('rs', -1, { inputs: [f32('IN', [1, 4], [1, 2, 3, 4])] });
    const shape = r.outputs.find((t) => t.name === 'SHAPE')!;
    expect(values(shape)).toEqual([1, 2, 2]);
    const out = r.outputs.find((t) => t.name === 'OUT')!;
    expect(out.shape).toEqual([1, 4]);
    expect(values(out)).toEqual([1, 2, 3, 4]);
  });
});

describe('through Repository.infer', () => {
  it('a refused request never reaches an instance, and the code is INVALID_ARG', async () => {
    const d = await temp.make({
      'm/config.pbtxt': modelConfig('m', { backend: 'identity', mbs: 4, inputs: [{ name: 'INPUT0', dims: [3] }], outputs: [{ name: 'OUTPUT0', dims: [3] }] }),
      'm/1': null,
    });
    const repo = await loadRepository(d.root);
    const e = await rejection(repo.infer('m', -1, { id: 'req-7', inputs: [f32('INPUT0', [1, 2], [1, 2])] }));
    expect(e.code).toBe('INVALID_ARG');
    expect(e.message).toBe(`[request id: req-7] unexpected shape for input 'INPUT0' for model 'm'. Expected [-1,3], got [1,2]. ${NOTE}`);
    const runner = repo.resolve('m', -1) as ModelRunner;
    expect(runner.stats.executionCount).toBe(0);
    // Refused before it was queued (PrepareForInference): Triton counts no failure for it.
    expect(runner.stats.failure).toBe(0);
    const ok = await repo.infer('m', -1, { id: 'req-8', inputs: [f32('INPUT0', [1, 3], [1, 2, 3])] });
    expect(ok.id).toBe('req-8');
    expect(runner.stats.executionCount).toBe(1);
  });
});
