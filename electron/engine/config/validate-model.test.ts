/**
 * ValidateModelConfig (core model_config_utils.cc): one passing and one
 * failing config per rule, with Triton's exact wording.
 */
import { describe, expect, it } from 'vitest';
import { validateModelConfig } from './validate-model';
import { config, errorsOf, normalized } from './testing/config';

const errors = (text: string): string[] => errorsOf(validateModelConfig(normalized(text)));
const ok = (text: string): void => expect(errors(text)).toEqual([]);

describe('name, platform and backend', () => {
  it('requires a name', () => {
    expect(errors('backend: "onnxruntime" platform: "onnxruntime_onnx"')).toContain("model configuration must specify 'name'");
    ok('name: "m" backend: "onnxruntime" platform: "onnxruntime_onnx"');
  });

  it('needs a backend unless the platform is ensemble', () => {
    expect(errors('name: "m" platform: "caffe2"')).toEqual(["unexpected platform type 'caffe2' for m"]);
    expect(errors('name: "m"')).toEqual(["unexpected platform type '' for m"]);
    ok('name: "m" backend: "python"');
  });

  it('an ensemble must not name a backend', () => {
    expect(
      errors(
        'name: "e" platform: "ensemble" backend: "python" ensemble_scheduling { step { model_name: "a" input_map { key: "x" value: "IN" } output_map { key: "y" value: "OUT" } } } input { name: "IN" data_type: TYPE_FP32 dims: [1] } output { name: "OUT" data_type: TYPE_FP32 dims: [1] }',
      )[0],
    ).toBe("Ensemble model 'e' must have platform type 'ensemble' and empty backend type");
  });

  it('a known backend must match the platform type (no space after "got:")', () => {
    expect(errors('name: "m" platform: "onnxruntime_onnx" backend: "tensorrt"')).toEqual(["unexpected 'platform' and 'backend' pair, got:onnxruntime_onnx, tensorrt"]);
    expect(errors('name: "m" platform: "tensorflow_savedmodel" backend: "onnxruntime"')).toEqual(["unexpected 'platform' and 'backend' pair, got:tensorflow_savedmodel, onnxruntime"]);
    ok('name: "m" platform: "onnxruntime_onnx" backend: "onnxruntime"');
    ok('name: "m" platform: "tensorflow_graphdef" backend: "tensorflow"');
    ok('name: "m" platform: "pytorch_libtorch" backend: "pytorch"');
  });

  it('an empty platform has no type, so a known backend without one fails', () => {
    expect(errors('name: "m" backend: "tensorflow"')).toEqual(["unexpected 'platform' and 'backend' pair, got:, tensorflow"]);
  });

  it("keeps Triton's quirks: libtorch and torch_aoti do not pair with backend pytorch", () => {
    expect(errors('name: "m" platform: "libtorch" backend: "pytorch"')).toEqual(["unexpected 'platform' and 'backend' pair, got:libtorch, pytorch"]);
    expect(errors('name: "m" platform: "torch_aoti" backend: "pytorch"')).toEqual(["unexpected 'platform' and 'backend' pair, got:torch_aoti, pytorch"]);
  });

  it('unknown backends (python, custom) accept any platform', () => {
    ok('name: "m" platform: "whatever" backend: "python"');
    ok('name: "m" platform: "onnxruntime_onnx" backend: "my_custom"');
  });
});

describe('max_batch_size and version policy', () => {
  it('max_batch_size must be non-negative', () => {
    expect(errors('name: "m" backend: "python" max_batch_size: -1')).toEqual(["'max_batch_size' must be non-negative value for m"]);
    ok('name: "m" backend: "python" max_batch_size: 0');
  });

  it('a config that skipped normalization has no version policy', () => {
    expect(errorsOf(validateModelConfig(config('name: "m" backend: "python"')))).toEqual(["must specify 'version policy' for m"]);
    ok('name: "m" backend: "python" version_policy { all {} }');
  });
});

