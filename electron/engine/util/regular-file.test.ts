/**
 * Files the lab reads are opened without blocking and refused unread unless
 * they are regular files: open(2) of a FIFO blocks until a writer appears and
 * parks one of libuv's four threadpool threads for good (four of them hang
 * every fs, zlib and dns call of the process); a device never ends.
 */
import { existsSync, promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TempDirs } from '../repository/testing/temp-repo';
import { withRealFile } from './real-path';
import { openRegularSync, readRegularFile, readUpTo, withRegularFile } from './regular-file';
import { Fifos, noFifos, within } from './testing/fifo';

const temp = new TempDirs();
const fifos = new Fifos();
afterEach(() => {
  fifos.releaseAll();
  temp.cleanup();
});

describe.skipIf(noFifos)('a FIFO is refused before it is read', () => {
  it('withRealFile (the real-path reader) refuses a FIFO at once, saying what it is', async () => {
    const d = await temp.make();
    const fifo = fifos.make(path.join(d.root, 'pipe'));
    const read = withRealFile(fifo, 'pipe', () => Promise.resolve('read'));
    expect(await within(read, 2000)).toBe('settled');
    await expect(read).rejects.toMatchObject({ code: 'INVALID_ARG', message: "'pipe' is not a file but a FIFO; only regular files are read" });
  });

  it('four FIFOs read at once leave the threadpool free for other fs calls', async () => {
    const d = await temp.make({ 'ok.txt': 'fine' });
    const reads = [1, 2, 3, 4].map((i) => readRegularFile(fifos.make(path.join(d.root, `p${i}`)), `p${i}`, 100).catch((e: unknown) => e));
    expect(await within(fs.readFile(path.join(d.root, 'ok.txt'), 'utf8'), 2000)).toBe('settled');
    for (const e of await Promise.all(reads)) expect(e).toMatchObject({ code: 'INVALID_ARG' });
  });

  it('the synchronous form refuses a FIFO without blocking the event loop', async () => {
    const d = await temp.make();
    const fifo = fifos.make(path.join(d.root, 'pipe'));
    expect(() => openRegularSync(fifo, 'pipe')).toThrow(expect.objectContaining({ code: 'INVALID_ARG', message: expect.stringContaining('a FIFO') }));
  });
});

describe('other files that are not regular', () => {
  it.skipIf(!existsSync('/dev/zero'))('a device (which never ends) is refused unread', async () => {
    await expect(readRegularFile('/dev/zero', 'zero', 100)).rejects.toMatchObject({ code: 'INVALID_ARG', message: "'zero' is not a file but a character device; only regular files are read" });
  });

  it('a folder is refused, a missing file is NOT_FOUND', async () => {
    const d = await temp.make({ sub: null });
    await expect(readRegularFile(path.join(d.root, 'sub'), 'sub', 100)).rejects.toMatchObject({ code: 'INVALID_ARG', message: expect.stringContaining('a directory') });
    await expect(readRegularFile(path.join(d.root, 'none'), 'none', 100)).rejects.toMatchObject({ code: 'NOT_FOUND', message: "'none' does not exist" });
  });

  it.skipIf(noFifos)('a Unix socket is refused', async () => {
    const d = await temp.make();
    const sock = path.join(d.root, 's.sock');
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      await expect(readRegularFile(sock, 's.sock', 100)).rejects.toMatchObject({ code: 'INVALID_ARG', message: expect.stringContaining('socket') });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it.skipIf(noFifos)('with noFollow, a link in the last component is refused', async () => {
    const d = await temp.make({ 'real.txt': 'x' });
    await fs.symlink(path.join(d.root, 'real.txt'), path.join(d.root, 'link.txt'));
    await expect(readRegularFile(path.join(d.root, 'link.txt'), 'link.txt', 100, true)).rejects.toMatchObject({ code: 'INVALID_ARG', message: expect.stringContaining('changed into a link') });
    expect((await readRegularFile(path.join(d.root, 'link.txt'), 'link.txt', 100)).toString()).toBe('x');
  });
});

describe('regular files', () => {
  it('are read whole up to the cap; a larger one is refused unread', async () => {
    const d = await temp.make({ 'a.txt': 'hello', 'big.txt': 'x'.repeat(11) });
    expect((await readRegularFile(path.join(d.root, 'a.txt'), 'a.txt', 10)).toString()).toBe('hello');
    await expect(readRegularFile(path.join(d.root, 'big.txt'), 'big.txt', 10)).rejects.toThrow(/'big.txt' is 11 bytes; at most 10 are read/);
  });

  it('reads stop at the size the handle had when it was checked (a growing file is not followed)', async () => {
    const d = await temp.make({ 'log.txt': 'abc' });
    const file = path.join(d.root, 'log.txt');
    const text = await withRegularFile(file, 'log.txt', async (handle, size) => {
      await fs.appendFile(file, 'more and more');
      return (await readUpTo(handle, size)).toString();
    });
    expect(text).toBe('abc');
  });
});
