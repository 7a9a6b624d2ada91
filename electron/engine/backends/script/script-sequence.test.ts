/**
 * Script models read a request's sequence as Python's model.py does: `request.correlation_id()`
 * (a uint64 as an exact bigint, or the string id) and `request.flags()` (START 1, END 2), and a
 * BLS `InferenceRequest({ correlation_id, flags })` sends its sequence to the model it calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repository } from '../../repository/repository';
import { closeRepositories, loadRepository, makeTempDir, type TempDir } from '../../repository/testing/temp-repo';
import { scriptConfig, text } from '../../runtime/testing/models';
import { stringsFromBytes } from '../../tensor/tensor';

/** Answers with what it was sent: the id, its type and the flags. */
const PROBE = `export default class TritonPythonModel {
  execute(requests) {
    return requests.map((r) => {
      const id = r.correlation_id();
      return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', [String(id) + ':' + typeof id + ':' + r.flags()], [1])] });
    });
  }
}
`;

/** CMD is JSON { id, idIsBig, flags }: a BLS call to 'probe' with that sequence; answers with the probe's answer. */
const CALLER = `export default class TritonPythonModel {
  async execute(requests) {
    const out = [];
    for (const r of requests) {
      const cmd = JSON.parse(pb_utils.get_input_tensor_by_name(r, 'CMD').strings()[0]);
      let answer;
      try {
        const id = cmd.idIsBig ? BigInt(cmd.id) : cmd.id;
        const call = new pb_utils.InferenceRequest({ model_name: 'probe', inputs: [new pb_utils.Tensor('CMD', ['x'], [1])], correlation_id: id, flags: cmd.flags });
        const res = await call.exec();
        answer = res.has_error() ? 'error: ' + res.error().message() : pb_utils.get_output_tensor_by_name(res, 'OUT').strings()[0];
      } catch (e) {
        answer = 'refused: ' + e.message();
      }
      out.push(new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', [answer], [1])] }));
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
    'probe/config.pbtxt': scriptConfig('probe', io),
    'probe/1/model.js': PROBE,
    'caller/config.pbtxt': scriptConfig('caller', io),
    'caller/1/model.js': CALLER,
  });
  repo = await loadRepository(dir.root);
});
afterAll(async () => {
  await closeRepositories();
  dir?.cleanup();
});

const answer = async (model: string, cmd: string, sequence?: { id: bigint | string; start: boolean; end: boolean }): Promise<string> => {
  const r = await repo.infer(model, -1, { inputs: [text('CMD', [1], [cmd])], ...(sequence ? { sequence } : {}) });
  return stringsFromBytes(r.outputs[0]!.data as Uint8Array[])[0]!;
};

describe('script model sequences', () => {
  it('correlation_id() and flags() read the request sequence, a uint64 past 2^53 exact, a string id as a string', async () => {
    expect(await answer('probe', 'x')).toBe('0:bigint:0');
    expect(await answer('probe', 'x', { id: 18446744073709551615n, start: true, end: false })).toBe('18446744073709551615:bigint:1');
    expect(await answer('probe', 'x', { id: 'session-a', start: false, end: true })).toBe('session-a:string:2');
  });

  it('a BLS request sends its correlation id and flags to the model it calls; bad ones are refused in the model', async () => {
    expect(await answer('caller', JSON.stringify({ id: '9007199254740993', idIsBig: true, flags: 3 }))).toBe('9007199254740993:bigint:3');
    expect(await answer('caller', JSON.stringify({ id: 'abc', flags: 1 }))).toBe('abc:string:1');
    expect(await answer('caller', JSON.stringify({ id: -1 }))).toContain('refused: correlation_id must be an unsigned 64-bit integer or a string');
    expect(await answer('caller', JSON.stringify({ id: 5, flags: 8 }))).toContain('refused: flags must be 0-3');
  });
});
