/**
 * Protobuf text-format corner cases real config.pbtxt files use, and the
 * line:column every kind of mistake is reported at.
 */
import { describe, expect, it } from 'vitest';
import { DataType, ModelInput_Format, ModelInstanceGroup_Kind } from '../gen/model_config_pb';
import { parseConfigText } from './parse';

function ok(text: string) {
  const r = parseConfigText(text);
  expect(r.error, r.error ? `${r.error.span.start.line}:${r.error.span.start.column} ${r.error.message}` : '').toBeUndefined();
  return r.config!;
}

function errorAt(text: string): { at: string; message: string } {
  const r = parseConfigText(text);
  expect(r.error, 'expected a parse error').toBeDefined();
  return { at: `${r.error!.span.start.line}:${r.error!.span.start.column}`, message: r.error!.message };
}

describe('accepted syntax', () => {
  it('comments anywhere, including after values and at the end without a newline', () => {
    const c = ok('# header\nname: "m" # trailing\n# between\nmax_batch_size: 4 # last');
    expect(c).toMatchObject({ name: 'm', maxBatchSize: 4 });
    expect(ok('name: "a#b"').name).toBe('a#b');
  });

  it('the colon is optional before a message or list of messages, not before a scalar', () => {
    expect(ok('input { name: "a" }').input).toHaveLength(1);
    expect(ok('input: { name: "a" }').input).toHaveLength(1);
    expect(ok('input [ { name: "a" } ]').input).toHaveLength(1);
    expect(ok('input: [ { name: "a" } ]').input).toHaveLength(1);
  });

  it('lists and repeated fields mix, and repeated blocks append in order', () => {
    const c = ok('input [ { name: "a" }, { name: "b" } ]\ninput { name: "c" }\ninput [ { name: "d" } ]');
    expect(c.input.map((i) => i.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(ok('input { dims: [ 1, 2 ] dims: 3 dims: [ 4 ] }').input[0]!.dims).toEqual([1n, 2n, 3n, 4n]);
    expect(ok('output [ ]').output).toEqual([]);
  });

  it('the two output blocks of the tutorial text_detection config are concatenated', () => {
    const c = ok('output [ { name: "a" data_type: TYPE_FP32 dims: [-1] } ]\noutput [ { name: "b" data_type: TYPE_FP32 dims: [-1] } ]');
    expect(c.output.map((o) => o.name)).toEqual(['a', 'b']);
  });

  it('commas and semicolons may separate fields', () => {
    expect(ok('name: "m", max_batch_size: 2; backend: "python";')).toMatchObject({ name: 'm', maxBatchSize: 2, backend: 'python' });
    expect(ok('input { name: "a"; data_type: TYPE_FP32, dims: [1] }').input[0]).toMatchObject({ name: 'a', dataType: DataType.TYPE_FP32 });
  });

  it('maps are key/value blocks, given as repeated blocks or a list, with a message or a string value', () => {
    const c = ok(`parameters { key: "a" value { string_value: "1" } }
parameters: { key: "b", value: { string_value: "2" } }
parameters [ { key: "c" value { string_value: "3" } } ]
metric_tags { key: "team" value: "ocr" }
ensemble_scheduling { step { model_name: "m" input_map { key: "x" value: "IN" } input_map [ { key: "y" value: "IN2" } ] } }`);
    expect(Object.fromEntries(Object.entries(c.parameters).map(([k, v]) => [k, v.stringValue]))).toEqual({ a: '1', b: '2', c: '3' });
    expect(c.metricTags).toEqual({ team: 'ocr' });
    const step = c.schedulingChoice.case === 'ensembleScheduling' ? c.schedulingChoice.value.step[0] : undefined;
    expect(step?.inputMap).toEqual({ x: 'IN', y: 'IN2' });
  });

  it('map keys may be integers (priority queue policies)', () => {
    const c = ok('dynamic_batching { priority_levels: 2 priority_queue_policy { key: 2 value { max_queue_size: 5 } } }');
    expect(c.schedulingChoice.case === 'dynamicBatching' && c.schedulingChoice.value.priorityQueuePolicy['2']?.maxQueueSize).toBe(5);
  });

  it('negative integers, hexadecimal and octal', () => {
    expect(ok('input { dims: [ -1, 3 ] }').input[0]!.dims).toEqual([-1n, 3n]);
    expect(ok('max_batch_size: -3').maxBatchSize).toBe(-3);
    expect(ok('max_batch_size: 0x10').maxBatchSize).toBe(16);
    expect(ok('ensemble_scheduling { step { model_version: -1 } }').schedulingChoice).toMatchObject({ value: { step: [{ modelVersion: -1n }] } });
  });

  it('enums by name (bare) or by number', () => {
    expect(ok('input { data_type: TYPE_FP32 format: FORMAT_NHWC }').input[0]).toMatchObject({ dataType: DataType.TYPE_FP32, format: ModelInput_Format.NHWC });
    expect(ok('input { data_type: 11 }').input[0]!.dataType).toBe(DataType.TYPE_FP32);
    expect(ok('instance_group { kind: 2 }').instanceGroup[0]!.kind).toBe(ModelInstanceGroup_Kind.CPU);
  });

  it('booleans in their spellings', () => {
    expect(ok('input { optional: true allow_ragged_batch: t is_shape_tensor: True }').input[0]).toMatchObject({ optional: true, allowRaggedBatch: true, isShapeTensor: true });
    expect(ok('input { optional: 1 }').input[0]!.optional).toBe(true);
    expect(ok('input { optional: false }').input[0]!.optional).toBe(false);
  });

  it('adjacent strings concatenate, in either quote, with escapes', () => {
    expect(ok('name: "ab" \'cd\'\n  "ef"').name).toBe('abcdef');
    expect(ok('name: "a\\"b\\n"').name).toBe('a"b\n');
  });

  it('angle brackets open a message like braces', () => {
    expect(ok('input < name: "a" dims: [ 1 ] >').input[0]).toMatchObject({ name: 'a', dims: [1n] });
    expect(ok('version_policy < specific < versions: [ 1, 3 ] > >').versionPolicy?.policyChoice).toMatchObject({ case: 'specific', value: { versions: [1n, 3n] } });
  });

  it('floats, with or without a fraction or an f suffix', () => {
    const c = ok('sequence_batching { direct { minimum_slot_utilization: 0.5 } }');
    expect(c.schedulingChoice.case === 'sequenceBatching' && c.schedulingChoice.value.strategyChoice).toMatchObject({ value: { minimumSlotUtilization: 0.5 } });
    expect(ok('sequence_batching { direct { minimum_slot_utilization: 1 } }')).toBeDefined();
    expect(ok('sequence_batching { direct { minimum_slot_utilization: .5f } }')).toBeDefined();
  });
});

describe('errors and where they are', () => {
  it('unknown field, at its name', () => {
    expect(errorAt('name: "m"\ninput {\n  name: "a"\n  dimz: [1]\n}')).toEqual({ at: '4:3', message: expect.stringContaining('dimz') });
  });

  it('unknown enum value, at the value', () => {
    expect(errorAt('instance_group [\n  { kind: KIND_TPU }\n]').at).toBe('2:11');
    expect(errorAt('input { data_type: FP32 }')).toEqual({ at: '1:20', message: expect.stringContaining('FP32') });
  });

  it('a trailing comma in a list, at the closing bracket', () => {
    expect(errorAt('input { dims: [ 1, 2, ] }').at).toBe('1:23');
    expect(errorAt('output [\n  { name: "a" },\n  { name: "b" },\n]').at).toBe('4:1');
  });

  it('a missing comma between list items', () => {
    expect(errorAt('input [ { name: "a" } { name: "b" } ]').at).toBe('1:23');
  });

  it('unbalanced braces: unclosed at the end, extra closing at the brace', () => {
    expect(errorAt('input {\n  name: "a"\n  dims: [1]\n').at).toBe('4:1');
    expect(errorAt('input { name: "a" }\n}\n').at).toBe('2:1');
    expect(errorAt('input { name: "a" >').at).toBe('1:19');
  });

  it('a missing colon before a scalar, at the value', () => {
    expect(errorAt('input {\n  name "a"\n}')).toEqual({ at: '2:8', message: expect.stringContaining('expected ":"') });
    expect(errorAt('max_batch_size 8').at).toBe('1:16');
  });

  it('a string where a number belongs, and a number where a string belongs', () => {
    expect(errorAt('name: "m"\nmax_batch_size: "8"').at).toBe('2:17');
    expect(errorAt('input { dims: [ "1" ] }').at).toBe('1:17');
    expect(errorAt('name: 5').at).toBe('1:7');
  });

  it('a float or an out-of-range number in an integer field, at the value', () => {
    expect(errorAt('max_batch_size: 8.5').at).toBe('1:17');
    expect(errorAt('name: "m"\nmax_batch_size: 99999999999\n').at).toBe('2:17');
    expect(errorAt('version_policy { latest { num_versions: 4294967296 } }').at).toBe('1:41');
    expect(errorAt('input { dims: [ 1, 9223372036854775808 ] }').at).toBe('1:20');
    expect(errorAt('instance_group { kind: 2147483648 }').at).toBe('1:24');
    expect(ok('max_batch_size: 2147483647').maxBatchSize).toBe(2147483647);
    expect(ok('input { dims: -9223372036854775808 }').input[0]!.dims).toEqual([-9223372036854775808n]);
  });

  it('a JSON-style document is refused at its first brace', () => {
    expect(errorAt('{\n  "name": "m"\n}').at).toBe('1:1');
  });

  it('an earlier problem wins over a later one', () => {
    expect(errorAt('name: "a"\nmax_batch_size: "x"\nbogus: 1\n').at).toBe('2:17');
  });
});
