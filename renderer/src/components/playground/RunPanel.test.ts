// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { ModelDetail, RunRequest, RunResult } from '@contract/lab-api';
import { LabCallError } from '../../api/client';
import { setLocale } from '../../i18n';
import { setupPanelTests } from './panel-test-setup';
import RunPanel from './RunPanel.vue';
import { dataPipeline, deferred, detail, fakeClient, fixedDirection, io, ocrBls, ocrEnsemble, quickDeploy, runResult, SAMPLES, tensor, TensorViewStub } from './test-support';

const mountPanel = setupPanelTests(RunPanel, TensorViewStub);

/** runModel answers with an ok run of the requested model, its id taken from the request. */
function answering(d: ModelDetail, extra: Partial<RunResult> = {}): (req: RunRequest) => RunResult {
  return (req) => runResult(req.runId!, d, extra);
}

describe('the OCR ensemble form', () => {
  it('offers the bundled samples for the encoded image and sends the picked one as bytes', async () => {
    const client = fakeClient({ runModel: answering(ocrEnsemble) });
    const w = await mountPanel(ocrEnsemble, client);
    const input = w.get('[data-testid=input-input_image]');
    expect(input.attributes('data-editor')).toBe('bytes');
    expect(w.get('[data-testid=batch-note]').text()).toContain('this model batches: requests carry a leading batch dimension; 1 is added for you');
    for (const s of SAMPLES) expect(input.text()).toContain(s.file);
    await w.get(`[data-testid="sample-${SAMPLES[1]!.file}"]`).setValue(true);
    await w.get('[data-testid=run-form]').trigger('submit');
    await flushPromises();

    const [req] = client.of('runModel');
    expect(req).toMatchObject({ repoId: 'r1', model: 'ensemble_model', addBatchDim: true });
    expect(req!.inputs).toEqual([{ name: 'input_image', kind: 'bytes', source: { sample: SAMPLES[1]!.file }, dtype: 'UINT8' }]);
    expect(req!.runId).toMatch(/^run-/);
    // The result is shown, and the history was asked again after the run.
    expect(w.get('[data-testid=output-recognized_text] .tensor-stub').attributes('data-source')).toBe(`${req!.runId}/output/recognized_text`);
    expect(client.of('listRuns')).toHaveLength(2);
    expect(client.of('listRuns')[1]).toEqual({ repoId: 'r1', model: 'ensemble_model' });
    expect(w.find(`[data-testid="history-${req!.runId}"]`).exists()).toBe(true);
  });

  it('reads a picked or dropped file to base64 in the window', async () => {
    const client = fakeClient({ runModel: answering(ocrEnsemble) });
    const w = await mountPanel(ocrEnsemble, client);
    const png = new File([new Uint8Array([137, 80, 78, 71])], 'photo.png', { type: 'image/png' });
    const source = w.get('[data-testid=source-input_image]');
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(drop, 'dataTransfer', { value: { files: [png] } });
    const windowDrop = vi.fn();
    window.addEventListener('drop', windowDrop);
    source.element.dispatchEvent(drop);
    window.removeEventListener('drop', windowDrop);
    expect(windowDrop).not.toHaveBeenCalled();
    await flushPromises();
    await new Promise((r) => setTimeout(r, 0));
    await flushPromises();
    expect(w.get('[data-testid=file-name-input_image]').text()).toContain('photo.png');
    await w.get('[data-testid=run-form]').trigger('submit');
    await flushPromises();
    expect(client.of('runModel')[0]!.inputs[0]).toEqual({ name: 'input_image', kind: 'bytes', source: { base64: 'iVBORw==', fileName: 'photo.png' }, dtype: 'UINT8' });
  });

  it('sends a typed path', async () => {
    const client = fakeClient({ runModel: answering(ocrEnsemble) });
    const w = await mountPanel(ocrEnsemble, client);
    await w.get('[data-testid=source-mode-path]').trigger('click');
    await w.get('[data-testid=run-form]').trigger('submit');
    await flushPromises();
    expect(client.of('runModel')).toHaveLength(0);
    expect(w.get('[data-testid=issues-input_image]').text()).toContain('Type the path of a file.');
    await w.get('[data-testid=path-input_image]').setValue('/data/receipt.jpg');
    await w.get('[data-testid=run-button]').trigger('click');
    await flushPromises();
    expect(client.of('runModel')[0]!.inputs[0]).toMatchObject({ kind: 'bytes', source: { path: '/data/receipt.jpg' } });
  });
});

