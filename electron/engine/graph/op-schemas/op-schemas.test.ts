/** Operator schemas: version selection by opset, roles, defaults, contrib operators, and opDoc's use of them. */
import { describe, expect, it } from 'vitest';
import { toAttribute } from '../attributes';
import { DESCRIBED_OP_TYPES, opDoc } from '../op-docs';
import { attr } from '../testing/graph-models';
import { NEWEST_OPSET, isDefaultValue, opSchema, opsetFor, roleOf, rolesOf, schemaOpTypes, schemaVersions, type OpSchema } from './index';

const names = (params: { name: string }[] | undefined): string[] => (params ?? []).map((p) => p.name);
const attrNames = (s: OpSchema | undefined): string[] => names(s?.attributes);
const spec = (s: OpSchema | undefined, name: string) => s?.attributes.find((a) => a.name === name);
const inputs = (s: OpSchema | undefined): string[] => (s?.inputs ?? []).map((p) => `${p.name}${p.option === 'optional' ? '?' : p.option === 'variadic' ? '*' : ''}`);

describe('operator schemas', () => {
  it('covers every operator the lab describes, in the default or the com.microsoft domain', () => {
    const missing = DESCRIBED_OP_TYPES.filter((op) => !opSchema(op, '') && !opSchema(op, 'com.microsoft'));
    expect(missing).toEqual([]);
    expect(DESCRIBED_OP_TYPES.length).toBeGreaterThanOrEqual(150);
  });

  it('covers the default domain through the newest opset onnxruntime-node loads', () => {
    expect(NEWEST_OPSET).toBeGreaterThanOrEqual(26);
    expect(schemaOpTypes('').length).toBeGreaterThanOrEqual(190);
    // Every operator has a version at or below the newest opset, and versions ascend.
    for (const op of schemaOpTypes('')) {
      const versions = schemaVersions(op);
      expect(versions.length, op).toBeGreaterThan(0);
      expect(
        [...versions].sort((a, b) => a - b),
        op,
      ).toEqual(versions);
      expect(versions.at(-1)!, op).toBeLessThanOrEqual(NEWEST_OPSET);
    }
    expect(schemaVersions('Relu')).toEqual([1, 6, 13, 14]);
    expect(opSchema('Cast', '', NEWEST_OPSET)?.sinceVersion).toBeGreaterThanOrEqual(25);
  });

  it('picks the newest schema at or below the model opset', () => {
    const clip6 = opSchema('Clip', '', 6);
    expect(clip6?.sinceVersion).toBe(6);
    expect(attrNames(clip6).sort()).toEqual(['max', 'min']);
    expect(inputs(clip6)).toEqual(['input']);
    const clip13 = opSchema('Clip', '', 17);
    expect(clip13?.sinceVersion).toBe(13);
    expect(inputs(clip13)).toEqual(['input', 'min?', 'max?']);
    expect(clip13?.attributes).toEqual([]);
    expect(inputs(opSchema('Clip', '', 11))).toEqual(['input', 'min?', 'max?']);
    expect(opSchema('Clip', '', 10)?.sinceVersion).toBe(6);
  });

  it("moves Split's and Squeeze's lists from attributes to inputs at opset 13", () => {
    expect(attrNames(opSchema('Split', '', 11))).toContain('split');
    expect(inputs(opSchema('Split', '', 11))).toEqual(['input']);
    expect(inputs(opSchema('Split', '', 13))).toEqual(['input', 'split?']);
    expect(attrNames(opSchema('Split', '', 13))).not.toContain('split');
    expect(attrNames(opSchema('Split', '', 18))).toContain('num_outputs');
    expect(attrNames(opSchema('Squeeze', '', 12))).toEqual(['axes']);
    expect(inputs(opSchema('Squeeze', '', 13))).toEqual(['data', 'axes?']);
    expect(inputs(opSchema('Unsqueeze', '', 13))).toEqual(['data', 'axes']);
    expect(inputs(opSchema('Reshape', '', 5))).toEqual(['data', 'shape']);
  });

  it('names the roles of common layers', () => {
    expect(inputs(opSchema('Resize', '', 13))).toEqual(['X', 'roi?', 'scales?', 'sizes?']);
    expect(inputs(opSchema('Resize', '', 11))).toEqual(['X', 'roi', 'scales', 'sizes?']);
    expect(inputs(opSchema('BatchNormalization', '', 15))).toEqual(['X', 'scale', 'B', 'input_mean', 'input_var']);
    expect(inputs(opSchema('BatchNormalization', '', 9))).toEqual(['X', 'scale', 'B', 'mean', 'var']);
    expect(inputs(opSchema('Conv', '', 11))).toEqual(['X', 'W', 'B?']);
    expect(inputs(opSchema('Concat', '', 13))).toEqual(['inputs*']);
    expect(inputs(opSchema('Gemm', '', 13))).toEqual(['A', 'B', 'C?']);
    expect(inputs(opSchema('Gemm', '', 9))).toEqual(['A', 'B', 'C']);
    expect(opSchema('Add', '', 14)?.outputs).toEqual([{ name: 'C' }]);
    expect(inputs(opSchema('Pad', '', 18))).toEqual(['data', 'pads', 'constant_value?', 'axes?']);
    expect(inputs(opSchema('Slice', '', 13))).toEqual(['data', 'starts', 'ends', 'axes?', 'steps?']);
  });

  it('gives attribute types, required flags and defaults as display text', () => {
    const conv = opSchema('Conv', '', 13);
    expect(spec(conv, 'group')).toEqual({ name: 'group', type: 'INT', default: '1' });
    expect(spec(conv, 'auto_pad')).toEqual({ name: 'auto_pad', type: 'STRING', default: 'NOTSET' });
    expect(spec(conv, 'kernel_shape')).toEqual({ name: 'kernel_shape', type: 'INTS' });
    expect(spec(opSchema('Gemm', '', 13), 'alpha')).toEqual({ name: 'alpha', type: 'FLOAT', default: '1' });
    expect(spec(opSchema('LeakyRelu', '', 16), 'alpha')?.default).toBe('0.01');
    expect(spec(opSchema('BatchNormalization', '', 15), 'epsilon')?.default).toBe('0.00001');
    expect(spec(opSchema('Concat', '', 13), 'axis')).toEqual({ name: 'axis', type: 'INT', required: true });
    expect(spec(opSchema('If', '', 21), 'then_branch')).toEqual({ name: 'then_branch', type: 'GRAPH', required: true });
    expect(spec(opSchema('Constant', '', 13), 'value')?.type).toBe('TENSOR');
    expect(spec(opSchema('Constant', '', 13), 'sparse_value')?.type).toBe('SPARSE_TENSOR');
    expect(spec(opSchema('LSTM', '', 14), 'activations')?.type).toBe('STRINGS');
    expect(spec(opSchema('Resize', '', 19), 'cubic_coeff_a')?.default).toBe('-0.75');
  });

  it('formats defaults as a model attribute holding the same value is formatted', () => {
    const checked: Record<string, number> = { FLOAT: 0, INT: 0, STRING: 0, INTS: 0 };
    const all = ['', 'ai.onnx.ml', 'com.microsoft'].flatMap((domain) => schemaOpTypes(domain).flatMap((op) => schemaVersions(op, domain).map((v) => opSchema(op, domain, v))));
    const enc = new TextEncoder();
    for (const s of all) {
      for (const a of s?.attributes ?? []) {
        if (a.default === undefined) continue;
        let proto;
        if (a.type === 'FLOAT') proto = attr({ name: a.name, type: 1, f: Math.fround(Number(a.default)) });
        else if (a.type === 'INT') proto = attr({ name: a.name, type: 2, i: BigInt(a.default) });
        else if (a.type === 'STRING') proto = attr({ name: a.name, type: 3, s: enc.encode(a.default) });
        else if (a.type === 'INTS') proto = attr({ name: a.name, type: 7, ints: (JSON.parse(a.default) as number[]).map(BigInt) });
        else continue;
        expect(toAttribute(proto, () => undefined).value, `${s!.opType}-${s!.sinceVersion}.${a.name}`).toBe(a.default);
        checked[a.type]!++;
      }
    }
    expect(checked.FLOAT).toBeGreaterThan(50);
    expect(checked.INT).toBeGreaterThan(100);
    expect(checked.STRING).toBeGreaterThan(30);
  });

  it('tells an attribute left at its default from one the exporter set', () => {
    const conv = opSchema('Conv', '', 13)!;
    expect(isDefaultValue(conv, 'group', '1')).toBe(true);
    expect(isDefaultValue(conv, 'group', '32')).toBe(false);
    expect(isDefaultValue(conv, 'kernel_shape', '[3, 3]')).toBe(false);
    expect(isDefaultValue(conv, 'no_such', '1')).toBe(false);
    const leaky = toAttribute(attr({ name: 'alpha', type: 1, f: 0.01 }), () => undefined);
    expect(isDefaultValue(opSchema('LeakyRelu', '', 16)!, leaky.name, leaky.value)).toBe(true);
  });

  it('flags a deprecated operator and keeps its last signature', () => {
    const up = opSchema('Upsample', '', 13);
    expect(up?.deprecated).toBe(true);
    expect(inputs(up)).toEqual(['X', 'scales']);
    expect(opSchema('Upsample', '', 9)?.deprecated).toBeUndefined();
  });

  it('answers undefined for unknown operators and for operators newer than the model', () => {
    expect(opSchema('NoSuchOp', '')).toBeUndefined();
    expect(opSchema('Conv', 'com.example')).toBeUndefined();
    expect(opSchema('Attention', '', 17)).toBeUndefined();
    expect(opSchema('Attention', '', 23)?.sinceVersion).toBe(23);
    expect(opSchema('toString', '')).toBeUndefined();
    expect(opSchema('constructor', 'com.microsoft')).toBeUndefined();
  });

  it('treats ai.onnx as the default domain and reads the model opset for a domain', () => {
    expect(opSchema('Conv', 'ai.onnx', 11)).toEqual(opSchema('Conv', '', 11));
    const opsets = [
      { domain: 'ai.onnx', version: 12 },
      { domain: 'com.microsoft', version: 1 },
    ];
    expect(opsetFor('', opsets)).toBe(12);
    expect(opsetFor('com.microsoft', opsets)).toBe(1);
    expect(opsetFor('com.example', opsets)).toBeUndefined();
  });

  it('knows the common com.microsoft contrib operators', () => {
    const common = [
      'Attention',
      'MultiHeadAttention',
      'SkipLayerNormalization',
      'EmbedLayerNormalization',
      'BiasGelu',
      'FastGelu',
      'Gelu',
      'QuickGelu',
      'FusedConv',
      'FusedMatMul',
      'MatMulNBits',
      'QLinearConv',
      'QLinearAdd',
      'QLinearMul',
      'QLinearConcat',
      'QLinearSigmoid',
      'QLinearAveragePool',
      'QLinearGlobalAveragePool',
      'GroupQueryAttention',
      'RotaryEmbedding',
      'SkipSimplifiedLayerNormalization',
      'BiasAdd',
      'NhwcConv',
      'DequantizeLinear',
      'QuantizeLinear',
      'Inverse',
      'Trilu',
      'GatherBlockQuantized',
      'DynamicQuantizeMatMul',
      'MatMulIntegerToFloat',
    ];
    expect(common.filter((op) => !opSchema(op, 'com.microsoft', 1))).toEqual([]);
    const skip = opSchema('SkipLayerNormalization', 'com.microsoft', 1);
    expect(inputs(skip)).toEqual(['input', 'skip', 'gamma', 'beta?', 'bias?']);
    expect(skip?.category).toBe('normalization');
    const nbits = opSchema('MatMulNBits', 'com.microsoft', 1);
    expect(inputs(nbits).slice(0, 3)).toEqual(['A', 'B', 'scales']);
    expect(spec(nbits, 'block_size')).toEqual({ name: 'block_size', type: 'INT', required: true });
    // Defaults the contrib document omits come from the schema sources.
    expect(spec(nbits, 'bits')).toEqual({ name: 'bits', type: 'INT', default: '4' });
    expect(spec(skip, 'epsilon')?.default).toBe('1e-12');
    expect(spec(opSchema('QuickGelu', 'com.microsoft'), 'alpha')?.default).toBe('1.702');
    expect(spec(opSchema('FusedMatMul', 'com.microsoft'), 'alpha')?.default).toBe('1');
    expect(nbits?.category).toBe('quantization');
    expect(opSchema('MultiHeadAttention', 'com.microsoft')?.category).toBe('layer');
    expect(opSchema('FastGelu', 'com.microsoft')?.category).toBe('activation');
    expect(opSchema('DequantizeLinear', 'com.microsoft')?.category).toBe('quantization');
    expect(opSchema('BeamSearch', 'com.microsoft')?.category).toBe('control');
    expect(opSchema('NhwcFusedConv', 'com.microsoft')?.category).toBe('layer');
    expect(opSchema('Shrink', '')?.category).toBe('activation');
    // The contrib domain's own Gelu is not the default domain's.
    expect(opSchema('Gelu', 'com.microsoft')?.domain).toBe('com.microsoft');
    expect(opSchema('SkipLayerNormalization', '')).toBeUndefined();
  });

  it('includes the schemas onnxruntime adds to the default domain', () => {
    const simplified = opSchema('SimplifiedLayerNormalization', '', 17);
    expect(inputs(simplified)).toEqual(['X', 'scale']);
    expect(simplified?.experimental).toBe(true);
    expect(spec(simplified, 'epsilon')?.default).toBe('0.00001');
    expect(spec(simplified, 'stash_type')?.default).toBe('1');
    // Before opset 17 LayerNormalization is onnxruntime's own; from 17 the specification's.
    expect(opSchema('LayerNormalization', '', 13)?.sinceVersion).toBe(1);
    expect(opSchema('LayerNormalization', '', 13)?.experimental).toBe(true);
    expect(opSchema('LayerNormalization', '', 17)?.sinceVersion).toBe(17);
    expect(opSchema('LayerNormalization', '', 17)?.experimental).toBeUndefined();
  });

  it('knows the ai.onnx.ml operators at their own opset', () => {
    expect(schemaOpTypes('ai.onnx.ml')).toEqual(expect.arrayContaining(['TreeEnsembleClassifier', 'LinearClassifier', 'ZipMap', 'LabelEncoder', 'TreeEnsemble']));
    expect(attrNames(opSchema('LabelEncoder', 'ai.onnx.ml', 1))).toContain('classes_strings');
    expect(attrNames(opSchema('LabelEncoder', 'ai.onnx.ml', 4))).toContain('keys_tensor');
    expect(opSchema('TreeEnsembleRegressor', 'ai.onnx.ml', 3)?.sinceVersion).toBe(3);
    expect(opSchema('TreeEnsembleRegressor', 'ai.onnx.ml', 5)?.deprecated).toBe(true);
    expect(spec(opSchema('TreeEnsembleRegressor', 'ai.onnx.ml', 3), 'aggregate_function')?.default).toBe('SUM');
    expect(opSchema('TreeEnsemble', 'ai.onnx.ml', 4)).toBeUndefined();
    expect(opSchema('ZipMap', '')).toBeUndefined();
  });

  it('names roles by position, variadic ones included', () => {
    const concat = opSchema('Concat', '', 13)!;
    expect(roleOf(concat, 0, 'input')).toBe('inputs');
    expect(roleOf(concat, 3, 'input')).toBe('inputs');
    expect(roleOf(concat, 0, 'output')).toBe('concat_result');
    expect(roleOf(concat, 1, 'output')).toBeUndefined();
    const split = opSchema('Split', '', 18)!;
    expect(roleOf(split, 1, 'input')).toBe('split');
    expect(roleOf(split, 2, 'input')).toBeUndefined();
    expect(roleOf(split, 2, 'output')).toBe('outputs');
    const bn = opSchema('BatchNormalization', '', 15)!;
    expect([0, 1, 2, 3, 4].map((i) => roleOf(bn, i, 'input'))).toEqual(['X', 'scale', 'B', 'input_mean', 'input_var']);
    expect(roleOf(bn, -1, 'input')).toBeUndefined();
    expect(rolesOf(opSchema('Conv', '', 11)!, 3, 'input')).toEqual(['X', 'W', 'B']);
    expect(rolesOf(opSchema('Concat', '', 13)!, 3, 'input')).toEqual(['inputs', 'inputs', 'inputs']);
    expect(rolesOf(opSchema('Relu', '', 14)!, 2, 'input')).toEqual(['X', undefined]);
    expect(roleOf(bn, 1.5, 'input')).toBeUndefined();
  });
});

