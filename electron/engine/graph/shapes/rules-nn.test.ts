import { describe, expect, it } from 'vitest';
import { c64, cf, infer, int, ints, io, n, one, str, w } from './testing';

const img = io('x', 'FP32', ['N', 3, 'H', 'W']);
const fixed = io('x', 'FP32', [1, 3, 224, 224]);

describe('convolution and pooling rules', () => {
  it('Conv: kernel from W, pads, strides, dilations', () => {
    expect(one('Conv', [fixed], [ints('pads', [1, 1, 1, 1]), ints('strides', [2, 2])], [w('k', [16, 3, 3, 3])])).toEqual([[1, 16, 112, 112]]);
    expect(one('Conv', [fixed], [ints('dilations', [2, 2])], [w('k', [8, 3, 3, 3])])).toEqual([[1, 8, 220, 220]]);
    expect(one('Conv', [img], [ints('pads', [1, 1, 1, 1]), ints('strides', [2, 2])], [w('k', [16, 3, 3, 3])])).toEqual([['N', 16, 'ceil(H/2)', 'ceil(W/2)']]);
    expect(one('Conv', [img], [ints('pads', [1, 1, 1, 1])], [w('k', [16, 3, 3, 3])])).toEqual([['N', 16, 'H', 'W']]);
    expect(one('Conv', [img], [], [w('k', [16, 3, 3, 3])])).toEqual([['N', 16, 'H-2', 'W-2']]);
    // Depthwise: group does not change the output channels (W's first dim).
    expect(one('Conv', [io('x', 'FP32', [1, 32, 10, 10])], [int('group', 32), ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])], [w('k', [32, 1, 3, 3])])).toEqual([[1, 32, 10, 10]]);
    // 1-D convolution.
    expect(one('Conv', [io('x', 'FP32', ['N', 80, 'T'])], [ints('strides', [2])], [w('k', [256, 80, 4])])).toEqual([['N', 256, 'floor(T/2)-1']]);
  });

  it('Conv auto_pad SAME_UPPER, SAME_LOWER and VALID', () => {
    expect(one('Conv', [fixed], [str('auto_pad', 'SAME_UPPER'), ints('strides', [2, 2])], [w('k', [4, 3, 3, 3])])).toEqual([[1, 4, 112, 112]]);
    expect(one('Conv', [img], [str('auto_pad', 'SAME_LOWER'), ints('strides', [2, 2])], [w('k', [4, 3, 3, 3])])).toEqual([['N', 4, 'ceil(H/2)', 'ceil(W/2)']]);
    expect(one('Conv', [io('x', 'FP32', [1, 3, 225, 225])], [str('auto_pad', 'VALID'), ints('strides', [2, 2])], [w('k', [4, 3, 3, 3])])).toEqual([[1, 4, 112, 112]]);
  });

  it('ConvTranspose: strides, pads, output_padding, group, output_shape', () => {
    expect(one('ConvTranspose', [io('x', 'FP32', ['N', 24, 'H', 'W'])], [ints('strides', [2, 2])], [w('k', [24, 6, 2, 2])])).toEqual([['N', 6, '2*H', '2*W']]);
    expect(one('ConvTranspose', [io('x', 'FP32', [1, 8, 5, 5])], [ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1]), ints('output_padding', [1, 1])], [w('k', [8, 4, 3, 3])])).toEqual([
      [1, 4, 10, 10],
    ]);
    expect(one('ConvTranspose', [io('x', 'FP32', [1, 8, 5, 5])], [int('group', 2), ints('output_shape', [11, 11])], [w('k', [8, 3, 3, 3])])).toEqual([[1, 6, 11, 11]]);
  });

  it('pooling: kernel_shape, ceil_mode, and the MaxPool indices', () => {
    expect(one('MaxPool', [io('x', 'FP32', [1, 64, 112, 112])], [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1])], [], 17, 2)).toEqual([
      [1, 64, 56, 56],
      [1, 64, 56, 56],
    ]);
    expect(one('AveragePool', [io('x', 'FP32', [1, 8, 7, 7])], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2]), int('ceil_mode', 1)])).toEqual([[1, 8, 4, 4]]);
    expect(one('AveragePool', [io('x', 'FP32', [1, 8, 7, 7])], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])])).toEqual([[1, 8, 3, 3]]);
    // ceil_mode: a last window that would start in the right padding is dropped.
    expect(one('MaxPool', [io('x', 'FP32', [1, 1, 4, 4])], [ints('kernel_shape', [1, 1]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1]), int('ceil_mode', 1)])).toEqual([[1, 1, 3, 3]]);
    expect(one('AveragePool', [io('x', 'FP32', [1, 3, 2, 2])], [ints('kernel_shape', [1, 1]), ints('strides', [3, 3]), ints('pads', [1, 1, 1, 1]), int('ceil_mode', 1)])).toEqual([[1, 3, 1, 1]]);
    expect(one('AveragePool', [img], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])])).toEqual([['N', 3, 'floor(H/2)', 'floor(W/2)']]);
    expect(one('GlobalAveragePool', [img])).toEqual([['N', 3, 1, 1]]);
    expect(one('GlobalMaxPool', [io('x', 'FP32', ['N', 5, 'T'])])).toEqual([['N', 5, 1]]);
  });
});

