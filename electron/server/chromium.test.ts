import { describe, expect, it } from 'vitest';
import { chromiumArgs, findChromium, hasDisplay } from './chromium';

describe('browser-mode window', () => {
  it('starts Chromium as an app window with a private profile and no background traffic', () => {
    const args = chromiumArgs('http://127.0.0.1:4180/', '/tmp/p', false);
    expect(args).toContain('--app=http://127.0.0.1:4180/');
    expect(args).toContain('--user-data-dir=/tmp/p');
    expect(args).toContain('--disable-background-networking');
    expect(args).not.toContain('--no-sandbox');
    expect(chromiumArgs('u', '/tmp/p', true)).toContain('--no-sandbox');
  });

  it('needs a display on Linux only', () => {
    expect(hasDisplay({}, 'linux')).toBe(false);
    expect(hasDisplay({ DISPLAY: ':99' }, 'linux')).toBe(true);
    expect(hasDisplay({}, 'darwin')).toBe(true);
  });

  it('prefers CHROME_PATH and otherwise finds nothing on an unknown platform', () => {
    expect(findChromium({ CHROME_PATH: process.execPath }, 'plan9')).toBe(process.execPath);
    expect(findChromium({}, 'plan9')).toBeUndefined();
  });
});
