// @vitest-environment happy-dom
/**
 * The Run tab of a sequence_batching model: the sequence panel sends the id and flags with the
 * run, clears Start after a run so the next one continues, starts over after a run that ended the
 * sequence, refuses a bad id in place, and lists the model's live sequences (modelSequences).
 */
import { flushPromises } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { ModelDetail, RunRequest, SequenceStateRow } from '@contract/lab-api';
import { setLocale } from '../../i18n';
import { setupPanelTests } from './panel-test-setup';
import RunPanel from './RunPanel.vue';
import { detail, fakeClient, io, runResult, TensorViewStub } from './test-support';

const mountPanel = setupPanelTests(RunPanel, TensorViewStub);

const accumulator: ModelDetail = {
  ...detail('accumulator', 8, [io('INPUT', 'INT32', [1], 8)], [io('OUTPUT', 'INT32', [1], 8)], { backend: 'python', platform: '' }),
  scheduling: 'sequence_batching',
  completedConfigText: 'sequence_batching { control_input [ { name: "CORRID" control [ { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_UINT64 } ] } ] }',
};
const live: SequenceStateRow = { id: '18446744073709551615', idIsString: false, version: 1, instance: 'accumulator_0_0', slot: 0, requests: 2, lastAt: Date.now(), idleUntil: Date.now() + 60_000 };

function client(rows: SequenceStateRow[] = []) {
  return fakeClient({
    runModel: (req: RunRequest) => runResult(req.runId!, accumulator, req.sequence ? { sequence: req.sequence } : {}),
    modelSequences: () => rows,
  });
}

async function run(w: Awaited<ReturnType<typeof mountPanel>>): Promise<void> {
  await w.get('[data-testid=run-form]').trigger('submit');
  await flushPromises();
}

describe('the sequence panel', () => {
  it('sends the sequence with each run; the next run continues it, and starts over once one ended it', async () => {
    const c = client();
    const w = await mountPanel(accumulator, c);
    expect(w.get('[data-testid=seq-live-empty]').text()).toBe('No sequence is running in this model now.');
    await w.get('[data-testid=seq-id]').setValue('18446744073709551615');
    await run(w);
    expect(c.of('runModel')[0]!.sequence).toEqual({ id: '18446744073709551615', start: true, end: false });
    expect(w.get('[data-testid=run-sequence]').text()).toBe('Sequence 18446744073709551615 · start');
    expect((w.get('[data-testid=seq-start]').element as HTMLInputElement).checked).toBe(false);
    await w.get('[data-testid=seq-end]').setValue(true);
    await run(w);
    expect(c.of('runModel')[1]!.sequence).toEqual({ id: '18446744073709551615', start: false, end: true });
    expect((w.get('[data-testid=seq-start]').element as HTMLInputElement).checked).toBe(true);
    expect((w.get('[data-testid=seq-end]').element as HTMLInputElement).checked).toBe(false);
    // The live list is read again after each run.
    expect(c.of('modelSequences').length).toBeGreaterThanOrEqual(3);
    expect(c.of('modelSequences')[0]).toEqual({ repoId: 'r1', model: 'accumulator' });
  });

  it('shows what is wrong with an id in place and does not run; a string id goes as a string', async () => {
    const c = client();
    const w = await mountPanel(accumulator, c);
    await w.get('[data-testid=seq-id]').setValue('user-7');
    expect(w.get('[data-testid=seq-issue]').text()).toContain('A numeric id is a whole number from 1 to 18446744073709551615');
    await run(w);
    expect(c.of('runModel')).toHaveLength(0);
    await w.get('[data-testid=seq-string]').setValue(true);
    expect(w.find('[data-testid=seq-issue]').exists()).toBe(false);
    await run(w);
    expect(c.of('runModel')[0]!.sequence).toEqual({ id: 'user-7', idIsString: true, start: true, end: false });
    await w.get('[data-testid=seq-enabled]').setValue(false);
    await run(w);
    expect(c.of('runModel')[1]!.sequence).toBeUndefined();
  });

  it('lists the live sequences and continues one of them, in English and 简体中文', async () => {
    const c = client([live]);
    const w = await mountPanel(accumulator, c);
    const row = w.get(`[data-testid="seq-row-${live.id}"]`);
    expect(row.text()).toContain('2 requests');
    expect(row.text()).toContain('instance accumulator_0_0');
    await w.get(`[data-testid="seq-continue-${live.id}"]`).trigger('click');
    await run(w);
    expect(c.of('runModel')[0]!.sequence).toEqual({ id: live.id, start: false, end: false });
    setLocale('zh-CN');
    await flushPromises();
    expect(w.get('[data-testid=sequence-panel] legend').text()).toContain('序列');
    expect(w.get(`[data-testid="seq-row-${live.id}"]`).text()).toContain('2 个请求');
  });

  it("on an ensemble with sequence_batching members, lists each member's sequences", async () => {
    const ens: ModelDetail = {
      ...detail('running_sums', 8, [io('INPUT', 'INT32', [1], 8)], [io('SUM', 'INT32', [1], 8)], { backend: '', platform: 'ensemble', isEnsemble: true }),
      scheduling: 'ensemble_scheduling',
      ensembleSteps: [
        { modelName: 'accumulator', modelVersion: -1, inputMap: {}, outputMap: {}, sequence: true },
        { modelName: 'plain', modelVersion: -1, inputMap: {}, outputMap: {} },
        { modelName: 'accumulator_js', modelVersion: -1, inputMap: {}, outputMap: {}, sequence: true },
      ],
    };
    const c = client([live]);
    const w = await mountPanel(ens, c);
    expect(c.of('modelSequences').map((r) => r.model)).toEqual(['accumulator', 'accumulator_js']);
    expect(w.findAll(`[data-testid="seq-row-${live.id}"]`).map((r) => r.attributes('data-model'))).toEqual(['accumulator', 'accumulator_js']);
    expect(w.get('[data-testid=sequence-panel]').text()).toContain('(accumulator, accumulator_js)');
    await run(w);
    expect(c.of('runModel')[0]!.sequence).toEqual({ id: '1', start: true, end: false });
  });

  it('is not shown for a model without sequence_batching', async () => {
    const plain = detail('m', 0, [io('INPUT', 'INT32', [1], 0)], [io('OUTPUT', 'INT32', [1], 0)]);
    const w = await mountPanel(plain, client());
    expect(w.find('[data-testid=sequence-panel]').exists()).toBe(false);
  });
});