describe('matrix, normalization and reduction rules', () => {
  it('MatMul broadcasts batch dims and handles 1-D operands', () => {
    expect(one('MatMul', [io('a', 'FP32', ['B', 'S', 768])], [], [w('b', [768, 3072])])).toEqual([['B', 'S', 3072]]);
    expect(one('MatMul', [io('a', 'FP32', ['B', 12, 'S', 64]), io('b', 'FP32', ['B', 12, 64, 'S'])])).toEqual([['B', 12, 'S', 'S']]);
    expect(one('MatMul', [io('a', 'FP32', [1, 4, 5]), io('b', 'FP32', [7, 5, 2])])).toEqual([[7, 4, 2]]);
    expect(one('MatMul', [io('a', 'FP32', [5]), io('b', 'FP32', ['B', 5, 3])])).toEqual([['B', 3]]);
    expect(one('MatMul', [io('a', 'FP32', ['M', 5]), io('b', 'FP32', [5])])).toEqual([['M']]);
    expect(one('MatMulInteger', [io('a', 'UINT8', ['M', 5]), io('b', 'UINT8', [5, 2])])).toEqual([['M', 2]]);
  });

  it('Gemm with transA/transB', () => {
    expect(one('Gemm', [io('a', 'FP32', ['N', 512])], [int('transB', 1)], [w('b', [1000, 512]), w('c', [1000])])).toEqual([['N', 1000]]);
    expect(one('Gemm', [io('a', 'FP32', [512, 'N'])], [int('transA', 1)], [w('b', [512, 10])])).toEqual([['N', 10]]);
  });

  it('normalization layers keep the shape; their statistics outputs are typed', () => {
    expect(one('BatchNormalization', [img], [], [w('s', [3]), w('b', [3]), w('m', [3]), w('v', [3])])).toEqual([['N', 3, 'H', 'W']]);
    expect(one('LayerNormalization', [io('x', 'FP32', ['B', 'S', 768])], [], [w('g', [768]), w('b', [768])], 17, 3)).toEqual([
      ['B', 'S', 768],
      ['B', 'S', 1],
      ['B', 'S', 1],
    ]);
    expect(one('LayerNormalization', [io('x', 'FP32', ['B', 'S', 768])], [int('axis', 1)], [w('g', [7, 768])], 17, 2)[1]).toEqual(['B', 1, 1]);
  });

  it('reductions: axes attribute or input, keepdims, noop_with_empty_axes', () => {
    const x = io('x', 'FP32', ['B', 'S', 768]);
    expect(one('ReduceMean', [x], [ints('axes', [-1])], [], 17)).toEqual([['B', 'S', 1]]);
    expect(one('ReduceMean', [x], [ints('axes', [1]), int('keepdims', 0)], [], 17)).toEqual([['B', 768]]);
    expect(one('ReduceMean', [x], [int('keepdims', 0)], [c64('a', [1])], 18)).toEqual([['B', 768]]);
    expect(one('ReduceSum', [x], [], [c64('a', [0, 2])], 13)).toEqual([[1, 'S', 1]]);
    expect(one('ReduceMax', [x], [int('keepdims', 0)], [], 17)).toEqual([[]]);
    expect(one('ReduceSum', [x], [int('noop_with_empty_axes', 1)], [], 13)).toEqual([['B', 'S', 768]]);
    // Axes from a value inference cannot read: the rank is still known.
    expect(one('ReduceMax', [x, io('a', 'INT64', [1])], [int('keepdims', 0)], [], 18)).toEqual([[null, null]]);
    expect(one('ReduceMax', [io('y', 'FP32', ['B', 1, 7]), io('a', 'INT64', [1])], [], [], 18)).toEqual([[null, 1, null]]);
    expect(one('ArgMax', [x], [int('axis', -1), int('keepdims', 0)])).toEqual([['B', 'S']]);
    expect(one('ArgMin', [x], [])).toEqual([[1, 'S', 768]]);
  });

  it('TopK: k from attribute or input', () => {
    expect(one('TopK', [io('x', 'FP32', ['N', 100])], [], [c64('k', [5])], 11, 2)).toEqual([
      ['N', 5],
      ['N', 5],
    ]);
    expect(one('TopK', [io('x', 'FP32', ['N', 100])], [int('k', 3), int('axis', 1)], [], 9)).toEqual([['N', 3]]);
  });
});

