/**
 * configToText (config.pbtxt) round-trips, and configToTritonJson matches the
 * JSON Triton serves at GET /v2/models/<m>/config.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { equals } from '@bufbuild/protobuf';
import { ModelConfigSchema } from './gen/model_config_pb';
import { configToText, configToTritonJson } from './serialize';
import { config } from './testing/config';
import { buildOnnxModel } from '../onnx/testing/build-model';
import { loadRepository, TempDirs } from '../repository/testing/temp-repo';

const FIXTURES = path.join(__dirname, '..', 'repository', '__fixtures__');

function roundTrips(text: string): void {
  const c = config(text);
  const out = configToText(c);
  expect(equals(ModelConfigSchema, config(out), c), out).toBe(true);
}

describe('configToText', () => {
  it('round-trips a config with every kind of field', () => {
    roundTrips(`name: "m \\"quoted\\"\\nline"
backend: "onnxruntime"
max_batch_size: 8
version_policy { specific { versions: [ 1, 3 ] } }
input [
  { name: "x" data_type: TYPE_FP32 format: FORMAT_NCHW dims: [ 3, -1, -1 ] },
  { name: "s" data_type: TYPE_INT64 dims: [ 1 ] reshape: { shape: [ ] } optional: true }
]
output { name: "y" data_type: TYPE_STRING dims: [ -1 ] label_filename: "labels.txt" }
batch_input { kind: BATCH_ELEMENT_COUNT target_name: "n" data_type: TYPE_INT32 source_input: "x" }
dynamic_batching { preferred_batch_size: [ 4, 8 ] max_queue_delay_microseconds: 100 priority_levels: 2 default_priority_level: 1
  priority_queue_policy { key: 1 value { timeout_action: DELAY default_timeout_microseconds: 5 max_queue_size: 3 } } }
instance_group [ { name: "g" kind: KIND_CPU count: 2 profile: [ "0", "1" ] } ]
optimization { graph { level: 1 } execution_accelerators { cpu_execution_accelerator [ { name: "openvino" parameters { key: "a" value: "b" } } ] } }
parameters { key: "cudnn_conv_algo_search" value { string_value: "0" } }
model_warmup [ { name: "w" batch_size: 4 inputs { key: "x" value { data_type: TYPE_FP32 dims: [ 3, 8, 8 ] zero_data: true } } } ]
`);
  });

  it('round-trips sequence batching and an ensemble', () => {
    roundTrips(`name: "s" backend: "python" max_batch_size: 4
sequence_batching { oldest { preferred_batch_size: [ 2 ] } max_sequence_idle_microseconds: 5000
  control_input [ { name: "START" control [ { kind: CONTROL_SEQUENCE_START fp32_false_true: [ 0, 1 ] } ] } ]
  state [ { input_name: "in" output_name: "out" data_type: TYPE_FP32 dims: [ -1 ] initial_state { data_type: TYPE_FP32 dims: [ 1 ] zero_data: true name: "init" } } ] }`);
    roundTrips(readFileSync(path.join(FIXTURES, 'part5_ocr', 'ensemble_model', 'config.pbtxt'), 'utf8'));
  });

  it('writes lists the conventional way', () => {
    const text = configToText(config('name: "m" input { name: "x" data_type: TYPE_FP32 dims: [ 1, 2, 3 ] }'));
    expect(text).toContain('dims: [ 1, 2, 3 ]');
    expect(text).toContain('input {');
    expect(text).toContain('data_type: TYPE_FP32');
  });
});

describe('configToTritonJson', () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it('matches the densenet_onnx config Triton serves for a config-less ONNX model', async () => {
    const d = await temp.make({
      'densenet_onnx/1/model.onnx': buildOnnxModel({
        inputs: [{ name: 'data_0', type: 1, dims: [1, 3, 224, 224] }],
        outputs: [{ name: 'fc6_1', type: 1, dims: [1, 1000, 1, 1] }],
      }),
    });
    const repo = await loadRepository(d.root);
    const v = repo.models.get('densenet_onnx')!.versions[0]!;
    expect(v.state).toBe('READY');
    // Notes §6: publicly posted output of recent Triton releases on a CPU-only host.
    const triton =
      '{"name":"densenet_onnx","platform":"onnxruntime_onnx","backend":"onnxruntime","runtime":"","version_policy":{"latest":{"num_versions":1}},"max_batch_size":0,"input":[{"name":"data_0","data_type":"TYPE_FP32","format":"FORMAT_NONE","dims":[1,3,224,224],"is_shape_tensor":false,"allow_ragged_batch":false,"optional":false,"is_non_linear_format_io":false}],"output":[{"name":"fc6_1","data_type":"TYPE_FP32","dims":[1,1000,1,1],"label_filename":"","is_shape_tensor":false,"is_non_linear_format_io":false}],"batch_input":[],"batch_output":[],"optimization":{"priority":"PRIORITY_DEFAULT","input_pinned_memory":{"enable":true},"output_pinned_memory":{"enable":true},"gather_kernel_buffer_threshold":0,"eager_batching":false},"instance_group":[{"name":"densenet_onnx","kind":"KIND_CPU","count":2,"gpus":[],"secondary_devices":[],"profile":[],"passive":false,"host_policy":""}],"default_model_filename":"model.onnx","cc_model_filenames":{},"metric_tags":{},"parameters":{},"model_warmup":[]}';
    // Same keys, same order, same values.
    expect(JSON.stringify(configToTritonJson(v.config!))).toBe(triton);
  });

  it('orders keys as the .proto declares them, recursively', () => {
    const json = configToTritonJson(config('dynamic_batching { } instance_group { kind: KIND_CPU } input { dims: [1] name: "x" } max_batch_size: 2 backend: "b" name: "m"'));
    expect(Object.keys(json).slice(0, 8)).toEqual(['name', 'platform', 'backend', 'runtime', 'max_batch_size', 'input', 'output', 'batch_input']);
    expect(Object.keys(json).indexOf('dynamic_batching')).toBeLessThan(Object.keys(json).indexOf('instance_group'));
    const input = (json['input'] as Record<string, unknown>[])[0]!;
    expect(Object.keys(input)).toEqual(['name', 'data_type', 'format', 'dims', 'is_shape_tensor', 'allow_ragged_batch', 'optional', 'is_non_linear_format_io']);
  });

  it('turns 64-bit fields into numbers where Triton does, and leaves the ones it misses as strings', () => {
    const json = configToTritonJson(
      config(`name: "m" version_policy { specific { versions: [ 1, 3 ] } }
        input { name: "x" dims: [ -1, 3 ] reshape { shape: [ 3, -1 ] } }
        dynamic_batching { max_queue_delay_microseconds: 100 priority_levels: 2 default_priority_level: 1
          default_queue_policy { default_timeout_microseconds: 7 }
          priority_queue_policy { key: 2 value { default_timeout_microseconds: 9 } } }
        model_warmup { name: "w" inputs { key: "x" value { dims: [ 4 ] } } }`),
    );
    expect(json['version_policy']).toEqual({ specific: { versions: [1, 3] } });
    expect(json['input']).toMatchObject([{ dims: [-1, 3], reshape: { shape: [3, -1] } }]);
    expect(json['dynamic_batching']).toMatchObject({
      max_queue_delay_microseconds: 100,
      priority_levels: 2,
      default_priority_level: 1,
      default_queue_policy: { default_timeout_microseconds: 7 },
      priority_queue_policy: { '2': { default_timeout_microseconds: 9 } },
    });
    expect(json['model_warmup']).toMatchObject([{ inputs: { x: { dims: [4] } } }]);

    const seq = configToTritonJson(
      config(`name: "s" sequence_batching { max_sequence_idle_microseconds: 5 direct { max_queue_delay_microseconds: 6 }
        state { input_name: "i" output_name: "o" dims: [ -1, 2 ] initial_state { dims: [ 1, 2 ] } } }`),
    );
    expect(seq['sequence_batching']).toMatchObject({
      max_sequence_idle_microseconds: 5,
      direct: { max_queue_delay_microseconds: 6 },
      state: [{ dims: [-1, 2], initial_state: [{ dims: ['1', '2'] }] }],
    });
  });

  it('an ensemble: no optimization, empty instance_group, model_version a number, decoupled recorded', async () => {
    const repo = await loadRepository(path.join(__dirname, '..', '..', '..', 'sample-repos', 'data_pipeline'));
    const v = repo.models.get('ensemble_model')!.versions[0]!;
    const json = configToTritonJson(v.config!);
    expect(json['optimization']).toBeUndefined();
    expect(json['instance_group']).toEqual([]);
    expect(json['ensemble_scheduling']).toMatchObject({ step: [{ model_name: 'model1', model_version: -1, model_namespace: '' }, { model_name: 'model2' }], max_inflight_requests: 0 });
    expect(json['model_transaction_policy']).toEqual({ decoupled: false });
    const keys = Object.keys(json);
    expect(keys.indexOf('ensemble_scheduling')).toBeGreaterThan(keys.indexOf('batch_output'));
    expect(keys.indexOf('ensemble_scheduling')).toBeLessThan(keys.indexOf('instance_group'));
  });

  it('unset sub-messages are omitted and enum names are used', () => {
    const json = configToTritonJson(config('name: "m" instance_group { kind: KIND_GPU gpus: [0] }'));
    expect(json).not.toHaveProperty('reshape');
    expect(json).not.toHaveProperty('response_cache');
    expect(json).not.toHaveProperty('version_policy');
    expect(json['instance_group']).toMatchObject([{ kind: 'KIND_GPU', gpus: [0] }]);
  });
});