describe('the data pipeline form', () => {
  it('builds text, UINT8 and INT8 values, an HWC FP32 image and bool toggles', async () => {
    const client = fakeClient({ runModel: answering(dataPipeline) });
    const w = await mountPanel(dataPipeline, client);
    const editors = w.findAll('fieldset.input').map((f) => [f.attributes('data-testid'), f.attributes('data-editor')]);
    expect(editors).toEqual([
      ['input-ensemble_input_string', 'text'],
      ['input-ensemble_input_UINT8_array', 'values'],
      ['input-ensemble_input_INT8_array', 'values'],
      ['input-ensemble_input_FP32_image', 'image'],
      ['input-ensemble_input_bool', 'values'],
    ]);
    expect((w.get('[data-testid=layout-ensemble_input_FP32_image]').element as HTMLSelectElement).value).toBe('HWC');
    expect(w.get('[data-testid=batch-ensemble_input_UINT8_array]').text()).toContain('1');
    expect(w.find('[data-testid=toggles-ensemble_input_bool]').exists()).toBe(true);

    await w.get('[data-testid=text-ensemble_input_string]').setValue('first\nsecond');
    await w.get('[data-testid=text-values-ensemble_input_UINT8_array]').setValue('[[7, 8, 9, 255]]');
    await w.get('[data-testid=size-ensemble_input_INT8_array-0]').setValue('3');
    await w.get('[data-testid=text-values-ensemble_input_INT8_array]').setValue('-128, 0, 127');
    await w.get('[data-testid=flag-ensemble_input_bool-1]').setValue(true);
    await w.get('[data-testid=run-button]').trigger('click');
    await flushPromises();

    const [req] = client.of('runModel');
    expect(req!.inputs).toEqual([
      { name: 'ensemble_input_string', kind: 'text', lines: ['first', 'second'], shape: [1, 2] },
      { name: 'ensemble_input_UINT8_array', kind: 'values', dtype: 'UINT8', shape: [1, 4], values: [7, 8, 9, 255] },
      { name: 'ensemble_input_INT8_array', kind: 'values', dtype: 'INT8', shape: [1, 3], values: [-128, 0, 127] },
      { name: 'ensemble_input_FP32_image', kind: 'image', source: { sample: SAMPLES[0]!.file }, dtype: 'FP32', layout: 'HWC', channels: 3, order: 'RGB', scale: 1 / 255 },
      { name: 'ensemble_input_bool', kind: 'values', dtype: 'BOOL', shape: [1, 4], values: [true, true, true, false] },
    ]);
  });

  it('runs on Ctrl+Enter from inside the form', async () => {
    const client = fakeClient({ runModel: answering(dataPipeline) });
    const w = await mountPanel(dataPipeline, client);
    await w.get('[data-testid=text-ensemble_input_string]').trigger('keydown', { key: 'Enter', ctrlKey: true });
    await flushPromises();
    expect(client.of('runModel')).toHaveLength(1);
  });

  it('generates values on request', async () => {
    const client = fakeClient({ runModel: answering(dataPipeline) });
    const w = await mountPanel(dataPipeline, client);
    await w.get('[data-testid=mode-generate-ensemble_input_INT8_array]').setValue(true);
    await w.get('[data-testid=fill-ensemble_input_INT8_array]').setValue('ones');
    await w.get('[data-testid=run-button]').trigger('click');
    await flushPromises();
    expect(client.of('runModel')[0]!.inputs[2]).toEqual({ name: 'ensemble_input_INT8_array', kind: 'generate', dtype: 'INT8', shape: [1, 4], fill: 'ones' });
  });

  it('explains what is wrong in place and sends nothing until it is fixed', async () => {
    const client = fakeClient({ runModel: answering(dataPipeline) });
    const w = await mountPanel(dataPipeline, client);
    await w.get('[data-testid=size-ensemble_input_UINT8_array-0]').setValue('');
    await w.get('[data-testid=text-values-ensemble_input_INT8_array]').setValue('1, x, 3, 4');
    await w.get('[data-testid=size-ensemble_input_bool-0]').setValue('40');
    await w.get('[data-testid=text-values-ensemble_input_bool]').setValue('true, false');

    expect(w.get('[data-testid=issues-ensemble_input_UINT8_array]').text()).toBe('Give a size for dimension 1 (it is -1 in the config).');
    expect(w.get('[data-testid=issues-ensemble_input_INT8_array]').text()).toBe("Value 2 ('x') is not a number.");
    expect(w.get('[data-testid=issues-ensemble_input_bool]').text()).toBe('2 values given, but the shape [1, 40] holds 40.');
    expect(w.get('[data-testid=run-problems]').text()).toContain('3 problems');
    expect(w.get('[data-testid=run-button]').attributes('disabled')).toBeDefined();
    await w.get('[data-testid=run-form]').trigger('submit');
    await flushPromises();
    expect(client.of('runModel')).toHaveLength(0);

    await w.get('[data-testid=size-ensemble_input_UINT8_array-0]').setValue('2');
    await w.get('[data-testid=text-values-ensemble_input_UINT8_array]').setValue('1, 300');
    expect(w.get('[data-testid=issues-ensemble_input_UINT8_array]').text()).toBe('Value 2 (300) is outside UINT8 (0 to 255).');
  });

  it('asks for a resize where the model fixes the size, prefilled from its dims', async () => {
    const client = fakeClient({ runModel: answering(fixedDirection) });
    const w = await mountPanel(fixedDirection, client);
    expect((w.get('[data-testid=width-x]').element as HTMLInputElement).value).toBe('192');
    expect((w.get('[data-testid=height-x]').element as HTMLInputElement).value).toBe('48');
    expect(w.get('[data-testid=sends-x]').text()).toBe('FP32 [1, 3, 48, 192]');
    await w.get('[data-testid=width-x]').setValue('');
    expect(w.get('[data-testid=issues-x]').text()).toContain('the model takes a fixed size');
  });
});