describe('Resize, recurrent and quantization rules', () => {
  it('Resize by scales or sizes; Upsample', () => {
    const b = infer({
      nodes: [n('Resize', ['x', 'roi', 'sc'], ['up']), n('Resize', ['x', '', '', 'sz'], ['to']), n('Resize', ['x', 'roi', 'half'], ['down']), n('Upsample', ['x', 'sc'], ['u9'])],
      inputs: [img],
      consts: [cf('roi', [], [0]), cf('sc', [1, 1, 2, 2]), c64('sz', [1, 3, 64, 64]), cf('half', [1, 1, 0.5, 0.5])],
      opset: 13,
    });
    expect(b.dims('up')).toEqual(['N', 3, '2*H', '2*W']);
    expect(b.dims('to')).toEqual([1, 3, 64, 64]);
    expect(b.dims('down')).toEqual(['N', 3, 'floor(H/2)', 'floor(W/2)']);
    expect(b.dims('u9')).toEqual(['N', 3, '2*H', '2*W']);
    expect(one('Upsample', [img], [{ name: 'scales', type: 'FLOATS', value: '[1, 1, 2, 2]' }], [], 7)).toEqual([['N', 3, '2*H', '2*W']]);
    expect(one('Resize', [io('x', 'FP32', [1, 3, 10, 10])], [], [cf('s', [1, 1, 1.5, 1.5])], 10)).toEqual([[1, 3, 15, 15]]);
  });

  it('LSTM/GRU/RNN outputs in both layouts and directions', () => {
    const x = io('x', 'FP32', ['T', 'B', 80]);
    expect(one('LSTM', [x], [int('hidden_size', 128), str('direction', 'bidirectional')], [w('W', [2, 512, 80]), w('R', [2, 512, 128])], 14, 3)).toEqual([
      ['T', 2, 'B', 128],
      [2, 'B', 128],
      [2, 'B', 128],
    ]);
    expect(one('GRU', [io('x', 'FP32', ['B', 'T', 80])], [int('hidden_size', 64), int('layout', 1)], [w('W', [1, 192, 80]), w('R', [1, 192, 64])], 14, 2)).toEqual([
      ['B', 'T', 1, 64],
      ['B', 1, 64],
    ]);
    expect(one('RNN', [x], [int('hidden_size', 32)], [w('W', [1, 32, 80]), w('R', [1, 32, 32])], 14)).toEqual([['T', 1, 'B', 32]]);
  });

  it('QuantizeLinear/DequantizeLinear/DynamicQuantizeLinear types', () => {
    const b = infer({
      nodes: [
        n('QuantizeLinear', ['x', 's', 'zp'], ['q']),
        n('DequantizeLinear', ['q', 's', 'zp'], ['d']),
        n('DynamicQuantizeLinear', ['x'], ['y', 'ys', 'yz']),
        n('QuantizeLinear', ['x', 's'], ['q8']),
      ],
      inputs: [img],
      consts: [cf('s', [0.1], []), { name: 'zp', dtype: 'INT8', dims: [], values: [0] }],
    });
    expect(b.type('q')).toEqual({ dtype: 'INT8', dims: ['N', 3, 'H', 'W'] });
    expect(b.type('q8')?.dtype).toBe('UINT8');
    expect(b.type('d')).toEqual({ dtype: 'FP32', dims: ['N', 3, 'H', 'W'] });
    expect(b.type('y')?.dtype).toBe('UINT8');
    expect(b.type('ys')).toEqual({ dtype: 'FP32', dims: [] });
  });
});
