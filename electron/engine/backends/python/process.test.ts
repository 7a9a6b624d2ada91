/** A Python process that cannot start leaves no spill folder behind (in tmpfs). */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PythonProcess } from './process';

describe('the Python process', () => {
  it('removes its spill folder when the interpreter cannot be started', async () => {
    const p = new PythonProcess('/nowhere/python3', { file: '/nowhere/model.py', versionDir: '/nowhere', modelName: 'm' }, () => undefined);
    // Other tests may spill at the same time: follow this process's own folder.
    const dir = (p as unknown as { spillDir?: string }).spillDir;
    expect(dir && existsSync(dir)).toBe(true);
    const err = await new Promise<Error>((resolve) => p.whenGone(resolve));
    expect(err.message).toMatch(/could not start/);
    expect(existsSync(dir!)).toBe(false);
  });
});
