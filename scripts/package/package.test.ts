/**
 * The packaging test's own parts (scripts/package/): the import-graph walk on small fake packages,
 * the sample-folder hook, the native-binary reader and the sample check. The whole packaging test
 * is `npm run test:package` (a step of `npm test`).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { keepFolders } from './after-pack.mjs';
import { isOtherPlatform, packageOf, specifiersOf, walk } from './graph.mjs';
import { binaryKind, checkSamples } from './inspect.mjs';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'package-parts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const linuxX64 = { platform: 'linux', arch: 'x64' };

function tree(dir: string, files: Record<string, string | Buffer>): string {
  for (const [f, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), body);
  }
  return dir;
}

describe('specifiersOf', () => {
  // Trailing comments stay (a `//` may be inside a string): a load named there would be reported missing, never hidden.
  it('finds static, dynamic and CommonJS loads, not words in strings or comment lines', () => {
    const src = [
      'import { a } from "./a.js";',
      "import './side.js';",
      'export * from "pkg/sub";',
      'const x = ["import", "default"];',
      '  // require("in-a-comment")',
      '/* import "nope" */ const m = await import("dyn");',
      "const c = require('cjs'); const r = require.resolve('res/binary'); obj.require('not-a-load'); __require('shim');",
      'require(`../bin/${process.platform}/${process.arch}/b.node`);',
    ].join('\n');
    expect(specifiersOf(src, 'esm').map((s) => s.spec)).toEqual(['./a.js', './side.js', 'pkg/sub', 'dyn', 'cjs', 'res/binary', 'shim', '../bin/${process.platform}/${process.arch}/b.node']);
    expect(specifiersOf('import x from "y";', 'cjs')).toEqual([]);
  });

  it("does not let a '/*' in a string or a regular expression hide the loads after it", () => {
    // Both used to start a block comment running to the next '*/', so the requires between were never walked.
    const src = ["const glob = 'dir/*'; require('after-string');", 'p.replace(/\\/*$/, ""); require("after-regexp");', "const u = `a/*`; import('after-template'); /* require('in-comment') */"].join(
      '\n',
    );
    expect(specifiersOf(src, 'cjs').map((s) => s.spec)).toEqual(['after-template', 'after-string', 'after-regexp']);
  });

  it("reads the renderer's worker URLs only when asked", () => {
    const src = 'new Worker(new URL("layout.worker-1.js", import.meta.url));';
    expect(specifiersOf(src, 'esm')).toEqual([]);
    expect(specifiersOf(src, 'esm', true)).toEqual([{ spec: './layout.worker-1.js', kind: 'import' }]);
  });
});

