// The run-time import graph of a packed app, walked from the packaged files alone.
//
// Starting from entry files, every static import/export-from, literal dynamic import() and literal
// require() is followed with Node's resolution rules (relative paths; bare names through node_modules
// folders walking up from the importing file, package.json `exports` with the process's conditions,
// `main`, CommonJS extensions and index files), but never above `root`: a module that resolves only
// outside the package (in the repository's node_modules, say) is reported missing. Template requires
// are followed when they only vary by platform and arch (onnxruntime-node's binding), with the
// target's values. Resolution is by file name only; whether the code runs is the engine-host smoke
// test's job (smoke.mjs).
import { builtinModules } from 'node:module';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const BUILTINS = new Set(builtinModules);
const JS = /\.(?:m|c)?js$/;
const CJS_EXTENSIONS = ['', '.js', '.json', '.node', '.cjs', '.mjs'];
export const ESM_CONDITIONS = ['node', 'import', 'node-addons', 'module-sync', 'default'];
export const CJS_CONDITIONS = ['node', 'require', 'node-addons', 'module-sync', 'default'];

/**
 * Literal requires that are not loads of the packed app: text that sucrase writes into the code it
 * transforms (for JSX and Flow, which script models do not use). Each is printed with its reason.
 */
export const NOT_LOADED = new Map([
  ['sucrase|react-hot-loader', 'sucrase writes this require into code it transforms with the react-hot-loader transform (unused)'],
  ['sucrase|flow-enums-runtime', 'sucrase writes this require into code it transforms with the flow transform (unused)'],
]);

/** Literal requires of sharp's alternatives for other platforms: sharp tries each @img/sharp-<os>-<arch> in turn. */
export function isOtherPlatform(spec, target) {
  const m = /^@img\/sharp-(?:libvips-)?(?:dev-)?([a-z0-9]+)(?:-([a-z0-9]+))?(?:\/|$)/.exec(spec);
  if (!m) return false;
  return !(m[1] === target.platform && m[2] === target.arch);
}

/**
 * `source` without its block comments and whole-line `//` comments. String literals and escaped
 * characters are skipped over, so a `/*` inside a string ('dir/*') or a regular expression
 * (/\/*$/) does not start a comment that would hide the loads up to the next `*\/`: text kept by
 * mistake can only make a load reported missing, text dropped by mistake would hide one.
 */
function stripComments(source) {
  let out = '';
  let lineStart = true;
  for (let i = 0; i < source.length;) {
    const c = source[i];
    if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 2;
      out += ' ';
      continue;
    }
    if (c === '/' && source[i + 1] === '/' && lineStart) {
      const end = source.indexOf('\n', i);
      i = end < 0 ? source.length : end;
      continue;
    }
    let j = i + 1;
    if (c === '\\') j = i + 2;
    else if (c === "'" || c === '"' || c === '`') {
      while (j < source.length && source[j] !== c && (c === '`' || source[j] !== '\n')) j += source[j] === '\\' ? 2 : 1;
      j = Math.min(j + 1, source.length);
    }
    out += source.slice(i, j);
    lineStart = c === '\n' || (lineStart && (c === ' ' || c === '\t'));
    i = j;
  }
  return out;
}

