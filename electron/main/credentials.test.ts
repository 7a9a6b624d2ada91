import { mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SafeStorageCredentials, type SafeStorageLike } from './credentials';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'safe-cred-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const posix = process.platform !== 'win32';

/** A stand-in for safeStorage: reversible, and visibly not plain text. */
function fakeSafeStorage(available: boolean): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (s) => Buffer.from(Buffer.from(s).toString('base64').split('').reverse().join('')),
    decryptString: (b) => Buffer.from(b.toString().split('').reverse().join(''), 'base64').toString(),
  };
}

describe('desktop credentials (safeStorage)', () => {
  it('keeps an encrypted blob in a 0600 file and reads it back', async () => {
    const file = path.join(dir, 'remote-credentials.bin');
    const store = new SafeStorageCredentials(
      file,
      fakeSafeStorage(true),
      async () => undefined,
      () => undefined,
    );
    await store.set('remote:1', { authorization: 'Bearer secret-value' });
    expect(store.kind).toBe('safeStorage');
    expect(await readFile(file, 'utf8')).not.toContain('secret-value');
    if (posix) expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
    const again = new SafeStorageCredentials(
      file,
      fakeSafeStorage(true),
      async () => undefined,
      () => undefined,
    );
    expect(await again.get('remote:1')).toEqual({ authorization: 'Bearer secret-value' });
  });

  it.skipIf(!posix)('does not read the blob through a symbolic link, and says so (POSIX links only)', async () => {
    const file = path.join(dir, 'remote-credentials.bin');
    const make = (f: string, warn: (l: string) => void = () => undefined): SafeStorageCredentials => new SafeStorageCredentials(f, fakeSafeStorage(true), async () => undefined, warn);
    await make(file).set('remote:1', { authorization: 'Bearer secret-value' });
    const link = path.join(dir, 'link.bin');
    await symlink(file, link);
    const warnings: string[] = [];
    const linked = make(link, (l) => warnings.push(l));
    expect(await linked.get('remote:1')).toEqual({});
    expect(linked.problem).toContain('saved header values could not be read');
    expect(warnings).toHaveLength(1);
  });

  it('without OS encryption: says so, keeps values in memory only, writes nothing', async () => {
    const file = path.join(dir, 'none.bin');
    const warnings: string[] = [];
    const store = new SafeStorageCredentials(
      file,
      fakeSafeStorage(false),
      async () => undefined,
      (l) => warnings.push(l),
    );
    await store.set('remote:1', { authorization: 'x' });
    expect(await store.get('remote:1')).toEqual({ authorization: 'x' });
    expect(store.kind).toBe('memory');
    expect(warnings.join()).toContain('no encryption');
    expect(store.problem).toContain('must be given again after a restart');
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