describe('walk', () => {
  const root = tree(path.join(tmp, 'app'), {
    'package.json': JSON.stringify({ type: 'module', main: 'out/main.js' }),
    'out/main.js': 'import a from "./chunk.js";\nimport p from "pkg";\nimport "node:fs";\nimport "electron";\n',
    'out/chunk.js': 'export default require(`../node_modules/nat/bin/${process.platform}/${process.arch}/b.node`);\nimport("missing-pkg");\n',
    'node_modules/pkg/package.json': JSON.stringify({ exports: { '.': { import: './esm/index.js', require: './cjs/index.cjs' } } }),
    'node_modules/pkg/esm/index.js': 'import "dep"; export default 1;',
    'node_modules/dep/package.json': JSON.stringify({ main: 'lib' }),
    'node_modules/dep/lib/index.js': 'module.exports = require("./x");',
    'node_modules/dep/lib/x.js': '',
    'node_modules/nat/bin/linux/x64/b.node': '',
  });

  it('follows imports through exports, main, index files and the target-only native path; reports what does not resolve inside the root', () => {
    const r = walk({ root, entries: [path.join(root, 'out/main.js')], target: linuxX64, runtime: ['electron'] });
    expect([...r.packages].sort()).toEqual(['dep', 'nat', 'pkg']);
    expect([...r.files].map((f) => path.relative(root, f)).sort()).toContain(path.join('node_modules', 'nat', 'bin', 'linux', 'x64', 'b.node'));
    expect(r.missing).toEqual([{ from: path.join('out', 'chunk.js'), spec: 'missing-pkg' }]);
  });

  it('never resolves above its root (a package only in an outer node_modules is missing)', () => {
    const inner = tree(path.join(tmp, 'outer', 'app.asar.unpacked'), { 'out/w.js': 'import "outside";\n' });
    tree(path.join(tmp, 'outer'), { 'node_modules/outside/package.json': '{"main":"i.js"}', 'node_modules/outside/i.js': '' });
    const r = walk({ root: inner, entries: [path.join(inner, 'out/w.js')], target: linuxX64 });
    expect(r.missing).toEqual([{ from: path.join('out', 'w.js'), spec: 'outside' }]);
  });

  it('treats a .js file with module syntax and no package type as an ES module, as Node does', () => {
    const dir = tree(path.join(tmp, 'untyped'), { 'w.js': 'import { x } from "./gone.js";\n' });
    expect(walk({ root: dir, entries: [path.join(dir, 'w.js')], target: linuxX64 }).missing).toEqual([{ from: 'w.js', spec: './gone.js' }]);
  });

  it('treats minified re-exports (export*from, export{…}from) without a package type as an ES module', () => {
    const dir = tree(path.join(tmp, 'reexports'), { 'w.js': 'export*from"./a.js";\n', 'a.js': 'export{x}from"./gone.js";\n' });
    expect(walk({ root: dir, entries: [path.join(dir, 'w.js')], target: linuxX64 }).missing).toEqual([{ from: 'a.js', spec: './gone.js' }]);
  });

  it('resolves a subpath of a package without exports as Node does: the exact file for import, extensions for require', () => {
    const dir = tree(path.join(tmp, 'subpaths'), {
      'w.mjs': 'import "legacy/sub";\nimport "legacy/file.js";\n',
      'w.cjs': 'require("legacy/sub");\n',
      'node_modules/legacy/package.json': '{"main":"file.js"}',
      'node_modules/legacy/file.js': '',
      'node_modules/legacy/sub.js': '',
    });
    expect(walk({ root: dir, entries: [path.join(dir, 'w.mjs')], target: linuxX64 }).missing).toEqual([{ from: 'w.mjs', spec: 'legacy/sub' }]);
    expect(walk({ root: dir, entries: [path.join(dir, 'w.cjs')], target: linuxX64 }).missing).toEqual([]);
  });

  it("applies a package's exports patterns most specific first, as Node does (a null pattern hides files)", () => {
    const dir = tree(path.join(tmp, 'patterns'), {
      'w.mjs': 'import "pat/lib/a.js";\nimport "pat/lib/internal/b.js";\n',
      'node_modules/pat/package.json': JSON.stringify({ exports: { './lib/*': './dist/*', './lib/internal/*': null } }),
      'node_modules/pat/dist/a.js': '',
      'node_modules/pat/dist/internal/b.js': '',
    });
    expect(walk({ root: dir, entries: [path.join(dir, 'w.mjs')], target: linuxX64 }).missing).toEqual([{ from: 'w.mjs', spec: 'pat/lib/internal/b.js' }]);
  });

  it("lists sharp's requires of other platforms as not followed", () => {
    const dir = tree(path.join(tmp, 'other-platform'), { 'w.cjs': 'require("@img/sharp-darwin-arm64/sharp.node");\n' });
    const r = walk({ root: dir, entries: [path.join(dir, 'w.cjs')], target: linuxX64 });
    expect(r.missing).toEqual([]);
    expect(r.skipped).toEqual([{ from: 'w.cjs', spec: '@img/sharp-darwin-arm64/sharp.node', why: "sharp's package for another platform than linux-x64" }]);
  });

  it("ignores sharp's requires of other platforms' packages, not the target's", () => {
    expect(isOtherPlatform('@img/sharp-win32-x64/sharp.node', linuxX64)).toBe(true);
    expect(isOtherPlatform('@img/sharp-linux-arm64/sharp.node', linuxX64)).toBe(true);
    expect(isOtherPlatform('@img/sharp-wasm32/versions', linuxX64)).toBe(true);
    expect(isOtherPlatform('@img/sharp-linux-x64/sharp.node', linuxX64)).toBe(false);
    expect(isOtherPlatform('@img/sharp-libvips-linux-x64/lib', linuxX64)).toBe(false);
    expect(isOtherPlatform('@img/colour', linuxX64)).toBe(false);
    expect(packageOf('node_modules/a/node_modules/@s/b/x.js')).toBe('@s/b');
  });
});

describe('the sample folders', () => {
  it('keeps the empty version folders electron-builder drops (a .keep in each empty one)', () => {
    const src = tree(path.join(tmp, 'src-samples'), { 'r/ensemble_model/config.pbtxt': 'platform: "ensemble"', 'r/ensemble_model/1/.gitkeep': '', 'r/m/1/model.onnx': 'x' });
    const dst = tree(path.join(tmp, 'dst-samples'), { 'r/ensemble_model/config.pbtxt': 'platform: "ensemble"', 'r/m/1/model.onnx': 'x' });
    expect(keepFolders(src, dst)).toEqual([path.join('r', 'ensemble_model', '1')]);
    expect(readdirSync(path.join(dst, 'r/ensemble_model/1'))).toEqual(['.keep']);
    expect(readdirSync(path.join(dst, 'r/m/1'))).toEqual(['model.onnx']);
  });

  it('fails a package whose samples lack a model file or a folder', () => {
    const root = tree(path.join(tmp, 'repo'), { 'sample-repos/r/m/config.pbtxt': 'backend: "onnxruntime"', 'sample-repos/r/m/1/model.onnx': 'onnx', 'sample-repos/r/e/1/.gitkeep': '' });
    const packed = tree(path.join(tmp, 'packed'), { 'sample-repos/r/m/config.pbtxt': 'backend: "onnxruntime"', 'sample-images/manifest.json': '{}' });
    const r = checkSamples(packed, root);
    expect(r.status).toBe('failed');
    expect(r.detail).toContain(`r/m/1/model.onnx: not packed`);
    expect(r.detail).toContain('r/e/: folder not packed');
    expect(r.detail).toContain('r/m: an ONNX model without its model.onnx');
  });
});

