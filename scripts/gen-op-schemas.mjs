#!/usr/bin/env node
// Generates electron/engine/graph/op-schemas/schemas.json: the signatures of
// ONNX operators (input and output roles, attributes with types, required
// flags and defaults) for the default domain and for onnxruntime's
// com.microsoft contrib domain. The node boxes name inputs by role (`W`,
// `scale`, `B`) and hide attributes left at their default, so these facts must
// cover every operator version a model can use; they are generated from the
// specification's own machine-written documents rather than typed by hand.
//
// Sources (read from git directories, e.g. those the `fetch` tool brings):
//   --onnx <git dir>  github:onnx/onnx: docs/Changelog.md (every schema version)
//                     and onnx/defs/<group>/*.cc (which group an operator is
//                     declared in, used for its colour category)
//   --ort <git dir>   github:microsoft/onnxruntime: docs/ContribOperators.md
//   --max-opset N     newest default-domain opset kept (the newest that the
//                     bundled onnxruntime-node loads without a warning)
//
// Only facts are kept: names, options, types, required flags and defaults; no
// descriptive text. A version whose signature equals the previous one is kept
// as its number alone, so the since_version stays exact and the file small.
//
//   node scripts/gen-op-schemas.mjs --onnx /work/.mirror/onnx+onnx/repo \
//     --ort /work/.mirror/<owner>+onnxruntime/repo --max-opset 26
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(root, 'electron/engine/graph/op-schemas/schemas.json');

function args() {
  const a = process.argv.slice(2);
  const get = (flag) => {
    const i = a.indexOf(flag);
    return i >= 0 ? a[i + 1] : undefined;
  };
  const onnx = get('--onnx');
  const ort = get('--ort');
  const maxOpset = Number(get('--max-opset') ?? 26);
  if (!onnx || !ort || !Number.isInteger(maxOpset)) {
    console.error('usage: gen-op-schemas.mjs --onnx <onnx git dir> --ort <onnxruntime git dir> [--max-opset N]');
    process.exit(2);
  }
  return { onnx, ort, maxOpset };
}

const git = (dir, ...rest) => execFileSync('git', ['-C', dir, ...rest], { encoding: 'utf8', maxBuffer: 64 << 20 });
const show = (dir, file) => git(dir, 'show', `HEAD:${file}`);
const head = (dir) => git(dir, 'rev-parse', 'HEAD').trim();

// ---------------------------------------------------------------------------
// Defaults as display text, formatted as electron/engine/graph/attributes.ts
// formats a node's attribute value, so that "value equals default" is a string
// comparison.

function formatFloat(f) {
  if (!Number.isFinite(f)) return String(f);
  return String(Number(f.toPrecision(6)));
}

/** Splits `['a', 'b']` into its items (the Changelog writes list defaults this way). */
function listItems(text) {
  const inner = text.trim().replace(/^\[/, '').replace(/\]$/, '').trim();
  if (!inner) return [];
  return inner.split(',').map((s) => s.trim().replace(/^'(.*)'$/, '$1'));
}

function formatDefault(type, raw) {
  const text = raw.trim().replace(/^\((.*)\)$/, '$1');
  switch (type) {
    case 'FLOAT':
      return formatFloat(Number(text));
    case 'INT':
      return String(BigInt(text));
    case 'STRING':
      return text;
    case 'INTS':
      return `[${listItems(text)
        .map((s) => String(BigInt(s)))
        .join(', ')}]`;
    case 'FLOATS':
      return `[${listItems(text)
        .map((s) => formatFloat(Number(s)))
        .join(', ')}]`;
    case 'STRINGS':
      return `[${listItems(text)
        .map((s) => JSON.stringify(s))
        .join(', ')}]`;
    default:
      throw new Error(`no default format for ${type} (${raw})`);
  }
}

const ATTR_TYPES = {
  int: 'INT',
  float: 'FLOAT',
  string: 'STRING',
  tensor: 'TENSOR',
  graph: 'GRAPH',
  'list of ints': 'INTS',
  'list of floats': 'FLOATS',
  'list of strings': 'STRINGS',
  'list of tensors': 'TENSORS',
  'list of graphs': 'GRAPHS',
  sparse_tensor: 'SPARSE_TENSOR',
  'list of sparse_tensors': 'SPARSE_TENSORS',
  type_proto: 'TYPE_PROTO',
  'list of type_protos': 'TYPE_PROTOS',
};

