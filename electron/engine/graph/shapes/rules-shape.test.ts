import { describe, expect, it } from 'vitest';
import { c64, cf, infer, int, ints, io, n, one } from './testing';

const x = io('x', 'FP32', ['B', 'S', 768]);

describe('shape operator rules', () => {
  it('Reshape copies 0, infers -1 exactly, and honours allowzero', () => {
    expect(one('Reshape', [x], [], [c64('s', [0, 0, 12, 64])])).toEqual([['B', 'S', 12, 64]]);
    expect(one('Reshape', [x], [], [c64('s', [0, -1, 64])])).toEqual([['B', '12*S', 64]]);
    expect(one('Reshape', [x], [], [c64('s', [-1, 768])])).toEqual([['B*S', 768]]);
    expect(one('Reshape', [io('z', 'FP32', [0, 4])], [int('allowzero', 1)], [c64('s', [0, 4])], 14)).toEqual([[0, 4]]);
    expect(one('Reshape', [io('v', 'FP32', [2, 3, 4])], [], [c64('s', [4, -1])])).toEqual([[4, 6]]);
    // Shape input of unknown values: the rank is still known.
    expect(one('Reshape', [x, io('t', 'INT64', [3])])).toEqual([[null, null, null]]);
    // Opset 1-4: the shape is an attribute.
    expect(one('Reshape', [x], [ints('shape', [0, -1])], [], 4)).toEqual([['B', '768*S']]);
  });

  it('Flatten splits at the axis, negative too', () => {
    expect(one('Flatten', [io('x', 'FP32', ['N', 3, 4, 5])])).toEqual([['N', 60]]);
    expect(one('Flatten', [io('x', 'FP32', ['N', 3, 4, 5])], [int('axis', -1)])).toEqual([['12*N', 5]]);
    expect(one('Flatten', [io('x', 'FP32', ['N', 3, 4, 5])], [int('axis', 0)])).toEqual([[1, '60*N']]);
  });

  it('Squeeze and Unsqueeze by attribute (opset < 13) and by input (13+)', () => {
    const y = io('y', 'FP32', ['N', 1, 'T', 1]);
    expect(one('Squeeze', [y], [ints('axes', [1])], [], 11)).toEqual([['N', 'T', 1]]);
    expect(one('Squeeze', [y], [], [c64('a', [-1, 1])], 13)).toEqual([['N', 'T']]);
    expect(one('Squeeze', [y], [], [], 13)).toEqual([['N', 'T']]);
    expect(one('Unsqueeze', [io('v', 'FP32', ['N', 'T'])], [ints('axes', [0, 3])], [], 11)).toEqual([[1, 'N', 'T', 1]]);
    expect(one('Unsqueeze', [io('v', 'FP32', ['N', 'T'])], [], [c64('a', [-1])], 13)).toEqual([['N', 'T', 1]]);
  });

  it('Transpose permutes (reverses without perm)', () => {
    expect(one('Transpose', [io('v', 'FP32', ['B', 'S', 12, 64])], [ints('perm', [0, 2, 1, 3])])).toEqual([['B', 12, 'S', 64]]);
    expect(one('Transpose', [io('v', 'FP32', [2, 3, 4])])).toEqual([[4, 3, 2]]);
  });

  it('Concat sums the axis', () => {
    expect(one('Concat', [io('a', 'FP32', ['N', 3, 'H']), io('b', 'FP32', ['N', 5, 'H'])], [int('axis', 1)])).toEqual([['N', 8, 'H']]);
    expect(one('Concat', [io('a', 'FP32', ['N', 'K']), io('b', 'FP32', ['N', 1])], [int('axis', -1)])).toEqual([['N', 'K+1']]);
    // Off the axis the dims agree: a known size says what the symbol is.
    expect(one('Concat', [io('a', 'FP32', ['N', 3]), io('b', 'FP32', [1, 5])], [int('axis', 1)])).toEqual([[1, 8]]);
  });

  it('Split by sizes (attribute, input), by output count and by num_outputs', () => {
    const v = io('v', 'FP32', ['N', 10]);
    expect(one('Split', [v], [int('axis', 1), ints('split', [3, 7])], [], 11, 2)).toEqual([
      ['N', 3],
      ['N', 7],
    ]);
    expect(one('Split', [v], [int('axis', 1)], [c64('s', [4, 6])], 13, 2)).toEqual([
      ['N', 4],
      ['N', 6],
    ]);
    expect(one('Split', [v], [int('axis', 1)], [], 13, 2)).toEqual([
      ['N', 5],
      ['N', 5],
    ]);
    expect(one('Split', [v], [int('axis', 1), int('num_outputs', 3)], [], 18, 3)).toEqual([
      ['N', 4],
      ['N', 4],
      ['N', 2],
    ]);
    const unknownSizes = one('Split', [v, io('sizes', 'INT64', [2])], [int('axis', 1)], [], 13, 2);
    expect(unknownSizes[0]?.[0]).toBe('N');
    expect(unknownSizes[0]?.[1]).toMatch(/^split_\d+$/);
    expect(unknownSizes[1]?.[1]).not.toBe(unknownSizes[0]?.[1]);
    const thirds = infer({
      nodes: [n('Concat', ['q', 'q', 'q'], ['qkv'], [int('axis', 1)]), n('Split', ['qkv'], ['a', 'b', 'c'], [int('axis', 1)])],
      inputs: [io('q', 'FP32', ['B', 'D'])],
      opset: 13,
    });
    expect(thirds.dims('qkv')).toEqual(['B', '3*D']);
    expect(thirds.dims('c')).toEqual(['B', 'D']);
  });

  it('Slice clamps, counts negative indices and steps', () => {
    const v = io('v', 'FP32', [10, 'T']);
    const slice = (starts: number[], ends: number[], axes: number[], steps?: number[]): unknown =>
      one('Slice', [v], [], [c64('s', starts), c64('e', ends), c64('a', axes), ...(steps ? [c64('p', steps)] : [])])[0];
    expect(slice([2], [100], [0])).toEqual([8, 'T']);
    expect(slice([-3], [2 ** 53 - 1], [0])).toEqual([3, 'T']);
    expect(slice([0], [10], [0], [3])).toEqual([4, 'T']);
    expect(slice([9], [-100], [0], [-2])).toEqual([5, 'T']);
    expect(slice([1], [2 ** 53 - 1], [1])).toEqual([10, 'T-1']);
    expect(slice([0], [-1], [1])).toEqual([10, 'T-1']);
    expect(slice([-1], [2 ** 53 - 1], [-1])).toEqual([10, 1]);
    expect(slice([0], [4], [1])).toEqual([10, 4]);
    // Opset < 10: attributes.
    expect(one('Slice', [v], [ints('starts', [1]), ints('ends', [3]), ints('axes', [0])], [], 9)).toEqual([[2, 'T']]);
  });

  it('Gather picks dims and values; GatherElements and GatherND', () => {
    expect(one('Gather', [io('e', 'FP32', [32000, 768]), io('ids', 'INT64', ['B', 'S'])])).toEqual([['B', 'S', 768]]);
    expect(one('Gather', [io('e', 'FP32', ['B', 'S', 768])], [int('axis', 1)], [c64('i', [0], [])])).toEqual([['B', 768]]);
    expect(one('GatherElements', [io('d', 'FP32', [4, 5]), io('i', 'INT64', [4, 2])])).toEqual([[4, 2]]);
    expect(one('GatherND', [io('d', 'FP32', [2, 3, 4]), io('i', 'INT64', ['K', 2])])).toEqual([['K', 4]]);
  });

  it('Shape (with start/end), Size', () => {
    const b = infer({
      nodes: [n('Shape', ['x'], ['s']), n('Shape', ['x'], ['t'], [int('start', 1), int('end', -1)]), n('Size', ['x'], ['z'])],
      inputs: [x],
      opset: 15,
    });
    expect(b.type('s')).toEqual({ dtype: 'INT64', dims: [3], values: ['B', 'S', 768] });
    expect(b.type('t')).toEqual({ dtype: 'INT64', dims: [1], values: ['S'] });
    expect(b.type('z')).toEqual({ dtype: 'INT64', dims: [], values: ['768*B*S'] });
  });

  it('folds Shape→Gather→Unsqueeze→Concat→Reshape chains', () => {
    const b = infer({
      nodes: [
        n('Shape', ['x'], ['s']),
        n('Gather', ['s', 'i0'], ['b']),
        n('Gather', ['s', 'i1'], ['t']),
        n('Unsqueeze', ['b', 'ax'], ['bu']),
        n('Unsqueeze', ['t', 'ax'], ['tu']),
        n('Concat', ['bu', 'tu', 'tail'], ['target'], [int('axis', 0)]),
        n('Reshape', ['x', 'target'], ['y']),
        n('ConstantOfShape', ['s'], ['zeros']),
        n('Expand', ['one', 's'], ['ones']),
      ],
      inputs: [x],
      consts: [c64('i0', [0], []), c64('i1', [1], []), c64('ax', [0]), c64('tail', [12, 64]), cf('one', [1], [1])],
      opset: 13,
    });
    expect(b.type('b')).toEqual({ dtype: 'INT64', dims: [], values: ['B'] });
    expect(b.type('target')?.values).toEqual(['B', 'S', 12, 64]);
    expect(b.dims('y')).toEqual(['B', 'S', 12, 64]);
    expect(b.type('zeros')).toEqual({ dtype: 'FP32', dims: ['B', 'S', 768] });
    expect(b.dims('ones')).toEqual(['B', 'S', 768]);
  });

  it('folds the Where(Equal(shape, -1), ones, shape) → Expand pattern', () => {
    const b = infer({
      nodes: [
        n('Shape', ['x'], ['s']),
        n('ConstantOfShape', ['len'], ['ones'], [{ name: 'value', type: 'TENSOR', value: '', tensor: 3 }]),
        n('Mul', ['ones', 'minus'], ['neg']),
        n('Equal', ['s', 'neg'], ['eq']),
        n('Where', ['eq', 'ones', 's'], ['target']),
        n('Expand', ['m', 'target'], ['y']),
      ],
      inputs: [x, io('m', 'FP32', [1, 1, 768])],
      consts: [c64('len', [3]), c64('minus', [-1], []), c64('unused', [0]), c64('one', [1], [1])],
    });
    expect(b.type('eq')?.values).toEqual([0, 0, 0]);
    expect(b.type('target')?.values).toEqual(['B', 'S', 768]);
    expect(b.dims('y')).toEqual(['B', 'S', 768]);
  });

  it('Concat keeps the known part of partly known shape values', () => {
    const b = infer({
      nodes: [n('Shape', ['x'], ['s']), n('Slice', ['s', 'z', 'o'], ['b']), n('Concat', ['b', 'unknown', 'tail'], ['t'], [int('axis', 0)]), n('Reshape', ['x', 't'], ['y'])],
      inputs: [x, io('unknown', 'INT64', [1])],
      consts: [c64('z', [0]), c64('o', [1]), c64('tail', [64])],
    });
    expect(b.type('t')?.values).toEqual(['B', null, 64]);
    expect(b.dims('y')).toEqual(['B', null, 64]);
  });

  it('Slice with symbolic bounds (GPT-2 style causal mask window)', () => {
    const b = infer({
      nodes: [
        n('Shape', ['q'], ['qs']),
        n('Gather', ['qs', 'i1'], ['len']),
        n('Unsqueeze', ['len', 'ax0'], ['end']),
        n('Sub', ['end', 'one'], ['start']),
        n('Slice', ['mask', 'start', 'end', 'ax2'], ['win']),
        n('Slice', ['mask', 'zero', 'end', 'ax3'], ['head']),
      ],
      inputs: [io('q', 'FP32', ['B', 'S', 64]), io('mask', 'BOOL', [1, 1, 1024, 1024])],
      consts: [c64('i1', [1], []), c64('ax0', [0]), c64('one', [1]), c64('zero', [0]), c64('ax2', [2]), c64('ax3', [3])],
      opset: 13,
    });
    expect(b.type('start')?.values).toEqual(['S-1']);
    expect(b.dims('win')).toEqual([1, 1, 1, 1024]);
    expect(b.dims('head')).toEqual([1, 1, 1024, 'S']);
    expect(one('Slice', [io('v', 'FP32', ['T'])], [], [c64('s', [-3]), c64('e', [-1])])).toEqual([[2]]);
    expect(one('Slice', [io('v', 'FP32', ['T'])], [], [c64('s', [1]), c64('e', [-1]), c64('a', [0]), c64('p', [2])])).toEqual([['ceil(T/2)-1']]);
  });

  it('Slice with a step over a symbolic axis', () => {
    expect(one('Slice', [io('v', 'FP32', ['N', 3, 'H', 'W'])], [], [c64('s', [0, 1]), c64('e', [2 ** 53 - 1, 2 ** 53 - 1]), c64('a', [2, 3]), c64('p', [2, 2])])).toEqual([
      ['N', 3, 'ceil(H/2)', 'floor(W/2)'],
    ]);
  });

  it('Expand and Tile', () => {
    expect(one('Expand', [io('m', 'FP32', ['B', 1, 1, 'S'])], [], [c64('s', [1, 12, 1, 1])])).toEqual([['B', 12, 1, 'S']]);
    expect(one('Expand', [io('m', 'FP32', [3, 1])], [], [c64('s', [2, 1, 6])])).toEqual([[2, 3, 6]]);
    const [unknownTarget] = one('Expand', [io('m', 'FP32', [3, 1]), io('t', 'INT64', [2])]);
    expect(unknownTarget?.[0]).toBe(3);
    expect(unknownTarget?.[1]).toMatch(/^expand_\d+$/);
    expect(one('Tile', [io('t', 'FP32', ['N', 3])], [], [c64('r', [2, 2])])).toEqual([['2*N', 6]]);
  });

  it('Pad adds begin and end pads (attribute before opset 11, input after, axes from 18)', () => {
    const v = io('v', 'FP32', ['N', 3, 'H', 'W']);
    expect(one('Pad', [v], [ints('pads', [0, 0, 1, 1, 0, 0, 1, 1])], [], 10)).toEqual([['N', 3, 'H+2', 'W+2']]);
    expect(one('Pad', [v], [], [c64('p', [0, 0, 0, 2, 0, 0, 0, 3])], 13)).toEqual([['N', 3, 'H', 'W+5']]);
    const b = infer({ nodes: [n('Pad', ['v', 'p', '', 'a'], ['y'])], inputs: [v], consts: [c64('p', [1, 1]), c64('a', [-1])], opset: 18 });
    expect(b.dims('y')).toEqual(['N', 3, 'H', 'W+2']);
  });

  it('ConstantOfShape and Range', () => {
    const b = infer({
      nodes: [
        n('ConstantOfShape', ['s'], ['c']),
        n('Range', ['zero', 'five', 'one'], ['r']),
        n('Shape', ['x'], ['xs']),
        n('Gather', ['xs', 'i1'], ['len']),
        n('Range', ['zero', 'len', 'one'], ['pos']),
      ],
      inputs: [x],
      consts: [c64('s', [2, 3]), c64('zero', [0], []), c64('five', [5], []), c64('one', [1], []), c64('i1', [1], [])],
    });
    expect(b.type('c')).toEqual({ dtype: 'FP32', dims: [2, 3] });
    expect(b.type('r')).toEqual({ dtype: 'INT64', dims: [5], values: [0, 1, 2, 3, 4] });
    expect(b.type('pos')).toEqual({ dtype: 'INT64', dims: ['S'] });
  });

  it('Constant in its attribute forms', () => {
    const b = infer({
      nodes: [n('Constant', [], ['a'], [{ name: 'value_ints', type: 'INTS', value: '[1, -1]' }]), n('Constant', [], ['f'], [{ name: 'value_float', type: 'FLOAT', value: '0.5' }])],
      inputs: [],
    });
    expect(b.type('a')).toEqual({ dtype: 'INT64', dims: [2], values: [1, -1] });
    expect(b.type('f')).toEqual({ dtype: 'FP32', dims: [], values: [0.5] });
  });
});
