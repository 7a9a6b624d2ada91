// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WhatIfRequest, WhatIfRun, WhatIfVariant } from '@contract/lab-api';
import { LabCallError, setBackend } from '../../api/client';
import { setLocale, t } from '../../i18n';
import { detail, fakeClient, type FakeClient, io } from '../playground/test-support';
import WhatIfPanel from './WhatIfPanel.vue';
import { point } from './profile-test-support';
import { buildWhatIfRequest, changesText, diffLines, initialWhatIfForm, lastWhatIfRuns, rankingRows, winnerMargin } from './whatif-form';

const rec = {
  ...detail('text_recognition', 0, [io('x', 'FP32', [-1, 3, 48, -1], 0)], [io('y', 'FP32', [-1, -1, 6625], 0)]),
  instanceGroups: [{ name: 'g', kind: 'KIND_CPU', count: 1, gpus: [] }],
} as unknown as ReturnType<typeof detail>;
const batching = detail('ident', 8, [io('INPUT0', 'FP32', [-1], 8)], [io('OUTPUT0', 'FP32', [-1], 8)]);
const mounted: VueWrapper[] = [];

beforeEach(() => {
  setActivePinia(createPinia());
  setLocale('en');
  lastWhatIfRuns.clear();
});
afterEach(() => {
  for (const w of mounted.splice(0)) w.unmount();
  setBackend(undefined);
  document.body.innerHTML = '';
});

function variant(name: string, extra: Partial<WhatIfVariant> = {}): WhatIfVariant {
  return { name, changes: [name === 'baseline' ? 'the current config' : 'instance count 2'], configText: '', state: 'pending', withinBudget: false, ...extra };
}

function whatIf(req: WhatIfRequest, extra: Partial<WhatIfRun> = {}): WhatIfRun {
  return {
    whatIfId: 'w1',
    repoId: req.repoId,
    model: req.model,
    latencyBudgetMs: req.latencyBudgetMs,
    state: 'running',
    startedAt: 0,
    variants: [variant('baseline', { state: 'running' }), variant('instances 2')],
    ...extra,
  };
}

async function mountPanel(client: FakeClient, d = rec): Promise<VueWrapper> {
  setBackend(client);
  const w = mount(WhatIfPanel, { attachTo: document.body, props: { detail: d } });
  mounted.push(w);
  await flushPromises();
  return w;
}

describe('the what-if form', () => {
  it('builds a request from the knobs, with the shapes prefilled from the model', () => {
    const f = initialWhatIfForm(rec);
    expect(f.instanceCounts).toBe('1, 2');
    expect(f.shapes).toEqual({ x: '1, 3, 48, 32' });
    const r = buildWhatIfRequest({ ...f, latencyBudgetMs: 50 }, rec);
    expect(r).toEqual({
      ok: true,
      req: {
        repoId: 'r1',
        model: 'text_recognition',
        knobs: { instanceCounts: [1, 2] },
        latencyBudgetMs: 50,
        maxVariants: 8,
        profile: { concurrency: { start: 1, end: 2, step: 1 }, measurementIntervalMs: 1000, maxTrials: 10, inputData: 'random', shapes: { x: [1, 3, 48, 32] } },
      },
    });
  });

  it('names the first problem', () => {
    const f = initialWhatIfForm(batching);
    expect(buildWhatIfRequest({ ...f, instanceCounts: '1, x' }, batching)).toMatchObject({ ok: false, key: 'whatif.err.counts' });
    expect(buildWhatIfRequest({ ...f, preferredBatchSizes: '4, 16' }, batching)).toMatchObject({ ok: false, key: 'whatif.err.preferredOver', params: { size: 16, max: 8 } });
    expect(buildWhatIfRequest({ ...f, instanceCounts: '', batchingOn: true }, rec)).toMatchObject({ ok: false, key: 'whatif.err.noBatching' });
    expect(buildWhatIfRequest({ ...f, instanceCounts: '' }, batching)).toMatchObject({ ok: false, key: 'whatif.err.noKnobs' });
    expect(buildWhatIfRequest({ ...initialWhatIfForm(rec), shapes: { x: '1, 4, 48, 32' } }, rec)).toMatchObject({ ok: false, key: 'whatif.err.shape' });
    const ok = buildWhatIfRequest({ ...f, instanceCounts: '', batchingOff: true, batchingOn: true, preferredBatchSizes: '4，8； 8', maxQueueDelayUs: '0 100' }, batching);
    expect(ok).toMatchObject({ ok: true, req: { knobs: { dynamicBatching: [false, true], preferredBatchSizes: [[4, 8], [8]], maxQueueDelayUs: [0, 100] } } });
  });

  it('orders the ranking: within the budget by rank, then the closest; bars relative to the fastest', () => {
    const run = whatIf(
      { repoId: 'r1', model: 'm', knobs: {}, latencyBudgetMs: 10, profile: {} },
      {
        variants: [
          variant('baseline', { state: 'done', withinBudget: true, rank: 2, best: { inferPerSec: 50, latencyUs: 2000 } }),
          variant('slow', { state: 'done', closest: { inferPerSec: 10, latencyUs: 20000 } }),
          variant('fast', { state: 'done', withinBudget: true, rank: 1, best: { inferPerSec: 100, latencyUs: 3000 } }),
        ],
        winner: 'fast',
      },
    );
    const rows = rankingRows(run);
    expect(rows.map((r) => [r.variant.name, r.fraction, r.winner])).toEqual([
      ['fast', 1, true],
      ['baseline', 0.5, false],
      ['slow', 0.1, false],
    ]);
    expect(diffLines('--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n same\n').map((l) => l.kind)).toEqual(['head', 'head', 'hunk', 'del', 'add', 'same']);
  });
});

