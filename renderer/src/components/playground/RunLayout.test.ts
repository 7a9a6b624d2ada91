// @vitest-environment happy-dom
/**
 * Where things sit on the Run tab: Run (and Cancel) above the inputs, the sample images as a strip of
 * thumbnails with the chosen one highlighted and named, a place for the outputs before the first run,
 * and the result brought into view when a run comes back below the window.
 */
import { flushPromises } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { RunRequest } from '@contract/lab-api';
import { setupPanelTests } from './panel-test-setup';
import RunPanel from './RunPanel.vue';
import { detail, fakeClient, io, ocrEnsemble, runResult, SAMPLES, TensorViewStub } from './test-support';

const mountPanel = setupPanelTests(RunPanel, TensorViewStub);
const THUMB = 'data:image/jpeg;base64,AAAA';

function client() {
  const c = fakeClient({
    sampleImages: () => SAMPLES.map((s, i) => (i === 0 ? { ...s } : { ...s, thumb: THUMB })),
    runModel: (req: RunRequest) => runResult(req.runId!, ocrEnsemble),
  });
  return c;
}

describe('the Run tab layout', () => {
  it('puts Run above the inputs and keeps a place for the outputs', async () => {
    const w = await mountPanel(ocrEnsemble, client());
    const form = w.get('[data-testid=run-form]').element;
    const bar = w.get('[data-testid=run-bar]').element;
    const firstInput = w.get('[data-testid=input-input_image]').element;
    expect(form.firstElementChild).toBe(bar);
    expect(bar.compareDocumentPosition(firstInput) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(w.get('[data-testid=run-output-empty]').text()).toContain('The outputs of a run show here');
  });

  it('offers the samples as thumbnails, the chosen one highlighted and named', async () => {
    const w = await mountPanel(ocrEnsemble, client());
    const strip = w.get('[data-testid=sample-strip-input_image]');
    const thumbs = strip.findAll('label');
    expect(thumbs).toHaveLength(SAMPLES.length);
    // A sample without a thumbnail shows its name instead of an empty box.
    expect(thumbs[0]!.find('img').exists()).toBe(false);
    expect(thumbs[0]!.text()).toBe(SAMPLES[0]!.file);
    expect(thumbs[1]!.get('img').attributes('src')).toBe(THUMB);
    expect(thumbs[0]!.classes()).toContain('on');
    await w.get(`[data-testid="sample-${SAMPLES[1]!.file}"]`).setValue(true);
    expect(w.get(`[data-testid="sample-thumb-${SAMPLES[1]!.file}"]`).classes()).toContain('on');
    expect(w.get(`[data-testid="sample-thumb-${SAMPLES[0]!.file}"]`).classes()).not.toContain('on');
    expect(w.get('[data-testid=sample-chosen-input_image]').text()).toContain(SAMPLES[1]!.file);
    expect(w.get('[data-testid=sample-chosen-input_image]').text()).toContain(`${SAMPLES[1]!.width}×${SAMPLES[1]!.height}`);
  });

  it('scrolls the result into view when it comes back below the window, not when it is in view', async () => {
    const w = await mountPanel(ocrEnsemble, client());
    const area = w.get('[data-testid=run-output-area]').element as HTMLElement;
    const scroll = vi.fn();
    area.scrollIntoView = scroll;
    let top = window.innerHeight + 200;
    area.getBoundingClientRect = () => ({ top, bottom: top + 300, left: 0, right: 500, width: 500, height: 300, x: 0, y: top, toJSON: () => ({}) });
    await w.get('[data-testid=run-form]').trigger('submit');
    await flushPromises();
    expect(scroll).toHaveBeenCalledWith({ block: 'start', behavior: 'smooth' });
    scroll.mockClear();
    top = 80;
    await w.get('[data-testid=run-form]').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid^=run-result-]').exists()).toBe(true);
    expect(scroll).not.toHaveBeenCalled();
  });

  it('shows a step-through from the history by its compute time, with its input, and the pauses said apart', async () => {
    const stepRun = runResult('run-step', ocrEnsemble, { mode: 'step', ms: 5200, pausedMs: 5000, inputLabel: 'noisy-scan.jpg' });
    const w = await mountPanel(ocrEnsemble, fakeClient({ listRuns: () => [stepRun] }));
    expect(w.get('[data-testid=run-output-empty]').text()).toContain('Pick a run in the history');
    await w.get('[data-testid=history-run-step] .row-btn').trigger('click');
    const result = w.get('[data-testid=run-result-run-step]');
    expect(result.get('[data-testid=run-ms]').text()).toBe('200.0 ms');
    expect(result.get('.summary').text()).toContain('noisy-scan.jpg');
    expect(result.get('.summary').text()).toContain('step');
  });

  it('lists every bad value of an input, and the problem count covers the ones past the first twenty', async () => {
    const d = detail('ints', 0, [io('v', 'INT8', [30], 0)], []);
    const w = await mountPanel(d, fakeClient());
    await w.get('[data-testid=mode-values-v]').setValue(true);
    await w.get('[data-testid=text-values-v]').setValue(Array.from({ length: 30 }, (_, i) => (i < 25 ? 'x' : '1')).join(' '));
    const items = w.findAll('[data-testid=issues-v] li');
    expect(items).toHaveLength(21);
    expect(items[0]!.text()).toBe("Value 1 ('x') is not a number.");
    expect(items[19]!.text()).toBe("Value 20 ('x') is not a number.");
    expect(items[20]!.text()).toBe('…and 5 more bad values');
    expect(w.get('[data-testid=run-problems]').text()).toContain('25');
  });
});
