import { describe, expect, it } from 'vitest';
import { c64, cf, infer, int, io, n, one } from './testing';

const x = io('x', 'FP32', ['N', 3, 'H', 'W']);

describe('element-wise shape rules', () => {
  it('unary operators keep the input type', () => {
    for (const op of ['Relu', 'Sigmoid', 'HardSwish', 'Clip', 'Softmax', 'LogSoftmax', 'Erf', 'Sqrt', 'Identity', 'InstanceNormalization', 'GroupNormalization']) {
      expect(one(op, [x]), op).toEqual([['N', 3, 'H', 'W']]);
    }
  });

  it('binary operators broadcast NumPy-style', () => {
    expect(one('Add', [x, io('b', 'FP32', [3, 1, 1])])).toEqual([['N', 3, 'H', 'W']]);
    expect(one('Mul', [io('a', 'FP32', [1, 'S', 1]), io('b', 'FP32', ['B', 1, 64])])).toEqual([['B', 'S', 64]]);
    expect(one('Div', [io('a', 'FP32', []), io('b', 'FP32', [])])).toEqual([[]]);
    expect(one('Pow', [io('a', 'FP32', ['N', 1]), io('b', 'FP32', [1, 5])])).toEqual([['N', 5]]);
    // A known size wins over a symbol (which must be 1 or equal to it).
    expect(one('Sub', [io('a', 'FP32', ['K']), io('b', 'FP32', [7])])).toEqual([[7]]);
    expect(one('Add', [io('a', 'FP32'), io('b', 'FP32', [7])])).toEqual([undefined]);
  });

  it('variadic Max/Min/Sum/Mean broadcast all inputs', () => {
    expect(one('Sum', [io('a', 'FP32', [2, 1]), io('b', 'FP32', [1, 3]), io('c', 'FP32', [3])])).toEqual([[2, 3]]);
    expect(one('Max', [io('a', 'FP32', ['N', 4])])).toEqual([['N', 4]]);
  });

  it('comparisons and logic give BOOL; Where takes the branches type', () => {
    const b = infer({
      nodes: [n('Equal', ['a', 'b'], ['e']), n('Not', ['e'], ['ne']), n('Where', ['ne', 'a', 'b'], ['y'])],
      inputs: [io('a', 'INT64', ['N', 1]), io('b', 'INT64', [1, 'M'])],
    });
    expect(b.type('e')).toEqual({ dtype: 'BOOL', dims: ['N', 'M'] });
    expect(b.type('ne')).toEqual({ dtype: 'BOOL', dims: ['N', 'M'] });
    expect(b.type('y')).toEqual({ dtype: 'INT64', dims: ['N', 'M'] });
  });

  it('Cast and CastLike change the dtype and keep dims and values', () => {
    const b = infer({
      nodes: [n('Shape', ['x'], ['s']), n('Cast', ['s'], ['f'], [int('to', 1)]), n('Cast', ['f'], ['k'], [int('to', 7)])],
      inputs: [x],
    });
    expect(b.type('f')).toEqual({ dtype: 'FP32', dims: [4], values: ['N', 3, 'H', 'W'] });
    expect(b.type('k')).toEqual({ dtype: 'INT64', dims: [4], values: ['N', 3, 'H', 'W'] });
    const like = infer({ nodes: [n('CastLike', ['x', 'h'], ['y'])], inputs: [x, io('h', 'FP16', [])] });
    expect(like.type('y')).toEqual({ dtype: 'FP16', dims: ['N', 3, 'H', 'W'] });
  });

  it('Dropout passes the input through and types its mask', () => {
    expect(one('Dropout', [x], [], [], 17, 2)).toEqual([
      ['N', 3, 'H', 'W'],
      ['N', 3, 'H', 'W'],
    ]);
  });

  it('computes integer arithmetic on shape values', () => {
    const b = infer({
      nodes: [n('Shape', ['x'], ['s']), n('Mul', ['s', 'two'], ['m']), n('Div', ['s', 'two'], ['d']), n('Add', ['s', 'one'], ['a']), n('Sub', ['a', 'one'], ['back'])],
      inputs: [io('x', 'FP32', ['B', 8])],
      consts: [c64('two', [2], []), c64('one', [1], [])],
    });
    expect(b.type('m')?.values).toEqual(['2*B', 16]);
    expect(b.type('d')?.values).toEqual(['floor(B/2)', 4]);
    expect(b.type('a')?.values).toEqual(['B+1', 9]);
    expect(b.type('back')?.values).toEqual(['B', 8]);
  });

  it('follows sizes cast to float and back (Cast→Div→Floor→Cast)', () => {
    const b = infer({
      nodes: [
        n('Shape', ['x'], ['s']),
        n('Cast', ['s'], ['f'], [int('to', 1)]),
        n('Div', ['f', 'two'], ['h']),
        n('Floor', ['h'], ['fl']),
        n('Cast', ['fl'], ['back'], [int('to', 7)]),
        n('Mul', ['f', 'two'], ['m']),
      ],
      inputs: [io('x', 'FP32', ['B', 8])],
      consts: [cf('two', [2], [])],
    });
    expect(b.type('back')?.values).toEqual([null, 4]);
    expect(b.type('m')?.values).toEqual(['2*B', 16]);
  });

  it('computes float arithmetic on small constants', () => {
    const b = infer({ nodes: [n('Mul', ['a', 'b'], ['y'])], inputs: [], consts: [cf('a', [1, 2]), cf('b', [0.5], [])] });
    expect(b.type('y')).toEqual({ dtype: 'FP32', dims: [2], values: [0.5, 1] });
  });
});