describe('dynamic batching', () => {
  const db = (mbs: number, body: string): string => `name: "m" backend: "python" max_batch_size: ${mbs} dynamic_batching { ${body} }`;

  it('preferred sizes must be positive', () => {
    expect(errors(db(8, 'preferred_batch_size: [ 0 ]'))).toEqual(['dynamic batching preferred size must be positive for m']);
    expect(errors(db(8, 'preferred_batch_size: [ -2 ]'))).toEqual(['dynamic batching preferred size must be positive for m']);
    ok(db(8, 'preferred_batch_size: [ 2, 8 ]'));
  });

  it('preferred sizes must not exceed max_batch_size, so any preferred size fails with max_batch_size 0', () => {
    expect(errors(db(8, 'preferred_batch_size: [ 4, 16 ]'))).toEqual(['dynamic batching preferred size must be <= max batch size for m']);
    expect(errors(db(0, 'preferred_batch_size: [ 1 ]'))).toEqual(['dynamic batching preferred size must be <= max batch size for m']);
    ok(db(0, ''));
  });

  it('the default priority level must lie in [1, priority_levels]', () => {
    expect(errors(db(8, 'priority_levels: 2'))).toEqual(['default priority level must be in range [1, 2] for m']);
    expect(errors(db(8, 'priority_levels: 2 default_priority_level: 3'))).toEqual(['default priority level must be in range [1, 2] for m']);
    ok(db(8, 'priority_levels: 2 default_priority_level: 2'));
  });

  it('priority queue policies must use a level in [1, priority_levels]', () => {
    expect(errors(db(8, 'priority_levels: 2 default_priority_level: 1 priority_queue_policy { key: 3 value { max_queue_size: 1 } }'))).toEqual([
      'priority queue policy must have priority level in range [1, 2] for m',
    ]);
    expect(errors(db(8, 'priority_levels: 2 default_priority_level: 1 priority_queue_policy { key: 0 value { } }'))).toEqual(['priority queue policy must have priority level in range [1, 2] for m']);
    ok(db(8, 'priority_levels: 2 default_priority_level: 1 priority_queue_policy { key: 2 value { max_queue_size: 1 } }'));
  });

  it('preserve_ordering allows one priority level only', () => {
    expect(errors(db(8, 'preserve_ordering: true priority_levels: 2 default_priority_level: 1'))).toEqual(["Only one priority level is allowed when 'preserve_ordering' is true for m"]);
    ok(db(8, 'preserve_ordering: true priority_levels: 1 default_priority_level: 1'));
  });

  it('preserve_ordering refuses a DELAY timeout action, in the default or a priority policy', () => {
    const message = "Queue policy can not have DELAY as timeout action when 'preserve_ordering' is true for m";
    expect(errors(db(8, 'preserve_ordering: true default_queue_policy { timeout_action: DELAY default_timeout_microseconds: 100 }'))).toEqual([message]);
    expect(
      errors(db(8, 'preserve_ordering: true priority_levels: 1 default_priority_level: 1 priority_queue_policy { key: 1 value { timeout_action: DELAY default_timeout_microseconds: 5 } }')),
    ).toEqual([message]);
    ok(db(8, 'preserve_ordering: true default_queue_policy { timeout_action: REJECT default_timeout_microseconds: 100 }'));
    ok(db(8, 'preserve_ordering: true default_queue_policy { timeout_action: DELAY }'));
  });
});

