import { describe, expect, it } from 'vitest';
import {
  applyPreset,
  buildRequestInputs,
  buildSpec,
  createForms,
  createInputForm,
  guessLayout,
  imageDims,
  MAX_VALUE_ISSUES,
  parseNumber,
  parseValues,
  textShape,
  toBase64,
  toDType,
} from './form-model';
import { dataPipeline, fixedDirection, io, ocrEnsemble, quickDeploy } from './test-support';

describe('choosing editors', () => {
  it('gives an encoded-image UINT8 [-1] input the file-bytes editor', () => {
    const [f] = createForms(ocrEnsemble.inputs, 8, 'a.png');
    expect(f!.editor).toBe('bytes');
    expect(f!.editors).toEqual(['bytes', 'values']);
    expect(buildSpec(f!).spec).toEqual({ name: 'input_image', kind: 'bytes', source: { sample: 'a.png' }, dtype: 'UINT8' });
  });

  it('gives the data pipeline text, values, values, an HWC image and toggles', () => {
    const forms = createForms(dataPipeline.inputs, 8, 'a.png');
    expect(forms.map((f) => f.editor)).toEqual(['text', 'values', 'values', 'image', 'values']);
    expect(forms[3]!.image.layout).toBe('HWC');
    expect(forms[3]!.image.resizeRequired).toBe(false);
    const { inputs, issues } = buildRequestInputs(forms);
    expect(issues).toEqual({});
    expect(inputs).toEqual([
      { name: 'ensemble_input_string', kind: 'text', lines: ['Hello from Model Lab'], shape: [1, 1] },
      { name: 'ensemble_input_UINT8_array', kind: 'values', dtype: 'UINT8', shape: [1, 4], values: [0, 1, 2, 3] },
      { name: 'ensemble_input_INT8_array', kind: 'values', dtype: 'INT8', shape: [1, 4], values: [0, -1, 2, -3] },
      { name: 'ensemble_input_FP32_image', kind: 'image', source: { sample: 'a.png' }, dtype: 'FP32', layout: 'HWC', channels: 3, order: 'RGB', scale: 1 / 255 },
      { name: 'ensemble_input_bool', kind: 'values', dtype: 'BOOL', shape: [1, 4], values: [true, false, true, false] },
    ]);
  });

  it('reads CHW from a leading 3 and takes fixed sizes as a required resize', () => {
    const [q] = createForms(quickDeploy.inputs, 4);
    expect(q!.editor).toBe('image');
    expect(q!.image).toMatchObject({ layout: 'CHW', channels: 3, resizeRequired: false });
    const [d] = createForms(fixedDirection.inputs, 8, 's.png');
    expect(d!.image).toMatchObject({ layout: 'CHW', resizeRequired: true, width: '192', height: '48' });
    applyPreset(d!.image, 'paddle');
    expect(buildSpec(d!).spec).toEqual({
      name: 'x',
      kind: 'image',
      source: { sample: 's.png' },
      dtype: 'FP32',
      layout: 'CHW',
      channels: 3,
      order: 'RGB',
      resize: { width: 192, height: 48 },
      scale: 1 / 255,
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
    });
  });

  it('treats a non-batching [-1, 3, -1, -1] as one CHW image with a leading 1', () => {
    expect(imageDims([-1, 3, -1, -1], false)).toEqual({ dims: [3, -1, -1], leadingOne: true });
    expect(imageDims([-1, 3, -1, -1], true)).toBeUndefined();
    const f = createInputForm(io('x', 'FP32', [-1, 3, -1, -1], 0), 0);
    expect(f.editor).toBe('image');
    expect(f.image).toMatchObject({ layout: 'CHW', leadingOne: true });
  });

  it('guesses layouts from where the channel count sits', () => {
    expect(guessLayout([3, -1, -1]).layout).toBe('CHW');
    expect(guessLayout([-1, -1, 3]).layout).toBe('HWC');
    expect(guessLayout([-1, -1, 1])).toMatchObject({ layout: 'HWC', channels: 1 });
    expect(guessLayout([-1, -1, -1])).toMatchObject({ layout: 'HWC', channels: 3, channelFixed: false });
  });

  it('offers text (and file bytes) for strings, values for plain arrays', () => {
    expect(createInputForm(io('prompt', 'BYTES', [1], 0), 0).editors).toEqual(['text', 'bytes']);
    expect(createInputForm(io('ids', 'INT64', [-1], 0), 0).editor).toBe('values');
    expect(createInputForm(io('raw', 'UINT8', [-1], 0), 0).editors).toEqual(['values', 'bytes']);
    expect(toDType('TYPE_STRING')).toBe('BYTES');
  });
});

