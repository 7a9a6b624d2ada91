/**
 * `model-lab … | head`: the reader closes the pipe early. The CLI must stop
 * quietly with status 0, as Unix tools do, not crash on EPIPE. The real entry
 * (electron/cli/index.ts, run from source through jiti) is spawned with its
 * stdout already closed by the reader, so its first write meets a broken pipe.
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exitQuietlyOnBrokenPipe } from './output';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const jitiCli = path.join(path.dirname(createRequire(import.meta.url).resolve('jiti/package.json')), 'lib/jiti-cli.mjs');

function pipeError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`write ${code}`), { code });
}

describe('exitQuietlyOnBrokenPipe', () => {
  it('exits with 0 on EPIPE and leaves other stream errors thrown', () => {
    const stream = new EventEmitter() as unknown as NodeJS.WritableStream;
    const exits: number[] = [];
    exitQuietlyOnBrokenPipe(stream, (c) => exits.push(c));
    stream.emit('error', pipeError('EPIPE'));
    expect(exits).toEqual([0]);
    expect(() => stream.emit('error', pipeError('EIO'))).toThrow('write EIO');
    expect(exits).toEqual([0]);
  });
});

describe('the model-lab entry piped into a reader that closes early', () => {
  it('exits 0 without a word on stderr', async () => {
    const child = spawn(process.execPath, [jitiCli, path.join(root, 'electron/cli/index.ts'), '--help'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader is gone before the CLI writes (like `head -0`, or head done after its lines).
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 90_000);
});