describe('an FP32 [-1, 3, -1, -1] model', () => {
  it('gets the image editor in CHW, with normalization presets', async () => {
    const client = fakeClient({ runModel: answering(quickDeploy) });
    const w = await mountPanel(quickDeploy, client);
    expect(w.get('[data-testid=input-x]').attributes('data-editor')).toBe('image');
    expect(w.get('[data-testid=input-x]').text()).toContain('[-1, 3, -1, -1]');
    expect((w.get('[data-testid=layout-x]').element as HTMLSelectElement).value).toBe('CHW');
    await w.get('[data-testid=preset-x]').setValue('imagenet');
    expect((w.get('[data-testid=mean-x-0]').element as HTMLInputElement).value).toBe('0.485');
    await w.get('[data-testid=order-x]').setValue('BGR');
    await w.get('[data-testid=resize-x]').setValue(true);
    await w.get('[data-testid=width-x]').setValue('192');
    await w.get('[data-testid=height-x]').setValue('48');
    await w.get('[data-testid=run-button]').trigger('click');
    await flushPromises();
    expect(client.of('runModel')[0]!.inputs).toEqual([
      {
        name: 'x',
        kind: 'image',
        source: { sample: SAMPLES[0]!.file },
        dtype: 'FP32',
        layout: 'CHW',
        channels: 3,
        order: 'BGR',
        resize: { width: 192, height: 48 },
        scale: 1 / 255,
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225],
      },
    ]);
  });

  it('switches to raw values with the batch shown apart', async () => {
    const client = fakeClient({ runModel: answering(quickDeploy) });
    const w = await mountPanel(quickDeploy, client);
    await w.get('[data-testid=editor-x-values]').trigger('click');
    expect(w.get('[data-testid=input-x]').attributes('data-editor')).toBe('values');
    expect(w.find('[data-testid=batch-x]').exists()).toBe(true);
    expect(w.get('[data-testid=count-x]').text()).toBe('12 elements');
    await w.get('[data-testid=run-button]').trigger('click');
    await flushPromises();
    expect(client.of('runModel')[0]!.inputs[0]).toEqual({ name: 'x', kind: 'generate', dtype: 'FP32', shape: [1, 3, 2, 2], fill: 'random' });
  });
});

