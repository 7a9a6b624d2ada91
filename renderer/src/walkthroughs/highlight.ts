/** Pointing at a step's target: find it by nested data-testids, outline it, bring it into view once. */

export const HIGHLIGHT_CLASS = 'wt-highlight';

/** The element for `[a, b]`: a `b` inside an `a`; the first visible match wins. */
export function findTarget(target: readonly string[] | undefined, root: ParentNode = document): HTMLElement | undefined {
  if (!target?.length) return undefined;
  const selector = target.map((id) => `[data-testid="${id.replace(/["\\]/g, '\\$&')}"]`).join(' ');
  const all = [...root.querySelectorAll<HTMLElement>(selector)];
  return all.find((el) => el.getClientRects().length > 0) ?? all[0];
}

/** Keeps one element outlined; `point` moves the outline and scrolls a newly found target into view. */
export class Highlighter {
  private current: HTMLElement | undefined;
  private scrolledFor = '';

  point(target: readonly string[] | undefined, root: ParentNode = document): HTMLElement | undefined {
    const el = findTarget(target, root);
    if (el !== this.current) {
      this.current?.classList.remove(HIGHLIGHT_CLASS);
      el?.classList.add(HIGHLIGHT_CLASS);
      this.current = el;
    }
    const key = target?.join('/') ?? '';
    if (el && key !== this.scrolledFor) {
      this.scrolledFor = key;
      // happy-dom and old engines lack it; pointing still works without scrolling.
      el.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
    }
    return el;
  }

  /** Brings the current target back into view (after the window was resized under it); the user's own scrolling is left alone. */
  reveal(): void {
    const el = this.current;
    if (!el?.isConnected) return;
    const r = el.getBoundingClientRect();
    const view = globalThis.innerHeight ?? 0;
    const shown = Math.max(0, Math.min(r.bottom, view) - Math.max(r.top, 0));
    // Mostly off screen: bring it back, as much of it as fits.
    if (shown < Math.min(r.height, view) / 2) el.scrollIntoView?.({ block: r.height > view ? 'start' : 'nearest' });
  }

  clear(): void {
    this.current?.classList.remove(HIGHLIGHT_CLASS);
    this.current = undefined;
    this.scrolledFor = '';
  }
}
