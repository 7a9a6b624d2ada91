// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProfileRequest, ProfileRun } from '@contract/lab-api';
import { LabCallError, setBackend } from '../../api/client';
import { setLocale } from '../../i18n';
import { useProfileStore } from '../../stores/profile';
import { detail, fakeClient, type FakeClient, io } from '../playground/test-support';
import ProfilePanel from './ProfilePanel.vue';
import { point, profileRun } from './profile-test-support';

const rec = detail('text_recognition', 0, [io('x', 'FP32', [-1, 3, 48, -1], 0)], [io('softmax_11.tmp_0', 'FP32', [-1, -1, 6625], 0)]);
const mounted: VueWrapper[] = [];

beforeEach(() => {
  setActivePinia(createPinia());
  setLocale('en');
});
afterEach(() => {
  for (const w of mounted.splice(0)) w.unmount();
  useProfileStore().reset();
  setBackend(undefined);
  document.body.innerHTML = '';
});

async function mountPanel(client: FakeClient, d = rec): Promise<VueWrapper> {
  setBackend(client);
  const w = mount(ProfilePanel, { attachTo: document.body, props: { detail: d } });
  mounted.push(w);
  await flushPromises();
  return w;
}

function running(req: ProfileRequest): ProfileRun {
  return profileRun('p1', req.model, {
    state: 'running',
    label: req.label ?? 'text_recognition 1',
    settings: { ...profileRun('x', 'm').settings, measurementIntervalMs: req.measurementIntervalMs! },
    progress: { level: 1, levels: 2, window: 0, maxWindows: 5 },
  });
}

