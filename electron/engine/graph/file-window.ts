/**
 * Reads a large file through a small moving window (large values are stepped
 * over, not read: the window is refilled where the next field starts), so the wire
 * scanner walks a model of up to 2 GB while holding only what it decodes.
 */
import type { FileHandle } from 'node:fs/promises';
import { LabError } from '../errors';

export const DEFAULT_WINDOW_BYTES = 256 * 1024;

export function truncated(pos: number, end: number, limit: number, what = 'the file'): LabError {
  return new LabError('INVALID_ARG', `a field needs bytes ${pos} to ${end}, but ${what} ends at byte ${limit}: the model file is truncated or damaged`);
}

export class FileWindow {
  private buf = new Uint8Array(0);
  private start = 0;

  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
    private readonly chunk = DEFAULT_WINDOW_BYTES,
  ) {}

  /** `len` bytes at `pos`: a view of the window, or of a buffer of their own when they do not fit one. */
  async bytes(pos: number, len: number): Promise<Uint8Array> {
    if (pos < 0 || len < 0 || pos + len > this.size) throw truncated(pos, pos + len, this.size);
    const at = pos - this.start;
    if (at >= 0 && at + len <= this.buf.byteLength) return this.buf.subarray(at, at + len);
    const n = Math.min(Math.max(len, this.chunk), this.size - pos);
    // A fresh buffer each time: views of the old one may live on in decoded messages.
    const buf = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const { bytesRead } = await this.fh.read(buf, done, n - done, pos + done);
      if (bytesRead === 0) throw truncated(pos, pos + n, pos + done);
      done += bytesRead;
    }
    if (len <= this.chunk) {
      this.buf = buf;
      this.start = pos;
    }
    return buf.subarray(0, len);
  }
}
