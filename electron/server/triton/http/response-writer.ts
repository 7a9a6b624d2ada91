/**
 * Writes an HTTP answer so that a client that stops reading is noticed. A
 * large answer handed to the socket in one write completes only when the
 * client has read all of it, so a slow reader and a client that reads
 * nothing look alike until then. Written in slices, one at a time as the
 * socket drains, every slice that completes is progress the send timeout
 * can see (connections.ts). Slices are views of the answer's buffers: the
 * tensors are never copied.
 */
import type http from 'node:http';

/** The most bytes handed to the socket at once: a client reading at least this much per send timeout keeps its answer going. */
export const SLICE_BYTES = 256 * 1024;

/** Small answers go out in one write (a copy is cheaper than several writes). */
const ONE_WRITE_BYTES = 64 * 1024;

function drained(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Writes `parts` (headers already set) and ends the response; `progress` runs as slices complete. */
export async function writeAnswer(res: http.ServerResponse, parts: readonly Uint8Array[], total: number, progress: () => void): Promise<void> {
  if (total <= ONE_WRITE_BYTES) {
    res.end(parts.length <= 1 ? parts[0] : Buffer.concat(parts, total));
    return;
  }
  const done = (): void => progress();
  for (const part of parts) {
    for (let at = 0; at < part.byteLength; at += SLICE_BYTES) {
      if (res.destroyed) return;
      if (!res.write(part.subarray(at, at + SLICE_BYTES), done)) await drained(res);
    }
  }
  if (!res.destroyed) res.end();
}
