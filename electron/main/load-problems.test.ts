/** The load-problem dialog's text in both languages, and one question at a time. */
import { describe, expect, it, vi } from 'vitest';
import { problemText, watchLoad, type WatchedWindow } from './load-problems';

function fakeWindow(): { win: WatchedWindow; emit: Map<string, (...a: unknown[]) => void>; shown: () => boolean } {
  const emit = new Map<string, (...a: unknown[]) => void>();
  let shown = false;
  const win = {
    isDestroyed: () => false,
    isVisible: () => shown,
    show: () => void (shown = true),
    once: (ev: string, fn: () => void) => emit.set(ev, fn),
    webContents: { on: (ev: string, fn: (...a: unknown[]) => void) => emit.set(ev, fn) },
  } as unknown as WatchedWindow;
  return { win, emit, shown: () => shown };
}

describe('load problems', () => {
  it('say what failed, in English and Chinese', () => {
    const gone = { kind: 'renderer-gone', reason: 'oom', exitCode: 5 } as const;
    expect(problemText(gone, 'en')).toEqual({
      message: 'The lab window stopped unexpectedly.',
      detail: 'Its renderer process ended: oom (exit code 5). Your repositories and runs are kept by the engine.',
      buttons: ['Reload', 'Quit'],
    });
    const zh = problemText({ kind: 'load-failed', code: -6, description: 'ERR_FILE_NOT_FOUND', url: 'model-lab://app/index.html' }, 'zh-CN');
    expect(zh.message).toBe('实验室窗口无法加载。');
    expect(zh.detail).toBe('加载 model-lab://app/index.html 失败：ERR_FILE_NOT_FOUND（错误 -6）。');
    expect(zh.buttons).toEqual(['重新加载', '退出']);
  });

  it("counts a main page answered with an HTTP error (the app scheme's 404 for a missing index.html) as a failed load", async () => {
    const { win, emit, shown } = fakeWindow();
    const ask = vi.fn(() => Promise.resolve(1));
    const quit = vi.fn();
    watchLoad(win, { ask, reload: vi.fn(), quit, locale: () => 'en', log: vi.fn(), showAfterMs: 60_000 });
    const navigated = emit.get('did-navigate')!;
    navigated({}, 'model-lab://app/index.html', 200, 'OK');
    navigated({}, 'http://localhost:5173/', -1, '');
    expect(ask).not.toHaveBeenCalled();
    navigated({}, 'model-lab://app/index.html', 404, 'Not Found');
    expect(shown()).toBe(true);
    expect(ask).toHaveBeenCalledWith(expect.objectContaining({ message: 'The lab window could not load.', detail: 'Loading model-lab://app/index.html failed: Not Found (error 404).' }));
    await vi.waitFor(() => expect(quit).toHaveBeenCalledTimes(1));
    emit.get('closed')!();
  });

  it('asks one question at a time, and again after it was answered', async () => {
    const { win, emit, shown } = fakeWindow();
    let answer: (n: number) => void = () => undefined;
    const ask = vi.fn(() => new Promise<number>((r) => (answer = r)));
    const reload = vi.fn();
    watchLoad(win, { ask, reload, quit: vi.fn(), locale: () => 'en', log: vi.fn(), showAfterMs: 60_000 });
    const gone = emit.get('render-process-gone')!;
    gone({}, { reason: 'crashed', exitCode: 1 });
    gone({}, { reason: 'crashed', exitCode: 1 });
    expect(shown()).toBe(true);
    expect(ask).toHaveBeenCalledTimes(1);
    answer(0);
    await vi.waitFor(() => expect(reload).toHaveBeenCalledTimes(1));
    gone({}, { reason: 'killed', exitCode: 9 });
    await vi.waitFor(() => expect(ask).toHaveBeenCalledTimes(2));
    emit.get('closed')!();
  });
});