describe('sequence batching', () => {
  const sb = (body: string, extra = ''): string => `name: "m" backend: "python" max_batch_size: 8 sequence_batching { ${body} } ${extra}`;
  const start = (name: string, values = 'int32_false_true: [0, 1]'): string => `control_input { name: "${name}" control { kind: CONTROL_SEQUENCE_START ${values} } }`;

  it('passes with well-formed controls', () => {
    ok(
      sb(
        `${start('START')} control_input { name: "END" control { kind: CONTROL_SEQUENCE_END fp32_false_true: [0, 1] } }
         control_input { name: "READY" control { kind: CONTROL_SEQUENCE_READY bool_false_true: [false, true] } }
         control_input { name: "CORRID" control { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_UINT64 } }`,
      ),
    );
  });

  it('refuses the response cache', () => {
    expect(errors(sb('', 'response_cache { enable: true }'))).toEqual(['Response Cache does not currently support model m with sequence batching scheduler. Please disable the response cache.']);
  });

  it('a control tensor needs a name', () => {
    expect(errors(sb('control_input { control { kind: CONTROL_SEQUENCE_START int32_false_true: [0, 1] } }'))).toEqual(['sequence batching control tensor must have a name for m']);
  });

  it('a tensor may be named by one control_input only', () => {
    expect(errors(sb(`${start('S')} control_input { name: "S" control { kind: CONTROL_SEQUENCE_END int32_false_true: [0, 1] } }`))).toEqual([
      "sequence batching control tensor 'S' is specified for multiple control kinds for m",
    ]);
    expect(errors(sb(`${start('S')} ${start('S')}`))).toEqual(["sequence batching control tensor 'S' is specified for multiple control kinds for m"]);
    // One control_input carrying two controls is not refused by Triton.
    ok(sb('control_input { name: "S" control { kind: CONTROL_SEQUENCE_START int32_false_true: [0, 1] } control { kind: CONTROL_SEQUENCE_END int32_false_true: [0, 1] } }'));
  });

  it('one tensor per kind', () => {
    expect(errors(sb(`${start('A')} ${start('B')}`))).toEqual(['sequence batching specifies multiple CONTROL_SEQUENCE_START tensors for m']);
  });

  it('boolean controls need exactly one list of two values', () => {
    expect(errors(sb('control_input { name: "S" control { kind: CONTROL_SEQUENCE_END } }'))).toEqual([
      "sequence batching must specify either 'int32_false_true', 'fp32_false_true' or 'bool_false_true' for CONTROL_SEQUENCE_END for m",
    ]);
    expect(errors(sb(start('S', 'int32_false_true: [0, 1] fp32_false_true: [0, 1]')))).toEqual([
      "sequence batching specifies more than one from 'int32_false_true', 'fp32_false_true' and 'bool_false_true' for CONTROL_SEQUENCE_START for m",
    ]);
    expect(errors(sb(start('S', 'int32_false_true: [0, 1, 2]')))).toEqual(["sequence batching control 'int32_false_true' must have exactly 2 entries for CONTROL_SEQUENCE_START for m"]);
    expect(errors(sb('control_input { name: "R" control { kind: CONTROL_SEQUENCE_READY bool_false_true: [true] } }'))).toEqual([
      "sequence batching control 'bool_false_true' must have exactly 2 entries for CONTROL_SEQUENCE_READY for m",
    ]);
  });

  it('the correlation id control takes a data type, not value lists, and only integer or string types', () => {
    expect(errors(sb('control_input { name: "C" control { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_UINT64 int32_false_true: [0, 1] } }'))).toEqual([
      "sequence batching must not specify either 'int32_false_true', 'fp32_false_true' or 'bool_false_true' for CONTROL_SEQUENCE_CORRID for m",
    ]);
    expect(errors(sb('control_input { name: "C" control { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_FP32 } }'))).toEqual([
      'unexpected data type for control CONTROL_SEQUENCE_CORRID for m. Allowed data types are TYPE_UINT64, TYPE_INT64, TYPE_UINT32, TYPE_INT32 and TYPE_STRING',
    ]);
    ok(sb('control_input { name: "C" control { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_STRING } }'));
  });

  it('implicit state: initial_state checked as the sequence batcher does when it is created', () => {
    const state = (init: string, dims = '[ 2 ]', type = 'TYPE_FP32'): string => sb(`state { input_name: "IN_S" output_name: "OUT_S" data_type: ${type} dims: ${dims} ${init} }`);
    const zero = (fields: string): string => `initial_state { ${fields} }`;
    ok(state(zero('name: "z" data_type: TYPE_FP32 dims: [ 2 ] zero_data: true')));
    ok(state(zero('name: "z" data_type: TYPE_FP32 dims: [ 3 ] zero_data: true'), '[ -1 ]'));
    ok(state(''));
    expect(errors(state(`${zero('name: "a" data_type: TYPE_FP32 dims: [ 2 ] zero_data: true')} ${zero('name: "b" data_type: TYPE_FP32 dims: [ 2 ] zero_data: true')}`))).toEqual([
      "initial_state field for state input 'IN_S' must contain exactly one or zero element. Found '2' elements.",
    ]);
    expect(errors(state(zero('name: "z" data_type: TYPE_INT32 dims: [ 2 ] zero_data: true')))).toEqual([
      "The data type used for 'initial_state' field of state 'IN_S' does not match the state data type.",
    ]);
    expect(errors(state(zero('data_type: TYPE_FP32 dims: [ 2 ] zero_data: true')))).toEqual(["Field 'name' must be set when using initial_state for state input 'IN_S'."]);
    expect(errors(state(zero('name: "z" data_type: TYPE_FP32 dims: [ 2, 1 ] zero_data: true')))).toEqual([
      "Number of dimensions in 'initial_state' doesn't match the size of 'state' dimensions for state input 'IN_S'. 2 != 1",
    ]);
    expect(errors(state(zero('name: "z" data_type: TYPE_FP32 dims: [ -1 ] zero_data: true')))).toEqual(["'initial_state' field for state input name 'IN_S' contains variable dimensions."]);
    expect(errors(state(zero('name: "z" data_type: TYPE_FP32 dims: [ 3 ] zero_data: true')))).toEqual(["'initial_state' dim for input name 'IN_S' doesn't match 'state' dim description. 3 != 2"]);
    expect(errors(state(zero('name: "z" data_type: TYPE_FP32 dims: [ 2 ]')))).toEqual(["initial_state setting expects state'IN_S' to have state_data set"]);
  });

  it('oldest strategy: preferred sizes positive and within max_batch_size', () => {
    expect(errors(sb('oldest { preferred_batch_size: [ 0 ] }'))).toEqual(['sequence batching preferred batch size must be positive for m']);
    expect(errors(sb('oldest { preferred_batch_size: [ 9 ] }'))).toEqual(['sequence batching preferred batch size must be <= max batch size for m']);
    ok(sb('oldest { preferred_batch_size: [ 4 ] }'));
  });

  it('direct strategy: minimum slot utilization in range, 0.0 accepted despite the message', () => {
    expect(errors(sb('direct { minimum_slot_utilization: 1.5 }'))).toEqual(['sequence batching minimum slot utilization must be in range (0.0, 1.0] for m']);
    expect(errors(sb('direct { minimum_slot_utilization: -0.1 }'))).toEqual(['sequence batching minimum slot utilization must be in range (0.0, 1.0] for m']);
    ok(sb('direct { minimum_slot_utilization: 0.0 }'));
    ok(sb('direct { minimum_slot_utilization: 1.0 }'));
  });
});

