import { describe, expect, it } from 'vitest';
import type { EnsembleStepRow } from '@contract/lab-api';
import { labelWidth, layoutEnsemble } from './dag-layout';

const step = (modelName: string, inputMap: Record<string, string>, outputMap: Record<string, string>): EnsembleStepRow => ({ modelName, modelVersion: -1, inputMap, outputMap });

const OCR = [
  step('pre', { input_image: 'input_image' }, { detection_input: 'detection_input', original_image: 'original_image' }),
  step('det', { x: 'detection_input' }, { y: 'probability_map' }),
  step('post', { probability_map: 'probability_map', original_image: 'original_image' }, { text_crops: 'text_crops' }),
];

describe('layoutEnsemble', () => {
  it('layers inputs, steps and outputs top to bottom, one edge per tensor hand-over', () => {
    const l = layoutEnsemble(['input_image'], ['text_crops'], OCR);
    const y = (id: string) => l.nodes.find((n) => n.id === id)!.y;
    expect(y('in:input_image')).toBeLessThan(y('step:0'));
    expect(y('step:0')).toBeLessThan(y('step:1'));
    expect(y('step:1')).toBeLessThan(y('step:2'));
    expect(y('step:2')).toBeLessThan(y('out:text_crops'));
    expect(l.edges.map((e) => `${e.from}>${e.to}:${e.name}`).sort()).toEqual([
      'in:input_image>step:0:input_image',
      'step:0>step:1:detection_input',
      'step:0>step:2:original_image',
      'step:1>step:2:probability_map',
      'step:2>out:text_crops:text_crops',
    ]);
    for (const n of l.nodes) {
      expect(n.x - n.w / 2).toBeGreaterThanOrEqual(0);
      expect(n.x + n.w / 2).toBeLessThanOrEqual(l.width);
      expect(n.y + n.h / 2).toBeLessThanOrEqual(l.height);
    }
  });

  it('routes an edge that skips a layer beside the box in between, its label there too', () => {
    const l = layoutEnsemble(['input_image'], ['text_crops'], OCR);
    const det = l.nodes.find((n) => n.id === 'step:1')!;
    const skip = l.edges.find((e) => e.name === 'original_image')!;
    expect(skip.labelY).toBe(det.y);
    const half = labelWidth(skip.name) / 2;
    expect(skip.labelX + half <= det.x - det.w / 2 || skip.labelX - half >= det.x + det.w / 2).toBe(true);
  });

  it('stacks labels that would overlap (many tensors between the same two steps)', () => {
    const names = ['alpha_tensor', 'beta_tensor', 'gamma_tensor', 'delta_tensor'];
    const l = layoutEnsemble(['IN'], ['OUT'], [step('a', { x: 'IN' }, Object.fromEntries(names.map((n) => [n, n]))), step('b', Object.fromEntries(names.map((n) => [n, n])), { y: 'OUT' })]);
    const labels = l.edges.filter((e) => names.includes(e.name)).map((e) => ({ x: e.labelX, y: e.labelY, w: labelWidth(e.name) }));
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const a = labels[i]!;
        const b = labels[j]!;
        const apart = Math.abs(a.x - b.x) >= (a.w + b.w) / 2 || Math.abs(a.y - b.y) >= 17;
        expect(apart, `${names[i]} and ${names[j]}`).toBe(true);
      }
    }
    // And each label still lies between the two steps.
    const [a, b] = ['step:0', 'step:1'].map((id) => l.nodes.find((n) => n.id === id)!);
    for (const lb of labels) expect(lb.y > a!.y + a!.h / 2 && lb.y < b!.y - b!.h / 2).toBe(true);
  });
});
