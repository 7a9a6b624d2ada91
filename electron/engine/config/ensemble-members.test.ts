/**
 * ensemble_utils ValidateEnsembleConfig: the ensemble's wiring checked against
 * its members' final configs once they are loaded.
 */
import { describe, expect, it } from 'vitest';
import type { ModelConfig } from './gen/model_config_pb';
import { validateEnsembleAgainstMembers } from './ensemble-members';
import { config, errorsOf } from './testing/config';

const member = (name: string, mbs: number, inputs: string, outputs: string, extra = ''): ModelConfig =>
  config(`name: "${name}" backend: "python" max_batch_size: ${mbs} ${inputs} ${outputs} ${extra}`);
const io = (kind: 'input' | 'output', name: string, type = 'TYPE_FP32', dims = '[ -1 ]', extra = ''): string => `${kind} { name: "${name}" data_type: ${type} dims: ${dims} ${extra} }`;

/** Ensemble e: IN → a(x → y) → OUT, with the given ensemble IO and mbs. */
const single = (mbs: number, ins = io('input', 'IN'), outs = io('output', 'OUT'), map = 'input_map { key: "x" value: "IN" } output_map { key: "y" value: "OUT" }'): ModelConfig =>
  config(`name: "e" platform: "ensemble" max_batch_size: ${mbs} ${ins} ${outs} ensemble_scheduling { step { model_name: "a" model_version: -1 ${map} } }`);

function check(ensemble: ModelConfig, ...members: ModelConfig[]) {
  const byName = new Map(members.map((m) => [m.name, m]));
  const r = validateEnsembleAgainstMembers(ensemble, (n) => byName.get(n));
  return { errors: errorsOf(r.issues), decoupled: r.decoupled };
}

const A = member('a', 8, io('input', 'x'), io('output', 'y'));

describe('tensor mapping', () => {
  it('accepts a mapping that matches the member', () => {
    expect(check(single(8), A)).toEqual({ errors: [], decoupled: false });
  });

  it('refuses a mapping to an input the member does not have', () => {
    const e = single(8, undefined, undefined, 'input_map { key: "nope" value: "IN" } output_map { key: "y" value: "OUT" }');
    expect(check(e, A).errors).toEqual(['in ensemble e, ensemble tensor IN is mapping to non-existing input nope in model a']);
  });

  it('refuses a mapping from an output the member does not have', () => {
    const e = single(8, undefined, undefined, 'input_map { key: "x" value: "IN" } output_map { key: "nope" value: "OUT" }');
    expect(check(e, A).errors).toEqual(['in ensemble e, ensemble tensor OUT is mapped from non-existing output nope in model a']);
  });

  it('every required member input must be mapped; optional ones may stay unmapped', () => {
    const two = member('a', 8, io('input', 'x') + io('input', 'x2'), io('output', 'y'));
    expect(check(single(8), two).errors).toEqual(['in ensemble e, input x2 in model a is not mapped to any ensemble tensors']);
    const optional = member('a', 8, io('input', 'x') + io('input', 'x2', 'TYPE_FP32', '[ -1 ]', 'optional: true'), io('output', 'y'));
    expect(check(single(8), optional).errors).toEqual([]);
  });
});