// ---------------------------------------------------------------------------
// Parsing the generated operator documents (onnx/defs/gen_doc.py and
// onnxruntime/tools/python/gen_contrib_doc.py write the same layout).

/** The `<dt>` lines of one `#### <title>` section of an operator entry. */
function sectionTerms(body, title) {
  const m = body.match(new RegExp(`^#### ${title}\\b[^\\n]*\\n([\\s\\S]*?)(?=^#### |(?![\\s\\S]))`, 'm'));
  if (!m) return [];
  return [...m[1].matchAll(/^<dt>(.*)<\/dt>$/gm)].map((x) => x[1]);
}

/** `<tt>B</tt> (optional) : T` → `B?`; variadic → `inputs*`. */
function parseParam(term) {
  const m = term.match(/^<tt>([^<]*)<\/tt>(?: \(([^)]*)\))? :/);
  if (!m) throw new Error(`unreadable input/output: ${term}`);
  const flags = (m[2] ?? '').split(',').map((s) => s.trim());
  if (flags.includes('variadic')) return `${m[1]}*`;
  if (flags.includes('optional')) return `${m[1]}?`;
  return m[1];
}

/** `<tt>alpha</tt> : float (default is 0.01)` → `alpha:FLOAT=0.01`; required → `name:TYPE!`. */
function parseAttr(term) {
  const m = term.match(/^<tt>([^<]*)<\/tt> : (.*)$/);
  if (!m) throw new Error(`unreadable attribute: ${term}`);
  const rest = m[2].trim();
  const def = rest.match(/^(.*?) \(default is (.*)\)$/);
  const req = rest.match(/^(.*?) \(required\)$/);
  const typeText = (def?.[1] ?? req?.[1] ?? rest).trim();
  const type = ATTR_TYPES[typeText];
  if (!type) throw new Error(`unknown attribute type '${typeText}' in ${term}`);
  if (def) return `${m[1]}:${type}=${formatDefault(type, def[2])}`;
  return `${m[1]}:${type}${req ? '!' : ''}`;
}

/** Splits a document into operator entries: { name, version, deprecated, body }. */
function entries(doc, headingName) {
  const out = [];
  const re = new RegExp(`^### (?:<sub>experimental</sub> )?<a name="${headingName}"></a>.*$`, 'gm');
  const starts = [...doc.matchAll(re)];
  starts.forEach((m, k) => {
    const end = k + 1 < starts.length ? starts[k + 1].index : doc.length;
    out.push({ name: m[1], version: m[2] ? Number(m[2]) : undefined, heading: m[0], body: doc.slice(m.index, end) });
  });
  return out;
}

/** `fallback`: the version in the heading, for experimental entries that state none. */
function signature(body, fallback) {
  const version = body.match(/(?:available|deprecated) since version (\d+) of the/);
  const experimental = /No versioning maintained for experimental ops/.test(body);
  if (!version && !(experimental && fallback)) throw new Error('entry without a version line');
  const v = version ? Number(version[1]) : fallback;
  if (/has been deprecated since version/.test(body)) return { v, d: 1 };
  const sig = { v };
  if (experimental) sig.x = 1;
  const i = sectionTerms(body, 'Inputs').map(parseParam);
  const o = sectionTerms(body, 'Outputs').map(parseParam);
  const a = sectionTerms(body, 'Attributes').map(parseAttr);
  if (i.length) sig.i = i;
  if (o.length) sig.o = o;
  if (a.length) sig.a = a;
  return sig;
}

// ---------------------------------------------------------------------------
// Categories for colouring: by the group of onnx/defs the operator is declared
// in, refined by name. (op-docs.ts keeps its own table's categories first.)

const ACTIVATION = /(Relu|Elu|Sigmoid|Swish|Softplus|Softsign|Gelu|Mish|Tanh|Softmax|Hardmax)$/;

function categoryOf(op, group) {
  if (/Quantiz|^QLinear|^Q[A-Z][a-z]|NBits|Integer|Bnb4|FpQ4|BlockQuantized|Float8|QMoE/.test(op)) return 'quantization';
  if (/Pool$|RoiPool|Unpool|^RoiAlign/.test(op)) return 'pool';
  if (/Norm(alization)?$|^LRN$|Dropout$/.test(op)) return 'normalization';
  if (ACTIVATION.test(op)) return 'activation';
  if (/Attention|^(Fused|Nhwc)?Conv|MatMul|Gemm|Einsum|LSTM|GRU|RNN$|Embedding|^MoE$/.test(op)) return 'layer';
  if (/^(Reshape|Flatten|Squeeze|Unsqueeze|Transpose|Shape|Size|Expand|ExpandDims|DepthToSpace|SpaceToDepth)$/.test(op)) return 'shape';
  const byGroup = {
    controlflow: 'control',
    generator: 'data',
    logical: 'logic',
    rnn: 'layer',
    quantization: 'quantization',
    sequence: 'tensor',
    tensor: 'tensor',
    image: 'tensor',
    object_detection: 'tensor',
    optional: 'data',
  };
  return byGroup[group] ?? 'other';
}

