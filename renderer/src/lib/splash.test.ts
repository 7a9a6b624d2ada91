// @vitest-environment happy-dom
/**
 * The splash of index.html: product name and what is loading in both
 * languages, the language picked before the app runs (saved locale, else the
 * system's), then handed to the app, which says what it waits for and removes it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rememberSplashTheme, Splash, SPLASH_CAP_MS } from './splash';
import html from '../../index.html?raw';
import script from '../../public/splash.js?raw';

function loadPage(): void {
  document.documentElement.lang = 'en';
  document.documentElement.removeAttribute('data-splash-theme');
  // Scripts stay out: the test runs splash.js itself.
  document.body.innerHTML = html.slice(html.indexOf('<body>') + 6, html.indexOf('</body>')).replace(/<script[\s\S]*?<\/script>/g, '');
}

function runSplashScript(language: string): void {
  vi.spyOn(navigator, 'language', 'get').mockReturnValue(language);
  new Function(script)();
}

describe('index.html splash', () => {
  beforeEach(() => {
    localStorage.clear();
    loadPage();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('is static markup with the product name and a loading line in English and 简体中文, and the page’s script allows no inline code', () => {
    const splash = document.getElementById('splash')!;
    expect(splash.querySelector('.name')!.textContent).toContain('Model Lab');
    expect(splash.querySelector('[lang=en]')!.textContent).toBe('Starting the lab…');
    expect(splash.querySelector('[lang=zh-CN]')!.textContent).toBe('正在启动 Model Lab…');
    expect(html).toMatch(/<script src="\.\/splash\.js"><\/script>/);
    expect(html).toContain("script-src 'self';");
    expect(html).toMatch(/prefers-color-scheme: dark/);
  });

  it('picks the language from the saved locale first, then the system language', () => {
    runSplashScript('zh-CN');
    expect(document.documentElement.lang).toBe('zh-CN');
    localStorage.setItem('model-lab.locale', 'en');
    runSplashScript('zh-TW');
    expect(document.documentElement.lang).toBe('en');
    localStorage.setItem('model-lab.locale', 'zh-CN');
    runSplashScript('en-US');
    expect(document.documentElement.lang).toBe('zh-CN');
    localStorage.clear();
    runSplashScript('de-DE');
    expect(document.documentElement.lang).toBe('en');
  });

  it('takes the theme the lab last showed', () => {
    localStorage.setItem('model-lab.splash-theme', 'dark');
    runSplashScript('en');
    expect(document.documentElement.getAttribute('data-splash-theme')).toBe('dark');
    document.documentElement.dataset['theme'] = 'light';
    const stop = rememberSplashTheme();
    expect(localStorage.getItem('model-lab.splash-theme')).toBe('light');
    stop();
  });

  it('once mounted says what the app waits for, then fades out and is removed', async () => {
    vi.useFakeTimers();
    const s = new Splash();
    s.say('正在打开模型仓库…', 'zh-CN');
    const lines = [...document.querySelectorAll('#splash [data-step]')];
    expect(lines.map((l) => l.textContent)).toEqual(['正在打开模型仓库…']);
    expect(s.showing).toBe(true);
    s.dismiss();
    expect(document.getElementById('splash')!.classList).toContain('gone');
    expect(s.showing).toBe(false);
    await vi.advanceTimersByTimeAsync(300);
    expect(document.getElementById('splash')).toBeNull();
  });

  it('never stays longer than the cap, so it cannot hide what the app shows', async () => {
    vi.useFakeTimers();
    const s = new Splash();
    await vi.advanceTimersByTimeAsync(SPLASH_CAP_MS + 300);
    expect(s.showing).toBe(false);
    expect(document.getElementById('splash')).toBeNull();
  });
});
