import { describe, expect, it } from 'vitest';
import { c64, infer, int, ints, io, n, one, str, w } from './testing';

describe('opset 23 attention family, losses, windows, sequences', () => {
  it('Attention keeps Q layout with V head size; RMSNormalization and RotaryEmbedding keep the shape', () => {
    expect(one('Attention', [io('q', 'FP32', ['B', 8, 'S', 64]), io('k', 'FP32', ['B', 8, 'T', 64]), io('v', 'FP32', ['B', 8, 'T', 32])])).toEqual([['B', 8, 'S', 32]]);
    expect(one('Attention', [io('q', 'FP32', ['B', 'S', 512]), io('k', 'FP32', ['B', 'T', 128]), io('v', 'FP32', ['B', 'T', 128])], [int('q_num_heads', 8), int('kv_num_heads', 2)])).toEqual([
      ['B', 'S', 512],
    ]);
    const past = one(
      'Attention',
      [
        io('q', 'FP32', ['B', 8, 'S', 64]),
        io('k', 'FP32', ['B', 2, 'S', 64]),
        io('v', 'FP32', ['B', 2, 'S', 64]),
        io('m', 'FP32', ['S', 'T']),
        io('pk', 'FP32', ['B', 2, 'P', 64]),
        io('pv', 'FP32', ['B', 2, 'P', 64]),
      ],
      [],
      [],
      23,
      4,
    );
    expect(past.slice(1)).toEqual([
      ['B', 2, 'P+S', 64],
      ['B', 2, 'P+S', 64],
      ['B', 8, 'S', 'P+S'],
    ]);
    expect(one('Det', [io('m', 'FP32', ['N', 3, 3])])).toEqual([['N']]);
    expect(one('RMSNormalization', [io('x', 'FP32', ['B', 'S', 512])], [], [w('g', [512])])).toEqual([['B', 'S', 512]]);
    expect(one('RotaryEmbedding', [io('x', 'FP32', ['B', 'S', 512])])).toEqual([['B', 'S', 512]]);
  });

  it('MaxUnpool, losses, windows, AffineGrid, CenterCropPad', () => {
    expect(one('MaxUnpool', [io('x', 'FP32', ['N', 4, 'H', 5]), io('i', 'INT64', ['N', 4, 'H', 5])], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])])).toEqual([['N', 4, '2*H', 10]]);
    expect(one('NegativeLogLikelihoodLoss', [io('x', 'FP32', ['N', 10]), io('t', 'INT64', ['N'])])).toEqual([[]]);
    expect(one('SoftmaxCrossEntropyLoss', [io('x', 'FP32', ['N', 10]), io('t', 'INT64', ['N'])], [str('reduction', 'none')])).toEqual([['N']]);
    expect(one('HannWindow', [], [], [c64('n', [400], [])])).toEqual([[400]]);
    expect(one('AffineGrid', [io('theta', 'FP32', [2, 2, 3])], [], [c64('size', [2, 3, 32, 48])])).toEqual([[2, 32, 48, 2]]);
    expect(one('CenterCropPad', [io('x', 'FP32', ['H', 'W', 3])], [ints('axes', [0, 1])], [c64('s', [224, 224])])).toEqual([[224, 224, 3]]);
    expect(infer({ nodes: [n('SplitToSequence', ['x'], ['s']), n('SequenceLength', ['s'], ['l'])], inputs: [io('x', 'FP32', [4])] }).type('l')).toEqual({ dtype: 'INT64', dims: [] });
  });
});

describe('ai.onnx.ml and more com.microsoft operators', () => {
  const ml = (op: string, attrs: ReturnType<typeof int>[], outs = ['y', 'z']): ReturnType<typeof infer> =>
    infer({ nodes: [n(op, ['x'], outs, attrs, 'ai.onnx.ml')], inputs: [io('x', 'FP32', ['N', 4])] });

  it('classifiers give a label per row and a score per class; regressors a value per target', () => {
    const cls = ml('TreeEnsembleClassifier', [ints('classlabels_int64s', [0, 1, 2])]);
    expect(cls.type('y')).toEqual({ dtype: 'INT64', dims: ['N'] });
    expect(cls.type('z')).toEqual({ dtype: 'FP32', dims: ['N', 3] });
    const many = ml('LinearClassifier', [{ name: 'classlabels_strings', type: 'STRINGS', value: '["a", "b", … (40 in all)]' }]);
    expect(many.type('y')?.dtype).toBe('BYTES');
    expect(many.dims('z')).toEqual(['N', 40]);
    expect(ml('TreeEnsembleRegressor', [int('n_targets', 2)], ['y']).dims('y')).toEqual(['N', 2]);
    expect(ml('Scaler', [], ['y']).dims('y')).toEqual(['N', 4]);
    expect(ml('ZipMap', [], ['y']).type('y')).toEqual({ dtype: 'sequence' });
  });

  it('com.microsoft 4-bit MatMul, quantized Gemm, ExpandDims, BiasSplitGelu', () => {
    const ms = (op: string, inputs: string[], attrs: ReturnType<typeof int>[] = []): ReturnType<typeof infer> =>
      infer({
        nodes: [n(op, inputs, ['y'], attrs, 'com.microsoft')],
        inputs: [io('x', 'FP32', ['B', 'S', 2048]), io('a', 'UINT8', ['M', 64])],
        consts: [w('packed', [4096, 64, 16], 'UINT8'), w('scales', [4096]), c64('ax', [1], []), w('wq', [10, 64], 'UINT8'), w('f', [1])],
      });
    expect(ms('MatMulNBits', ['x', 'packed', 'scales'], [int('N', 4096), int('K', 2048)]).dims('y')).toEqual(['B', 'S', 4096]);
    expect(ms('QGemm', ['a', 'f', 'f', 'wq', 'f', 'f'], [int('transB', 1)]).dims('y')).toEqual(['M', 10]);
    expect(ms('ExpandDims', ['x', 'ax']).dims('y')).toEqual(['B', 1, 'S', 2048]);
    expect(ms('BiasSplitGelu', ['x', 'scales']).dims('y')).toEqual(['B', 'S', 1024]);
  });
});