/** The import specifiers a JavaScript source names literally, with the kind of load each is. */
export function specifiersOf(source, format, assets = false) {
  const code = stripComments(source);
  const out = [];
  const add = (re, kind) => {
    for (const m of code.matchAll(re)) out.push({ spec: m[1], kind });
  };
  if (format === 'esm') {
    add(/(?:^|[\n;])\s*(?:import|export)\s*(?:[^'";]*?\bfrom\s*)?["']([^"'\n]+)["']/g, 'import');
  }
  add(/\bimport\(\s*["']([^"'\n]+)["']\s*\)/g, 'import');
  // `__require` is the bundler's CommonJS shim (rolldown, esbuild) in bundled ES modules such as out/main's.
  add(/(?<![.\w$])(?:__)?require(?:\.resolve)?\(\s*["']([^"'\n]+)["']\s*\)/g, 'require');
  // Files a bundle refers to by URL (the renderer's workers): `new URL('./x.js', import.meta.url)`.
  if (assets) {
    for (const m of code.matchAll(/\bnew URL\(\s*["']((?:\.{1,2}\/)?[\w.\-/]+\.m?js)["']\s*,\s*import\.meta\.url\s*\)/g)) out.push({ spec: m[1].startsWith('.') ? m[1] : `./${m[1]}`, kind: 'import' });
  }
  for (const m of code.matchAll(/(?<![.\w$])require\(\s*`([^`]+)`\s*\)/g)) out.push({ spec: m[1], kind: 'require', template: true });
  return out;
}

function packageJsonOf(dir, root) {
  for (let d = dir; d.startsWith(root); d = path.dirname(d)) {
    const f = path.join(d, 'package.json');
    if (existsSync(f)) return { dir: d, json: JSON.parse(readFileSync(f, 'utf8')) };
    if (d === root) break;
  }
  return undefined;
}

function formatOf(file, root) {
  if (file.endsWith('.mjs')) return 'esm';
  if (file.endsWith('.cjs')) return 'cjs';
  const type = packageJsonOf(path.dirname(file), root)?.json.type;
  if (type) return type === 'module' ? 'esm' : 'cjs';
  // No "type" (the built files in app.asar.unpacked have no package.json above them): Node detects
  // ES module syntax (default since Node 20.19 / 22.7), and so does this walk.
  // `export{a}from"./b.js"` and `export*from"./c.js"` (minified re-exports) count, `exports.x =` does not.
  return /(?:^|[\n;])\s*(?:import\s*[\w{*"']|export\s*[{*]|export\s)/.test(readFileSync(file, 'utf8')) ? 'esm' : 'cjs';
}

const isFile = (f) => existsSync(f) && statSync(f).isFile();

/** Node's conditional exports: the first key of `target` (in its order) whose condition applies. */
function exportTarget(target, conditions) {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) return target.map((t) => exportTarget(t, conditions)).find((t) => t != null);
  if (target && typeof target === 'object') {
    for (const [k, v] of Object.entries(target)) if (conditions.includes(k)) return exportTarget(v, conditions) ?? undefined;
  }
  return undefined;
}

function resolveExports(exp, subpath, conditions) {
  const map = typeof exp === 'string' || Array.isArray(exp) || !Object.keys(exp).some((k) => k.startsWith('.')) ? { '.': exp } : exp;
  if (subpath in map) return exportTarget(map[subpath], conditions);
  // Node tries the patterns most specific first (longest part before '*', then longest key), whatever
  // their order in the file; a null target there (`"./internal/*": null`) hides the subpath.
  const patterns = Object.keys(map)
    .filter((k) => k.split('*').length === 2)
    .sort((a, b) => b.indexOf('*') - a.indexOf('*') || b.length - a.length);
  for (const k of patterns) {
    const star = k.indexOf('*');
    if (subpath.length < k.length || !subpath.startsWith(k.slice(0, star)) || !subpath.endsWith(k.slice(star + 1))) continue;
    const t = exportTarget(map[k], conditions);
    return t?.replaceAll('*', subpath.slice(star, subpath.length - (k.length - star - 1)));
  }
  return undefined;
}

function resolveFileLike(base, format) {
  if (format === 'esm') return isFile(base) ? base : undefined;
  for (const ext of CJS_EXTENSIONS) if (isFile(base + ext)) return base + ext;
  const pkg = existsSync(path.join(base, 'package.json')) ? JSON.parse(readFileSync(path.join(base, 'package.json'), 'utf8')) : undefined;
  if (pkg?.main) {
    const m = resolveFileLike(path.join(base, pkg.main), 'cjs');
    if (m) return m;
  }
  for (const ext of ['.js', '.json', '.node']) if (isFile(path.join(base, 'index' + ext))) return path.join(base, 'index' + ext);
  return undefined;
}

function resolveBare(spec, fromDir, root, format) {
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const sub = spec.slice(name.length);
  for (let d = fromDir; ; d = path.dirname(d)) {
    const dir = path.join(d, 'node_modules', name);
    if (existsSync(path.join(dir, 'package.json'))) {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pkg.exports != null) {
        const t = resolveExports(pkg.exports, `.${sub}`, format === 'esm' ? ESM_CONDITIONS : CJS_CONDITIONS);
        return t && isFile(path.join(dir, t)) ? path.join(dir, t) : undefined;
      }
      // An ES module's subpath names the file itself (no extensions, no index files); require() searches.
      if (sub) return resolveFileLike(path.join(dir, sub), format);
      return resolveFileLike(dir, 'cjs');
    }
    if (d === root || !d.startsWith(root)) return undefined;
  }
}

/** The package a file (relative to the app root) belongs to: the last node_modules/<name> in its path. */
export function packageOf(rel) {
  const all = [
    ...rel
      .split(path.sep)
      .join('/')
      .matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g),
  ];
  return all.length ? all[all.length - 1][1] : undefined;
}

/** Resolves one specifier from `file` inside `root`; undefined when it does not resolve there. */
export function resolveIn(spec, file, root, format) {
  if (spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/')) {
    const r = resolveFileLike(path.resolve(path.dirname(file), spec), format);
    return r && (r === root || r.startsWith(root + path.sep)) ? r : undefined;
  }
  return resolveBare(spec, path.dirname(file), root, format);
}

/**
 * Walks the graph from `entries` (absolute files under `root`). `runtime`: names the process provides
 * (e.g. 'electron' for main and preload). Returns the files reached, the packages they belong to, and
 * every load that did not resolve inside `root`.
 */
export function walk({ root, entries, target, runtime = [], assets = false }) {
  const seen = new Set();
  const missing = [];
  const skipped = [];
  const queue = [...entries];
  for (const e of entries) if (!isFile(e)) missing.push({ from: '(entry)', spec: path.relative(root, e) });
  while (queue.length) {
    const file = queue.pop();
    if (seen.has(file) || !isFile(file)) continue;
    seen.add(file);
    if (!JS.test(file)) continue;
    const format = formatOf(file, root);
    for (const { spec: raw, kind, template } of specifiersOf(readFileSync(file, 'utf8'), format, assets)) {
      let spec = raw;
      if (template) {
        spec = raw.replaceAll('${process.platform}', target.platform).replaceAll('${process.arch}', target.arch);
        if (spec.includes('${')) {
          skipped.push({ from: path.relative(root, file), spec: raw, why: 'computed at run time' });
          continue;
        }
      }
      if (spec.includes('${')) continue; // a require written into generated code, not a load
      if (spec.startsWith('node:') || BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0])) continue;
      if (runtime.includes(spec)) continue;
      const from = path.relative(root, file);
      if (isOtherPlatform(spec, target)) {
        skipped.push({ from, spec, why: `sharp's package for another platform than ${target.platform}-${target.arch}` });
        continue;
      }
      const r = resolveIn(spec, file, root, kind === 'require' ? 'cjs' : format);
      const why = NOT_LOADED.get(`${packageOf(from)}|${spec}`);
      if (r) queue.push(r);
      else if (why) skipped.push({ from, spec, why });
      else missing.push({ from, spec });
    }
  }
  const packages = new Set([...seen].map((f) => packageOf(path.relative(root, f))).filter(Boolean));
  return { files: seen, packages, missing, skipped };
}
