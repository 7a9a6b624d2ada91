// @vitest-environment happy-dom
/**
 * Which execution provider each ONNX instance runs on, and why it fell back:
 * on the model page (every loaded ONNX version) and as a chip in the tree
 * (only for a GPU provider or a fallback), in English and in Chinese.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { InstancePlacement, LabClient } from '@contract/lab-api';
import App from '../App.vue';
import { setBackend } from '../api/client';
import { setLocale } from '../i18n';
import { engineNote, reasonText } from '../i18n/diagnostic-text';
import ExecutionProviders from './ExecutionProviders.vue';
import { detail as modelDetail, fakeClient, repository } from './playground/test-support';

const NO_CUDA =
  'the config asks for a GPU, but this onnxruntime-node install has no CUDA execution provider (reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12 on a machine with CUDA 12); running on CPU';
const cpu = (name: string): InstancePlacement => ({ name, device: 'CPU', provider: 'CPUExecutionProvider' });
const cuda = (name: string, gpu: number): InstancePlacement => ({ name, device: `GPU ${gpu}`, provider: 'CUDAExecutionProvider' });

beforeEach(() => {
  setActivePinia(createPinia());
  setLocale('en');
});

describe('ExecutionProviders', () => {
  it('lists the instances per provider and device; no tree chip for plain CPU', () => {
    const w = mount(ExecutionProviders, { props: { instances: [cpu('m_0_0'), cpu('m_0_1')] } });
    const groups = w.findAll('[data-testid=ep-group]');
    expect(groups).toHaveLength(1);
    expect(groups[0]!.text()).toBe('CPUExecutionProvider on CPU, 2 instances: m_0_0, m_0_1');
    expect(w.text()).toContain('Execution provider');
    expect(w.text()).not.toContain('fell back');
    expect(
      mount(ExecutionProviders, { props: { instances: [cpu('m_0_0')], compact: true } })
        .find('[data-testid=ep-chip]')
        .exists(),
    ).toBe(false);
  });

  it('CUDA on one GPU and CPU elsewhere: two lines, and a CUDA + CPU chip', () => {
    const instances = [cuda('m_0_0', 0), cpu('m_1_0')];
    const w = mount(ExecutionProviders, { props: { instances } });
    expect(w.findAll('[data-testid=ep-group]').map((g) => g.text())).toEqual(['CUDAExecutionProvider on GPU 0, 1 instance: m_0_0', 'CPUExecutionProvider on CPU, 1 instance: m_1_0']);
    const chip = mount(ExecutionProviders, { props: { instances, compact: true } }).get('[data-testid=ep-chip]');
    expect(chip.text()).toBe('CUDA + CPU');
    expect(chip.attributes('title')).toBe('CUDAExecutionProvider on GPU 0, 1 instance: m_0_0\nCPUExecutionProvider on CPU, 1 instance: m_1_0');
  });

  it('a fallback is marked, and the chip says why', () => {
    const w = mount(ExecutionProviders, { props: { instances: [cpu('m_0_0')], fallback: NO_CUDA } });
    expect(w.get('[data-testid=ep-group]').text()).toContain('fell back to CPU');
    const chip = mount(ExecutionProviders, { props: { instances: [cpu('m_0_0')], fallback: NO_CUDA, compact: true } }).get('[data-testid=ep-chip]');
    expect(chip.text()).toBe('fell back to CPU');
    expect(chip.classes()).toContain('warn');
    expect(chip.attributes('title')).toBe(`CPUExecutionProvider on CPU, 1 instance: m_0_0\n${NO_CUDA}`);
  });

  it('in Chinese', () => {
    setLocale('zh-CN');
    const w = mount(ExecutionProviders, { props: { instances: [cpu('m_0_0'), cpu('m_0_1')], fallback: NO_CUDA } });
    expect(w.text()).toContain('执行提供程序');
    expect(w.get('[data-testid=ep-group]').text()).toBe('CPUExecutionProvider，在 CPU 上，2 个实例：m_0_0, m_0_1 已回退到 CPU');
    // The tree chip's tooltip gives the reason in Chinese too, as the model page does.
    const chip = mount(ExecutionProviders, { props: { instances: [cpu('m_0_0')], fallback: NO_CUDA, compact: true } }).get('[data-testid=ep-chip]');
    expect(chip.text()).toBe('已回退到 CPU');
    expect(chip.attributes('title')).toBe(`CPUExecutionProvider，在 CPU 上，1 个实例：m_0_0\n${engineNote(NO_CUDA, 'zh-CN').text}`);
    expect(chip.attributes('title')).toContain('现在在 CPU 上运行');
  });

  it('instances without a provider (other backends) show nothing', () => {
    const w = mount(ExecutionProviders, { props: { instances: [{ name: 'p_0', device: 'CPU' }] } });
    expect(w.find('[data-testid=execution-providers]').exists()).toBe(false);
  });
});

describe('ONNX Runtime that does not load (reason ORT_BINDING)', () => {
  it('reads in Chinese, with the fix for the platform', () => {
    const win =
      'Unavailable: ONNX Runtime could not be loaded on this computer (win32-x64): The specified module could not be found. To run ONNX models: install the Microsoft Visual C++ Redistributable (x64: https://aka.ms/vs/17/release/vc_redist.x64.exe), then restart Model Lab.';
    expect(reasonText(win, 'zh-CN')).toEqual({
      text: '不可用：这台计算机无法加载 ONNX Runtime（win32-x64）：The specified module could not be found。要运行 ONNX 模型：安装 Microsoft Visual C++ 运行库（Visual C++ Redistributable，x64：https://aka.ms/vs/17/release/vc_redist.x64.exe），然后重新启动 Model Lab。',
      english: win,
    });
    const mac = reasonText(
      'Unavailable: ONNX Runtime could not be loaded on this computer (darwin-x64): no such file. To run ONNX models: onnxruntime-node 1.30 ships no binary for Intel Macs: ONNX models run on Apple-silicon Macs, Linux and Windows (or add a Triton server with "Add server…" and run them there).',
      'zh-CN',
    );
    expect(mac.text).toContain('没有提供 Intel Mac 的二进制文件');
  });
});

describe('in the app', () => {
  it('the model page shows the provider and the fallback note; the tree marks the version', async () => {
    const versions = [{ version: 1, served: true, state: 'READY' as const, reason: '', files: [], device: 'CPU', deviceNote: NO_CUDA, instances: [cpu('m_0_0')] }];
    const d = modelDetail('m', 0, [], [], { versions });
    const client: LabClient = fakeClient({
      listRepositories: () => [repository('r1', 'demo', '/repos/demo', { models: [d.summary] })],
      getModel: () => d,
      hostInfo: () => ({ mode: 'browser', appVersion: 't', platform: 'linux', canPickFolder: false }),
      getSettings: () => ({ theme: 'system', locale: 'en', recentRepositories: [] }),
    });
    setBackend(client);
    const w = mount(App, { global: { plugins: [createPinia()] } });
    await flushPromises();
    await w.get('[data-testid=model-m] .model-main').trigger('click');
    await flushPromises();
    const view = w.get('[data-testid=model-view-m]');
    expect(view.get('[data-testid=execution-providers]').text()).toContain('CPUExecutionProvider on CPU, 1 instance: m_0_0');
    expect(view.get('[data-testid=execution-providers]').text()).toContain('fell back to CPU');
    expect(view.text()).toContain(NO_CUDA);
    const chip = w.get('[data-testid=version-m-1] [data-testid=ep-chip]');
    expect(chip.text()).toBe('fell back to CPU');
  });
});