describe('opDoc', () => {
  it('fills the signature at the model opset and keeps the lab summary and category', () => {
    const doc = opDoc('Clip', '', [{ domain: '', version: 6 }]);
    expect(doc.summary).toMatch(/Relu6/);
    expect(doc.category).toBe('activation');
    expect(doc.domain).toBe('');
    expect(doc.sinceVersion).toBe(6);
    expect(names(doc.attributes).sort()).toEqual(['max', 'min']);
    const newer = opDoc('Clip', 'ai.onnx', [{ domain: 'ai.onnx', version: 13 }]);
    expect(newer.sinceVersion).toBe(13);
    expect(names(newer.inputs)).toEqual(['input', 'min', 'max']);
    // Without opsets: the newest schema.
    expect(opDoc('Clip').sinceVersion).toBe(13);
    expect(opDoc('TopK').category).toBe('tensor');
  });

  it('describes a schema-only operator with a generic line and the schema category', () => {
    const doc = opDoc('EfficientNMS_TRT', '', [{ domain: '', version: 17 }]);
    expect(doc.summary).toMatch(/EfficientNMS_TRT from the standard ONNX domain \(introduced in version 1 of its operator set\); the lab has no description/);
    expect(doc.sinceVersion).toBe(1);
    expect(names(doc.inputs)).toEqual(['boxes', 'scores', 'anchors']);
    const pool = opDoc('NhwcMaxPool', 'com.microsoft', [{ domain: 'com.microsoft', version: 1 }]);
    expect(pool.category).toBe('pool');
    expect(pool.domain).toBe('com.microsoft');
    expect(pool.summary).toMatch(/NhwcMaxPool from the 'com\.microsoft' domain/);
    // A contrib operator the lab describes keeps its line and gets its roles.
    const gqa = opDoc('GroupQueryAttention', 'com.microsoft', [{ domain: 'com.microsoft', version: 1 }]);
    expect(gqa.summary).toMatch(/query heads share key and value heads/);
    expect(gqa.category).toBe('layer');
    expect(names(gqa.inputs).slice(0, 3)).toEqual(['query', 'key', 'value']);
  });

  it('describes each operator once, and nearly every operator of the default domain', () => {
    expect(new Set(DESCRIBED_OP_TYPES).size).toBe(DESCRIBED_OP_TYPES.length);
    const described = new Set(DESCRIBED_OP_TYPES);
    // Most operators of the default domain have the lab's own line.
    expect(schemaOpTypes('').filter((op) => !described.has(op)).length).toBeLessThan(10);
  });

  it('hands out copies, so a caller changing a summary cannot change the schemas', () => {
    const doc = opDoc('Conv', '', [{ domain: '', version: 11 }]);
    doc.inputs![0]!.name = 'changed';
    doc.attributes!.length = 0;
    expect(opDoc('Conv', '', [{ domain: '', version: 11 }]).inputs![0]!.name).toBe('X');
    expect(opSchema('Conv', '', 11)?.attributes.length).toBeGreaterThan(0);
  });

  it('falls back to a generic description for unknown operators', () => {
    const doc = opDoc('MyCustomOp', 'com.example');
    expect(doc).toEqual({ opType: 'MyCustomOp', category: 'other', domain: 'com.example', summary: expect.stringMatching(/'com\.example' domain; the lab has no description/) });
    expect(doc.inputs).toBeUndefined();
    expect(opDoc('NoSuchOp', '').summary).toMatch(/standard ONNX domain; the lab has no description/);
  });
});