describe('tensor consistency', () => {
  it('data types must agree', () => {
    const intA = member('a', 8, io('input', 'x', 'TYPE_INT32'), io('output', 'y'));
    expect(check(single(8), intA).errors).toEqual(['in ensemble e, ensemble tensor IN: inconsistent data type: TYPE_FP32 is inferred from model e while TYPE_INT32 is inferred from model a']);
  });

  it('shapes must agree, -1 matching anything', () => {
    const fixed = member('a', 8, io('input', 'x', 'TYPE_FP32', '[ 4 ]'), io('output', 'y'));
    expect(check(single(8, io('input', 'IN', 'TYPE_FP32', '[ 3 ]')), fixed).errors).toEqual([
      'in ensemble e, ensemble tensor IN: inconsistent shape: [-1,3] is inferred from model e while [-1,4] is inferred from model a',
    ]);
    expect(check(single(8, io('input', 'IN', 'TYPE_FP32', '[ -1 ]')), fixed).errors).toEqual([]);
  });

  it('a non-batching side matches a batching one on the batch-prefixed shape', () => {
    const batching = member('a', 8, io('input', 'x', 'TYPE_FP32', '[ 3 ]'), io('output', 'y'));
    // Ensemble without batching declares [-1,3]; the member's full shape is [-1,3] too.
    expect(check(single(0, io('input', 'IN', 'TYPE_FP32', '[ -1, 3 ]')), batching).errors).toEqual([]);
    expect(check(single(0, io('input', 'IN', 'TYPE_FP32', '[ 5 ]')), batching).errors).toEqual([
      'in ensemble e, ensemble tensor IN: inconsistent shape: [5] is inferred from model e while [-1,3] is inferred from model a',
    ]);
  });

  it('compares ensemble IO by reshape when it has one', () => {
    const reshaped = io('input', 'IN', 'TYPE_FP32', '[ 6 ]', 'reshape { shape: [ 2, 3 ] }');
    const m = member('a', 8, io('input', 'x', 'TYPE_FP32', '[ 2, 3 ]'), io('output', 'y'));
    expect(check(single(8, reshaped), m).errors).toEqual([]);
  });

  it('checks intermediate tensors between two members', () => {
    const e = config(`name: "e" platform: "ensemble" max_batch_size: 8 ${io('input', 'IN')} ${io('output', 'OUT')}
      ensemble_scheduling {
        step { model_name: "a" input_map { key: "x" value: "IN" } output_map { key: "y" value: "mid" } }
        step { model_name: "b" input_map { key: "x" value: "mid" } output_map { key: "y" value: "OUT" } }
      }`);
    const b = member('b', 8, io('input', 'x', 'TYPE_UINT8'), io('output', 'y'));
    expect(check(e, A, b).errors).toEqual(['in ensemble e, ensemble tensor mid: inconsistent data type: TYPE_FP32 is inferred from model a while TYPE_UINT8 is inferred from model b']);
  });
});

describe('batch size and decoupled members', () => {
  it("the ensemble's max_batch_size may not exceed a batching member's", () => {
    const small = member('a', 4, io('input', 'x'), io('output', 'y'));
    expect(check(single(8), small).errors).toEqual(['ensemble e allows maximum batch size 8, but it contains model a which only allows maximum batch size to be 4']);
    expect(check(single(4), small).errors).toEqual([]);
  });

  it('a non-batching member (max_batch_size 0) is allowed in a batching ensemble', () => {
    const flat = member('a', 0, io('input', 'x', 'TYPE_FP32', '[ -1, -1 ]'), io('output', 'y', 'TYPE_FP32', '[ -1, -1 ]'));
    expect(check(single(8), flat).errors).toEqual([]);
  });

  it('reports an ensemble as decoupled when a decoupled member feeds it', () => {
    const dec = member('a', 8, io('input', 'x'), io('output', 'y'), 'model_transaction_policy { decoupled: true }');
    expect(check(single(8), dec)).toEqual({ errors: [], decoupled: true });
  });

  it('refuses a step fed by two different decoupled members', () => {
    const e = config(`name: "e" platform: "ensemble" max_batch_size: 8 ${io('input', 'IN')} ${io('output', 'OUT')}
      ensemble_scheduling {
        step { model_name: "a" input_map { key: "x" value: "IN" } output_map { key: "y" value: "t1" } }
        step { model_name: "b" input_map { key: "x" value: "IN" } output_map { key: "y" value: "t2" } }
        step { model_name: "c" input_map { key: "p" value: "t1" } input_map { key: "q" value: "t2" } output_map { key: "y" value: "t3" } }
        step { model_name: "d" input_map { key: "x" value: "t3" } output_map { key: "y" value: "OUT" } }
      }`);
    const decoupled = 'model_transaction_policy { decoupled: true }';
    const a = member('a', 8, io('input', 'x'), io('output', 'y'), decoupled);
    const b = member('b', 8, io('input', 'x'), io('output', 'y'), decoupled);
    const c = member('c', 8, io('input', 'p') + io('input', 'q'), io('output', 'y'));
    const d = member('d', 8, io('input', 'x'), io('output', 'y'));
    // Triton names the model that created the tensor node (had c written OUT directly, it would name the ensemble).
    expect(check(e, a, b, c, d).errors).toEqual(["in ensemble e, step of model 'c' receives inputs originated from different decoupled models"]);
  });
});
