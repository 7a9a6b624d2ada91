// The parsing half of scripts/gen-op-schemas.mjs: turns the operator documents
// (onnx docs/Changelog.md, onnxruntime docs/ContribOperators.md) and the
// contrib schema sources into the compact signatures of schemas.json. Pure
// functions of text, so scripts/gen-op-schemas.test.ts can check them on small
// samples without the onnx and onnxruntime sources.

// ---------------------------------------------------------------------------
// Defaults as display text, formatted as electron/engine/graph/attributes.ts
// formats a node's attribute value, so that "value equals default" is a string
// comparison.

export function formatFloat(f) {
  if (!Number.isFinite(f)) return String(f);
  return String(Number(f.toPrecision(6)));
}

/** Splits `['a', 'b']` into its items (the Changelog writes list defaults this way). */
function listItems(text) {
  const inner = text.trim().replace(/^\[/, '').replace(/\]$/, '').trim();
  if (!inner) return [];
  return inner.split(',').map((s) => s.trim().replace(/^'(.*)'$/, '$1'));
}

export function formatDefault(type, raw) {
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
export function parseParam(term) {
  const m = term.match(/^<tt>([^<]*)<\/tt>(?: \(([^)]*)\))? :/);
  if (!m) throw new Error(`unreadable input/output: ${term}`);
  const flags = (m[2] ?? '').split(',').map((s) => s.trim());
  if (flags.includes('variadic')) return `${m[1]}*`;
  if (flags.includes('optional')) return `${m[1]}?`;
  return m[1];
}

