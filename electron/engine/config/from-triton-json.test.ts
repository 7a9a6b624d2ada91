import { readFileSync } from 'node:fs';
import path from 'node:path';
import { equals } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { configFromTritonJson, configFromTritonJsonText } from './from-triton-json';
import { DataType, ModelInstanceGroup_Kind, ModelConfigSchema } from './gen/model_config_pb';
import { configToText, configToTritonJson } from './serialize';
import { parseConfigText } from './text/parse';

// Written from Triton's protocol docs and model_config.proto as a Triton server prints them (server/remote/fixtures).
const fixture = (name: string): string => readFileSync(path.join(__dirname, '../../server/remote/fixtures', name), 'utf8');

describe('configFromTritonJson', () => {
  it('reads a TensorRT config with optimization, dynamic batching and GPU instance groups', () => {
    const { config, ignored } = configFromTritonJsonText(fixture('model-config-tensorrt.json'));
    expect(ignored).toEqual([]);
    expect(config.platform).toBe('tensorrt_plan');
    expect(config.maxBatchSize).toBe(8);
    expect(config.input[0]!.dataType).toBe(DataType.TYPE_FP16);
    expect(config.input[0]!.dims.map(Number)).toEqual([3, 224, 224]);
    expect(config.optimization?.cuda?.graphs).toBe(true);
    expect(config.optimization?.inputPinnedMemory?.enable).toBe(true);
    const sched = config.schedulingChoice;
    expect(sched.case).toBe('dynamicBatching');
    if (sched.case === 'dynamicBatching') {
      expect(sched.value.preferredBatchSize).toEqual([4, 8]);
      expect(sched.value.maxQueueDelayMicroseconds).toBe(100n);
    }
    expect(config.instanceGroup[0]).toMatchObject({ kind: ModelInstanceGroup_Kind.GPU, count: 2, gpus: [0, 1] });
    expect(config.ccModelFilenames).toEqual({ '8.6': 'model_sm86.plan' });
    expect(config.responseCache?.enable).toBe(true);
    expect(configToText(config)).toMatch(/instance_group \{\n\s+name: "resnet50_trt_0"\n\s+kind: KIND_GPU\n\s+count: 2\n\s+gpus: \[ 0, 1 \]/);
  });

  it('reads an ONNX config with accelerators, reshape and specific versions, and names fields it does not know', () => {
    const { config, ignored } = configFromTritonJsonText(fixture('model-config-onnx.json'));
    expect(ignored).toEqual(['some_future_field']);
    expect(config.versionPolicy?.policyChoice).toEqual({ case: 'specific', value: expect.objectContaining({ versions: [1n, 3n] }) });
    expect(config.input[0]!.reshape?.shape.map(Number)).toEqual([1, 3, 224, 224]);
    const acc = config.optimization?.executionAccelerators?.gpuExecutionAccelerator[0];
    expect(acc?.name).toBe('tensorrt');
    expect(acc?.parameters).toEqual({ precision_mode: 'FP16', max_workspace_size_bytes: '1073741824' });
    expect(config.parameters['intra_op_thread_count']?.stringValue).toBe('2');
  });

  it('reads 64-bit fields both as Triton fixes them (numbers) and as protobuf prints the rest (strings)', () => {
    const json = {
      name: 'm',
      max_batch_size: 4,
      input: [{ name: 'x', data_type: 'TYPE_INT64', dims: ['-1', 3] }],
      sequence_batching: { max_sequence_idle_microseconds: '5000000', oldest: { max_queue_delay_microseconds: 7 } },
    };
    const { config } = configFromTritonJson(json);
    expect(config.input[0]!.dims).toEqual([-1n, 3n]);
    const sched = config.schedulingChoice;
    expect(sched.case).toBe('sequenceBatching');
    if (sched.case === 'sequenceBatching') {
      expect(sched.value.maxSequenceIdleMicroseconds).toBe(5000000n);
      expect(sched.value.strategyChoice).toMatchObject({ case: 'oldest', value: { maxQueueDelayMicroseconds: 7n } });
    }
  });

  it('round-trips a dynamic batching config with queue policies', () => {
    const original = parseConfigText(
      `name: "b"\nmax_batch_size: 8\ndynamic_batching { preferred_batch_size: [ 2, 4 ] max_queue_delay_microseconds: 500 default_queue_policy { default_timeout_microseconds: 9000 } priority_levels: 2 priority_queue_policy { key: 1 value { max_queue_size: 3 } } }\ninstance_group [ { count: 2 kind: KIND_CPU } ]\n`,
    ).config!;
    expect(original).toBeDefined();
    const back = configFromTritonJson(JSON.parse(JSON.stringify(configToTritonJson(original))));
    expect(equals(ModelConfigSchema, back.config, original)).toBe(true);
  });

  it('round-trips configToTritonJson for a config read from config.pbtxt', () => {
    const text = `name: "ens"\nplatform: "ensemble"\nmax_batch_size: 8\ninput [ { name: "IN" data_type: TYPE_FP32 dims: [ -1 ] } ]\noutput [ { name: "OUT" data_type: TYPE_FP32 dims: [ -1 ] } ]\nversion_policy { specific { versions: [ 1, 2 ] } }\nensemble_scheduling { step [ { model_name: "a" model_version: -1 input_map { key: "INPUT0" value: "IN" } output_map { key: "OUTPUT0" value: "OUT" } } ] }\nmodel_warmup [ { name: "w" batch_size: 1 inputs { key: "IN" value { data_type: TYPE_FP32 dims: [ 4 ] zero_data: true } } } ]\nparameters { key: "k" value { string_value: "v" } }\n`;
    const original = parseConfigText(text).config!;
    expect(original).toBeDefined();
    const json = configToTritonJson(original);
    const back = configFromTritonJson(JSON.parse(JSON.stringify(json)));
    expect(back.ignored).toEqual([]);
    expect(json['ensemble_scheduling']).toBeDefined();
    expect(equals(ModelConfigSchema, back.config, original)).toBe(true);
    expect(configToTritonJson(back.config)).toEqual(json);
  });

  it('names enum values this lab does not know (read as the enum zero, which the page would otherwise show as if sent)', () => {
    const { config, ignored } = configFromTritonJson({ name: 'm', instance_group: [{ kind: 'KIND_NEW', count: 2 }, { kind: 'KIND_CPU' }], optimization: { priority: 'PRIORITY_MAX' } });
    expect(ignored).toEqual(['instance_group[0].kind=KIND_NEW']);
    expect(config.instanceGroup[0]?.count).toBe(2);
  });

  it('reads the empty body Triton sends for an all-default config', () => {
    expect(configFromTritonJsonText('').config.name).toBe('');
  });

  it('refuses what is not a config, with INVALID_ARG', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (err) {
        return err instanceof LabError ? `${err.code}: ${err.message}` : String(err);
      }
      return undefined;
    };
    expect(code(() => configFromTritonJsonText('{"name": '))).toMatch(/^INVALID_ARG: The model configuration is not valid JSON/);
    expect(code(() => configFromTritonJson([1, 2]))).toMatch(/^INVALID_ARG: .*not an object \(got an array\)/);
    expect(code(() => configFromTritonJson({ max_batch_size: 'eight' }))).toMatch(/^INVALID_ARG: .*does not fit Triton's ModelConfig/);
    expect(code(() => configFromTritonJson({ input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [1.5] }] }))).toMatch(/^INVALID_ARG: /);
  });
});
