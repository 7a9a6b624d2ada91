// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HIGHLIGHT_CLASS, Highlighter } from './highlight';

function target(top: number, height: number): HTMLElement {
  document.body.innerHTML = '<div data-testid="timeline"></div>';
  const el = document.querySelector<HTMLElement>('[data-testid=timeline]')!;
  el.getBoundingClientRect = () => ({ top, bottom: top + height, height, left: 0, right: 100, width: 100, x: 0, y: top, toJSON: () => ({}) }) as DOMRect;
  return el;
}

describe('Highlighter', () => {
  afterEach(() => {
    document.body.innerHTML = '';
    vi.restoreAllMocks();
  });

  it('outlines the target and scrolls it into view once per step', () => {
    const el = target(100, 50);
    const scroll = vi.fn();
    el.scrollIntoView = scroll;
    const h = new Highlighter();
    expect(h.point(['timeline'])).toBe(el);
    h.point(['timeline']);
    expect(el.classList).toContain(HIGHLIGHT_CLASS);
    expect(scroll).toHaveBeenCalledTimes(1);
    h.clear();
    expect(el.classList).not.toContain(HIGHLIGHT_CLASS);
  });

  it('after a resize, brings back a target that went mostly off screen, and leaves a visible one alone', () => {
    vi.spyOn(window, 'innerHeight', 'get').mockReturnValue(720);
    const el = target(650, 300);
    const scroll = vi.fn();
    el.scrollIntoView = scroll;
    const h = new Highlighter();
    h.point(['timeline']);
    scroll.mockClear();
    h.reveal();
    expect(scroll).toHaveBeenCalledWith({ block: 'nearest' });
    scroll.mockClear();
    el.getBoundingClientRect = () => ({ top: 300, bottom: 600, height: 300 }) as DOMRect;
    h.reveal();
    expect(scroll).not.toHaveBeenCalled();
  });
});