describe('running', () => {
  it('shows progress, and Cancel cancels the same run id', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const pending = deferred<RunResult>();
    const client = fakeClient({ runModel: () => pending.promise });
    const w = await mountPanel(ocrEnsemble, client);
    await w.get('[data-testid=run-button]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid=run-button]').attributes('disabled')).toBeDefined();
    vi.advanceTimersByTime(1500);
    await flushPromises();
    expect(w.get('[data-testid=run-elapsed]').text()).toMatch(/Running… 1\.\d+ s/);
    await w.get('[data-testid=run-cancel]').trigger('click');
    await flushPromises();
    const runId = client.of('runModel')[0]!.runId;
    expect(client.of('cancelRun')).toEqual([{ runId }]);
    expect(w.get('[data-testid=run-cancel]').text()).toBe('Cancelling…');
    pending.resolve(runResult(runId!, ocrEnsemble, { state: 'cancelled', outputs: [], error: 'cancelled' }));
    await flushPromises();
    expect(w.find('[data-testid=run-cancel]').exists()).toBe(false);
    expect(w.text()).toContain('The run was cancelled.');
  });

  it('treats a rejected call after Cancel as cancelled, not as an error', async () => {
    const pending = deferred<RunResult>();
    const client = fakeClient({ runModel: () => pending.promise });
    const w = await mountPanel(ocrEnsemble, client);
    await w.get('[data-testid=run-button]').trigger('click');
    await w.get('[data-testid=run-cancel]').trigger('click');
    pending.reject(new LabCallError('CANCELLED', 'request cancelled'));
    await flushPromises();
    expect(w.find('[data-testid=run-call-error]').exists()).toBe(false);
    expect(w.text()).toContain('The run was cancelled.');
  });

  it('shows a failed call and a failed run in place', async () => {
    let fail = true;
    const client = fakeClient({
      runModel: (req: RunRequest) => {
        if (fail) throw new LabCallError('INVALID_ARG', "unexpected shape for input 'input_image'");
        return runResult(req.runId!, ocrEnsemble, { state: 'error', error: "in ensemble 'ensemble_model', step 2: no text found", outputs: [] });
      },
    });
    const w = await mountPanel(ocrEnsemble, client);
    await w.get('[data-testid=run-button]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid=run-call-error]').text()).toContain("unexpected shape for input 'input_image'");
    fail = false;
    await w.get('[data-testid=run-button]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid=run-call-error]').exists()).toBe(false);
    expect(w.get('[data-testid=run-error]').text()).toContain('step 2: no text found');
  });

  it("shows the engine's note about the outputs (a decoupled model's several responses)", async () => {
    const note = "This decoupled model sent 3 responses; the outputs shown are the last one's that had outputs.";
    const w = await mountPanel(quickDeploy, fakeClient({ runModel: answering(quickDeploy, { note }) }));
    await w.get('[data-testid=run-button]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid=run-note]').text()).toBe(note);
  });

  it('draws the steps: queue and compute per ensemble step and BLS call', async () => {
    const client = fakeClient({
      runModel: answering(ocrEnsemble, {
        ms: 120,
        steps: [
          { kind: 'request', model: 'ensemble_model', version: 1, startMs: 0, queueMs: 0, computeMs: 0, totalMs: 120 },
          { kind: 'step', model: 'detection_preprocessing', version: 1, step: 0, startMs: 1, queueMs: 2, computeMs: 10, totalMs: 13 },
          { kind: 'bls', model: 'text_recognition', version: 1, startMs: 20, queueMs: 5, computeMs: 80, totalMs: 90, error: 'boom' },
        ],
      }),
    });
    const w = await mountPanel(ocrEnsemble, client);
    await w.get('[data-testid=run-button]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid=run-ms]').text()).toBe('120.0 ms');
    const rows = w.findAll('[data-testid=step-row]');
    expect(rows).toHaveLength(3);
    expect(rows[1]!.text()).toContain('0. detection_preprocessing');
    expect(rows[2]!.text()).toContain('BLS text_recognition');
    expect(rows[2]!.classes()).toContain('err');
    expect(rows[2]!.find('.compute').attributes('width')).toBe(String((80 * 400) / 120));
  });

  it('passes an OCR "boxes" output to the image input\'s view', async () => {
    const client = fakeClient({ runModel: answering(ocrBls, { inputs: [tensor('input_image', 'UINT8', [5000])] }) });
    const w = await mountPanel(ocrBls, client);
    await w.get('[data-testid=run-button]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid=input-view-input_image] .tensor-stub').attributes('data-boxes')).toBe('boxes');
    expect(w.findAll('[data-testid^=output-] .tensor-stub').map((o) => o.attributes('data-tensor'))).toEqual(['texts', 'boxes', 'scores']);
  });
});

