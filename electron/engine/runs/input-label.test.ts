/** The run history's input label: sample and file names per file input, "values" for typed ones, bounded. */
import { describe, expect, it } from 'vitest';
import type { InputSpec } from '../../contract/lab-api';
import { MAX_INPUT_LABEL, inputLabel } from './input-label';

const image = (name: string, source: Extract<InputSpec, { kind: 'image' }>['source']): InputSpec => ({ name, kind: 'image', source, dtype: 'FP32', layout: 'CHW', channels: 3 });

describe('inputLabel', () => {
  it('names the sample, the picked file (not its folder) or the uploaded file', () => {
    expect(inputLabel([image('x', { sample: 'tilted-text.png' })])).toBe('tilted-text.png');
    expect(inputLabel([image('x', { path: '/home/me/scans/page 1.jpg' })])).toBe('page 1.jpg');
    expect(inputLabel([{ name: 'x', kind: 'bytes', dtype: 'UINT8', source: { base64: 'AA==', fileName: 'receipt.png' } }])).toBe('receipt.png');
    expect(inputLabel([{ name: 'x', kind: 'bytes', dtype: 'UINT8', source: { base64: 'AA==' } }])).toBe('uploaded file');
  });

  it('reads "values" for typed inputs, once, beside the files in input order', () => {
    const typed: InputSpec[] = [
      { name: 'a', kind: 'values', dtype: 'FP32', shape: [1], values: [1] },
      { name: 'b', kind: 'generate', dtype: 'FP32', shape: [2], fill: 'random' },
      { name: 'c', kind: 'text', lines: ['hi'] },
    ];
    expect(inputLabel(typed)).toBe('values');
    expect(inputLabel([image('img', { sample: 'noisy-scan.jpg' }), ...typed])).toBe('noisy-scan.jpg, values');
    expect(inputLabel([image('a', { sample: 'x.png' }), image('b', { sample: 'y.png' })])).toBe('x.png, y.png');
    expect(inputLabel([])).toBe('no inputs');
  });

  it('stays one row long however many inputs there are', () => {
    const many = Array.from({ length: 40 }, (_, i) => image(`i${i}`, { sample: `sample-image-number-${i}.png` }));
    const label = inputLabel(many);
    expect(label.length).toBe(MAX_INPUT_LABEL);
    expect(label.endsWith('…')).toBe(true);
  });
});
