/** "Open in Netron" with a fake `netron` on the PATH: a tiny node HTTP server, or one that fails. */
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TempDirs } from '../repository/testing/temp-repo';
import { NetronLauncher, findOnPath } from './netron';

const temp = new TempDirs();
const launchers: NetronLauncher[] = [];
afterEach(async () => {
  await Promise.all(launchers.splice(0).map((l) => l.close()));
  temp.cleanup();
});

/** Writes an executable `netron` node script into a fresh folder and returns the folder. */
async function fakeNetron(body: string): Promise<string> {
  const d = await temp.make({ bin: null });
  const file = path.join(d.root, 'bin', 'netron');
  writeFileSync(file, `#!${process.execPath}\n${body}\n`);
  chmodSync(file, 0o755);
  return path.join(d.root, 'bin');
}

const SERVES = `
const http = require('node:http');
const a = process.argv.slice(2);
const host = a[a.indexOf('--host') + 1];
const port = Number(a[a.indexOf('-p') + 1]);
if (a.includes('-b')) { console.error('asked to open a browser'); process.exit(3); }
setTimeout(() => http.createServer((req, res) => res.end('netron for ' + a[0] + ' pid ' + process.pid)).listen(port, host), 200);
`;

function launcher(bin: string, startTimeoutMs = 10_000): NetronLauncher {
  const l = new NetronLauncher({ env: { PATH: bin }, startTimeoutMs });
  launchers.push(l);
  return l;
}

describe('netron', () => {
  it('is found on the PATH only when executable', async () => {
    const bin = await fakeNetron(SERVES);
    expect(findOnPath('netron', { PATH: ['/nonexistent', bin].join(path.delimiter) })).toBe(path.join(bin, 'netron'));
    expect(launcher(bin).status()).toEqual({ available: true, path: path.join(bin, 'netron') });
    chmodSync(path.join(bin, 'netron'), 0o644);
    expect(launcher(bin).status()).toEqual({ available: false });
    await expect(launcher(bin).open('/x/model.onnx')).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('netron is not on the PATH') });
  });

  it('starts netron on 127.0.0.1 without a browser, reuses it per file, and stops it on close', async () => {
    const bin = await fakeNetron(SERVES);
    const l = launcher(bin);
    const url = await l.open('/models/a.onnx');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const body = await (await fetch(url)).text();
    expect(body).toMatch(/^netron for \/models\/a\.onnx pid \d+$/);
    expect(await l.open('/models/a.onnx')).toBe(url);
    // Two quick opens of a new file start one netron, not two.
    const [c1, c2] = await Promise.all([l.open('/models/c.onnx'), l.open('/models/c.onnx')]);
    expect(c1).toBe(c2);
    const other = await l.open('/models/b.onnx');
    expect(other).not.toBe(url);
    await l.close();
    await expect(fetch(url)).rejects.toThrow();
    await expect(fetch(other)).rejects.toThrow();
  });

  it('reports netron exiting early, or never answering, with what it printed', async () => {
    const failing = launcher(await fakeNetron("console.error('ModuleNotFoundError: no module named netron'); process.exit(1);"));
    await expect(failing.open('/m.onnx')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: "netron exited (code 1) before serving 'm.onnx'; it printed: ModuleNotFoundError: no module named netron",
    });
    const silent = launcher(await fakeNetron("console.log('starting'); setInterval(() => {}, 1000);"), 600);
    await expect(silent.open('/m.onnx')).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/^netron did not answer on 127\.0\.0\.1:\d+ within 1 s; it printed: starting$/) });
  });
});
