/**
 * A caller's signal (one per gRPC stream, shared by all its requests) holds nothing once a request
 * is answered: the model runner's listener that drops a queued request is removed when the request
 * settles, so a long stream neither keeps every request's tensors nor trips Node's listener warning.
 */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRepository, TempDirs } from '../repository/testing/temp-repo';
import { f32, identityModels, rejection } from './testing/models';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

describe('cancellation listeners', () => {
  it('are removed once each request is answered, cancelled or failed', async () => {
    const d = await temp.make(identityModels('id'));
    const repo = await loadRepository(d.root);
    const abort = new AbortController();
    for (let i = 0; i < 30; i++) await repo.infer('id', -1, { inputs: [f32('INPUT0', [1, 1], [i])], signal: abort.signal });
    await Promise.all(Array.from({ length: 30 }, (_, i) => repo.infer('id', -1, { inputs: [f32('INPUT0', [1, 1], [i])], signal: abort.signal })));
    // A request the model refuses (a wrong input) fails and leaves nothing behind either.
    await rejection(repo.infer('id', -1, { inputs: [f32('NOPE', [1, 1], [1])], signal: abort.signal }));
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });
});
