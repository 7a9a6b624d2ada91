/**
 * The house rules fail lint when broken (eslint.config.mjs applies
 * docs/ARCHITECTURE.md): deliberate violations are linted as if they were
 * files of the tree, and each must be reported by the rule that guards it;
 * the same files without the violation pass.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const eslint = new ESLint({ cwd: root });

/** The rules that report `code` as if it were the file at `rel`. */
async function rulesHit(rel: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, rel) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const fixture = path.join(root, 'electron/engine/lint-fixture-cycle');
afterAll(() => rmSync(fixture, { recursive: true, force: true }));

describe('import boundaries (docs/ARCHITECTURE.md)', () => {
  it('the engine may not import Electron, the server, main or the CLI', async () => {
    expect(await rulesHit('electron/engine/zz.ts', "import { app } from 'electron';\nexport const a = app;\n")).toContain('@typescript-eslint/no-restricted-imports');
    expect(await rulesHit('electron/engine/zz.ts', "import { TritonCore } from '../server/triton/core';\nexport const a = TritonCore;\n")).toContain('import-x/no-restricted-paths');
    expect(await rulesHit('electron/engine/zz.ts', "import { runCli } from '../cli/main';\nexport const a = runCli;\n")).toContain('import-x/no-restricted-paths');
    expect(await rulesHit('electron/engine/zz.ts', "import { Lab } from './lab';\nexport const a = Lab;\n")).toEqual([]);
  });

  it('the server may use the engine, not main; only main and preload import Electron', async () => {
    expect(await rulesHit('electron/server/zz.ts', "import { Lab } from '../engine/lab';\nexport const a = Lab;\n")).toEqual([]);
    expect(await rulesHit('electron/server/zz.ts', "import { DesktopShell } from '../main/shell';\nexport const a = DesktopShell;\n")).toContain('import-x/no-restricted-paths');
    expect(await rulesHit('electron/cli/zz.ts', "import { BrowserWindow } from 'electron';\nexport const a = BrowserWindow;\n")).toContain('@typescript-eslint/no-restricted-imports');
    expect(await rulesHit('electron/main/zz.ts', "import { BrowserWindow } from 'electron';\nexport const a = BrowserWindow;\n")).toEqual([]);
  });

  it('the contract imports nothing of the layers', async () => {
    expect(await rulesHit('electron/contract/zz.ts', "import { LabError } from '../engine/errors';\nexport const a = LabError;\n")).toContain('import-x/no-restricted-paths');
  });

  it('the renderer imports the contract for its types only, and no engine code', async () => {
    expect(await rulesHit('renderer/src/zz.ts', "import { Lab } from '../../electron/engine/lab';\nexport const a = Lab;\n")).toContain('import-x/no-restricted-paths');
    expect(await rulesHit('renderer/src/zz.ts', "import { LAB_METHODS } from '@contract/methods';\nexport const a = LAB_METHODS;\n")).toContain('@typescript-eslint/no-restricted-imports');
    expect(await rulesHit('renderer/src/zz.ts', "import type { LabMethod } from '@contract/lab-api';\nexport type A = LabMethod;\n")).toEqual([]);
    expect(await rulesHit('renderer/src/zz.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n")).toContain('@typescript-eslint/no-restricted-imports');
    expect(
      await rulesHit('renderer/src/zz.vue', '<script setup lang="ts">\nimport { Lab } from \'../../electron/engine/lab\';\nconst a = Lab;\n</script>\n<template><div>{{ a }}</div></template>\n'),
    ).toContain('import-x/no-restricted-paths');
  });
});

describe('functions fit on a screen', () => {
  it('a function over 80 lines (blank lines and comments aside) fails outside tests', async () => {
    const long = `export function long(): number {\n  let n = 0;\n${'  n += 1;\n'.repeat(80)}  return n;\n}\n`;
    expect(await rulesHit('electron/engine/zz.ts', long)).toContain('max-lines-per-function');
    expect(await rulesHit('electron/engine/zz.test.ts', long)).not.toContain('max-lines-per-function');
  });
});

describe('no import cycles', () => {
  it('a run-time cycle fails; the same modules importing types only do not', async () => {
    mkdirSync(fixture, { recursive: true });
    const write = (a: string, b: string): Promise<string[]> => {
      writeFileSync(path.join(fixture, 'a.ts'), a);
      writeFileSync(path.join(fixture, 'b.ts'), b);
      return rulesHit('electron/engine/lint-fixture-cycle/a.ts', a);
    };
    const runtime = await write("import { b } from './b';\nexport const a = 1;\nexport const c = b;\n", "import { a } from './a';\nexport const b = (): number => a + 1;\n");
    expect(runtime).toContain('import-x/no-cycle');
    const typesOnly = await write("import { b } from './b';\nexport type A = number;\nexport const c = b;\n", "import type { A } from './a';\nexport const b = (x: A): A => x;\n");
    expect(typesOnly).toEqual([]);
  });
});
