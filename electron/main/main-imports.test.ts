/**
 * Main keeps only windows, menus, dialogs, trust prompts and IPC validation: the engine runs in its own
 * process. This walks the value imports of main's entry (static and literal dynamic ones; `import type`
 * is erased by the build) through the source tree and fails if main would load ONNX Runtime, sharp or
 * the engine's Lab, which belong to the engine process.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The specifiers a file loads at run time: imports and re-exports that are not type-only, and literal `import('x')`. */
export function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) out.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) {
      out.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      out.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function resolveLocal(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  return [base, `${base}.ts`, path.join(base, 'index.ts')].find((p) => existsSync(p) && p.endsWith('.ts'));
}

/** Every source file main's entry reaches, and every package it names. */
export function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of valueImports(file)) {
      if (spec.startsWith('.')) {
        const next = resolveLocal(file, spec);
        if (next) todo.push(next);
      } else {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
  }
  return { files, packages };
}

describe("main's import graph", () => {
  it('does not reach onnxruntime-node, sharp, or the engine (Lab, handlers, backends)', () => {
    const { files, packages } = importGraph(path.join(root, 'electron/main/index.ts'));
    const rel = [...files].map((f) => path.relative(root, f).split(path.sep).join('/'));
    expect(rel).toContain('electron/main/engine-process.ts');
    expect(rel).toContain('electron/engine-host/protocol.ts');
    expect([...packages].filter((p) => ['onnxruntime-node', 'onnxruntime-common', 'sharp'].includes(p))).toEqual([]);
    // From the engine, main may use only its error type (errors cross the IPC boundary as values) and a few
    // pure modules its own features need (credentials, argv, the workspace plan when helper code asks for it).
    const engineFiles = rel.filter((f) => f.startsWith('electron/engine/') || f.startsWith('electron/server/'));
    expect(engineFiles.filter((f) => /engine\/(lab|lab-handlers)\.ts$|engine\/backends\/|engine\/runs\/|engine\/repository\/|server\/triton\//.test(f))).toEqual([]);
    // Of engine-host, only the protocol.
    expect(rel.filter((f) => f.startsWith('electron/engine-host/'))).toEqual(['electron/engine-host/protocol.ts']);
  });

  it('finds a heavy import when there is one (the walk itself works)', () => {
    const { files, packages } = importGraph(path.join(root, 'electron/engine-host/main.ts'));
    expect([...files].some((f) => f.endsWith(path.join('engine', 'lab.ts')))).toBe(true);
    expect(packages.has('onnxruntime-node') || [...files].some((f) => f.includes(`${path.sep}onnxruntime${path.sep}`))).toBe(true);
    expect(valueImports(path.join(root, 'electron/engine/runs/inputs.ts'))).toContain('sharp');
  });
});
