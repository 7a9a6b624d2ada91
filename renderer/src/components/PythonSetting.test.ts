// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LabClient, LabSettings } from '@contract/lab-api';
import { LabCallError, setBackend } from '../api/client';
import PythonSetting from './PythonSetting.vue';

function client(): LabClient & { sent: Partial<LabSettings>[] } {
  const sent: Partial<LabSettings>[] = [];
  return {
    sent,
    call: async (method: string, req: unknown) => {
      if (method !== 'setSettings') throw new Error(`unexpected ${method}`);
      const changes = req as Partial<LabSettings>;
      sent.push(changes);
      if (changes.pythonExecutable?.includes('\t')) throw new LabCallError('INVALID_ARG', 'pythonExecutable must be a path or a command name');
      return { theme: 'system', locale: 'en', recentRepositories: [], ...(changes.pythonExecutable ? { pythonExecutable: changes.pythonExecutable } : {}) };
    },
    onEvent: () => () => undefined,
  } as unknown as LabClient & { sent: Partial<LabSettings>[] };
}

describe('PythonSetting', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('saves the interpreter, says the models reload, and goes back to automatic', async () => {
    const c = client();
    setBackend(c);
    const w = mount(PythonSetting);
    await w.get('[data-testid=python-path]').setValue('  /opt/venv/bin/python ');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(c.sent).toEqual([{ pythonExecutable: '/opt/venv/bin/python' }]);
    expect(w.text()).toContain('loading again');
    const auto = w.findAll('button').find((b) => b.text() === 'Find automatically')!;
    await auto.trigger('click');
    await flushPromises();
    expect(c.sent[1]).toEqual({ pythonExecutable: '' });
    expect((w.get('[data-testid=python-path]').element as HTMLInputElement).value).toBe('');
  });

  it('shows a refusal in place', async () => {
    setBackend(client());
    const w = mount(PythonSetting);
    await w.get('[data-testid=python-path]').setValue('py\tthon');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.text()).toContain('must be a path or a command name');
    expect(w.text()).not.toContain('loading again');
  });
});
