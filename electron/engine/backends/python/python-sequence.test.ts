/**
 * A request's sequence reaches model.py as on Triton: request.correlation_id() is the uint64 (a
 * Python int, exact up to 2^64-1) or the string id, request.flags() holds START (1) and END (2); a
 * BLS InferenceRequest(correlation_id=…, flags=…) sends its sequence to the model it calls,
 * whose sequence batcher then applies Triton's rules to it.
 */
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest';
import type { Repository } from '../../repository/repository';
import { closeRepositories, loadRepository, makeTempDir, stateOf, type TempDir } from '../../repository/testing/temp-repo';
import { rejection, tensor, text, values } from '../../runtime/testing/models';
import type { SequenceFlags } from '../../runtime/types';
import { stringsFromBytes, type Tensor } from '../../tensor/tensor';
import { pyModel, pythonConfig, pythonMissing } from './testing/repo';

const describe = describeAll.skipIf(pythonMissing);
const outputs = [
  { name: 'CID', type: 'STRING', dims: [1] },
  { name: 'KIND', type: 'STRING', dims: [1] },
  { name: 'FLAGS', type: 'INT32', dims: [1] },
];

let dir: TempDir;
let repo: Repository;

beforeAll(async () => {
  if (pythonMissing) return;
  dir = await makeTempDir({
    'sequence_probe/config.pbtxt': pythonConfig('sequence_probe', {
      inputs: [{ name: 'IN', type: 'INT32', dims: [1] }],
      outputs,
      extra: 'sequence_batching { max_sequence_idle_microseconds: 60000000 }',
    }),
    'sequence_probe/1/model.py': pyModel('sequence_probe'),
    'plain_probe/config.pbtxt': pythonConfig('plain_probe', { inputs: [{ name: 'IN', type: 'INT32', dims: [1] }], outputs }),
    'plain_probe/1/model.py': pyModel('sequence_probe'),
    'sequence_bls/config.pbtxt': pythonConfig('sequence_bls', {
      inputs: [
        { name: 'CID', type: 'STRING', dims: [1] },
        { name: 'FLAGS', type: 'INT32', dims: [1] },
      ],
      outputs,
    }),
    'sequence_bls/1/model.py': pyModel('sequence_bls'),
  });
  repo = await loadRepository(dir.root);
  for (const m of ['sequence_probe', 'plain_probe', 'sequence_bls']) expect(stateOf(repo, m), m).toEqual({ state: 'READY', reason: '' });
});
afterAll(async () => {
  await closeRepositories();
  dir?.cleanup();
});

const seen = (out: Tensor[]): [string, string, number] => {
  const str = (n: string): string => stringsFromBytes(out.find((t) => t.name === n)!.data as Uint8Array[])[0]!;
  return [str('CID'), str('KIND'), values(out.find((t) => t.name === 'FLAGS'))[0]!];
};

async function probe(sequence: SequenceFlags): Promise<[string, string, number]> {
  const res = await repo.infer('sequence_probe', -1, { inputs: [tensor('IN', 'INT32', [1], Int32Array.of(1))], sequence });
  return seen(res.outputs);
}

describe('correlation_id() and flags() in model.py', () => {
  it('a uint64 id arrives as an exact Python int, with START and END as Triton sets them', async () => {
    const id = (1n << 64n) - 1n;
    expect(await probe({ id, start: true, end: false })).toEqual(['18446744073709551615', 'int', 1]);
    expect(await probe({ id, start: false, end: false })).toEqual(['18446744073709551615', 'int', 0]);
    expect(await probe({ id, start: false, end: true })).toEqual(['18446744073709551615', 'int', 2]);
    expect(await probe({ id: 9007199254740993n, start: true, end: true })).toEqual(['9007199254740993', 'int', 3]);
  });

  it('a model without sequence_batching sees them too (Triton passes them to every backend)', async () => {
    const res = await repo.infer('plain_probe', -1, { inputs: [tensor('IN', 'INT32', [1], Int32Array.of(1))], sequence: { id: 5n, start: true, end: false } });
    expect(seen(res.outputs)).toEqual(['5', 'int', 1]);
    const none = await repo.infer('plain_probe', -1, { inputs: [tensor('IN', 'INT32', [1], Int32Array.of(1))] });
    expect(seen(none.outputs)).toEqual(['0', 'int', 0]);
  });

  it('a string id arrives as a Python str', async () => {
    expect(await probe({ id: 'user-42', start: true, end: true })).toEqual(['user-42', 'str', 3]);
  });
});

describe('BLS InferenceRequest(correlation_id=…, flags=…)', () => {
  const bls = (cid: string, flags: number) => repo.infer('sequence_bls', -1, { inputs: [text('CID', [1], [cid]), tensor('FLAGS', 'INT32', [1], Int32Array.of(flags))] });

  it('sends its sequence to the called model: a uint64 past 2^53 exact, a string id as a string', async () => {
    expect(seen((await bls('u18446744073709551614', 3)).outputs)).toEqual(['18446744073709551614', 'int', 3]);
    expect(seen((await bls('s-1', 1)).outputs)).toEqual(['s-1', 'str', 1]);
    expect(seen((await bls('s-1', 2)).outputs)).toEqual(['s-1', 'str', 2]);
  });

  it("is held to the called model's sequence rules: no START on a new sequence, no id at all", async () => {
    expect((await rejection(bls('u77', 0))).message).toContain('must specify the START flag on the first request of the sequence');
    expect((await rejection(bls('u0', 0))).message).toContain('must specify a non-zero or non-empty correlation ID');
  });
});
