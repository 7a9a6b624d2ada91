/** The Migration tour's TorchScript steps: the conversion's state decides the check, and its max abs difference is the result. */
import { describe, expect, it } from 'vitest';
import type { RepositoryInfo } from '@contract/lab-api';
import type { ConversionEntry } from '../stores/convert';
import { migrating } from './content/migrating';
import type { TourState } from './types';

const step = migrating.steps.find((s) => s.target?.includes('convert-onnx-button'))!;
const REPO = { id: 'r9', name: 'quick_deploy_pytorch', sample: true, path: '/s/quick_deploy_pytorch', models: [] } as unknown as RepositoryInfo;

function state(entry?: ConversionEntry): TourState {
  return {
    repos: { repos: [REPO] },
    model: { loading: false, tab: 'overview' },
    run: { models: {} },
    step: {},
    graph: { selection: { kind: 'model' }, findQuery: '' },
    serve: {},
    pages: {},
    convert: { conversions: entry ? { 'r9/digits': entry } : {} },
  };
}

describe('Migration: export the digits model to ONNX', () => {
  it('waits for the conversion to finish', () => {
    expect(step.check!(state())).toBe(false);
    expect(step.check!(state({ running: true, startedAt: 1 }))).toBe(false);
    expect(step.result!(state({ running: true, startedAt: 1 }))).toBeUndefined();
  });

  it('shows the largest absolute difference once both answered', () => {
    const s = state({
      running: false,
      result: {
        onnxPath: '/c/digits_onnx/1/model.onnx',
        repository: '/c',
        repoId: 'c1',
        model: 'digits_onnx',
        opset: 17,
        samples: 4,
        outputs: [],
        maxAbsDiff: 5.96e-8,
        torch: 'Python 3.11, torch 1.13',
      },
    });
    expect(step.check!(s)).toBe(true);
    expect(step.result!(s)?.text?.en).toBe('max abs difference 5.96e-8 over 4 seeded inputs (digits_onnx, opset 17)');
    expect(step.result!(s)?.text?.['zh-CN']).toBe('最大绝对差 5.96e-8，共 4 组带随机种子的输入（digits_onnx，opset 17）');
  });

  it('without torch, the step can be passed and its result says what went wrong', () => {
    const s = state({ running: false, error: "Converting to ONNX: torch is missing: 'python3' cannot import torch." });
    expect(step.check!(s)).toBe(true);
    expect(step.result!(s)?.text?.en).toBe("Not converted: Converting to ONNX: torch is missing: 'python3' cannot import torch.");
    expect(step.body.en).toContain('sudo apt-get install python3-torch');
  });
});