describe('ensemble platform and scheduling', () => {
  const steps = 'ensemble_scheduling { step { model_name: "a" input_map { key: "x" value: "IN" } output_map { key: "y" value: "OUT" } } }';
  const io = 'input { name: "IN" data_type: TYPE_FP32 dims: [1] } output { name: "OUT" data_type: TYPE_FP32 dims: [1] }';

  it('ensemble scheduling only on platform ensemble', () => {
    expect(errors(`name: "m" backend: "python" ${steps} ${io}`)).toEqual(["ensemble scheduling cannot be set for model 'm' whose platform is not ensemble"]);
    ok(`name: "e" platform: "ensemble" ${steps} ${io}`);
  });

  it('platform ensemble needs ensemble scheduling', () => {
    expect(errors(`name: "e" platform: "ensemble" ${io}`)).toEqual(['ensemble scheduling must be set for ensemble e whose platform is ensemble']);
  });
});

describe('response cache and metrics', () => {
  it('a decoupled model cannot use the response cache', () => {
    expect(errors('name: "m" backend: "python" model_transaction_policy { decoupled: true } response_cache { enable: true }')).toEqual([
      "Response Cache does not currently support model m with 'decoupled' transaction policy. Please disable the response cache.",
    ]);
    ok('name: "m" backend: "python" model_transaction_policy { decoupled: true }');
  });

  it('model metrics need an identifier with a family and histogram buckets', () => {
    expect(errors('name: "m" backend: "python" model_metrics { metric_control { histogram_options { buckets: [1] } } }')).toEqual(["metric control must specify 'metric_identifier'"]);
    expect(errors('name: "m" backend: "python" model_metrics { metric_control { metric_identifier { } histogram_options { buckets: [1] } } }')).toEqual([
      "metric identifier must specify non-empty 'family'",
    ]);
    expect(errors('name: "m" backend: "python" model_metrics { metric_control { metric_identifier { family: "f" } } }')).toEqual(["metric control must specify 'histogram_options'"]);
    expect(errors('name: "m" backend: "python" model_metrics { metric_control { metric_identifier { family: "f" } histogram_options { } } }')).toEqual([
      "histogram options must specify non-empty 'buckets'",
    ]);
    ok('name: "m" backend: "python" model_metrics { metric_control { metric_identifier { family: "f" } histogram_options { buckets: [1, 2] } } }');
  });
});