describe('variant words and the winner’s margin', () => {
  it('puts the knob values in the UI’s language', () => {
    const v = { name: 'instances 2, batching on', changes: ['instance count 2', 'dynamic batching on'], knobs: { instanceCount: 2, dynamicBatching: true } };
    expect(changesText(v, t)).toBe('instance count 2 · dynamic batching on');
    setLocale('zh-CN');
    expect(changesText(v, t)).toBe('实例数 2 · 开启动态批处理');
    expect(changesText({ name: 'baseline', changes: ['the current config'], knobs: {} }, t)).toBe('当前配置');
  });

  it('is the winner’s lead over the measured baseline', () => {
    const run = whatIf(
      { repoId: 'r1', model: 'm', knobs: {}, latencyBudgetMs: 10, profile: {} },
      {
        winner: 'instances 2',
        variants: [variant('baseline', { best: { inferPerSec: 100, latencyUs: 1 } }), variant('instances 2', { best: { inferPerSec: 104, latencyUs: 1 } })],
      },
    );
    expect(winnerMargin(run)).toBeCloseTo(0.04);
    expect(winnerMargin({ ...run, winner: 'baseline' })).toBeUndefined();
  });
});

describe('WhatIfPanel', () => {
  it('starts, shows progress per variant from events, then the ranking, the diff and apply behind a confirmation', async () => {
    const client = fakeClient({
      startWhatIf: (req: WhatIfRequest) => whatIf(req),
      applyWhatIf: () => rec,
    });
    const w = await mountPanel(client);
    expect(w.find('[data-testid="whatif-empty"]').exists()).toBe(true);
    expect(w.find('[data-testid="whatif-no-batching"]').exists()).toBe(true);
    await w.find('[data-testid="whatif-budget"]').setValue('20');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(client.of('startWhatIf')[0]).toMatchObject({ model: 'text_recognition', latencyBudgetMs: 20, knobs: { instanceCounts: [1, 2] } });
    expect(w.find('[data-testid="whatif-stop"]').exists()).toBe(true);
    const req = client.of('startWhatIf')[0]!;
    client.emit({
      type: 'whatif-progress',
      run: whatIf(req, { variants: [variant('baseline', { state: 'running', progress: { level: 1, levels: 2, window: 2, maxWindows: 10 } }), variant('instances 2')] }),
    });
    await flushPromises();
    expect(w.find('[data-testid="whatif-progress"]').text()).toContain('Variant 1 of 2: baseline');
    expect(w.find('[data-testid="whatif-progress"]').text()).toContain('level 1/2, window 2/10');
    // 2 windows of 10 at level 1 of 2, of variant 1 of 2: 5 %.
    expect(w.find('[data-testid="whatif-progressbar"]').attributes('aria-valuenow')).toBe('5');
    const done = whatIf(req, {
      state: 'done',
      profile: { ...req.profile, stabilityPercentage: 50 },
      winner: 'instances 2',
      diff: '--- a/text_recognition/config.pbtxt\n+++ b/text_recognition/config.pbtxt\n@@ -1,1 +1,1 @@\n-instance_group [ { kind: KIND_CPU, count: 1 } ]\n+instance_group [ { kind: KIND_CPU, count: 2 } ]\n',
      variants: [
        variant('baseline', { state: 'done', withinBudget: true, rank: 2, best: { inferPerSec: 20, latencyUs: 9000, concurrency: 1 }, points: [point(1, 20, 9000, { stable: false })] }),
        variant('instances 2', { state: 'done', withinBudget: true, rank: 1, best: { inferPerSec: 35, latencyUs: 11000, concurrency: 2 }, points: [point(1, 25, 8000), point(2, 35, 11000)] }),
      ],
    });
    client.emit({ type: 'whatif-progress', run: done });
    await flushPromises();
    const rows = w.findAll('[data-testid="whatif-ranking"] tbody tr');
    expect(rows.map((r) => r.attributes('data-testid'))).toEqual(['whatif-row-instances 2', 'whatif-row-baseline']);
    expect(rows[0]!.classes()).toContain('winner');
    expect(rows[0]!.text()).toContain('35.0');
    // Each variant's points on one plot; the baseline's only point did not stabilize.
    expect(w.findAll('[data-testid="profile-curve-point"]')).toHaveLength(3);
    expect(rows[1]!.find('[data-testid="whatif-unstable"]').attributes('title')).toContain('did not agree within 50 %');
    expect(rows[0]!.find('[data-testid="whatif-unstable"]').exists()).toBe(false);
    expect(w.find('[data-testid="whatif-diff"]').text()).toContain('+instance_group [ { kind: KIND_CPU, count: 2 } ]');
    await w.find('[data-testid="whatif-apply"]').trigger('click');
    expect(client.of('applyWhatIf')).toHaveLength(0);
    expect(w.find('[data-testid="whatif-confirm"]').text()).toContain('text_recognition/config.pbtxt');
    await w.find('[data-testid="whatif-apply-yes"]').trigger('click');
    await flushPromises();
    expect(client.of('applyWhatIf')).toEqual([{ whatIfId: 'w1', variant: 'instances 2' }]);
    expect(w.find('[data-testid="whatif-applied"]').exists()).toBe(true);
    expect(w.emitted('applied')).toHaveLength(1);
  });

  it('shows form problems and the engine’s refusals in place, and a failed apply', async () => {
    const client = fakeClient({
      startWhatIf: () => {
        throw new LabCallError('INVALID_ARG', "dynamic batching does not apply to 'ident': its max_batch_size is 0");
      },
    });
    const w = await mountPanel(client);
    await w.find('[data-testid="whatif-counts"]').setValue('0');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="whatif-error"]').text()).toContain('Instance counts: give whole numbers');
    expect(client.of('startWhatIf')).toHaveLength(0);
    await w.find('[data-testid="whatif-counts"]').setValue('2');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="whatif-error"]').text()).toContain('max_batch_size is 0');
  });

  it('stops a running what-if and shows the variants as they were left', async () => {
    const client = fakeClient({
      startWhatIf: (req: WhatIfRequest) => whatIf(req),
      stopWhatIf: () => whatIf(client.of('startWhatIf')[0]!, { state: 'stopped', variants: [variant('baseline', { state: 'stopped' }), variant('instances 2', { state: 'stopped' })] }),
    });
    const w = await mountPanel(client);
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="whatif-progressbar"]').exists()).toBe(true);
    await w.find('[data-testid="whatif-stop"]').trigger('click');
    await flushPromises();
    expect(client.of('stopWhatIf')).toEqual([{ whatIfId: 'w1' }]);
    expect(w.find('[data-testid="whatif-stop"]').exists()).toBe(false);
    expect(w.find('[data-testid="whatif-start"]').exists()).toBe(true);
    expect(w.find('[data-testid="whatif-ranking"] caption').text()).toContain('stopped');
  });

  it('warns when the winner leads by less than the measurement noise', async () => {
    const run = whatIf(
      { repoId: 'r1', model: 'text_recognition', knobs: {}, latencyBudgetMs: 100, profile: { stabilityPercentage: 10 } },
      {
        state: 'done',
        winner: 'instances 2',
        diff: '--- a\n+++ b\n@@ -1,1 +1,1 @@\n-count: 1\n+count: 2\n',
        variants: [
          variant('baseline', { state: 'done', withinBudget: true, rank: 2, best: { inferPerSec: 100, latencyUs: 5000 } }),
          variant('instances 2', { state: 'done', withinBudget: true, rank: 1, best: { inferPerSec: 104, latencyUs: 5000 } }),
        ],
      },
    );
    lastWhatIfRuns.set('r1/text_recognition', run);
    const w = await mountPanel(fakeClient());
    expect(w.find('[data-testid="whatif-noise"]').text()).toContain('only 4 % faster');
    lastWhatIfRuns.set('r1/text_recognition', { ...run, variants: [{ ...run.variants[0]!, best: { inferPerSec: 50, latencyUs: 5000 } }, run.variants[1]!] });
    const w2 = await mountPanel(fakeClient());
    expect(w2.find('[data-testid="whatif-noise"]').exists()).toBe(false);
  });

  it('says when no variant kept the budget, and when the baseline is best', async () => {
    const base = whatIf(
      { repoId: 'r1', model: 'text_recognition', knobs: {}, latencyBudgetMs: 1, profile: {} },
      { state: 'done', variants: [variant('baseline', { state: 'done', closest: { inferPerSec: 5, latencyUs: 9000 } })] },
    );
    lastWhatIfRuns.set('r1/text_recognition', base);
    const w = await mountPanel(fakeClient());
    expect(w.find('[data-testid="whatif-no-winner"]').exists()).toBe(true);
    expect(w.find('[data-testid="whatif-row-baseline"]').text()).toContain('over budget');
    setLocale('zh-CN');
    await flushPromises();
    expect(w.find('[data-testid="whatif-no-winner"]').text()).toContain('预算');
  });
});
