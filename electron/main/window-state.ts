/**
 * The window's size, position and maximized state, remembered across runs in
 * `window-state.json` under the user data folder. A position no display shows
 * any more (a monitor was unplugged) is dropped so the window opens centred.
 */
import type { BrowserWindow, Rectangle } from 'electron';
import { readJsonFile, writeJsonFileAtomic } from './json-file';

export interface WindowState {
  width: number;
  height: number;
  /** Absent: let the system centre the window. */
  x?: number;
  y?: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1400, height: 900, maximized: false };
export const MIN_WINDOW_SIZE = { width: 900, height: 600 };

/** How much of the window's top strip (its title bar) must be on a display for the position to be kept. */
const VISIBLE_TITLE = { width: 120, height: 32 };

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function parseWindowState(raw: unknown): WindowState | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const o = raw as Record<string, unknown>;
  const { width, height, x, y, maximized } = o;
  if (!isNum(width) || !isNum(height) || width <= 0 || height <= 0) return undefined;
  const state: WindowState = { width: Math.round(width), height: Math.round(height), maximized: maximized === true };
  if (isNum(x) && isNum(y)) {
    state.x = Math.round(x);
    state.y = Math.round(y);
  }
  return state;
}

function overlap(a: Rectangle, b: Rectangle): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/**
 * Makes a saved state fit today's displays (`workAreas`, the primary first):
 * the size is capped to the display it lands on, and a position whose title
 * bar is not on any display is dropped.
 */
export function fitToDisplays(state: WindowState, workAreas: readonly Rectangle[]): WindowState {
  const primary = workAreas[0];
  if (!primary) return state;
  let area = primary;
  let x = state.x;
  let y = state.y;
  if (x !== undefined && y !== undefined) {
    const title = { x, y, width: state.width, height: VISIBLE_TITLE.height };
    const host = workAreas.find((a) => {
      const o = overlap(title, a);
      return o.width >= Math.min(VISIBLE_TITLE.width, state.width) && o.height >= VISIBLE_TITLE.height;
    });
    if (host) area = host;
    else x = y = undefined;
  }
  const width = Math.max(Math.min(state.width, area.width), Math.min(MIN_WINDOW_SIZE.width, area.width));
  const height = Math.max(Math.min(state.height, area.height), Math.min(MIN_WINDOW_SIZE.height, area.height));
  const fitted: WindowState = { width, height, maximized: state.maximized };
  if (x !== undefined && y !== undefined) {
    // Pull it back inside the display it is on (keeps the title bar reachable).
    fitted.x = Math.min(Math.max(x, area.x), area.x + area.width - width);
    fitted.y = Math.min(Math.max(y, area.y), area.y + area.height - height);
  }
  return fitted;
}

export function loadWindowState(file: string, workAreas: readonly Rectangle[], log: (line: string) => void): WindowState {
  return fitToDisplays(readJsonFile(file, parseWindowState, DEFAULT_WINDOW_STATE, log), workAreas);
}

export function saveWindowState(file: string, state: WindowState, log: (line: string) => void): void {
  try {
    writeJsonFileAtomic(file, state);
  } catch (err) {
    log(`could not save the window state to ${file}: ${(err as Error).message}`);
  }
}

/** The state to remember: the bounds the window has when not maximized. */
export function captureWindowState(win: BrowserWindow): WindowState {
  const b = win.getNormalBounds();
  return { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() };
}

/** Saves the window's state shortly after it moves or resizes, and at once when it closes. */
export function trackWindowState(win: BrowserWindow, save: (state: WindowState) => void, delayMs = 500): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const saveNow = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!win.isDestroyed()) save(captureWindowState(win));
  };
  const later = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(saveNow, delayMs);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('maximize', later);
  win.on('unmaximize', later);
  win.on('close', saveNow);
}
