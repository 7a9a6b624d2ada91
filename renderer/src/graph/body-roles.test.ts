/** Notes for body inputs and outputs: Loop with carried values and scan outputs, Scan with state, other operators none. */
import type { GraphBody, GraphIo } from '@contract/inspect-api';
import { beforeEach, describe, expect, it } from 'vitest';
import { setLocale } from '../i18n';
import { bodyRoles, withNote } from './body-roles';
import { graphNode } from './synthetic';

const io = (name: string): GraphIo => ({ name, dtype: 'FP32' });
function body(attribute: string, inputs: string[], outputs: string[]): GraphBody {
  return { id: 0, parent: -1, node: 0, attribute, name: '', inputs: inputs.map(io), outputs: outputs.map(io), nodes: [], initializers: [], valueTypes: {}, outerInputs: [] };
}

beforeEach(() => setLocale('en'));

describe('bodyRoles', () => {
  it('reads a Loop with a condition, two carried values and a scan output', () => {
    const loop = graphNode('L', 'Loop', ['M', 'keep', 'a0', 'b0'], ['a_final', 'b_final', 'stacked']);
    const r = bodyRoles(loop, body('body', ['i', 'c', 'a', 'b'], ['c_out', 'a_next', 'b_next', 'per_iter']));
    expect(r.inputs).toEqual([
      'Iteration number, counting from 0',
      "Whether this iteration runs: 'keep' at first, then the previous iteration’s answer",
      "Loop-carried: starts as 'a0', then the previous iteration’s 'a_next'",
      "Loop-carried: starts as 'b0', then the previous iteration’s 'b_next'",
    ]);
    expect(r.outputs).toEqual([
      'Whether to run another iteration',
      "Loop-carried: the next iteration’s 'a'; after the last one, 'a_final'",
      "Loop-carried: the next iteration’s 'b'; after the last one, 'b_final'",
      "Stacked over the iterations into 'stacked'",
    ]);
  });

  it('reads a Scan with one state variable and two scanned inputs', () => {
    const scan = graphNode('S', 'Scan', ['h0', 'xs', 'ys'], ['h_final', 'outs'], { attributes: [{ name: 'num_scan_inputs', type: 'INT', value: '2' }] });
    const r = bodyRoles(scan, body('body', ['h', 'x', 'y'], ['h_next', 'out']));
    expect(r.inputs).toEqual(["State: starts as 'h0', then the previous iteration’s", "One slice of 'xs' per iteration", "One slice of 'ys' per iteration"]);
    expect(r.outputs).toEqual(["State for the next iteration; after the last one, 'h_final'", "Stacked over the iterations into 'outs'"]);
  });

  it('says nothing for operators it does not know, and keeps the model’s own note', () => {
    const custom = { ...graphNode('C', 'Loop', ['M'], ['y']), domain: 'com.example' };
    expect(bodyRoles(custom, body('body', ['i'], ['o']))).toEqual({ inputs: [], outputs: [] });
    expect(bodyRoles(undefined, body('body', ['i'], ['o']))).toEqual({ inputs: [], outputs: [] });
    expect(withNote('model note', 'ours')).toEqual({ doc: 'ours — model note' });
    expect(withNote(undefined, undefined)).toEqual({});
  });
});
