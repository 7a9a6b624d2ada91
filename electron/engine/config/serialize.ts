/**
 * A ModelConfig in the two shapes people see: config.pbtxt text, and the JSON
 * Triton serves at GET /v2/models/<m>/config (snake_case keys, enum names,
 * every plain field at its default, 64-bit integers turned back into numbers
 * where Triton does so).
 */
import { type DescMessage, type JsonObject, type JsonValue, toJson } from '@bufbuild/protobuf';
import { toText } from '@bufbuild/protobuf/txtpb';
import { type ModelConfig, ModelConfigSchema } from './gen/model_config_pb';

const SCALAR_LINE = /^(\s*)([A-Za-z_]\w*): (?!\{)(.*)$/;

/** Field names that are always repeated scalars in ModelConfig, so even one value reads as a list. */
const REPEATED_SCALARS: ReadonlySet<string> = (() => {
  const repeated = new Set<string>();
  const singular = new Set<string>();
  const seen = new Set<DescMessage>();
  const visit = (m: DescMessage): void => {
    if (seen.has(m)) return;
    seen.add(m);
    for (const f of m.fields) {
      if (f.fieldKind === 'list' && f.listKind !== 'message') repeated.add(f.name);
      else if (f.fieldKind === 'scalar' || f.fieldKind === 'enum') singular.add(f.name);
      if (f.fieldKind === 'message' || (f.fieldKind === 'list' && f.listKind === 'message')) visit(f.message);
      if (f.fieldKind === 'map' && f.mapKind === 'message') visit(f.message);
    }
  };
  visit(ModelConfigSchema);
  return new Set([...repeated].filter((n) => !singular.has(n)));
})();

/**
 * txtpb writes one field per line; configs are conventionally written with
 * `dims: [ 1, -1 ]` lists and `input {` blocks, so fold to that style.
 * Safe line-wise: txtpb escapes newlines inside strings.
 */
function conventional(text: string): string {
  const out: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const m = SCALAR_LINE.exec(line);
    if (m) {
      const values = [m[3]!];
      while (i + 1 < lines.length) {
        const n = SCALAR_LINE.exec(lines[i + 1]!);
        if (!n || n[1] !== m[1] || n[2] !== m[2]) break;
        values.push(n[3]!);
        i++;
      }
      out.push(values.length > 1 || REPEATED_SCALARS.has(m[2]!) ? `${m[1]}${m[2]}: [ ${values.join(', ')} ]` : line);
      continue;
    }
    out.push(line.replace(/^(\s*)([A-Za-z_]\w*): \{$/, '$1$2 {'));
  }
  return out.join('\n');
}

export function configToText(c: ModelConfig): string {
  return conventional(toText(ModelConfigSchema, c));
}

/** Orders keys as fields are declared in the .proto, recursively, as Triton's JSON does. */
function declarationOrder(desc: DescMessage, json: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const fp of desc.proto.field) {
    const key = fp.name;
    if (!(key in json)) continue;
    const field = desc.fields.find((f) => f.number === fp.number);
    const v = json[key];
    if (field?.fieldKind === 'message' && isObject(v)) out[key] = declarationOrder(field.message, v);
    else if (field?.fieldKind === 'list' && field.listKind === 'message' && Array.isArray(v)) {
      out[key] = v.map((x) => (isObject(x) ? declarationOrder(field.message, x) : x));
    } else if (field?.fieldKind === 'map' && field.mapKind === 'message' && isObject(v)) {
      out[key] = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, isObject(x) ? declarationOrder(field.message, x) : x]));
    } else out[key] = v ?? null;
  }
  return out;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: JsonValue | undefined): JsonValue | undefined {
  return typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
}

function fixArray(obj: JsonObject | undefined, key: string): void {
  const v = obj?.[key];
  if (obj && Array.isArray(v)) obj[key] = v.map((x) => num(x) ?? null);
}

function fixScalar(obj: JsonObject | undefined, key: string): void {
  if (obj && key in obj) obj[key] = num(obj[key]) ?? null;
}

function child(obj: JsonObject | undefined, key: string): JsonObject | undefined {
  const v = obj?.[key];
  return isObject(v) ? v : undefined;
}

function children(obj: JsonObject | undefined, key: string): JsonObject[] {
  const v = obj?.[key];
  return Array.isArray(v) ? v.filter(isObject) : [];
}

export function configToTritonJson(c: ModelConfig): JsonObject {
  const json = toJson(ModelConfigSchema, c, { alwaysEmitImplicit: true, useProtoFieldName: true }) as JsonObject;
  for (const key of ['input', 'output']) {
    for (const io of children(json, key)) {
      fixArray(io, 'dims');
      fixArray(child(io, 'reshape'), 'shape');
    }
  }
  fixArray(child(child(json, 'version_policy'), 'specific'), 'versions');
  const db = child(json, 'dynamic_batching');
  for (const k of ['max_queue_delay_microseconds', 'priority_levels', 'default_priority_level']) fixScalar(db, k);
  fixScalar(child(db, 'default_queue_policy'), 'default_timeout_microseconds');
  const pqp = child(db, 'priority_queue_policy');
  for (const v of Object.values(pqp ?? {})) if (isObject(v)) fixScalar(v, 'default_timeout_microseconds');
  const sb = child(json, 'sequence_batching');
  fixScalar(sb, 'max_sequence_idle_microseconds');
  fixScalar(child(sb, 'oldest'), 'max_queue_delay_microseconds');
  fixScalar(child(sb, 'direct'), 'max_queue_delay_microseconds');
  for (const st of children(sb, 'state')) fixArray(st, 'dims');
  for (const w of children(json, 'model_warmup')) {
    for (const input of Object.values(child(w, 'inputs') ?? {})) if (isObject(input)) fixArray(input, 'dims');
  }
  for (const step of children(child(json, 'ensemble_scheduling'), 'step')) fixScalar(step, 'model_version');
  return declarationOrder(ModelConfigSchema, json);
}
