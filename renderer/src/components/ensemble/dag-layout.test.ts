import { describe, expect, it } from 'vitest';
import type { EnsembleStepRow } from '@contract/lab-api';
import { labelWidth, layoutEnsemble, shortLabel } from './dag-layout';

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

/** The Data Pipelines ensemble: five inputs into model1, five tensors on to model2, five outputs. */
const KINDS = ['string', 'UINT8_array', 'INT8_array', 'FP32_image', 'bool'];
const PIPELINE = [
  step('model1', Object.fromEntries(KINDS.map((k) => [`model_1_input_${k}`, `ensemble_input_${k}`])), Object.fromEntries(KINDS.map((k) => [`model_1_output_${k}`, `model1_to_model2_${k}`]))),
  step('model2', Object.fromEntries(KINDS.map((k) => [`model_2_input_${k}`, `model1_to_model2_${k}`])), Object.fromEntries(KINDS.map((k) => [`model_2_output_${k}`, `ensemble_output_${k}`]))),
];
const pipeline = (maxWidth?: number) =>
  layoutEnsemble(
    KINDS.map((k) => `ensemble_input_${k}`),
    KINDS.map((k) => `ensemble_output_${k}`),
    PIPELINE,
    maxWidth,
  );

function overlaps(a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }): boolean {
  return Math.abs(a.x - b.x) < (a.w + b.w) / 2 && Math.abs(a.y - b.y) < (a.h + b.h) / 2;
}

describe('a wide ensemble', () => {
  it('fits the width it is given: rows of inputs and outputs wrap instead of growing wider', () => {
    expect(pipeline().width).toBeGreaterThan(700);
    for (const width of [700, 560]) {
      const l = pipeline(width);
      expect(l.width, `at ${width}`).toBeLessThanOrEqual(width);
      for (const n of l.nodes) {
        expect(n.x - n.w / 2).toBeGreaterThanOrEqual(0);
        expect(n.x + n.w / 2).toBeLessThanOrEqual(l.width);
      }
      for (let i = 0; i < l.nodes.length; i++) for (let j = i + 1; j < l.nodes.length; j++) expect(overlaps(l.nodes[i]!, l.nodes[j]!), `${l.nodes[i]!.id} / ${l.nodes[j]!.id}`).toBe(false);
      // Inputs stay above the first step and outputs below the last.
      const y = (id: string) => l.nodes.find((n) => n.id === id)!.y;
      for (const k of KINDS) {
        expect(y(`in:ensemble_input_${k}`)).toBeLessThan(y('step:0'));
        expect(y(`out:ensemble_output_${k}`)).toBeGreaterThan(y('step:1'));
      }
    }
  });

  it('labels only the edges whose name no input or output already shows, readable and apart', () => {
    const l = pipeline(700);
    expect(
      l.edges
        .filter((e) => e.label)
        .map((e) => e.name)
        .sort(),
    ).toEqual(KINDS.map((k) => `model1_to_model2_${k}`).sort());
    const pills = l.edges.filter((e) => e.label).map((e) => ({ x: e.labelX, y: e.labelY, w: labelWidth(e.name), h: 17 }));
    for (let i = 0; i < pills.length; i++) for (let j = i + 1; j < pills.length; j++) expect(overlaps(pills[i]!, pills[j]!)).toBe(false);
    // No label pill sits on a box.
    for (const p of pills) for (const n of l.nodes) expect(overlaps(p, n), n.id).toBe(false);
  });

  it('cuts long names in the middle so their ends still tell them apart', () => {
    expect(shortLabel('model1_to_model2_string')).toBe('model1_to_model2_string');
    const a = shortLabel('preprocessing_stage_output_tensor_UINT8_array');
    const b = shortLabel('preprocessing_stage_output_tensor_INT8_array');
    expect(a).toHaveLength(30);
    expect(a).toContain('…');
    expect(a).not.toBe(b);
    expect(a.endsWith('UINT8_array')).toBe(true);
  });
});
