// @vitest-environment happy-dom
/**
 * The "Path" source: the lab reads typed paths only inside open repositories
 * and the sample images, so the form says so where the path is typed (in the
 * UI's language), offers the native file dialog in the desktop app, and the
 * upload in browser mode.
 */
import { flushPromises } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { InputPathCheck, RunRequest } from '@contract/lab-api';
import { setLocale } from '../../i18n';
import { useRepositoriesStore } from '../../stores/repositories';
import { setupPanelTests } from './panel-test-setup';
import RunPanel from './RunPanel.vue';
import { fakeClient, ocrEnsemble, runResult, TensorViewStub } from './test-support';

const mountPanel = setupPanelTests(RunPanel, TensorViewStub);

const checks: Record<string, InputPathCheck> = {
  '/etc/passwd': { path: '/etc/passwd', readable: false, reason: 'outside' },
  '/repo/missing.png': { path: '/repo/missing.png', readable: false, reason: 'missing' },
  '/repo/images': { path: '/repo/images', readable: false, reason: 'not-a-file' },
  '/repo/ok.png': { path: '/repo/ok.png', readable: true },
};

function client(picked: string | null = '/home/me/scan.png') {
  return fakeClient({
    checkInputPath: (req: { path: string }) => checks[req.path] ?? { path: req.path, readable: true },
    pickInputFile: () => ({ path: picked }),
    runModel: (req: RunRequest) => runResult(req.runId!, ocrEnsemble),
  });
}

async function typePath(w: Awaited<ReturnType<typeof mountPanel>>, value: string): Promise<void> {
  const input = w.get('[data-testid=path-input_image]');
  await input.setValue(value);
  await input.trigger('change');
  await flushPromises();
}

describe('typing a path', () => {
  it('explains in place why the lab will not read it, in English and Chinese (browser mode: upload instead)', async () => {
    const c = client();
    const w = await mountPanel(ocrEnsemble, c);
    useRepositoriesStore().host = { mode: 'browser', appVersion: 't', platform: 'linux', canPickFolder: false };
    await w.get('[data-testid=source-mode-path]').trigger('click');
    expect(w.find('[data-testid=pick-file-input_image]').exists()).toBe(false);
    await typePath(w, '/etc/passwd');
    expect(c.of('checkInputPath')).toContainEqual({ path: '/etc/passwd' });
    const refused = w.get('[data-testid=path-refused-input_image]');
    expect(refused.text()).toContain('only from open repositories and the sample images');
    expect(refused.text()).toContain('File');
    setLocale('zh-CN');
    await flushPromises();
    expect(w.get('[data-testid=path-refused-input_image]').text()).toContain('已打开的模型仓库');
    setLocale('en');
    await w.get('[data-testid=use-upload-input_image]').trigger('click');
    expect(w.find('[data-testid=file-input_image]').exists()).toBe(true);
  });

  it('says when nothing is there, or it is a folder, and clears once the path is readable', async () => {
    const w = await mountPanel(ocrEnsemble, client());
    await w.get('[data-testid=source-mode-path]').trigger('click');
    await typePath(w, '/repo/missing.png');
    expect(w.get('[data-testid=path-refused-input_image]').text()).toContain('no file at this path');
    await typePath(w, '/repo/images');
    expect(w.get('[data-testid=path-refused-input_image]').text()).toContain('folder');
    await typePath(w, '/repo/ok.png');
    expect(w.find('[data-testid=path-refused-input_image]').exists()).toBe(false);
  });
});

describe('the desktop file dialog', () => {
  it('fills the path with the picked file, which the run then sends', async () => {
    const c = client();
    const w = await mountPanel(ocrEnsemble, c);
    useRepositoriesStore().host = { mode: 'electron', appVersion: 't', platform: 'linux', canPickFolder: true, canPickFile: true };
    await w.get('[data-testid=source-mode-path]').trigger('click');
    await typePath(w, '/etc/passwd');
    expect(w.get('[data-testid=path-refused-input_image]').text()).toContain('Choose file');
    await w.get('[data-testid=pick-file-input_image]').trigger('click');
    await flushPromises();
    expect(c.of('pickInputFile')).toHaveLength(1);
    expect((w.get('[data-testid=path-input_image]').element as HTMLInputElement).value).toBe('/home/me/scan.png');
    expect(w.find('[data-testid=path-refused-input_image]').exists()).toBe(false);
    await w.get('[data-testid=run-button]').trigger('click');
    await flushPromises();
    expect(c.of('runModel')[0]!.inputs[0]).toMatchObject({ kind: 'bytes', source: { path: '/home/me/scan.png' } });
  });

  it('leaves the path alone when the dialog is cancelled', async () => {
    const w = await mountPanel(ocrEnsemble, client(null));
    useRepositoriesStore().host = { mode: 'electron', appVersion: 't', platform: 'linux', canPickFolder: true, canPickFile: true };
    await w.get('[data-testid=source-mode-path]').trigger('click');
    await typePath(w, '/repo/ok.png');
    await w.get('[data-testid=pick-file-input_image]').trigger('click');
    await flushPromises();
    expect((w.get('[data-testid=path-input_image]').element as HTMLInputElement).value).toBe('/repo/ok.png');
  });
});
