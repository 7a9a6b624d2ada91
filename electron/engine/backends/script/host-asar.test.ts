// Script workers in a packaged app start from app.asar.unpacked (defect 2). The packaged layout itself
// is exercised by `npm run test:package` (a script model run from the extracted package); here, the
// path mapping on its own.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unpackedWorkerDir } from './host';

const p = (...parts: string[]): string => path.join(path.sep, ...parts) + path.sep;

describe('unpackedWorkerDir', () => {
  it('maps a folder inside app.asar to the same folder in app.asar.unpacked when the worker is there', () => {
    const seen: string[] = [];
    const dir = unpackedWorkerDir(p('opt', 'Model Lab', 'resources', 'app.asar', 'out', 'main'), (f) => (seen.push(f), true));
    expect(dir).toBe(p('opt', 'Model Lab', 'resources', 'app.asar.unpacked', 'out', 'main'));
    expect(seen).toEqual([path.join(dir, 'script-bootstrap.js')]);
  });

  it('keeps the archive path when the unpacked copy is missing (a package built without asarUnpack)', () => {
    const inAsar = p('opt', 'Model Lab', 'resources', 'app.asar', 'out', 'main');
    expect(unpackedWorkerDir(inAsar, () => false)).toBe(inAsar);
  });

  it('leaves folders outside an archive alone, including names that only start like one', () => {
    for (const dir of [p('work', 'main', 'out', 'main'), p('home', 'u', 'app.asar.bak', 'out', 'main'), p('home', 'u', 'my-app.asar', 'out')]) {
      expect(unpackedWorkerDir(dir, () => true)).toBe(dir);
    }
  });

  it('uses the innermost app.asar when a user folder is itself called app.asar', () => {
    const dir = unpackedWorkerDir(p('home', 'app.asar', 'Model Lab', 'resources', 'app.asar', 'out', 'main'), () => true);
    expect(dir).toBe(p('home', 'app.asar', 'Model Lab', 'resources', 'app.asar.unpacked', 'out', 'main'));
  });
});