/** `<tt>alpha</tt> : float (default is 0.01)` → `alpha:FLOAT=0.01`; required → `name:TYPE!`. */
export function parseAttr(term) {
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
export function entries(doc, headingName) {
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
export function signature(body, fallback) {
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

const ACTIVATION = /(Relu|Elu|Sigmoid|Swish|Softplus|Softsign|Gelu|Mish|Tanh|Softmax|Hardmax)$|^(Selu|Celu|Shrink)$/;

export function categoryOf(op, group) {
  if (/[Qq]uantiz|^QLinear|^Q[A-Z][a-z]|NBits|Integer|Bnb4|FpQ4|BlockQuantized|Float8|QMoE/.test(op)) return 'quantization';
  if (/Pool$|^MaxpoolWithMask$|RoiPool|Unpool|^RoiAlign/.test(op)) return 'pool';
  if (/Norm(alization)?$|^LRN$|Dropout$|^(Normalizer|Scaler)$/.test(op)) return 'normalization';
  if (/Attention|^(Nhwc|Deform)?(Fused)?Conv|MatMul|^(Fused)?Gemm|Einsum|LSTM|GRU|RNN$|Embedding|^MoE$|Classifier$|Regressor$|^TreeEnsemble$/.test(op)) return 'layer';
  if (ACTIVATION.test(op)) return 'activation';
  if (/^(Reshape|Flatten|Squeeze|Unsqueeze|Transpose|Shape|Size|Expand|ExpandDims|DepthToSpace|SpaceToDepth)$/.test(op)) return 'shape';
  // Decoding loops that run a model subgraph per step.
  if (/^(BeamSearch|GreedySearch|WhisperBeamSearch|Sampling)$/.test(op)) return 'control';
  if (/^(Pad|GatherND|GridSample|Trilu|Unique|CropAndResize|UnfoldTensor|RemovePadding|RestorePadding)$/.test(op)) return 'tensor';
  if (op === 'Range') return 'data';
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

/** Operator name → onnx/defs group (math, nn, tensor, …), from the schema sources `[{ path, text }]`. */
export function onnxGroups(files) {
  const groups = new Map();
  for (const { path: file, text } of files) {
    const group = file.split('/')[2];
    for (const m of text.matchAll(/ONNX_(?:OPERATOR_SET_SCHEMA|PREVIEW_OPERATOR_SET_SCHEMA)\(\s*(\w+)\s*,/g)) {
      if (!groups.has(m[1])) groups.set(m[1], group);
    }
  }
  return groups;
}

// ---------------------------------------------------------------------------

/** Versions of one operator, oldest first; an unchanged signature keeps only its number. */
export function compact(versions) {
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

/**
 * One domain of an onnx changelog: operator → { c: category, s: versions }.
 * `domain` '' reads the default set of docs/Changelog.md (its sections come
 * before the preview and training sets); 'ai.onnx.ml' reads docs/Changelog-ml.md.
 */
export function changelogDomain(doc, domain, groups, maxVersion, extra = new Map()) {
  let body = doc;
  if (domain === '') {
    const end = doc.search(/^## Version \d+ of the '/m);
    if (end >= 0) body = doc.slice(0, end);
  }
  const prefix = domain ? `${domain.replace(/\./g, '\\.')}\\.` : '';
  const ops = new Map();
  for (const e of entries(body, `${prefix}([A-Za-z0-9_]+)-(\\d+)`)) {
    const sig = signature(e.body, e.version);
    if (sig.v !== e.version) throw new Error(`${e.name}-${e.version}: version line says ${sig.v}`);
    if (sig.v > maxVersion) continue;
    if (!ops.has(e.name)) ops.set(e.name, []);
    ops.get(e.name).push(sig);
  }
  // Schemas the runtime adds to the domain, where the specification has none at that version.
  for (const [name, sig] of extra) {
    if (sig.v > maxVersion || ops.get(name)?.some((s) => s.v === sig.v)) continue;
    if (!ops.has(name)) ops.set(name, []);
    ops.get(name).push(sig);
  }
  const out = {};
  for (const name of [...ops.keys()].sort()) out[name] = { c: categoryOf(name, groups.get(name)), s: compact(ops.get(name)) };
  return out;
}

/** The default domain from docs/Changelog.md, with `extra` signatures (ortOnnxDomainSchemas). */
export function defaultDomain(doc, groups, maxOpset, extra = new Map()) {
  return changelogDomain(doc, '', groups, maxOpset, extra);
}

// ---------------------------------------------------------------------------
// onnxruntime's contrib document lists attributes without their defaults;
// the schema sources declare them as the fourth argument of `.Attr(...)`.
// Only literal defaults (and named constants defined as literals) are read;
// anything computed is left out rather than guessed.

/** Index after a C++ string or character literal starting at `k` (`src[k]` is `"` or `'`). */
function skipLiteral(src, k) {
  const quote = src[k];
  let j = k + 1;
  while (j < src.length && src[j] !== quote) j += src[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** The arguments of a call whose `(` is at `open`, split at top-level commas; literals and nesting respected. */
export function callArgs(src, open) {
  const args = [];
  let depth = 0;
  let cur = '';
  for (let k = open; k < src.length; k++) {
    const ch = src[k];
    if (ch === '"' || ch === "'") {
      const end = skipLiteral(src, k);
      cur += src.slice(k, end);
      k = end - 1;
      continue;
    }
    if (ch === '(' || ch === '{' || ch === '[') {
      if (depth++ === 0) continue;
    } else if (ch === ')' || ch === '}' || ch === ']') {
      if (--depth === 0) {
        args.push(cur.trim());
        return args;
      }
    } else if (ch === ',' && depth === 1) {
      args.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  return args;
}

/** Index of the `;` that ends the statement starting at `start` (one schema registration). */
export function statementEnd(src, start) {
  let depth = 0;
  for (let k = start; k < src.length; k++) {
    const ch = src[k];
    if (ch === '/' && src[k + 1] === '/') k = src.indexOf('\n', k) < 0 ? src.length : src.indexOf('\n', k);
    else if (ch === '/' && src[k + 1] === '*') k = src.indexOf('*/', k) < 0 ? src.length : src.indexOf('*/', k) + 1;
    else if (ch === '"' || ch === "'") k = skipLiteral(src, k) - 1;
    else if (ch === 'R' && src[k + 1] === '"' && !/\w/.test(src[k - 1] ?? '')) {
      // Raw string R"delim( ... )delim"
      const open = src.indexOf('(', k);
      const delim = src.slice(k + 2, open);
      const close = src.indexOf(`)${delim}"`, open);
      // On the closing quote; the loop steps past it.
      k = close < 0 ? src.length : close + delim.length + 1;
    } else if (ch === '(' || ch === '{' || ch === '[') depth++;
    else if (ch === ')' || ch === '}' || ch === ']') depth--;
    else if (ch === ';' && depth <= 0) return k;
  }
  return src.length;
}

/** TensorProto.DataType numbers (onnx.proto), for defaults written as `TensorProto_DataType_FLOAT`. */
const DATA_TYPES = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
};

const dataType = (e) => DATA_TYPES[e.match(/^(?:ONNX_NAMESPACE::)?(?:TensorProto_DataType_|TensorProto::)([A-Z0-9]+)$/)?.[1]];

/** A C++ default expression as text in the document's notation, or undefined when it is not a literal. */
export function cppLiteral(expr, constants, type) {
  let e = expr.replace(/\s+/g, ' ').trim();
  for (let guard = 0; guard < 4; guard++) {
    const cast = e.match(/^static_cast<[\w:]+>\((.*)\)$/) ?? e.match(/^std::string\((.*)\)$/);
    if (cast) e = cast[1].trim();
    else if (/^[A-Za-z_]\w*$/.test(e) && constants.has(e)) e = constants.get(e);
    else if (dataType(e) !== undefined) e = String(dataType(e));
    else break;
  }
  if (type === 'STRING') {
    const m = e.match(/^"((?:[^"\\]|\\.)*)"$/);
    return m ? m[1] : undefined;
  }
  // (`false`/`true` there is Attr's `required` flag, not a value.)
  if (type === 'INT') return /^-?\d+$/.test(e) ? e : undefined;
  if (type === 'FLOAT') {
    const m = e.match(/^(-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?)f?$/i);
    return m ? m[1] : undefined;
  }
  return undefined;
}

/** `NAME = literal;` constants in the sources (kDefaultSkipLayerNormEpsilon and the like). */
export function cppConstants(src) {
  const out = new Map();
  for (const m of src.matchAll(/constexpr\s+(?:const\s+)?[\w:]+\s+(\w+)\s*=\s*([^;]+);/g)) out.set(m[1], m[2].trim());
  return out;
}

/** Each schema registration in C++ sources: `{ name, block, domain }` (domain: the SetDomain argument, when named). */
export function schemaBlocks(src) {
  const out = [];
  const macros = [...src.matchAll(/ONNX_MS_OPERATOR_SET_SCHEMA\(\s*(\w+)\s*,\s*1\s*,|ONNX_CONTRIB_OPERATOR_SCHEMA\(\s*(\w+)\s*\)/g)];
  macros.forEach((m, k) => {
    const next = k + 1 < macros.length ? macros[k + 1].index : src.length;
    const end = statementEnd(src, m.index);
    // A registration never spans the next one; if the scan says so, it misread the source.
    if (end > next) throw new Error(`could not find the end of the schema of ${m[1] ?? m[2]}`);
    const block = src.slice(m.index, end);
    const domain = m[1] ? 'kMSDomain' : block.match(/\.SetDomain\(\s*(\w+)\s*\)/)?.[1];
    out.push({ name: m[1] ?? m[2], block, domain });
  });
  return out;
}

/** The `.Attr(...)` calls of a block: name → { type, expr } (expr: the fourth argument, absent when none). */
function blockAttrs(block) {
  const attrs = new Map();
  for (const a of block.matchAll(/\.Attr\(/g)) {
    const args = callArgs(block, a.index + a[0].length - 1);
    const attr = args[0]?.match(/^"(\w+)"$/)?.[1];
    const type = args[2]?.match(/AttributeProto::([A-Z_]+)$/)?.[1];
    if (attr && type && !attrs.has(attr)) attrs.set(attr, { type, expr: args[3] });
  }
  return attrs;
}

/** Operator name → attribute name → default expression, from the com.microsoft registrations. */
export function contribDefaults(src) {
  const constants = cppConstants(src);
  const out = new Map();
  for (const { name, block, domain } of schemaBlocks(src)) {
    // Other domains (nchwc, the ONNX domain, ...) are not this one.
    if (domain !== 'kMSDomain' || out.has(name)) continue;
    const attrs = new Map([...blockAttrs(block)].filter(([, d]) => d.expr !== undefined));
    out.set(name, attrs);
  }
  return { defaults: out, constants };
}

/** `.Input(0, "X", doc, "T", OpSchema::Optional)` → `X?` (sorted by index). */
function blockParams(block, kind) {
  const params = [];
  for (const a of block.matchAll(new RegExp(`\\.${kind}\\(`, 'g'))) {
    const args = callArgs(block, a.index + a[0].length - 1);
    const index = Number(args[0]);
    const name = args[1]?.match(/^"(\w+)"$/)?.[1];
    if (!Number.isInteger(index) || !name) continue;
    const option = args[4] ?? '';
    params[index] = `${name}${/Variadic/.test(option) ? '*' : /Optional/.test(option) ? '?' : ''}`;
  }
  return [...params].filter((p) => p !== undefined);
}

/**
 * Signatures onnxruntime registers in the default ONNX domain itself (its own
 * LayerNormalization-1 and SimplifiedLayerNormalization, TensorRT plugins):
 * operator → signature, read from the C++ registration.
 */
export function ortOnnxDomainSchemas(src) {
  const constants = cppConstants(src);
  const out = new Map();
  for (const { name, block, domain } of schemaBlocks(src)) {
    if (domain !== 'kOnnxDomain' || out.has(name)) continue;
    const sig = { v: Number(block.match(/\.SinceVersion\(\s*(\d+)\s*\)/)?.[1] ?? 1) };
    if (/SupportType::EXPERIMENTAL/.test(block)) sig.x = 1;
    const i = blockParams(block, 'Input');
    const o = blockParams(block, 'Output');
    const a = [...blockAttrs(block)]
      .sort(([x], [y]) => (x < y ? -1 : 1))
      .map(([attr, { type, expr }]) => {
        // OpSchema::Attr without a default is required unless told otherwise.
        if (expr === undefined || expr === 'true') return `${attr}:${type}!`;
        const lit = cppLiteral(expr, constants, type);
        return lit === undefined ? `${attr}:${type}` : `${attr}:${type}=${formatDefault(type, lit)}`;
      });
    if (i.length) sig.i = i;
    if (o.length) sig.o = o;
    if (a.length) sig.a = a;
    out.set(name, sig);
  }
  return out;
}

/** Adds source defaults to attributes the document lists without one (same name and type, not required). */
export function withDefaults(sig, declared, constants) {
  if (!sig.a || !declared) return sig;
  sig.a = sig.a.map((text) => {
    const m = text.match(/^([^:]+):([A-Z_]+)$/);
    const d = m && declared.get(m[1]);
    if (!d || d.type !== m[2]) return text;
    const lit = cppLiteral(d.expr, constants, d.type);
    return lit === undefined ? text : `${text}=${formatDefault(d.type, lit)}`;
  });
  return sig;
}

/** A contrib domain from docs/ContribOperators.md, with defaults from the schema sources `src` (C++). */
export function contribDomain(doc, domain, src) {
  const escaped = domain.replace(/\./g, '\\.');
  const out = {};
  const found = entries(doc, `${escaped}\\.([A-Za-z0-9_]+)()`);
  const { defaults, constants } = contribDefaults(src);
  for (const e of found.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    // Experimental contrib entries state no version; they belong to the domain's version 1.
    const sig = withDefaults(signature(e.body, 1), defaults.get(e.name), constants);
    if (/experimental/i.test(e.heading)) sig.x = 1;
    (out[e.name] ??= { c: categoryOf(e.name, undefined), s: [] }).s.push(sig);
  }
  for (const op of Object.values(out)) op.s = compact(op.s);
  return out;
}