describe('validation', () => {
  it('asks for every -1 size and counts elements against the shape', () => {
    const f = createInputForm(io('v', 'FP32', [-1, 2], 0), 0);
    f.valuesMode = 'values';
    f.sizes = ['', '2'];
    expect(buildSpec(f).issues).toEqual([{ key: 'play.err.sizeMissing', params: { i: 1 } }]);
    f.sizes = ['2.5', '2'];
    expect(buildSpec(f).issues[0]?.key).toBe('play.err.sizeInvalid');
    f.sizes = ['3', '2'];
    f.valuesText = '[[1, 2], [3, 4]]';
    expect(buildSpec(f).issues).toEqual([{ key: 'play.err.count', params: { n: 4, shape: '[3, 2]', m: 6 } }]);
    f.valuesText = '[[1, 2], [3, 4], [5, 6]]';
    expect(buildSpec(f).spec).toEqual({ name: 'v', kind: 'values', dtype: 'FP32', shape: [3, 2], values: [1, 2, 3, 4, 5, 6] });
  });

  it('checks numbers, whole numbers, ranges and booleans', () => {
    expect(parseValues('1, x', 'FP32').issue).toEqual({ key: 'play.err.notNumber', params: { i: 2, v: 'x' } });
    expect(parseValues('1.5', 'INT8').issue?.key).toBe('play.err.notInteger');
    expect(parseValues('300', 'UINT8').issue).toEqual({ key: 'play.err.range', params: { i: 1, v: '300', dtype: 'UINT8', min: 0, max: 255 } });
    expect(parseValues('true 0 1 false', 'BOOL').values).toEqual([true, false, true, false]);
    expect(parseValues('yes', 'BOOL').issue?.key).toBe('play.err.notBool');
    expect(parseValues('[1, 2', 'FP32').issue?.key).toBe('play.err.json');
    expect(parseValues('9007199254740993', 'INT64').values).toEqual(['9007199254740993']);
    expect(parseValues('1e-3\n-2;3', 'FP64').values).toEqual([0.001, -2, 3]);
  });

  it('reports every bad value, not only the first, and counts past the first twenty', () => {
    const r = parseValues('1, x, 3, 300, 1.5, -1', 'UINT8');
    expect(r.values).toBeUndefined();
    expect(r.issues).toEqual([
      { key: 'play.err.notNumber', params: { i: 2, v: 'x' } },
      { key: 'play.err.range', params: { i: 4, v: '300', dtype: 'UINT8', min: 0, max: 255 } },
      { key: 'play.err.notInteger', params: { i: 5, v: '1.5', dtype: 'UINT8' } },
      { key: 'play.err.range', params: { i: 6, v: '-1', dtype: 'UINT8', min: 0, max: 255 } },
    ]);
    const many = parseValues(Array.from({ length: 50 }, (_, i) => (i % 2 ? 'bad' : String(i))).join(' '), 'FP32');
    expect(many.issues).toHaveLength(MAX_VALUE_ISSUES + 1);
    expect(many.issues![0]).toEqual({ key: 'play.err.notNumber', params: { i: 2, v: 'bad' } });
    expect(many.issues![MAX_VALUE_ISSUES]).toEqual({ key: 'runs.values.more', params: { n: 5 } });
    // The form shows them all on its input.
    const f = createInputForm(io('v', 'INT8', [4], 0), 0);
    f.valuesMode = 'values';
    f.valuesText = '1, 200, x, 2';
    expect(buildSpec(f).issues.map((i) => i.params?.['i'])).toEqual([2, 3]);
  });

  it('shapes text lines by the config', () => {
    const batching = createInputForm(io('s', 'BYTES', [-1], 8), 8);
    expect(textShape(batching, 3).shape).toEqual([1, 3]);
    const fixed = createInputForm(io('s', 'BYTES', [1], 8), 8);
    expect(textShape(fixed, 3).shape).toEqual([3, 1]);
    const exact = createInputForm(io('s', 'BYTES', [2], 0), 0);
    expect(textShape(exact, 3).issue).toEqual({ key: 'play.err.lines', params: { n: 3, m: 2 } });
    expect(textShape(exact, 2).shape).toEqual([2]);
  });

  it('needs a source, a resize where the size is fixed, and usable normalization', () => {
    const [d] = createForms(fixedDirection.inputs, 8);
    d!.image.width = '';
    d!.image.std = ['0.5', '0', '0.5'];
    d!.image.preset = 'custom';
    d!.image.scale = 'abc';
    expect(buildSpec(d!).issues.map((i) => i.key)).toEqual(['play.err.noSample', 'play.err.resizeRequired', 'play.err.scale', 'play.err.std']);
    d!.source.mode = 'path';
    expect(buildSpec(d!).issues[0]?.key).toBe('play.err.noPath');
    d!.source.mode = 'file';
    expect(buildSpec(d!).issues[0]?.key).toBe('play.err.noFile');
  });

  it('leaves optional inputs out unless asked', () => {
    const forms = createForms([io('a', 'FP32', [2], 0), io('b', 'FP32', [2], 0, { optional: true })], 0);
    expect(buildRequestInputs(forms).inputs.map((i) => i.name)).toEqual(['a']);
    forms[1]!.include = true;
    expect(buildRequestInputs(forms).inputs.map((i) => i.name)).toEqual(['a', 'b']);
  });

  it('reads fractions and encodes base64', () => {
    expect(parseNumber('1/255')).toBeCloseTo(1 / 255);
    expect(parseNumber('x')).toBeUndefined();
    expect(toBase64(new Uint8Array([137, 80, 78, 71]))).toBe('iVBORw==');
  });
});