/** Operator name → onnx/defs group (math, nn, tensor, …). */
function onnxGroups(onnxDir) {
  const files = git(onnxDir, 'ls-tree', '-r', '--name-only', 'HEAD', 'onnx/defs')
    .split('\n')
    .filter((f) => /^onnx\/defs\/[a-z_]+\/[a-z_0-9]+\.cc$/.test(f));
  const groups = new Map();
  for (const f of files) {
    const group = f.split('/')[2];
    for (const m of show(onnxDir, f).matchAll(/ONNX_(?:OPERATOR_SET_SCHEMA|PREVIEW_OPERATOR_SET_SCHEMA)\(\s*(\w+)\s*,/g)) {
      if (!groups.has(m[1])) groups.set(m[1], group);
    }
  }
  return groups;
}

// ---------------------------------------------------------------------------

/** Versions of one operator, oldest first; an unchanged signature keeps only its number. */
function compact(versions) {
  versions.sort((a, b) => a.v - b.v);
  let last = '';
  return versions.map((s) => {
    const { v, ...sig } = s;
    const key = JSON.stringify(sig);
    if (key === last) return v;
    last = key;
    return { v, ...sig };
  });
}

function defaultDomain(onnxDir, maxOpset) {
  const doc = show(onnxDir, 'docs/Changelog.md');
  // Only the default domain: its sections come before the preview and training sets.
  const end = doc.search(/^## Version \d+ of the '/m);
  const body = end >= 0 ? doc.slice(0, end) : doc;
  const groups = onnxGroups(onnxDir);
  const ops = new Map();
  for (const e of entries(body, '([A-Za-z0-9_]+)-(\\d+)')) {
    const sig = signature(e.body, e.version);
    if (sig.v !== e.version) throw new Error(`${e.name}-${e.version}: version line says ${sig.v}`);
    if (sig.v > maxOpset) continue;
    if (!ops.has(e.name)) ops.set(e.name, []);
    ops.get(e.name).push(sig);
  }
  const out = {};
  for (const name of [...ops.keys()].sort()) out[name] = { c: categoryOf(name, groups.get(name)), s: compact(ops.get(name)) };
  return out;
}

function contribDomain(ortDir, domain) {
  const doc = show(ortDir, 'docs/ContribOperators.md');
  const escaped = domain.replace(/\./g, '\\.');
  const out = {};
  const found = entries(doc, `${escaped}\\.([A-Za-z0-9_]+)()`);
  for (const e of found.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    // Experimental contrib entries state no version; they belong to the domain's version 1.
    const sig = signature(e.body, 1);
    if (/experimental/i.test(e.heading)) sig.x = 1;
    (out[e.name] ??= { c: categoryOf(e.name, undefined), s: [] }).s.push(sig);
  }
  for (const op of Object.values(out)) op.s = compact(op.s);
  return out;
}

function main() {
  const { onnx, ort, maxOpset } = args();
  const data = {
    about: 'Operator signatures generated by scripts/gen-op-schemas.mjs from onnx docs/Changelog.md and onnxruntime docs/ContribOperators.md; do not edit by hand.',
    sources: { onnx: head(onnx), onnxruntime: head(ort), onnxruntimeVersion: show(ort, 'VERSION_NUMBER').trim() },
    maxOpset,
    domains: { '': defaultDomain(onnx, maxOpset), 'com.microsoft': contribDomain(ort, 'com.microsoft') },
  };
  const text = `${JSON.stringify(data)}\n`;
  writeFileSync(OUT, text);
  const count = (d) => Object.keys(d).length;
  const versions = (d) => Object.values(d).reduce((n, op) => n + op.s.length, 0);
  console.log(
    `${path.relative(root, OUT)}: ${text.length} bytes; default domain ${count(data.domains[''])} operators, ${versions(data.domains[''])} versions (opset ≤ ${maxOpset}); com.microsoft ${count(data.domains['com.microsoft'])} operators`,
  );
}

main();
