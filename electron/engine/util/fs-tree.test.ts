/** Bounded folder listings: loops, broken links, depth and size limits, never a throw. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TempDirs } from '../repository/testing/temp-repo';
import { listTree, readDirSafe } from './fs-tree';

const temp = new TempDirs();
afterEach(() => temp.cleanup());
const isWindows = process.platform === 'win32';

describe('listTree', () => {
  it('lists files with sizes and folders with children, paths relative to the root', async () => {
    const d = await temp.make({ 'm/config.pbtxt': 'abc', 'm/1/model.onnx': 'xy' });
    const tree = await listTree(d.root, path.join(d.root, 'm'));
    expect(tree).toEqual([
      { name: '1', path: 'm/1', kind: 'dir', children: [{ name: 'model.onnx', path: 'm/1/model.onnx', kind: 'file', size: 2 }] },
      { name: 'config.pbtxt', path: 'm/config.pbtxt', kind: 'file', size: 3 },
    ]);
  });

  it.skipIf(isWindows)('marks a link back up the tree as a loop and a self-link as broken', async () => {
    const d = await temp.make({ 'm/1/a/file.txt': 'x' });
    await fs.symlink('../..', path.join(d.root, 'm/1/a/up'));
    await fs.symlink('self', path.join(d.root, 'm/1/self'));
    await fs.symlink('1', path.join(d.root, 'm/latest'));
    const tree = await listTree(d.root, path.join(d.root, 'm'));
    const one = tree.find((n) => n.name === '1')!;
    const a = one.children!.find((n) => n.name === 'a')!;
    expect(a.children!.find((n) => n.name === 'up')).toEqual({ name: 'up', path: 'm/1/a/up', kind: 'symlink', truncated: 'symlink loop' });
    expect(one.children!.find((n) => n.name === 'self')).toMatchObject({ kind: 'symlink', truncated: expect.stringMatching(/^broken link: .*ELOOP/) });
    // A link to a sibling folder is followed once.
    expect(tree.find((n) => n.name === 'latest')).toMatchObject({ kind: 'symlink', children: expect.arrayContaining([expect.objectContaining({ name: 'a', kind: 'dir' })]) });
  });

  it('stops at the depth and entry limits', async () => {
    const files: Record<string, string> = { 'm/a/b/c/d/e/deep.txt': 'x' };
    for (let i = 0; i < 5; i++) files[`m/many/f${i}.txt`] = 'x';
    const d = await temp.make(files);
    const tree = await listTree(d.root, path.join(d.root, 'm'), { maxDepth: 3, maxEntries: 3 });
    const many = tree.find((n) => n.name === 'many')!;
    expect(many.children).toHaveLength(3);
    expect(many.truncated).toBe('2 more entries not listed');
    const c = tree.find((n) => n.name === 'a')!.children![0]!.children![0]!;
    expect(c).toMatchObject({ name: 'c', children: [], truncated: 'too deep to list' });
  });

  it('reports a folder it cannot read instead of throwing', async () => {
    const d = await temp.make();
    expect((await readDirSafe(path.join(d.root, 'missing'))).error).toMatch(/ENOENT/);
    expect(await listTree(d.root, path.join(d.root, 'missing'))).toEqual([]);
  });
});