describe('history, compare and snippets', () => {
  const older = runResult('run-old', quickDeploy, { startedAt: Date.UTC(2025, 0, 1, 9, 0, 0), ms: 80, outputs: [tensor('softmax_0.tmp_0', 'FP32', [1, 2], { mean: 0.5, max: 0.9 })] });
  const newer = runResult('run-new', quickDeploy, { startedAt: Date.UTC(2025, 0, 1, 9, 5, 0), ms: 12, outputs: [tensor('softmax_0.tmp_0', 'FP32', [1, 2], { mean: 0.5, max: 0.7 })] });

  it('lists past runs newest first, views one and compares it with another', async () => {
    const client = fakeClient({ listRuns: () => [newer, older] });
    const w = await mountPanel(quickDeploy, client);
    expect(client.of('listRuns')).toEqual([{ repoId: 'r3', model: 'text_direction' }]);
    const items = w.findAll('[data-testid^=history-run]');
    expect(items.map((i) => i.attributes('data-testid'))).toEqual(['history-run-new', 'history-run-old']);
    expect(items[0]!.text()).toContain('12.0 ms');
    expect(items[0]!.attributes('data-state')).toBe('ok');

    await items[0]!.get('.row-btn').trigger('click');
    expect(w.find('[data-testid=run-result-run-new]').exists()).toBe(true);
    await w.get('[data-testid=compare-run-old]').trigger('click');
    const cmp = w.get('[data-testid=run-compare]');
    expect(cmp.get('[data-testid=compare-head-a]').text()).toContain('12.0 ms');
    expect(cmp.get('[data-testid=compare-head-b]').text()).toContain('80.0 ms');
    const out = cmp.get('[data-testid="compare-output-softmax_0.tmp_0"]');
    expect(out.findAll('.tensor-stub').map((s) => s.attributes('data-source'))).toEqual(['run-new/output/softmax_0.tmp_0', 'run-old/output/softmax_0.tmp_0']);
    const maxRow = out.findAll('tbody tr').find((r) => r.find('th').text() === 'max')!;
    expect(maxRow.classes()).toContain('differs');
    expect(maxRow.text()).toContain('0.7');
    expect(maxRow.text()).toContain('0.9');
    const meanRow = out.findAll('tbody tr').find((r) => r.find('th').text() === 'mean')!;
    expect(meanRow.classes()).not.toContain('differs');

    await w.get('[data-testid=compare-close]').trigger('click');
    expect(w.find('[data-testid=run-compare]').exists()).toBe(false);
    expect(w.find('[data-testid=run-result-run-new]').exists()).toBe(true);
  });

  it('follows runs finished elsewhere', async () => {
    const client = fakeClient({ listRuns: () => [older] });
    const w = await mountPanel(quickDeploy, client);
    client.emit({ type: 'run-finished', run: newer });
    await flushPromises();
    expect(w.findAll('[data-testid^=history-run]').map((i) => i.attributes('data-testid'))).toEqual(['history-run-new', 'history-run-old']);
  });

  it('copies the request as curl and as Python', async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const client = fakeClient({ listRuns: () => [newer] });
    const w = await mountPanel(quickDeploy, client);
    await w.get('[data-testid=history-run-new] .row-btn').trigger('click');
    await flushPromises();
    expect(client.of('runSnippets')).toEqual([{ runId: 'run-new' }]);
    expect(w.get('[data-testid=snippet-curl]').text()).toContain('curl -X POST');
    await w.get('[data-testid=copy-curl]').trigger('click');
    await flushPromises();
    expect(writeText).toHaveBeenCalledWith('curl -X POST localhost:8000/v2/models/m/infer # run-new');
    expect(w.get('[data-testid=copy-curl]').text()).toBe('Copied');
    await w.get('[data-testid=copy-python]').trigger('click');
    await flushPromises();
    expect(writeText).toHaveBeenLastCalledWith('import tritonclient.http as httpclient # run-new');
  });

  it("keeps each model's form while the user looks at another", async () => {
    const client = fakeClient();
    const w = await mountPanel(dataPipeline, client);
    await w.get('[data-testid=text-ensemble_input_string]').setValue('kept');
    await w.setProps({ detail: quickDeploy });
    await flushPromises();
    expect(w.find('[data-testid=input-x]').exists()).toBe(true);
    await w.setProps({ detail: dataPipeline });
    expect((w.get('[data-testid=text-ensemble_input_string]').element as HTMLTextAreaElement).value).toBe('kept');
  });

  it('sends the version picked in the tree', async () => {
    const client = fakeClient({ runModel: answering(quickDeploy) });
    const w = await mountPanel(quickDeploy, client, 2);
    await w.get('[data-testid=run-button]').trigger('click');
    await flushPromises();
    expect(client.of('runModel')[0]!.version).toBe(2);
  });
});

