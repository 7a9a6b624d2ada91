/**
 * Triton's identity backend: OUTPUT<k> is INPUT<k> byte for byte (paired by
 * the name's suffix, not by position), an absent optional input gives zeros,
 * and the load-time config checks use identity_backend's wording.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadRepository, TempDirs } from '../../repository/testing/temp-repo';
import { f32, modelConfig, rejection, tensor, text, values, type Io } from '../../runtime/testing/models';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

async function identityRepo(inputs: Io[], outputs: Io[], mbs = 4) {
  const d = await temp.make({ 'id/config.pbtxt': modelConfig('id', { backend: 'identity', mbs, inputs, outputs }), 'id/1': null });
  return loadRepository(d.root);
}

describe('execute', () => {
  it('pairs OUTPUT<k> with INPUT<k> by suffix, whatever the order in the config', async () => {
    const repo = await identityRepo(
      [
        { name: 'INPUT0', dims: [-1] },
        { name: 'INPUT1', type: 'INT32', dims: [-1] },
      ],
      [
        { name: 'OUTPUT1', type: 'INT32', dims: [-1] },
        { name: 'OUTPUT0', dims: [-1] },
      ],
    );
    const r = await repo.infer('id', -1, {
      inputs: [f32('INPUT0', [1, 2], [1.5, -2]), tensor('INPUT1', 'INT32', [1, 3], Int32Array.from([7, 8, 9]))],
    });
    const byName = new Map(r.outputs.map((t) => [t.name, t]));
    expect(byName.get('OUTPUT0')).toMatchObject({ dtype: 'FP32', shape: [1, 2] });
    expect(values(byName.get('OUTPUT0'))).toEqual([1.5, -2]);
    expect(byName.get('OUTPUT1')).toMatchObject({ dtype: 'INT32', shape: [1, 3] });
    expect(values(byName.get('OUTPUT1'))).toEqual([7, 8, 9]);
    // Outputs come back in the order asked; only requested ones.
    const only = await repo.infer('id', -1, { inputs: [f32('INPUT0', [1, 1], [3]), tensor('INPUT1', 'INT32', [1, 1], Int32Array.from([4]))], outputs: ['OUTPUT1'] });
    expect(only.outputs.map((t) => t.name)).toEqual(['OUTPUT1']);
    expect(values(only.outputs[0])).toEqual([4]);
  });

  it('BYTES round-trip exactly: empty, binary, zero bytes, UTF-8', async () => {
    const repo = await identityRepo([{ name: 'INPUT0', type: 'STRING', dims: [-1] }], [{ name: 'OUTPUT0', type: 'STRING', dims: [-1] }]);
    const items = [new Uint8Array([]), new Uint8Array([0, 255, 0, 128]), new TextEncoder().encode('你好，世界'), new TextEncoder().encode('a\nb')];
    const r = await repo.infer('id', -1, { inputs: [tensor('INPUT0', 'BYTES', [1, 4], items)] });
    const out = r.outputs[0]!;
    expect(out.dtype).toBe('BYTES');
    expect(out.shape).toEqual([1, 4]);
    expect((out.data as Uint8Array[]).map((b) => Array.from(b))).toEqual(items.map((b) => Array.from(b)));
  });

  it('an absent optional input gives a zero-filled output: dims with -1 as 1, batch prepended', async () => {
    const repo = await identityRepo(
      [
        { name: 'INPUT0', dims: [-1] },
        { name: 'INPUT1', dims: [-1, 3], extra: 'optional: true' },
      ],
      [
        { name: 'OUTPUT0', dims: [-1] },
        { name: 'OUTPUT1', dims: [-1, 3] },
      ],
    );
    const r = await repo.infer('id', -1, { inputs: [f32('INPUT0', [2, 1], [5, 6])] });
    const out1 = r.outputs.find((t) => t.name === 'OUTPUT1')!;
    expect(out1).toMatchObject({ dtype: 'FP32', shape: [2, 1, 3] });
    expect(values(out1)).toEqual([0, 0, 0, 0, 0, 0]);
    // When given, it is copied like any other.
    const given = await repo.infer('id', -1, { inputs: [f32('INPUT0', [1, 1], [5]), f32('INPUT1', [1, 2, 3], [1, 2, 3, 4, 5, 6])] });
    expect(values(given.outputs.find((t) => t.name === 'OUTPUT1'))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a request the model refuses fails with the request checks, not in the backend', async () => {
    const repo = await identityRepo([{ name: 'INPUT0', dims: [2] }], [{ name: 'OUTPUT0', dims: [2] }]);
    const e = await rejection(repo.infer('id', -1, { inputs: [text('INPUT0', [1, 2], ['a', 'b'])] }));
    expect(e.message).toBe("[request id: <id_unknown>] inference input 'INPUT0' data-type is 'BYTES', but model 'id' expects 'FP32'");
  });
});

describe('config checks (identity_backend ValidateModelConfig)', () => {
  const cases: [string, Io[], Io[], string][] = [
    ['unequal counts', [{ name: 'INPUT0' }, { name: 'INPUT1' }], [{ name: 'OUTPUT0' }], 'model configuration must have equal input/output pairs'],
    ['input name', [{ name: 'IN0' }], [{ name: 'OUTPUT0' }], "expected input name to follow INPUT<index> pattern, got 'IN0'"],
    ['output name', [{ name: 'INPUT0' }], [{ name: 'RESULT0' }], "expected output name to follow OUTPUT<index> pattern, got 'RESULT0'"],
    ['indices', [{ name: 'INPUT0' }], [{ name: 'OUTPUT1' }], 'expected input and output indices to match'],
    ['datatype', [{ name: 'INPUT0' }], [{ name: 'OUTPUT0', type: 'INT32' }], 'expected input and output datatype to match, got TYPE_FP32 and TYPE_INT32'],
    ['shape', [{ name: 'INPUT0', dims: [3] }], [{ name: 'OUTPUT0', dims: [4] }], 'expected input and output shape to match, got [3] and [4]'],
    ['shape after reshape', [{ name: 'INPUT0', dims: [4], extra: 'reshape: { shape: [ 2, 2 ] }' }], [{ name: 'OUTPUT0', dims: [4] }], 'expected input and output shape to match, got [2,2] and [4]'],
  ];
  for (const [what, inputs, outputs, message] of cases) {
    it(`${what}: "${message}"`, async () => {
      const repo = await identityRepo(inputs, outputs);
      const rec = repo.models.get('id')!;
      expect(rec.state).toBe('UNAVAILABLE');
      expect(rec.versions[0]!.reason).toBe(`Invalid argument: ${message}`);
      expect(() => repo.resolve('id', -1)).toThrow("Request for unknown model: 'id' has no available versions");
    });
  }
});

describe('execute_delay_ms', () => {
  it('delays every execute, so a second request waits in the queue and can be cancelled there (CANCELED)', async () => {
    const d = await temp.make({
      'slow/config.pbtxt': modelConfig('slow', {
        backend: 'identity',
        mbs: 0,
        inputs: [{ name: 'INPUT0', dims: [1] }],
        outputs: [{ name: 'OUTPUT0', dims: [1] }],
        params: { execute_delay_ms: '300' },
        count: 1,
      }),
      'slow/1': null,
    });
    const repo = await loadRepository(d.root);
    const started = Date.now();
    const first = repo.infer('slow', -1, { inputs: [f32('INPUT0', [1], [1])] });
    const abort = new AbortController();
    const queued = rejection(repo.infer('slow', -1, { id: 'q', inputs: [f32('INPUT0', [1], [2])], signal: abort.signal }));
    abort.abort();
    expect((await queued).code).toBe('CANCELLED');
    expect(values((await first).outputs[0])).toEqual([1]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(repo.resolve('slow', -1).statistics.failures.CANCELED).toBe(1);
  });
});
