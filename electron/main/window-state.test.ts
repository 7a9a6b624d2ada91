import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BrowserWindow } from 'electron';
import { DEFAULT_WINDOW_STATE, fitToDisplays, loadWindowState, parseWindowState, saveWindowState, trackWindowState, type WindowState } from './window-state';

vi.mock('electron', () => ({}));

const laptop = { x: 0, y: 0, width: 1440, height: 875 };
const rightMonitor = { x: 1440, y: -200, width: 2560, height: 1415 };

describe('window state', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'window-state-'));
  });

  it('reads only well-formed states', () => {
    expect(parseWindowState({ width: 1000.4, height: 700, x: 5, y: 6, maximized: true })).toEqual({ width: 1000, height: 700, x: 5, y: 6, maximized: true });
    expect(parseWindowState({ width: 1000, height: 700, x: 5 })).toEqual({ width: 1000, height: 700, maximized: false });
    for (const bad of [null, [], 'x', { width: 0, height: 700 }, { width: '1000', height: 700 }, { width: Infinity, height: 1 }]) expect(parseWindowState(bad)).toBeUndefined();
  });

  it('keeps a position that is on a display, on any display', () => {
    const s: WindowState = { x: 1600, y: 0, width: 1600, height: 1000, maximized: false };
    expect(fitToDisplays(s, [laptop, rightMonitor])).toEqual(s);
    expect(fitToDisplays({ x: 100, y: 50, width: 1200, height: 800, maximized: true }, [laptop])).toEqual({ x: 100, y: 50, width: 1200, height: 800, maximized: true });
  });

  it('drops a position no display shows any more (the monitor was unplugged) and fits the size to the primary display', () => {
    const onUnplugged = { x: 1600, y: 0, width: 2400, height: 1300, maximized: false };
    expect(fitToDisplays(onUnplugged, [laptop])).toEqual({ width: 1440, height: 875, maximized: false });
    // Only the bottom of the window is visible: its title bar is above the screen.
    expect(fitToDisplays({ x: 100, y: -700, width: 1000, height: 800, maximized: false }, [laptop])).toEqual({ width: 1000, height: 800, maximized: false });
    // A sliver of title bar is not enough to grab.
    expect(fitToDisplays({ x: 1400, y: 100, width: 1000, height: 700, maximized: false }, [laptop])).toEqual({ width: 1000, height: 700, maximized: false });
  });

  it('pulls a window that hangs over the edge back inside its display', () => {
    expect(fitToDisplays({ x: 1000, y: 400, width: 1000, height: 700, maximized: false }, [laptop])).toEqual({ x: 440, y: 175, width: 1000, height: 700, maximized: false });
  });

  it('never goes below the minimum size (unless the display is smaller)', () => {
    expect(fitToDisplays({ width: 300, height: 200, maximized: false }, [laptop])).toEqual({ width: 900, height: 600, maximized: false });
    expect(fitToDisplays({ width: 1400, height: 900, maximized: false }, [{ x: 0, y: 0, width: 800, height: 500 }])).toEqual({ width: 800, height: 500, maximized: false });
  });

  it('saves atomically and reads back what it saved', () => {
    const file = path.join(dir, 'nested', 'window-state.json');
    const log = vi.fn();
    saveWindowState(file, { x: 10, y: 20, width: 1000, height: 700, maximized: true }, log);
    expect(readdirSync(path.dirname(file))).toEqual(['window-state.json']);
    expect(loadWindowState(file, [laptop], log)).toEqual({ x: 10, y: 20, width: 1000, height: 700, maximized: true });
    expect(log).not.toHaveBeenCalled();
  });

  it('starts from the defaults quietly without a file, and with one log line when the file is corrupt', () => {
    const log = vi.fn();
    expect(loadWindowState(path.join(dir, 'none.json'), [rightMonitor], log)).toEqual(DEFAULT_WINDOW_STATE);
    expect(log).not.toHaveBeenCalled();
    const file = path.join(dir, 'window-state.json');
    writeFileSync(file, '{"width": 1000, "hei');
    expect(loadWindowState(file, [rightMonitor], log)).toEqual(DEFAULT_WINDOW_STATE);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]![0]).toMatch(/window-state\.json is not valid JSON .*using defaults/);
    writeFileSync(file, '{"width": "wide"}');
    expect(loadWindowState(file, [rightMonitor], log)).toEqual(DEFAULT_WINDOW_STATE);
    expect(log).toHaveBeenCalledTimes(2);
  });

  it('logs instead of throwing when it cannot save', () => {
    const blocker = path.join(dir, 'file');
    writeFileSync(blocker, '');
    const log = vi.fn();
    saveWindowState(path.join(blocker, 'window-state.json'), DEFAULT_WINDOW_STATE, log);
    expect(log).toHaveBeenCalledTimes(1);
  });

  describe('tracking', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('saves the normal bounds shortly after moves and resizes, and at once on close', () => {
      const on = new Map<string, () => void>();
      let maximized = false;
      const win = {
        on: (ev: string, fn: () => void) => on.set(ev, fn),
        isDestroyed: () => false,
        isMaximized: () => maximized,
        getNormalBounds: () => ({ x: 1, y: 2, width: 1001, height: 702 }),
      } as unknown as BrowserWindow;
      const saved: WindowState[] = [];
      trackWindowState(win, (s) => saved.push(s), 500);
      on.get('move')!();
      on.get('resize')!();
      expect(saved).toEqual([]);
      vi.advanceTimersByTime(500);
      expect(saved).toEqual([{ x: 1, y: 2, width: 1001, height: 702, maximized: false }]);
      maximized = true;
      on.get('maximize')!();
      on.get('close')!();
      expect(saved.at(-1)).toEqual({ x: 1, y: 2, width: 1001, height: 702, maximized: true });
      vi.advanceTimersByTime(1000);
      expect(saved).toHaveLength(2);
    });
  });

  it('the saved file is plain JSON', () => {
    const file = path.join(dir, 'w.json');
    saveWindowState(file, { width: 1000, height: 700, maximized: false }, vi.fn());
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ width: 1000, height: 700, maximized: false });
  });
});
