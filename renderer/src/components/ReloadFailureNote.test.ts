// @vitest-environment happy-dom
/**
 * A model that keeps serving after a failed reload shows both facts: READY in
 * the tree with a "reload failed" chip, and in the model view a note with why,
 * in English and in Chinese.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LabClient } from '@contract/lab-api';
import App from '../App.vue';
import { setBackend } from '../api/client';
import { setLocale } from '../i18n';
import { detail as modelDetail, fakeClient, repository } from './playground/test-support';
import ReloadFailureNote from './ReloadFailureNote.vue';

const failure = { kind: 'load' as const, reason: "version 1 is at UNAVAILABLE state: Internal: unable to load model 'm': not a valid ONNX model;", time: Date.UTC(2025, 0, 1, 12, 0, 0) };
const detail = modelDetail('m', 0, [], [], { reloadFailure: failure });
const summary = detail.summary;

function backend(): LabClient {
  return fakeClient({
    listRepositories: () => [repository('r1', 'demo', '/repos/demo', { models: [summary] })],
    getModel: () => detail,
    hostInfo: () => ({ mode: 'browser', appVersion: 't', platform: 'linux', canPickFolder: false }),
    getSettings: () => ({ theme: 'system', locale: 'en', recentRepositories: [] }),
  });
}

beforeEach(() => {
  setActivePinia(createPinia());
  setLocale('en');
});

describe('a model serving its previous version after a failed reload', () => {
  it('is READY in the tree with a "reload failed" chip, and the model view says why', async () => {
    setBackend(backend());
    const w = mount(App, { global: { plugins: [createPinia()] } });
    await flushPromises();
    const row = w.get('[data-testid=model-m]');
    expect(row.get('[data-state]').attributes('data-state')).toBe('READY');
    expect(row.get('[data-testid=reload-failed-chip]').text()).toBe('reload failed');
    expect(row.get('[data-testid=reload-failed-chip]').attributes('title')).toContain('not a valid ONNX model');
    await row.get('.model-main').trigger('click');
    await flushPromises();
    const note = w.get('[data-testid=model-reload-failure]');
    expect(note.text()).toContain('Still serving the version loaded before');
    expect(note.text()).toContain('not a valid ONNX model');
    expect(w.get(`[data-testid=model-view-m] [data-state]`).attributes('data-state')).toBe('READY');
  });

  it('in Chinese', () => {
    setLocale('zh-CN');
    const chip = mount(ReloadFailureNote, { props: { failure, compact: true } });
    expect(chip.text()).toBe('重新加载失败');
    const note = mount(ReloadFailureNote, { props: { failure } });
    expect(note.text()).toContain('仍在提供之前加载的版本');
    expect(note.text()).toContain(failure.reason);
  });
});
