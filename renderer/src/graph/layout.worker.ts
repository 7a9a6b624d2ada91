/** The layout worker: one message in (id + LayoutInput), one out (id + result or error). */
import { layoutGraph, type LayoutInput } from './layout';

self.onmessage = (ev: MessageEvent<{ id: number; input: LayoutInput }>) => {
  try {
    self.postMessage({ id: ev.data.id, result: layoutGraph(ev.data.input) });
  } catch (err) {
    self.postMessage({ id: ev.data.id, error: err instanceof Error ? err.message : String(err) });
  }
};
