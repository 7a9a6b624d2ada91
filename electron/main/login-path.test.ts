/**
 * The login shell's PATH, with fake shells (scripts that stand in for $SHELL: noisy rc files, a hang,
 * a failure) and, where bash exists, a real `bash -ilc` reading a test HOME's .bash_profile.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loginShell, loginShellPath, mergePath, parseMarkedPath, wantsLoginPath } from './login-path';

vi.mock('electron', () => ({}));

let dir: string;
const shellScript = (name: string, body: string): string => {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'login-path-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = { platform: 'darwin' as const, packaged: true };
/** The bound where a test does not test the bound: a shell that answers must not be cut off on a loaded machine. */
const SLOW_MACHINE_MS = 15_000;

describe('PATH from the login shell', () => {
  it('is asked on macOS always, on Linux for packaged launches, never on Windows', () => {
    expect(wantsLoginPath('darwin', false)).toBe(true);
    expect(wantsLoginPath('linux', true)).toBe(true);
    expect(wantsLoginPath('linux', false)).toBe(false);
    expect(wantsLoginPath('win32', true)).toBe(false);
    expect(loginShell('darwin', {})).toBe('/bin/zsh');
    expect(loginShell('linux', {})).toBeUndefined();
    expect(loginShell('linux', { SHELL: 'zsh' })).toBeUndefined();
    expect(loginShell('linux', { SHELL: '/usr/bin/fish' })).toBe('/usr/bin/fish');
    // No SHELL in a desktop session's environment: the account's login shell from the user database.
    expect(loginShell('linux', {}, '/bin/bash')).toBe('/bin/bash');
    expect(loginShell('darwin', {}, '/opt/homebrew/bin/fish')).toBe('/opt/homebrew/bin/fish');
    expect(loginShell('darwin', { SHELL: '/bin/bash' }, '/bin/zsh')).toBe('/bin/bash');
    expect(loginShell('linux', {}, null)).toBeUndefined();
    expect(loginShell('linux', {}, 'bash')).toBeUndefined();
  });

  it('reads PATH between the markers only, and merges it before the current entries', () => {
    const m = '__MARK__';
    const out = `Welcome!\nPATH=/noise\n${m}\nHOME=/u\nPATH=/opt/homebrew/bin:/usr/bin\nX=1\n${m}\nPATH=/after\n`;
    expect(parseMarkedPath(out, m)).toBe('/opt/homebrew/bin:/usr/bin');
    expect(parseMarkedPath(`${m}\nHOME=/u\n${m}`, m)).toBeUndefined();
    expect(parseMarkedPath(`${m}\nPATH=/only-one-marker`, m)).toBeUndefined();
    expect(parseMarkedPath('no markers', m)).toBeUndefined();
    expect(mergePath('/opt/homebrew/bin:/usr/bin::/usr/bin', '/usr/bin:/bin:/app/tools')).toBe('/opt/homebrew/bin:/usr/bin:/bin:/app/tools');
    expect(mergePath('/a', undefined)).toBe('/a');
  });

  it('takes the PATH a (fake) login shell builds, whatever its rc files print around it', async () => {
    // The fake shell runs its -c command with sh after printing noise, and adds two folders to PATH.
    const shell = shellScript(
      'noisy-shell',
      'echo "Last login: today"\nPATH="/opt/homebrew/bin:/home/u/.pyenv/shims:$PATH"; export PATH\n[ "$1" = "-ilc" ] || exit 9\n/bin/sh -c "$2"\necho "goodbye"',
    );
    const log = vi.fn();
    const got = await loginShellPath({ ...base, env: { SHELL: shell, PATH: '/usr/bin:/bin:/usr/sbin:/sbin' }, log, timeoutMs: SLOW_MACHINE_MS });
    expect(got).toBe(`/opt/homebrew/bin:/home/u/.pyenv/shims:/usr/bin:/bin:/usr/sbin:/sbin`);
    expect(log).not.toHaveBeenCalled();
  });

  it('takes PATH once the closing marker is printed, although a background job an rc file started still holds stdout', async () => {
    // Before: the result waited for stdout to close, which the job delayed past the time bound (PATH lost).
    const shell = shellScript('background-job', 'sleep 30 &\nPATH="/opt/job/bin:$PATH"; export PATH\n/bin/sh -c "$2"');
    const log = vi.fn();
    const got = await loginShellPath({ ...base, env: { SHELL: shell, PATH: '/usr/bin:/bin' }, log, timeoutMs: SLOW_MACHINE_MS });
    expect(got).toBe('/opt/job/bin:/usr/bin:/bin');
    expect(log).not.toHaveBeenCalled();
  });

  it('stops reading (shell killed, PATH kept) when the shell prints more than 1 MiB without the closing marker', async () => {
    const log = vi.fn();
    const flood = shellScript('flood', 'yes "0123456789abcdef0123456789abcdef"');
    expect(await loginShellPath({ ...base, env: { SHELL: flood, PATH: '/usr/bin:/bin' }, log, timeoutMs: SLOW_MACHINE_MS })).toBeUndefined();
    expect(log).toHaveBeenLastCalledWith(expect.stringContaining('printed more than'));
  });

  it('keeps PATH (undefined, logged) when the shell hangs, fails, prints nothing or is missing', async () => {
    const env = (SHELL: string): NodeJS.ProcessEnv => ({ SHELL, PATH: '/usr/bin:/bin' });
    const log = vi.fn();
    const t0 = Date.now();
    expect(await loginShellPath({ ...base, env: env(shellScript('hang', 'sleep 30')), log, timeoutMs: 300 })).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(log).toHaveBeenLastCalledWith(expect.stringContaining('did not answer within 300 ms'));
    expect(await loginShellPath({ ...base, env: env(shellScript('fail', 'exit 3')), log, timeoutMs: SLOW_MACHINE_MS })).toBeUndefined();
    expect(log).toHaveBeenLastCalledWith(expect.stringContaining('exited with 3'));
    expect(await loginShellPath({ ...base, env: env(shellScript('silent', 'echo hello')), log, timeoutMs: SLOW_MACHINE_MS })).toBeUndefined();
    expect(log).toHaveBeenLastCalledWith(expect.stringContaining('printed no PATH'));
    expect(await loginShellPath({ ...base, env: env(path.join(dir, 'no-such-shell')), log })).toBeUndefined();
    expect(log).toHaveBeenLastCalledWith(expect.stringContaining('could not start'));
    // Not asked at all where it is not needed.
    const quiet = vi.fn();
    expect(await loginShellPath({ platform: 'win32', packaged: true, env: env(shellScript('never', 'touch "$0.ran"')), log: quiet })).toBeUndefined();
    expect(existsSync(path.join(dir, 'never.ran'))).toBe(false);
    expect(quiet).not.toHaveBeenCalled();
  });

  it.skipIf(!existsSync('/bin/bash'))('a real bash -ilc reads the login profile of the HOME it is given', async () => {
    const home = path.join(dir, 'home');
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(home, '.bash_profile'), 'echo "profile says hi"\nexport PATH="/opt/from-profile/bin:$PATH"\n');
    const got = await loginShellPath({ platform: 'linux', packaged: true, env: { SHELL: '/bin/bash', HOME: home, PATH: '/usr/bin:/bin' }, log: vi.fn(), timeoutMs: SLOW_MACHINE_MS });
    expect(got?.split(':')[0]).toBe('/opt/from-profile/bin');
    expect(got).toContain('/usr/bin');
  });
});
