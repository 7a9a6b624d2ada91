/**
 * A window that never appears is the worst first run: the lab window is
 * created hidden and shown on `ready-to-show`, so a page that fails to load
 * (a missing bundle, a refused scheme) or a renderer that dies would leave
 * nothing on screen and nothing said. This watches the window's contents:
 * a main-frame `did-fail-load`, a main-frame page answered with an HTTP error
 * status (`did-navigate` with 4xx/5xx: the app scheme answers a missing
 * index.html with 404 and a body, which Chromium shows as a page, not a failed
 * load) or a `render-process-gone` shows the window
 * and asks, in the menu's language, whether to Reload or Quit (the reason in
 * the detail); and if `ready-to-show` has not come after a while, the window
 * is shown anyway. One question at a time; a later failure while it is open
 * is logged only. Electron-free (the window and the dialog are injected), so
 * it is tested with a fake window.
 */
import type { MenuLocale } from './menu';

export type LoadProblem = { kind: 'load-failed'; code: number; description: string; url: string } | { kind: 'renderer-gone'; reason: string; exitCode: number };

/** What of a BrowserWindow this needs. */
export interface WatchedWindow {
  isDestroyed(): boolean;
  isVisible(): boolean;
  show(): void;
  once(event: 'ready-to-show' | 'closed', listener: () => void): unknown;
  webContents: {
    on(event: 'did-fail-load', listener: (event: unknown, code: number, description: string, url: string, isMainFrame: boolean) => void): unknown;
    on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string; exitCode: number }) => void): unknown;
    on(event: 'did-navigate', listener: (event: unknown, url: string, httpResponseCode: number, httpStatusText: string) => void): unknown;
  };
}

export interface LoadWatchOptions {
  /** The question: resolves with the index of the button chosen (0 Reload, 1 Quit). */
  ask(text: ProblemText): Promise<number>;
  reload(): void;
  quit(): void;
  locale(): MenuLocale;
  log(line: string): void;
  /** Show the window after this long even without `ready-to-show` (default 10 s). */
  showAfterMs?: number;
}

export interface ProblemText {
  message: string;
  detail: string;
  buttons: [reload: string, quit: string];
}

/** Chromium's net::ERR_ABORTED: a load replaced by another (a reload, a hash change). Not a failure. */
const ERR_ABORTED = -3;

const TEXT = {
  en: {
    loadFailed: 'The lab window could not load.',
    gone: 'The lab window stopped unexpectedly.',
    loadDetail: 'Loading {url} failed: {description} (error {code}).',
    goneDetail: 'Its renderer process ended: {reason} (exit code {exitCode}). Your repositories and runs are kept by the engine.',
    reload: 'Reload',
    quit: 'Quit',
  },
  'zh-CN': {
    loadFailed: '实验室窗口无法加载。',
    gone: '实验室窗口意外停止。',
    loadDetail: '加载 {url} 失败：{description}（错误 {code}）。',
    goneDetail: '渲染进程已结束：{reason}（退出码 {exitCode}）。仓库和运行记录仍由引擎保留。',
    reload: '重新加载',
    quit: '退出',
  },
} as const satisfies Record<MenuLocale, Record<string, string>>;

const fill = (template: string, values: Record<string, string | number>): string => template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));

export function problemText(problem: LoadProblem, locale: MenuLocale): ProblemText {
  const t = TEXT[locale];
  const buttons: [string, string] = [t.reload, t.quit];
  if (problem.kind === 'load-failed') return { message: t.loadFailed, detail: fill(t.loadDetail, problem), buttons };
  return { message: t.gone, detail: fill(t.goneDetail, problem), buttons };
}

/** Watches `win` until it closes; see the module header. */
export function watchLoad(win: WatchedWindow, opts: LoadWatchOptions): void {
  let asking = false;
  const reveal = (): void => {
    if (!win.isDestroyed() && !win.isVisible()) win.show();
  };
  const timer = setTimeout(() => {
    if (win.isDestroyed() || win.isVisible()) return;
    opts.log('the window was not ready to show in time; showing it anyway');
    reveal();
  }, opts.showAfterMs ?? 10_000);
  const stop = (): void => clearTimeout(timer);
  win.once('ready-to-show', stop);
  win.once('closed', stop);
  const report = (problem: LoadProblem): void => {
    const text = problemText(problem, opts.locale());
    opts.log(`${text.message} ${text.detail}`);
    stop();
    reveal();
    if (asking) return;
    asking = true;
    void opts
      .ask(text)
      .then((choice) => (choice === 0 ? opts.reload() : opts.quit()))
      .catch((err: unknown) => opts.log(`the load problem dialog failed: ${String(err)}`))
      .finally(() => {
        asking = false;
      });
  };
  win.webContents.on('did-fail-load', (_e, code, description, url, isMainFrame) => {
    if (isMainFrame && code !== ERR_ABORTED) report({ kind: 'load-failed', code, description, url });
  });
  // Main frame only; httpResponseCode is -1 for a navigation without a response status.
  win.webContents.on('did-navigate', (_e, url, httpResponseCode, httpStatusText) => {
    if (httpResponseCode >= 400) report({ kind: 'load-failed', code: httpResponseCode, description: httpStatusText || `HTTP ${httpResponseCode}`, url });
  });
  win.webContents.on('render-process-gone', (_e, details) => {
    // 'clean-exit' is the renderer closing with its window (quitting); nothing to report.
    if (details.reason !== 'clean-exit') report({ kind: 'renderer-gone', reason: details.reason, exitCode: details.exitCode });
  });
}
