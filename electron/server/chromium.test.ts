import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromiumArgs, findChromium, hasDisplay, writeLaunchPage } from './chromium';

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

describe('the launch page', () => {
  it('forwards to the sign-in address from a file only this user can read, so the token is never on a command line', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-launch-'));
    try {
      const file = writeLaunchPage(dir, 'http://127.0.0.1:4180/?token=abc&x="<y>');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const html = readFileSync(file, 'utf8');
      expect(html).toContain('http-equiv="refresh" content="0;url=http://127.0.0.1:4180/?token=abc&#38;x=&#34;&#60;y&#62;"');
      expect(() => writeLaunchPage(dir, 'http://other/')).toThrow(/EEXIST/);
      const args = chromiumArgs(pathToFileURL(file).href, dir, false);
      expect(args.join(' ')).not.toContain('token=');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