describe('binaryKind', () => {
  it('reads the platform and machine from ELF, PE and Mach-O headers', () => {
    const elf = (machine: number): Buffer => {
      const b = Buffer.alloc(64);
      b.writeUInt32BE(0x7f454c46, 0);
      b.writeUInt16LE(machine, 18);
      return b;
    };
    const f = tree(path.join(tmp, 'bins'), {
      'x64.so': elf(0x3e),
      'arm64.so': elf(0xb7),
      'w.node': Buffer.from('MZ' + '\0'.repeat(30), 'latin1'),
      'm.dylib': Buffer.from([0xcf, 0xfa, 0xed, 0xfe, ...Array(28).fill(0)]),
    });
    expect(binaryKind(path.join(f, 'x64.so'))).toEqual({ os: 'linux', arch: 'x64' });
    expect(binaryKind(path.join(f, 'arm64.so'))).toEqual({ os: 'linux', arch: 'arm64' });
    expect(binaryKind(path.join(f, 'w.node')).os).toBe('win32');
    expect(binaryKind(path.join(f, 'm.dylib')).os).toBe('darwin');
  });
});

describe("electron-builder.yml's node_modules patterns, through electron-builder's own matcher", () => {
  type Filter = (file: string, stat: { isDirectory(): boolean }) => boolean;
  type Matcher = (appDir: string, to: string, macros: (s: string) => string, platformOptions: unknown, packager: unknown) => { createFilter(): Filter };
  const { getNodeModuleFileMatcher } = createRequire(import.meta.url)('app-builder-lib/out/fileMatcher.js') as { getNodeModuleFileMatcher: Matcher };
  const config = parse(readFileSync(path.join(import.meta.dirname, '../../electron-builder.yml'), 'utf8')) as Record<string, unknown>;
  const ORT = ['linux/x64', 'linux/arm64', 'darwin/arm64', 'darwin/x64', 'win32/x64', 'win32/arm64'];
  const IMG = [
    'sharp-linux-x64',
    'sharp-libvips-linux-x64',
    'sharp-linux-arm64',
    'sharp-libvips-linux-arm64',
    'sharp-linuxmusl-x64',
    'sharp-darwin-arm64',
    'sharp-libvips-darwin-arm64',
    'sharp-win32-x64',
    'sharp-wasm32',
    'colour',
  ];

  // ${platform} is process.platform of the building machine (electron-builder's macro), ${arch} the target's.
  it.each([
    ['linux', 'x64', 'linux/x64', ['sharp-linux-x64', 'sharp-libvips-linux-x64', 'colour']],
    ['linux', 'arm64', 'linux/arm64', ['sharp-linux-arm64', 'sharp-libvips-linux-arm64', 'colour']],
    ['darwin', 'arm64', 'darwin/arm64', ['sharp-darwin-arm64', 'sharp-libvips-darwin-arm64', 'colour']],
    ['win32', 'x64', 'win32/x64', ['sharp-win32-x64', 'colour']],
  ])('%s %s keeps only its own ONNX Runtime and sharp binaries', (platform, arch, ort, img) => {
    const macros = (s: string): string => s.replaceAll('${platform}', platform).replaceAll('${arch}', arch);
    const f = getNodeModuleFileMatcher('/app', '/dst', macros, {}, { config, debugLogger: { isEnabled: false } }).createFilter();
    const dir = { isDirectory: () => true };
    const file = { isDirectory: () => false };
    const keeps = (p: string): boolean => f(`/app/node_modules/${p}`, dir) && f(`/app/node_modules/${p}/x.node`, file);
    expect(ORT.filter((p) => keeps(`onnxruntime-node/bin/napi-v6/${p}`))).toEqual([ort]);
    expect(IMG.filter((d) => keeps(`@img/${d}`))).toEqual(img);
    expect(f('/app/node_modules/onnxruntime-node/dist/binding.js', file)).toBe(true);
    expect(f('/app/node_modules/sharp/dist/index.mjs', file)).toBe(true);
    expect(f('/app/node_modules/onnxruntime-node/script/install.js', file)).toBe(false);
  });
});
