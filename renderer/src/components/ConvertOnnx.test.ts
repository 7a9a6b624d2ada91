// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabClient, OnnxConversion } from '@contract/lab-api';
import { LabCallError, setBackend } from '../api/client';
import { setLocale } from '../i18n';
import { useRepositoriesStore } from '../stores/repositories';
import ConvertOnnx from './ConvertOnnx.vue';

const RESULT: OnnxConversion = {
  onnxPath: '/home/u/.config/model-lab/converted/digits_onnx/1/model.onnx',
  repository: '/home/u/.config/model-lab/converted',
  repoId: 'conv1',
  model: 'digits_onnx',
  opset: 17,
  samples: 4,
  outputs: [{ name: 'OUTPUT__0', shape: [1, 10], maxAbsDiff: 2.98e-8 }],
  maxAbsDiff: 2.98e-8,
  torch: 'Python 3.11.2, torch 1.13.0',
};

/** A lab whose convertToOnnx waits until `finish` is called with an answer or an error. */
function client(): LabClient & { sent: unknown[]; finish: (r: OnnxConversion | Error) => void } {
  const sent: unknown[] = [];
  let finish: (r: OnnxConversion | Error) => void = () => undefined;
  return {
    sent,
    get finish() {
      return finish;
    },
    call: (method: string, req: unknown) => {
      if (method !== 'convertToOnnx') return Promise.reject(new Error(`unexpected ${method}`));
      sent.push(req);
      return new Promise((resolve, reject) => (finish = (r) => (r instanceof Error ? reject(r) : resolve(r))));
    },
    onEvent: () => () => undefined,
  } as unknown as LabClient & { sent: unknown[]; finish: (r: OnnxConversion | Error) => void };
}

describe('ConvertOnnx', () => {
  beforeEach(() => setActivePinia(createPinia()));
  afterEach(() => setLocale('en'));

  it('converts with progress, then shows the largest difference and opens the converted model', async () => {
    const c = client();
    setBackend(c);
    const w = mount(ConvertOnnx, { props: { repoId: 'r1', model: 'digits' } });
    await w.get('[data-testid=convert-onnx-button]').trigger('click');
    await flushPromises();
    expect(c.sent).toEqual([{ repoId: 'r1', model: 'digits' }]);
    expect(w.get('[data-testid=convert-onnx-progress]').text()).toMatch(/^Exporting with torch and comparing both models… \d+ s$/);
    expect(w.get('[data-testid=convert-onnx-button]').attributes('disabled')).toBeDefined();
    c.finish(RESULT);
    await flushPromises();
    expect(w.find('[data-testid=convert-onnx-progress]').exists()).toBe(false);
    expect(w.get('[data-testid=convert-onnx-result]').text()).toContain('Both models answer the same');
    expect(w.get('[data-testid=convert-onnx-maxdiff]').text()).toBe('2.98e-8');
    expect(w.text()).toContain('4 seeded inputs, opset 17, Python 3.11.2, torch 1.13.0');
    expect(w.text()).toContain('OUTPUT__0');
    expect(w.get('[data-testid=convert-onnx-button]').text()).toBe('Convert again');
    await w.get('[data-testid=convert-onnx-open]').trigger('click');
    expect(useRepositoriesStore().selection).toEqual({ repoId: 'conv1', model: 'digits_onnx' });
  });

  it('says when the answers differ', async () => {
    const c = client();
    setBackend(c);
    const w = mount(ConvertOnnx, { props: { repoId: 'r1', model: 'digits' } });
    await w.get('[data-testid=convert-onnx-button]').trigger('click');
    c.finish({ ...RESULT, maxAbsDiff: 0.25, outputs: [{ name: 'OUTPUT__0', shape: [1, 10], maxAbsDiff: 0.25 }] });
    await flushPromises();
    expect(w.get('[data-testid=convert-onnx-result]').classes()).toContain('differs');
    expect(w.text()).toContain('The answers differ');
  });

  it('says they differ when one side is NaN: Infinity, or null where it came as JSON over HTTP', async () => {
    for (const worst of [Infinity, null]) {
      const c = client();
      setBackend(c);
      const w = mount(ConvertOnnx, { props: { repoId: 'r1', model: 'digits' } });
      await w.get('[data-testid=convert-onnx-button]').trigger('click');
      const d = worst as number;
      c.finish({ ...RESULT, maxAbsDiff: d, outputs: [{ name: 'OUTPUT__0', shape: [1, 10], maxAbsDiff: d }] });
      await flushPromises();
      expect(w.get('[data-testid=convert-onnx-result]').classes()).toContain('differs');
      expect(w.get('[data-testid=convert-onnx-maxdiff]').text()).toBe('∞');
      w.unmount();
      setActivePinia(createPinia());
    }
  });

  it('shows the error in place (what to install when torch is missing), in Chinese too', async () => {
    setLocale('zh-CN');
    const c = client();
    setBackend(c);
    const w = mount(ConvertOnnx, { props: { repoId: 'r1', model: 'digits' } });
    expect(w.text()).toContain('sudo apt-get install python3-torch');
    await w.get('[data-testid=convert-onnx-button]').trigger('click');
    c.finish(new LabCallError('UNAVAILABLE', "Converting to ONNX: torch is missing: 'python3' cannot import torch. Install PyTorch for it: `python3 -m pip install torch`."));
    await flushPromises();
    expect(w.get('[role=alert]').text()).toContain('转换失败：Converting to ONNX: torch is missing');
    expect(w.find('[data-testid=convert-onnx-result]').exists()).toBe(false);
    expect(w.get('[data-testid=convert-onnx-button]').text()).toBe('转换为 ONNX');
  });
});
