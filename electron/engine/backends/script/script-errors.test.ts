/**
 * What a script model's execute() can get wrong, and Triton's Python-backend
 * wording for each: a throw fails the whole batch with a traceback, a wrong
 * return fails it with the stub's message, an error response fails only its
 * own request, and outputs nobody asked for are dropped.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repository } from '../../repository/repository';
import { loadRepository, makeTempDir, type TempDir } from '../../repository/testing/temp-repo';
import type { ModelRunner } from '../../runtime/model-runner';
import { f32, rejection, scriptConfig, values } from '../../runtime/testing/models';
import { type InferResult, type PreparedRequest, responseOutputs } from '../../runtime/types';

let dir: TempDir;
let repo: Repository;

const batching = { mbs: 8, dynamic: true, count: 1, inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] };
const single = { inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] };

// Line numbers matter: the traceback names them.
const THROWS = `function check(requests) {
  throw new Error(\`bad batch of \${requests.length}\`);
}
export default class TritonPythonModel {
  async execute(requests) {
    await new Promise((r) => setTimeout(r, 60));
    check(requests);
    return [];
  }
}
`;

const PER_REQUEST = `export default class TritonPythonModel {
  async execute(requests) {
    await new Promise((r) => setTimeout(r, 60));
    return requests.map((r) => {
      const x = pb_utils.get_input_tensor_by_name(r, 'IN');
      if (x.data[0] < 0) return new pb_utils.InferenceResponse({ error: new pb_utils.TritonError('x', pb_utils.TritonError.INVALID_ARG) });
      if (x.data[0] === 0) return new pb_utils.InferenceResponse({ error: 'plain message' });
      return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', x.data, x.shape)] });
    });
  }
}
`;

// IN[0] picks the mistake: 1 two responses for one request, 2 no array, 3 an element of the wrong type.
const RETURNS = `export default class TritonPythonModel {
  execute(requests) {
    const ok = () => new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', new Float32Array([1]), [1])] });
    const v = requests[0].inputs()[0].data[0];
    if (v === 1) return [ok(), ok()];
    if (v === 2) return ok();
    return [{ output_tensors: [] }];
  }
}
`;

const EXTRA = `export default class TritonPythonModel {
  execute(requests) {
    return requests.map((r) => new pb_utils.InferenceResponse({ output_tensors: [
      new pb_utils.Tensor('OUT', new Float32Array([1]), [1]),
      new pb_utils.Tensor('EXTRA', new Float32Array([2]), [1]),
      new pb_utils.Tensor('NOT_IN_CONFIG', new Float32Array([3]), [1]),
      new pb_utils.Tensor('ASKED', [r.requested_output_names().join(',')], [1]),
    ] }));
  }
}
`;

beforeAll(async () => {
  dir = await makeTempDir({
    'throws/config.pbtxt': scriptConfig('throws', batching),
    'throws/1/model.js': THROWS,
    'perreq/config.pbtxt': scriptConfig('perreq', batching),
    'perreq/1/model.js': PER_REQUEST,
    'returns/config.pbtxt': scriptConfig('returns', single),
    'returns/1/model.js': RETURNS,
    'extra/config.pbtxt': scriptConfig('extra', {
      inputs: [{ name: 'IN', dims: [-1] }],
      outputs: [
        { name: 'OUT', dims: [-1] },
        { name: 'EXTRA', dims: [-1] },
        { name: 'ASKED', type: 'STRING', dims: [1] },
      ],
    }),
    'extra/1/model.js': EXTRA,
  });
  repo = await loadRepository(dir.root);
});
afterAll(() => dir.cleanup());

const req = (v: number) => ({ inputs: [f32('IN', [1, 1], [v])] });

describe('execute() throws', () => {
  it('every request of the batch fails with "Failed to process the request(s) for model \'<instance>\'" and a traceback', async () => {
    const file = path.join(dir.root, 'throws/1/model.js');
    const settled = await Promise.allSettled([1, 2, 3, 4].map((v) => repo.infer('throws', -1, req(v))));
    const runner = repo.resolve('throws', -1) as ModelRunner;
    // The first ran alone while the other three queued and then ran together.
    expect(runner.stats.executionCount).toBe(2);
    const messages = settled.map((s) => (s.status === 'rejected' ? (s.reason as Error).message : 'fulfilled'));
    expect(messages[0]).toBe(`Failed to process the request(s) for model 'throws_0_0', message: Error: bad batch of 1\n\nAt:\n  ${file}(2): check\n  ${file}(7): execute\n`);
    for (const m of messages.slice(1)) {
      expect(m).toBe(`Failed to process the request(s) for model 'throws_0_0', message: Error: bad batch of 3\n\nAt:\n  ${file}(2): check\n  ${file}(7): execute\n`);
    }
    for (const s of settled) expect((s as PromiseRejectedResult).reason).toMatchObject({ code: 'INTERNAL' });
  });
});

describe('what execute() returns', () => {
  it('a wrong number of responses', async () => {
    const e = await rejection(repo.infer('returns', -1, { inputs: [f32('IN', [1], [1])] }));
    expect(e.code).toBe('INTERNAL');
    expect(e.message).toBe(
      "Failed to process the request(s) for model 'returns_0', message: Number of InferenceResponse objects do not match the number of InferenceRequest objects. InferenceRequest(s) size is:1, and InferenceResponse(s) size is:2\n",
    );
  });

  it('not an array', async () => {
    const e = await rejection(repo.infer('returns', -1, { inputs: [f32('IN', [1], [2])] }));
    expect(e.message).toBe("Failed to process the request(s) for model 'returns_0', message: Expected a list in the execute return, found type 'object'.");
  });

  it('an element that is not an InferenceResponse', async () => {
    const e = await rejection(repo.infer('returns', -1, { inputs: [f32('IN', [1], [3])] }));
    expect(e.message).toBe("Failed to process the request(s) for model 'returns_0', message: Expected an 'InferenceResponse' object in the execute function return list, found type 'Object'.");
  });

  it('an error response fails only its request, with its code and no prefix', async () => {
    const settled = await Promise.allSettled([5, 6, -1, 7, 0].map((v) => repo.infer('perreq', -1, req(v))));
    expect((repo.resolve('perreq', -1) as ModelRunner).stats.executionCount).toBeLessThan(5);
    const [a, b, bad, c, plain] = settled;
    for (const [s, v] of [
      [a, 5],
      [b, 6],
      [c, 7],
    ] as const) {
      expect(s!.status).toBe('fulfilled');
      expect(values((s as PromiseFulfilledResult<InferResult>).value.outputs[0])).toEqual([v]);
    }
    expect(bad!.status).toBe('rejected');
    expect((bad as PromiseRejectedResult).reason).toMatchObject({ code: 'INVALID_ARG', message: 'x' });
    // A string error is a TritonError with the default code.
    expect((plain as PromiseRejectedResult).reason).toMatchObject({ code: 'INTERNAL', message: 'plain message' });
  });

  it('outputs that were not requested are dropped in the worker', async () => {
    const runner = repo.resolve('extra', -1) as ModelRunner;
    const prepared: PreparedRequest = { id: 'p', batchSize: 0, inputs: new Map([['IN', f32('IN', [1], [1])]]), requested: ['OUT', 'ASKED'], parameters: {} };
    const [result] = await runner.instances[0]!.execute([prepared]);
    if (result instanceof Error) throw result;
    expect(responseOutputs(result!).map((t) => t.name)).toEqual(['OUT', 'ASKED']);
    // requested_output_names() is what the request asked for; all outputs when none were named.
    const all = await repo.infer('extra', -1, { inputs: [f32('IN', [1], [1])] });
    expect(all.outputs.map((t) => t.name)).toEqual(['OUT', 'EXTRA', 'ASKED']);
    expect(new TextDecoder().decode((all.outputs[2]!.data as Uint8Array[])[0])).toBe('OUT,EXTRA,ASKED');
  });
});