describe('empty states', () => {
  it('says why a model cannot run', async () => {
    const notRunnable = detail('trt', 0, [io('x', 'FP32', [1], 0)], [], { backend: 'tensorrt', runnable: false, state: 'UNAVAILABLE', reason: 'the tensorrt backend is not available in the lab' });
    let w = await mountPanel(notRunnable, fakeClient());
    expect(w.get('[data-testid=play-not-runnable]').text()).toContain('cannot run that backend');
    expect(w.text()).toContain('the tensorrt backend is not available in the lab');
    expect(w.find('[data-testid=run-form]').exists()).toBe(false);

    const unavailable = detail('m', 0, [io('x', 'FP32', [1], 0)], [], { state: 'UNAVAILABLE', reason: 'load failed: model.onnx not found' });
    w = await mountPanel(unavailable, fakeClient());
    expect(w.get('[data-testid=play-not-ready]').text()).toContain('The model is not ready (Unavailable)');
    expect(w.text()).toContain('model.onnx not found');
    expect(w.find('[data-testid=play-load]').exists()).toBe(true);

    const noInputs = detail('m2', 0, [], [io('y', 'FP32', [1], 0)]);
    w = await mountPanel(noInputs, fakeClient());
    expect(w.get('[data-testid=play-no-inputs]').text()).toContain('This model has no inputs');
  });

  it('speaks Chinese', async () => {
    setLocale('zh-CN');
    const w = await mountPanel(ocrEnsemble, fakeClient());
    expect(w.get('[data-testid=batch-note]').text()).toContain('该模型支持批处理');
    expect(w.get('[data-testid=run-button]').text()).toBe('运行');
    expect(w.text()).toContain('示例图像');
  });
});
