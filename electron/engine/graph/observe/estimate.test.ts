/** The memory estimate before a run: dims bound to the input's sizes, small expressions evaluated, unknown dims left out. */
import { describe, expect, it } from 'vitest';
import { bindDims, dimSize, estimateBytes } from './estimate';

const names = new Map([
  ['h', 640],
  ['p2o.DynamicDimension.1', 640],
  ['N', 2],
]);

describe('dimSize', () => {
  it('evaluates sizes, names and small expressions, and gives up on the rest', () => {
    expect(dimSize(7, names)).toBe(7);
    expect(dimSize('h', names)).toBe(640);
    expect(dimSize('16*ceil(p2o.DynamicDimension.1/64)', names)).toBe(160);
    expect(dimSize('N+1', names)).toBe(3);
    expect(dimSize('(h - 1) / 2 + 1', names)).toBe(321);
    expect(dimSize('floor(h/3)', names)).toBe(213);
    expect(dimSize('min(h, 100) * max(N, 4)', names)).toBe(400);
    expect(dimSize('-N', names)).toBeUndefined();
    for (const bad of ['w', 'h*', '((h)', 'sqrt(h)', 'h ** 2', '', 'h;1', `h+${'1+'.repeat(150)}1`]) expect(dimSize(bad, names), bad).toBeUndefined();
    expect(dimSize(null, names)).toBeUndefined();
    expect(dimSize(-1, names)).toBeUndefined();
  });

  it('binds symbolic input dims to the sizes given, the first binding winning', () => {
    const bound = bindDims(
      [
        { name: 'x', dims: ['n', 3, 'h', 'w'] },
        { name: 'm', dims: ['n', 'h'] },
      ],
      [
        { name: 'x', dtype: 'FP32', shape: [1, 3, 64, 32], data: new Float32Array(0) },
        { name: 'm', dtype: 'FP32', shape: [5, 5], data: new Float32Array(0) },
      ],
    );
    expect([...bound]).toEqual([
      ['n', 1],
      ['h', 64],
      ['w', 32],
    ]);
  });
});

describe('estimateBytes', () => {
  it('sums the sized values, declared types before inferred ones, and counts the rest as unknown', () => {
    const summary = {
      inputs: [{ name: 'x', dtype: 'FP32', dims: ['n', 3, 'h', 'w'] }],
      outputs: [{ name: 'y', dtype: 'FP32', dims: ['n', 1, 'h', 'w'] }],
      valueTypes: { a: { dtype: 'FP16', dims: ['n', 8, 'h/2', 'w/2'] } },
      inferred: { a: { dtype: 'FP32', dims: [1] }, b: { dtype: 'INT64', dims: [4] }, c: { dtype: 'FP32', dims: ['n', 'q'] }, s: { dtype: 'BYTES', dims: [2] } },
    };
    const x = { name: 'x', dtype: 'FP32' as const, shape: [2, 3, 64, 32], data: new Float32Array(0) };
    expect(estimateBytes(summary, [x], ['y', 'a', 'b', 'c', 's', 'gone'])).toEqual({ bytes: 2 * 64 * 32 * 4 + 2 * 8 * 32 * 16 * 2 + 32, unknown: 3 });
  });
});
