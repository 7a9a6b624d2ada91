/**
 * Parameters in script models, as in Triton's Python API: a BLS caller reads
 * the called model's response parameters (`response.parameters()`, JSON
 * text), request parameters it sends are checked with Triton's wording and
 * reach the called model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repository } from '../../repository/repository';
import { closeRepositories, loadRepository, makeTempDir, type TempDir } from '../../repository/testing/temp-repo';
import { rejection, scriptConfig, text } from '../../runtime/testing/models';
import { stringsFromBytes } from '../../tensor/tensor';

/** Echoes its request's parameters back as response parameters. */
const ECHO = `export default class TritonPythonModel {
  execute(requests) {
    return requests.map((r) => new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', ['ok'], [1])], parameters: JSON.parse(r.parameters()) }));
  }
}
`;

/** CMD is JSON: parameters for a BLS call to 'echo'; answers with what came back. */
const CALLER = `export default class TritonPythonModel {
  async execute(requests) {
    const out = [];
    for (const r of requests) {
      const params = JSON.parse(pb_utils.get_input_tensor_by_name(r, 'CMD').strings()[0]);
      const call = new pb_utils.InferenceRequest({ model_name: 'echo', inputs: [new pb_utils.Tensor('CMD', ['x'], [1])], parameters: params });
      const res = await call.exec();
      out.push(new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', [call.parameters() + ' -> ' + res.parameters()], [1])] }));
    }
    return out;
  }
}
`;

const io = { inputs: [{ name: 'CMD', type: 'STRING', dims: [1] }], outputs: [{ name: 'OUT', type: 'STRING', dims: [1] }] };
let dir: TempDir;
let repo: Repository;

beforeAll(async () => {
  dir = await makeTempDir({
    'echo/config.pbtxt': scriptConfig('echo', io),
    'echo/1/model.js': ECHO,
    'caller/config.pbtxt': scriptConfig('caller', io),
    'caller/1/model.js': CALLER,
  });
  repo = await loadRepository(dir.root);
});
afterAll(async () => {
  await closeRepositories();
  dir?.cleanup();
});

const run = async (params: unknown): Promise<string> => {
  const r = await repo.infer('caller', -1, { inputs: [text('CMD', [1], [JSON.stringify(params)])] });
  return stringsFromBytes(r.outputs[0]!.data as Uint8Array[])[0]!;
};

describe('script model parameters', () => {
  it('a BLS caller sends request parameters and reads the response parameters', async () => {
    expect(await run({ a: 1, b: true, c: 'x' })).toBe('{"a":1,"b":true,"c":"x"} -> {"a":1,"b":true,"c":"x"}');
    expect(await run({})).toBe('{} -> {}');
  });

  it("request parameters of another type are refused with Triton's wording", async () => {
    const e = await rejection(run({ f: 0.25 }));
    expect(e.message).toMatch(/^Failed to process the request\(s\) for model 'caller_0', message: TritonError: Expect parameters values to have type bool\/int\/str, found type <class 'float'>/);
    expect((await rejection(run([1]))).message).toContain("Expect dict, got <class 'list'>");
  });
});
