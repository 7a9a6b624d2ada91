/**
 * `npm start`'s decisions, for every platform from this one: the build tool run through Node (no
 * `.cmd` shim), Electron's executable per platform, the plain message on Node < 22.12, folder
 * arguments against INIT_CWD, and a signal death turned into a non-zero exit with the sandbox fix.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { childExit, electronExecutableIn, forwardsSignal, nodeAtLeast, oldNodeMessage, packageBinCommand, resolveFolderArgs, sandboxFix, shellQuote } from './start-lib.mjs';

describe('npm start', () => {
  it('finds the Electron executable where each platform keeps it', () => {
    expect(electronExecutableIn('/opt/e', 'linux')).toBe(path.join('/opt/e', 'electron'));
    expect(electronExecutableIn('/opt/e', 'win32')).toBe(path.join('/opt/e', 'electron.exe'));
    expect(electronExecutableIn('/opt/e', 'darwin')).toBe(path.join('/opt/e', 'Electron.app', 'Contents', 'MacOS', 'Electron'));
  });

  it('knows which Node can download Electron (>= 22.12)', () => {
    expect(nodeAtLeast('20.20.0')).toBe(false);
    expect(nodeAtLeast('22.11.9')).toBe(false);
    expect(nodeAtLeast('22.12.0')).toBe(true);
    expect(nodeAtLeast('23.0.0')).toBe(true);
    expect(nodeAtLeast('24.1.0')).toBe(true);
    const msg = oldNodeMessage('20.20.0');
    expect(msg).toContain('Node 22.12 or newer (this is Node 20.20.0)');
    expect(msg).toContain('ELECTRON_OVERRIDE_DIST_PATH');
    expect(msg).toContain('browser mode');
  });

  it('runs a package command through Node and its bin file, never a .cmd shim or a shell', () => {
    const pkg = { name: 'electron-vite', bin: { 'electron-vite': 'bin/electron-vite.js' } };
    expect(packageBinCommand('C:\\work dir\\node_modules\\electron-vite', pkg, 'electron-vite', 'C:\\node\\node.exe')).toEqual({
      command: 'C:\\node\\node.exe',
      args: [path.join('C:\\work dir\\node_modules\\electron-vite', 'bin/electron-vite.js')],
    });
    expect(packageBinCommand('/p', { bin: 'cli.js' }, 'x', '/n').args).toEqual([path.join('/p', 'cli.js')]);
    expect(() => packageBinCommand('/p', { name: 'p' }, 'x', '/n')).toThrow(/has no "x" command/);
  });

  it('the electron-vite command it builds with really runs here', () => {
    const root = path.resolve(import.meta.dirname, '..');
    const dir = path.join(root, 'node_modules', 'electron-vite');
    const { command, args } = packageBinCommand(
      dir,
      JSON.parse(String(spawnSync(process.execPath, ['-p', `JSON.stringify(require(${JSON.stringify(path.join(dir, 'package.json'))}))`]).stdout)),
      'electron-vite',
      process.execPath,
    );
    const r = spawnSync(command, [...args, '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\d+\.\d+\.\d+/);
  });

  it('resolves folder arguments against INIT_CWD (where npm start was typed), keeping options', () => {
    expect(resolveFolderArgs(['models', '../other', '/abs/repo', '--inspect', '--x=1'], '/home/u/work', '/repo')).toEqual([
      path.resolve('/home/u/work/models'),
      path.resolve('/home/u/other'),
      path.resolve('/abs/repo'),
      '--inspect',
      '--x=1',
    ]);
    // Browser mode's options: --port/--host values untouched, --settings/--samples paths resolved.
    expect(resolveFolderArgs(['--port', '18401', 'm', '--host', '127.0.0.1', '--settings', 's.json', '--samples=smp', '--no-open'], '/home/u', '/repo')).toEqual([
      '--port',
      '18401',
      path.resolve('/home/u/m'),
      '--host',
      '127.0.0.1',
      '--settings',
      path.resolve('/home/u/s.json'),
      `--samples=${path.resolve('/home/u/smp')}`,
      '--no-open',
    ]);
    // Run directly (no npm): the working directory.
    expect(resolveFolderArgs(['m'], undefined, '/repo')).toEqual([path.resolve('/repo/m')]);
    expect(resolveFolderArgs(['m'], '', '/repo')).toEqual([path.resolve('/repo/m')]);
  });

  it('a signal death is never exit code 0; SIGTRAP from Electron on Linux prints the sandbox fix', () => {
    const exe = '/home/u/my lab/node_modules/electron/dist/electron';
    const trap = childExit({ code: null, signal: 'SIGTRAP', platform: 'linux', electronExe: exe });
    expect(trap.code).toBe(128 + os.constants.signals.SIGTRAP);
    expect(trap.message).toContain(`sudo chown root:root '/home/u/my lab/node_modules/electron/dist/chrome-sandbox'`);
    expect(trap.message).toContain(`sudo chmod 4755 '/home/u/my lab/node_modules/electron/dist/chrome-sandbox'`);
    expect(trap.message).toContain('kernel.apparmor_restrict_unprivileged_userns=0');
    expect(trap.message).toContain('exited with SIGTRAP');
    expect(childExit({ code: null, signal: 'SIGABRT', platform: 'linux', electronExe: exe }).message).toContain('chrome-sandbox');
    // Elsewhere, or another signal: named, still non-zero.
    const mac = childExit({ code: null, signal: 'SIGTRAP', platform: 'darwin', electronExe: '/x/Electron' });
    expect(mac).toEqual({ code: 128 + os.constants.signals.SIGTRAP, message: 'Electron was stopped by SIGTRAP.' });
    expect(childExit({ code: null, signal: 'SIGKILL', platform: 'linux', electronExe: undefined })).toEqual({ code: 137, message: 'The lab server was stopped by SIGKILL.' });
  });

  it('Ctrl+C that start.mjs forwarded ends quietly with 130; exit codes pass through', () => {
    expect(childExit({ code: null, signal: 'SIGINT', forwarded: 'SIGINT', platform: 'linux', electronExe: '/e/electron' })).toEqual({ code: 130 });
    expect(childExit({ code: 0, signal: null, platform: 'linux', electronExe: '/e/electron' })).toEqual({ code: 0 });
    expect(childExit({ code: 3, signal: null, platform: 'linux', electronExe: undefined })).toEqual({ code: 3 });
  });

  it('passes Ctrl+C on only without a terminal (a terminal sent it to the child too; a second SIGINT kills Electron at once)', () => {
    expect(forwardsSignal('SIGINT', true)).toBe(false);
    expect(forwardsSignal('SIGINT', false)).toBe(true);
    expect(forwardsSignal('SIGTERM', true)).toBe(true);
    expect(forwardsSignal('SIGTERM', false)).toBe(true);
  });

  it('quotes shell values so the printed fix can be pasted', () => {
    expect(shellQuote('/opt/Model Lab/chrome-sandbox')).toBe(`'/opt/Model Lab/chrome-sandbox'`);
    expect(shellQuote(`/tmp/it's`)).toBe(`'/tmp/it'\\''s'`);
    expect(shellQuote('/opt/model-lab/chrome-sandbox')).toBe('/opt/model-lab/chrome-sandbox');
    expect(sandboxFix('/opt/model-lab/model-lab')).toContain('sudo chmod 4755 /opt/model-lab/chrome-sandbox');
  });

  // Linux only: the stand-in is a shell script at Linux's executable path (on macOS start.mjs would not
  // find it under Electron.app and would start browser mode instead), and the fix is Linux's.
  it.skipIf(process.platform !== 'linux')(
    'start.mjs exits non-zero with the fix when its Electron dies of SIGTRAP (a stand-in Electron)',
    () => {
      const dist = path.join(os.tmpdir(), `h4-start-${process.pid}`);
      mkdirSync(dist, { recursive: true });
      const fake = path.join(dist, 'electron');
      // Kills itself the way Chromium's sandbox CHECK does.
      writeFileSync(fake, '#!/bin/sh\nkill -TRAP $$\n', { mode: 0o755 });
      const root = path.resolve(import.meta.dirname, '..');
      const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'start.mjs')], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dist, MODEL_LAB_BROWSER: '', MODEL_LAB_NO_BUILD: '1' },
        timeout: 120_000,
      });
      rmSync(dist, { recursive: true, force: true });
      expect(r.status).toBe(128 + os.constants.signals.SIGTRAP);
      expect(r.stderr).toContain(`sudo chmod 4755 ${path.join(dist, 'chrome-sandbox')}`);
    },
    150_000,
  );
});
