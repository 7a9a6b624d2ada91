import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Fifos, noFifos, within } from '../../../util/testing/fifo';
import { createStdlib } from './index';

const fifos = new Fifos();
afterEach(() => fifos.releaseAll());

describe('lab.readFile / lab.readText', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'lab-files-'));
  const version = path.join(root, 'model', '1');
  mkdirSync(version, { recursive: true });
  mkdirSync(path.join(root, 'other'));
  writeFileSync(path.join(version, 'keys.txt'), '甲\n乙\n');
  writeFileSync(path.join(root, 'model', 'labels.txt'), 'a\nb\n');
  writeFileSync(path.join(root, 'other', 'secret.txt'), 'no');
  symlinkSync(path.join(root, 'other', 'secret.txt'), path.join(version, 'link.txt'));
  const lab = createStdlib(version);

  it('reads files in the version folder and the model folder', async () => {
    expect(await lab.readText('keys.txt')).toBe('甲\n乙\n');
    expect(await lab.readText('../labels.txt')).toBe('a\nb\n');
    expect([...(await lab.readFile('./../labels.txt'))]).toEqual([97, 10, 98, 10]);
  });

  it('refuses paths that leave the model folder', async () => {
    await expect(lab.readText('../../other/secret.txt')).rejects.toThrow(/outside the model folder/);
    await expect(lab.readText(path.join(root, 'other', 'secret.txt'))).rejects.toThrow(/relative/);
    await expect(lab.readText('link.txt')).rejects.toThrow(/outside the model folder/);
    await expect(lab.readText('missing.txt')).rejects.toThrow(/ENOENT/);
  });

  it.skipIf(noFifos)('refuses a FIFO next to the model at once instead of parking a thread in open(2)', async () => {
    fifos.make(path.join(version, 'pipe.txt'));
    const read = lab.readText('pipe.txt');
    expect(await within(read, 2000)).toBe('settled');
    await expect(read).rejects.toThrow("'pipe.txt' is not a file but a FIFO; only regular files are read");
  });
});
