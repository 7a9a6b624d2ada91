/**
 * Mutated `config.pbtxt` texts for the loader fuzz suite: real configs from
 * the samples and fixtures, each changed by a few text-level edits (deleted,
 * duplicated or swapped spans, junk tokens, extreme numbers, wrong enum
 * values, deep nesting, truncation), so that parse, schema, normalization,
 * validation, ensemble and backend checks all meet input they never saw.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Rng } from '../../../engine/testing/rng';

const JUNK = ['{', '}', '[', ']', ':', '"', "'", '#', '\\', ',', ';', '<', '>', 'nan', 'inf', '-', '0x', '\u0000', '\uffff', '\ud83d\ude00', '中', '\r', '\t', '/*', '"\\u0000"', '"\\x"'];
const NUMBERS = ['-1', '0', '-9223372036854775809', '9223372036854775808', '99999999999999999999999999', '1e309', '-0', '0.5', '1e-400', '4294967296', '2147483648', '-2147483649'];
const FIELDS = [
  'name',
  'platform',
  'backend',
  'max_batch_size',
  'input',
  'output',
  'dims',
  'data_type',
  'reshape',
  'instance_group',
  'kind',
  'count',
  'gpus',
  'dynamic_batching',
  'preferred_batch_size',
  'max_queue_delay_microseconds',
  'ensemble_scheduling',
  'step',
  'model_name',
  'model_version',
  'input_map',
  'output_map',
  'version_policy',
  'latest',
  'num_versions',
  'specific',
  'versions',
  'parameters',
  'string_value',
  'model_warmup',
  'batch_size',
  'inputs',
  'zero_data',
  'random_data',
  'input_data_file',
  'label_filename',
  'default_model_filename',
  'sequence_batching',
  'optimization',
  'model_transaction_policy',
  'decoupled',
  'priority_levels',
  'default_queue_policy',
  'is_shape_tensor',
  'optional',
  'allow_ragged_batch',
  'format',
];
const ENUMS = ['TYPE_FP32', 'TYPE_STRING', 'TYPE_INVALID', 'TYPE_BF16', 'KIND_GPU', 'KIND_CPU', 'KIND_MODEL', 'KIND_AUTO', 'FORMAT_NCHW', 'NOT_AN_ENUM', '12', '-3'];

/** Every config.pbtxt under the given folders (the seeds). */
export function seedConfigs(dirs: string[]): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) visit(p);
      else if (e === 'config.pbtxt') out.push(readFileSync(p, 'utf8'));
    }
  };
  for (const d of dirs) visit(d);
  return out;
}

type Mutation = (text: string, r: Rng) => string;

const span = (text: string, r: Rng): [number, number] => {
  const a = r.int(0, Math.max(0, text.length - 1));
  return [a, Math.min(text.length, a + r.int(1, 40))];
};

const MUTATIONS: [string, Mutation][] = [
  [
    'delete a span',
    (t, r) => {
      const [a, b] = span(t, r);
      return t.slice(0, a) + t.slice(b);
    },
  ],
  [
    'duplicate a line',
    (t, r) => {
      const lines = t.split('\n');
      const i = r.int(0, lines.length - 1);
      lines.splice(i, 0, lines[i]!);
      return lines.join('\n');
    },
  ],
  [
    'swap two lines',
    (t, r) => {
      const lines = t.split('\n');
      const i = r.int(0, lines.length - 1);
      const j = r.int(0, lines.length - 1);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    },
  ],
  [
    'insert junk',
    (t, r) => {
      const a = r.int(0, t.length);
      return t.slice(0, a) + r.pick(JUNK) + t.slice(a);
    },
  ],
  [
    'extreme number',
    (t, r) => {
      const nums = [...t.matchAll(/-?\d+/g)];
      if (nums.length === 0) return t + ` max_batch_size: ${r.pick(NUMBERS)}`;
      const m = r.pick(nums);
      return t.slice(0, m.index) + r.pick(NUMBERS) + t.slice(m.index + m[0].length);
    },
  ],
  [
    'rename a field',
    (t, r) => {
      const fields = [...t.matchAll(/\b([a-z_]+)\s*[:{[]/g)];
      if (fields.length === 0) return t;
      const m = r.pick(fields);
      return t.slice(0, m.index) + r.pick(FIELDS) + t.slice(m.index + m[1]!.length);
    },
  ],
  [
    'wrong enum value',
    (t, r) => {
      const enums = [...t.matchAll(/\b(TYPE|KIND|FORMAT)_[A-Z0-9_]+/g)];
      if (enums.length === 0) return `${t}\ninstance_group [ { kind: ${r.pick(ENUMS)} } ]`;
      const m = r.pick(enums);
      return t.slice(0, m.index) + r.pick(ENUMS) + t.slice(m.index + m[0].length);
    },
  ],
  ['add a field', (t, r) => `${t}\n${r.pick(FIELDS)}${r.pick([': ', ' ', ' { ', ' [ '])}${r.pick([...NUMBERS, ...ENUMS, '"x"', '{ }', '[ ]', 'true'])}${r.pick(['', ' }', ' ]'])}`],
  [
    'deep nesting',
    (t, r) => {
      const depth = r.int(50, 3000);
      return `${t}\nparameters ${'{ key: "k" value '.repeat(depth)}{ string_value: "v" }${' }'.repeat(depth)}`;
    },
  ],
  ['truncate', (t, r) => t.slice(0, r.int(0, t.length))],
  ['long string', (t, r) => t.replace(/"[^"\n]*"/, `"${'x'.repeat(r.int(1000, 200_000))}"`)],
  ['many entries', (t, r) => `${t}\n${Array.from({ length: r.int(100, 3000) }, (_, i) => `input { name: "in${i}" data_type: TYPE_FP32 dims: [ ${r.pick(['-1', '1', '0', '-2'])} ] }`).join('\n')}`],
  ['path in a file field', (t, r) => `${t}\n${r.pick(['default_model_filename', 'label_filename'])}: "${r.pick(['../../../../etc/passwd', '/etc/shadow', '..', '', 'a\\u0000b', '1/../../x'])}"`],
];

/** A config changed by 1–3 mutations; the model's folder name replaces its name where it has one. */
export function mutateConfig(seed: string, folder: string, r: Rng): { text: string; applied: string[] } {
  let text = r.chance(0.8) ? seed.replace(/^name:\s*"[^"]*"/m, `name: "${folder}"`) : seed;
  const applied: string[] = [];
  for (let i = r.int(1, 3); i > 0; i--) {
    const [label, m] = r.pick(MUTATIONS);
    text = m(text, r);
    applied.push(label);
  }
  return { text, applied };
}
