/**
 * Classification reads an output's label file when a request asks for it. A
 * label file swapped for a FIFO after the model loaded (a hostile repository,
 * or another local user who can write into it) must not park a threadpool
 * thread in open(2): the request is answered at once, without labels, and the
 * refusal is logged.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { f32 } from '../../engine/runtime/testing/models';
import { Fifos, noFifos, within } from '../../engine/util/testing/fifo';
import { type ServeFixture, startServeFixture } from './testing/serve-fixture';

const fixtures: ServeFixture[] = [];
const fifos = new Fifos();
afterEach(async () => {
  fifos.releaseAll();
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});

describe.skipIf(noFifos)('label files read at request time', () => {
  it('a label file swapped for a FIFO after the model loaded does not hang a classification request', async () => {
    const f = await startServeFixture({ http: false });
    fixtures.push(f);
    const labels = path.join(f.dir, 'classifier', 'labels.txt');
    rmSync(labels);
    fifos.make(labels);
    const answer = f.core.infer('classifier', undefined, { inputs: [f32('INPUT0', [1, 5], [0.1, 0.9, 0.3, 0.2, 0.4])], outputs: [{ name: 'OUTPUT0', classification: 2 }] });
    expect(await within(answer, 2000)).toBe('settled');
    const out = (await answer).outputs[0]!;
    // Without labels, Triton's form is "<value>:<index>".
    expect((out.data as Uint8Array[]).map((b) => Buffer.from(b).toString())).toEqual(['0.900000:1', '0.400000:4']);
  });
});