describe('the Profile tab', () => {
  it('shows an empty state, then a sweep live: progress, points as they land, stop', async () => {
    const client = fakeClient({
      listProfiles: () => [],
      startProfile: (req: ProfileRequest) => running(req),
      stopProfile: () => profileRun('p1', 'text_recognition', { state: 'running', progress: { level: 2, levels: 2, window: 2, maxWindows: 5 } }),
    });
    const w = await mountPanel(client);
    expect(w.find('[data-testid="profile-empty"]').text()).toContain('No profiles of this model yet');
    await w.find('[data-testid="profile-shape-x"]').setValue('1, 3, 48, 320');
    await w.find('[data-testid="profile-end"]').setValue('2');
    await w.find('[data-testid="profile-interval"]').setValue('300');
    await w.find('[data-testid="profile-label"]').setValue('baseline');
    await w.find('[data-testid="profile-form"]').trigger('submit');
    await flushPromises();
    expect(client.of('startProfile')[0]).toMatchObject({
      repoId: 'r1',
      model: 'text_recognition',
      concurrency: { start: 1, end: 2, step: 1 },
      shapes: { x: [1, 3, 48, 320] },
      measurementIntervalMs: 300,
      label: 'baseline',
    });
    expect(w.find('[data-testid="profile-progress"]').exists()).toBe(true);
    expect(w.find('[data-testid="profile-start-button"]').attributes('disabled')).toBeDefined();
    expect(w.find('[data-testid="profile-empty"]').exists()).toBe(false);

    const base = running(client.of('startProfile')[0]!);
    client.emit({ type: 'profile-progress', profile: { ...base, progress: { level: 1, levels: 2, window: 3, maxWindows: 5 }, points: [] } });
    await flushPromises();
    expect(w.find('[data-testid="profile-progress-text"]').text()).toBe('Level 1 of 2 · window 3 of at most 5');
    expect(w.find('[data-testid="profile-progress-level"]').text()).toBe('(concurrency 1)');
    expect(w.find('[role="progressbar"]').attributes('aria-valuenow')).toBe('30');

    client.emit({ type: 'profile-progress', profile: { ...base, progress: { level: 2, levels: 2, window: 1, maxWindows: 5 }, points: [point(1, 200, 5000)] } });
    await flushPromises();
    expect(w.findAll('[data-testid="profile-curve-point"]')).toHaveLength(1);
    expect(w.findAll('[data-testid="profile-point-row"]')).toHaveLength(1);

    await w.find('[data-testid="profile-stop"]').trigger('click');
    await flushPromises();
    expect(client.of('stopProfile')).toEqual([{ profileId: 'p1' }]);
    client.emit({ type: 'profile-progress', profile: { ...base, state: 'stopped', points: [point(1, 200, 5000), point(2, 330, 6000)] } });
    await flushPromises();
    expect(w.find('[data-testid="profile-progress"]').exists()).toBe(false);
    expect(w.find('[data-testid="profile-shown-stopped"]').exists()).toBe(true);
    expect(w.findAll('[data-testid="profile-curve-point"]').map((p) => p.attributes('aria-label'))).toEqual(['1: 200 infer/s at 5 ms', '2: 330 infer/s at 6 ms']);
    expect(w.findAll('[data-testid="profile-breakdown-bar"]')).toHaveLength(2);
  });

  it('refuses a bad shape in place without starting anything', async () => {
    const client = fakeClient({ listProfiles: () => [] });
    const w = await mountPanel(client);
    await w.find('[data-testid="profile-shape-x"]').setValue('1, 4, 48, 320');
    await w.find('[data-testid="profile-form"]').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="profile-form-error"]').text()).toBe('Give 4 positive whole numbers that keep the fixed dims of [-1, 3, 48, -1].');
    expect(client.of('startProfile')).toHaveLength(0);
  });

  it('says it is starting while the lab opens the target (a remote server can take its timeout)', async () => {
    let open: (run: ProfileRun) => void = () => undefined;
    const client = fakeClient({ listProfiles: () => [], startProfile: () => new Promise<ProfileRun>((resolve) => (open = resolve)) });
    const w = await mountPanel(client);
    await w.find('[data-testid="profile-form"]').trigger('submit');
    await flushPromises();
    const button = w.find('[data-testid="profile-start-button"]');
    expect(button.text()).toBe('Starting…');
    expect(button.find('.spinner').exists()).toBe(true);
    expect(button.attributes('disabled')).toBeDefined();
    open(running(client.of('startProfile')[0]!));
    await flushPromises();
    expect(w.find('[data-testid="profile-start-button"]').text()).toBe('Start profile');
    expect(w.find('[data-testid="profile-progress"]').exists()).toBe(true);
  });

  it("shows the engine's refusal in place and keeps the form", async () => {
    const client = fakeClient({
      listProfiles: () => [],
      startProfile: () => {
        throw new LabCallError('FAILED_PRECONDITION', "model 'text_recognition' is already being profiled");
      },
    });
    const w = await mountPanel(client);
    await w.find('[data-testid="profile-label"]').setValue('kept');
    await w.find('[data-testid="profile-form"]').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="profile-error"]').text()).toContain('already being profiled');
    expect((w.find('[data-testid="profile-label"]').element as HTMLInputElement).value).toBe('kept');
  });

  it('puts what it was measured on and its warnings first, and a failure in words', async () => {
    const warned = profileRun('p2', 'text_recognition', {
      warnings: ['The client and the server share 2 cores: the client limits the numbers.'],
      points: [point(1, 100, 1000)],
      state: 'error',
      error: { code: 'UNAVAILABLE', message: 'the server closed the connection' },
    });
    const w = await mountPanel(fakeClient({ listProfiles: () => [warned] }));
    expect(w.find('[data-testid="profile-warnings"]').text()).toContain('share 2 cores');
    expect(w.find('[data-testid="profile-machine"]').text()).toContain('Test CPU, 2 cores, linux x64');
    expect(w.find('[data-testid="profile-machine"]').text()).toContain('client and server on the same host');
    expect(w.find('[data-testid="profile-failed"]').text()).toBe('The profile failed: the server closed the connection');
  });

  it('overlays a past profile on the curve, switches the shown one, deletes', async () => {
    const older = profileRun('old', 'text_recognition', { label: 'before', points: [point(1, 100, 9000), point(2, 120, 15000)] });
    const newer = profileRun('new', 'text_recognition', { label: 'after', points: [point(1, 200, 5000), point(2, 330, 6000)], csv: 'Concurrency,Inferences/Second\n1,200\n' });
    const client = fakeClient({ listProfiles: () => [newer, older], deleteProfile: () => ({ deleted: true }) });
    const w = await mountPanel(client);
    expect(w.findAll('[data-testid="profile-curve-overlay"]')).toHaveLength(0);
    const boxes = w.findAll('[data-testid="profile-overlay"]');
    expect(boxes[0]!.attributes('disabled')).toBeDefined();
    await boxes[1]!.setValue(true);
    expect(w.findAll('[data-testid="profile-curve-overlay"]')).toHaveLength(1);
    expect(w.findAll('[data-testid="profile-curve-point"]')).toHaveLength(4);
    expect(w.find('[data-testid="profile-legend-1"]').text()).toBe('before');

    await w.findAll('[data-testid="profile-show"]')[1]!.trigger('click');
    expect(w.find('.shown h2').text()).toContain('before');
    expect(w.findAll('[data-testid="profile-curve-overlay"]')).toHaveLength(0);

    await w.findAll('[data-testid="profile-delete"]')[1]!.trigger('click');
    await flushPromises();
    expect(client.of('deleteProfile')).toEqual([{ profileId: 'old' }]);
    expect(w.findAll('[data-testid="profile-history-item"]')).toHaveLength(1);
    expect(w.find('.shown h2').text()).toContain('after');
  });

  it('draws an overlay even while the shown profile has no point yet', async () => {
    const empty = profileRun('new', 'text_recognition', { label: 'stopped early', state: 'stopped' });
    const older = profileRun('old', 'text_recognition', { label: 'before', points: [point(1, 100, 9000)] });
    const w = await mountPanel(fakeClient({ listProfiles: () => [empty, older] }));
    expect(w.find('[data-testid="profile-no-points"]').exists()).toBe(true);
    expect(w.find('[data-testid="profile-curve"]').exists()).toBe(false);
    await w.findAll('[data-testid="profile-overlay"]')[1]!.setValue(true);
    expect(w.findAll('[data-testid="profile-curve-overlay"]')).toHaveLength(1);
    expect(w.find('[data-testid="profile-legend-0"]').text()).toBe('stopped early (this profile)');
    expect(w.find('[data-testid="profile-points"]').exists()).toBe(false);
  });

  it('ignores progress of other models and lists only this one', async () => {
    const client = fakeClient({ listProfiles: () => [] });
    const w = await mountPanel(client);
    client.emit({ type: 'profile-progress', profile: profileRun('z', 'other_model', { state: 'running' }) });
    await flushPromises();
    expect(w.find('[data-testid="profile-progress"]').exists()).toBe(false);
    expect(client.of('listProfiles')).toEqual([{ repoId: 'r1', model: 'text_recognition' }]);
  });

  it('profiles a remote model over its server and labels open-loop points by request rate', async () => {
    const remote = { ...detail('tiny', 8, [io('INPUT0', 'FP32', [16], 8)], [io('OUTPUT0', 'FP32', [16], 8)]), repoId: 'remote:1' };
    const rateRun = profileRun('r', 'tiny', {
      repoId: 'remote:1',
      settings: { batchSize: 4, inputData: 'zero', measurementIntervalMs: 500, maxTrials: 10, requestRate: { start: 50, end: 100, step: 50 } },
      target: { kind: 'grpc', address: 'grpc://10.0.0.5:8001', sameHost: false },
      machine: { cores: 16, cpuModel: 'Test CPU', platform: 'linux x64', sameHost: false },
      points: [point(0, 50, 800, { concurrency: undefined, requestRate: 50 }), point(0, 100, 900, { concurrency: undefined, requestRate: 100 })],
    });
    const client = fakeClient({ listProfiles: () => [rateRun], startProfile: (req: ProfileRequest) => ({ ...rateRun, profileId: 'r2', state: 'running', settings: { ...rateRun.settings, ...req } }) });
    const w = await mountPanel(client, remote);
    // What-if loads variants as temporary configs in the lab: not for a model on another server (here not loaded: no metadata).
    expect(w.find('[data-testid="whatif-panel"]').exists()).toBe(false);
    expect(w.find('[data-testid="profile-batch"]').exists()).toBe(true);
    expect(w.find('[data-testid="profile-points"] th').text()).toBe('Request Rate');
    expect(w.findAll('[data-testid="profile-point-row"]').map((r) => r.find('td').text())).toEqual(['50', '100']);
    expect(w.find('[data-testid="profile-machine"]').text()).toContain('gRPC grpc://10.0.0.5:8001');
    expect(w.find('[data-testid="profile-machine"]').text()).toContain('client and server on different hosts');
    await w.find('[data-testid="profile-mode-rate"]').setValue(true);
    await w.find('[data-testid="profile-batch"]').setValue('4');
    await w.find('[data-testid="profile-start"]').setValue('50');
    await w.find('[data-testid="profile-end"]').setValue('100');
    await w.find('[data-testid="profile-step"]').setValue('50');
    await w.find('[data-testid="profile-form"]').trigger('submit');
    await flushPromises();
    expect(client.of('startProfile')[0]).toMatchObject({ repoId: 'remote:1', model: 'tiny', batchSize: 4, requestRate: { start: 50, end: 100, step: 50 } });
    expect(client.of('startProfile')[0]).not.toHaveProperty('concurrency');
  });

  it('speaks Chinese', async () => {
    setLocale('zh-CN');
    const w = await mountPanel(fakeClient({ listProfiles: () => [profileRun('p', 'text_recognition', { points: [point(1, 100, 1000)] })] }));
    expect(w.text()).toContain('吞吐量与延迟');
    expect(w.text()).toContain('开始性能分析');
    expect(w.find('[data-testid="profile-machine"]').text()).toContain('2 个核心');
  });
});

describe('an applied what-if', () => {
  it("puts the reloaded model's detail on its page at once (another model's is left alone)", async () => {
    const w = await mountPanel(fakeClient({ listProfiles: () => [] }));
    const { useModelStore } = await import('../../stores/model');
    const { default: WhatIfPanel } = await import('./WhatIfPanel.vue');
    const store = useModelStore();
    store.detail = rec;
    const reloaded = { ...rec, configText: 'instance_group [ { count: 2 } ]\n' };
    w.findComponent(WhatIfPanel).vm.$emit('applied', reloaded);
    expect(store.detail?.configText).toBe(reloaded.configText);
    const other = { ...rec, summary: { ...rec.summary, name: 'other' } };
    w.findComponent(WhatIfPanel).vm.$emit('applied', { ...other, configText: 'other' });
    expect(store.detail?.summary.name).toBe('text_recognition');
    expect(store.detail?.configText).toBe(reloaded.configText);
  });
});
