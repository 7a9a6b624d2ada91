/**
 * The start-up splash (static in index.html, so it paints before any script)
 * is handed over to the app here: once the app is mounted it says what the lab
 * waits for next (the open repositories) in the user's language, and it goes
 * when the repositories are listed, or after a cap, so it never hides an error.
 */

/** However the start goes, the splash leaves after this long and the app's own states show. */
export const SPLASH_CAP_MS = 15_000;
const THEME_KEY = 'model-lab.splash-theme';

export class Splash {
  private readonly el: HTMLElement | null;
  private capTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly doc: Document = document) {
    this.el = doc.getElementById('splash');
    if (this.el) this.capTimer = setTimeout(() => this.dismiss(), SPLASH_CAP_MS);
  }

  /** Whether the splash is still on screen. */
  get showing(): boolean {
    return !!this.el?.isConnected && !this.el.classList.contains('gone');
  }

  /** Replaces the line of what is loading (one line, in the language the app chose). */
  say(text: string, lang: string): void {
    const what = this.el?.querySelector('.what');
    if (!what) return;
    for (const s of [...what.querySelectorAll('[data-step]')]) s.remove();
    const line = this.doc.createElement('span');
    line.lang = lang;
    line.dataset['step'] = 'app';
    line.textContent = text;
    // Shown whatever the page language says: it is already in the app's language.
    line.style.display = 'inline';
    what.append(line);
  }

  /** Fades the splash out, then removes it. */
  dismiss(): void {
    if (this.capTimer) clearTimeout(this.capTimer);
    this.capTimer = undefined;
    const el = this.el;
    if (!el?.isConnected || el.classList.contains('gone')) return;
    el.classList.add('gone');
    el.setAttribute('aria-hidden', 'true');
    setTimeout(() => el.remove(), 250);
  }
}

/** Keeps the splash's colours with the lab's theme for the next start (the OS preference is only the default). */
export function rememberSplashTheme(doc: Document = document, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): () => void {
  const root = doc.documentElement;
  const save = (): void => {
    const theme = root.dataset['theme'];
    if (theme === 'dark' || theme === 'light') storage?.setItem(THEME_KEY, theme);
  };
  save();
  const observer = new MutationObserver(save);
  observer.observe(root, { attributes: true, attributeFilter: ['data-theme'] });
  return () => observer.disconnect();
}
