import { chown, mkdtemp, readFile, rm, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileCredentials } from './remote-credentials';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'remote-cred-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const posix = process.platform !== 'win32';

describe('browser-mode credential file', () => {
  it.skipIf(!posix)('writes a 0600 file, reads it back, deletes entries (POSIX modes only)', async () => {
    const file = path.join(dir, 'remote-credentials.json');
    const store = new FileCredentials(file);
    await store.set('remote:1', { authorization: 'Bearer abc' });
    expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
    expect(await new FileCredentials(file).get('remote:1')).toEqual({ authorization: 'Bearer abc' });
    await chmod(file, 0o644);
    await store.set('remote:2', { 'admin-key': 'k' });
    expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
    await store.delete('remote:1');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ 'remote:2': { 'admin-key': 'k' } });
  });

  it.skipIf(!posix)('refuses a group/world-readable file and a symbolic link, saying so (POSIX modes only)', async () => {
    const file = path.join(dir, 'open.json');
    await writeFile(file, JSON.stringify({ 'remote:1': { authorization: 'x' } }), { mode: 0o644 });
    await chmod(file, 0o644);
    const warnings: string[] = [];
    const open = new FileCredentials(file, (l) => warnings.push(l));
    expect(open.problem).toBeUndefined();
    expect(await open.get('remote:1')).toEqual({});
    expect(warnings.join()).toContain('can be read by other users');
    expect(open.problem).toContain('saved header values were not read');
    const target = path.join(dir, 'target.json');
    await writeFile(target, JSON.stringify({ 'remote:1': { authorization: 'x' } }), { mode: 0o600 });
    const link = path.join(dir, 'link.json');
    await symlink(target, link);
    const linked = new FileCredentials(link, (l) => warnings.push(l));
    expect(await linked.get('remote:1')).toEqual({});
    expect(warnings.join()).toContain('symbolic link');
    await expect(linked.set('remote:1', { authorization: 'y' })).rejects.toThrow('symbolic link');
    expect(await readFile(target, 'utf8')).toContain('"x"');
  });

  it.skipIf(process.getuid?.() !== 0)("refuses another user's file, even at 0600 (needs root to chown)", async () => {
    const file = path.join(dir, 'planted.json');
    await writeFile(file, JSON.stringify({ 'remote:1': { authorization: 'planted' } }), { mode: 0o600 });
    await chown(file, 65534, 65534);
    const store = new FileCredentials(file);
    expect(await store.get('remote:1')).toEqual({});
    expect(store.problem).toContain('belongs to another user');
  });

  it('reads junk as empty, keeps only string values under remote ids', async () => {
    const file = path.join(dir, 'junk.json');
    await writeFile(file, JSON.stringify({ 'remote:1': { a: 'b', n: 3 }, other: { a: 'b' }, 'remote:2': 'x' }), { mode: 0o600 });
    const store = new FileCredentials(file);
    expect(await store.get('remote:1')).toEqual({ a: 'b' });
    expect(await store.get('other')).toEqual({});
    await writeFile(path.join(dir, 'bad.json'), '{not json', { mode: 0o600 });
    expect(await new FileCredentials(path.join(dir, 'bad.json')).get('remote:1')).toEqual({});
  });
});

describe('a write that fails', () => {
  it('is refused with the reason and leaves no temporary file with the header values behind', async () => {
    const { mkdir, readdir } = await import('node:fs/promises');
    const file = path.join(dir, 'credentials.json');
    await mkdir(file); // the rename over a folder fails after the temp file was written
    const store = new FileCredentials(file);
    await expect(store.set('remote:1', { authorization: 'Bearer s3cret' })).rejects.toThrow();
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
