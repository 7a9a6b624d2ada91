/**
 * Reads the model configuration JSON a Triton server serves (`GET /v2/models/<m>/config`, or
 * gRPC's ModelConfig converted to it) back into a ModelConfig, so a remote model gets the same pages
 * (printed as config.pbtxt by `configToText`, IO rows, instance groups) as a local one.
 *
 * Triton's JSON is protobuf's JSON with proto field names, every primitive field printed, and only
 * some 64-bit fields turned from strings into numbers (model_config_utils.cc ModelConfigToJson: dims,
 * reshape shapes, specific versions, queue delays and timeouts, step model_version, warmup dims);
 * every other int64 stays a string. Both forms are read. A server newer than our model_config.proto
 * may send fields or enum values we do not know: they are skipped (an unknown enum value reads as
 * the enum's zero) and named in `ignored`, so the page can say what it does not show. An empty body is what Triton sends for an all-default config.
 */
import { type DescEnum, type DescField, type DescMessage, fromJson, type JsonValue } from '@bufbuild/protobuf';
import { LabError, errorMessage } from '../errors';
import { type ModelConfig, ModelConfigSchema } from './gen/model_config_pb';

export interface TritonJsonConfig {
  config: ModelConfig;
  /** Paths of fields this lab's ModelConfig does not have (e.g. `optimization.new_knob`), and `path=VALUE` for enum values it does not know; skipped. */
  ignored: string[];
}

const MAX_DEPTH = 64;
const MAX_IGNORED = 50;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldOf(desc: DescMessage, key: string): DescField | undefined {
  return desc.fields.find((f) => f.name === key || f.jsonName === key);
}

/** An enum value by a name the enum lacks: protobuf's JSON reader (ignoreUnknownFields) reads it as the enum's zero, silently. */
function unknownEnumValue(e: DescEnum, v: unknown): v is string {
  return typeof v === 'string' && !e.values.some((x) => x.name === v);
}

/** Walks the JSON beside the descriptor and collects keys the descriptor lacks, and enum values it does not know (`path=VALUE`). */
function collectUnknown(desc: DescMessage, json: Record<string, unknown>, at: string, out: string[], depth: number): void {
  if (depth > MAX_DEPTH) throw new LabError('INVALID_ARG', `The model configuration JSON is nested too deeply (more than ${MAX_DEPTH} levels)`);
  const note = (p: string): void => void (out.length < MAX_IGNORED && out.push(p));
  for (const [key, value] of Object.entries(json)) {
    const path = at ? `${at}.${key}` : key;
    const f = fieldOf(desc, key);
    if (!f) {
      note(path);
      continue;
    }
    if (f.fieldKind === 'enum' && unknownEnumValue(f.enum, value)) note(`${path}=${value.slice(0, 64)}`);
    else if (f.fieldKind === 'list' && f.listKind === 'enum' && Array.isArray(value)) {
      value.forEach((v, i) => unknownEnumValue(f.enum, v) && note(`${path}[${i}]=${v.slice(0, 64)}`));
    } else if (f.fieldKind === 'message' && isObject(value)) collectUnknown(f.message, value, path, out, depth + 1);
    else if (f.fieldKind === 'list' && f.listKind === 'message' && Array.isArray(value)) {
      value.forEach((v, i) => isObject(v) && collectUnknown(f.message, v, `${path}[${i}]`, out, depth + 1));
    } else if (f.fieldKind === 'map' && f.mapKind === 'message' && isObject(value)) {
      for (const [k, v] of Object.entries(value)) if (isObject(v)) collectUnknown(f.message, v, `${path}.${k}`, out, depth + 1);
    }
  }
}

/** Triton's config JSON (already parsed) as a ModelConfig; INVALID_ARG when it does not fit the schema. */
export function configFromTritonJson(json: unknown): TritonJsonConfig {
  if (json === '' || json === null || json === undefined) return { config: fromJson(ModelConfigSchema, {}), ignored: [] };
  if (!isObject(json)) throw new LabError('INVALID_ARG', `The model configuration JSON is not an object (got ${Array.isArray(json) ? 'an array' : typeof json})`);
  const ignored: string[] = [];
  collectUnknown(ModelConfigSchema, json, '', ignored, 0);
  try {
    const config = fromJson(ModelConfigSchema, json as JsonValue, { ignoreUnknownFields: true });
    return { config, ignored };
  } catch (err) {
    throw new LabError('INVALID_ARG', `The model configuration JSON does not fit Triton's ModelConfig: ${errorMessage(err)}`, { cause: err });
  }
}

/** As configFromTritonJson, from the response text (empty text: Triton's all-default config). */
export function configFromTritonJsonText(text: string): TritonJsonConfig {
  if (text.trim() === '') return configFromTritonJson('');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new LabError('INVALID_ARG', `The model configuration is not valid JSON: ${errorMessage(err)}`, { cause: err });
  }
  return configFromTritonJson(json);
}
