/**
 * The release scripts and workflow, checked here where no installer can be built: the packed
 * app's name per platform (against electron-builder itself, packing with a stand-in Electron),
 * electron-builder's arguments per runner, the loopback-only namespace (for real, where this
 * machine allows user namespaces), the smoke runner's plan, which Electron the smoke tests drive
 * or why they are skipped, and the workflow file's structure.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { chooseTarget, defaultUserData, firstStartLaunch, installedElectron } from '../../e2e-electron/electron-app';
import { repositoriesFromArgv } from '../../electron/main/argv';
import { startRecordingProxy } from '../../e2e-electron/recording-proxy';
import net from 'node:net';
import { TARGETS, builderArgs, installersIn } from './build.mjs';
import { packageNames, packedApp } from './find-app.mjs';
import { netnsAvailable, netnsCommand, offlineCommand } from './offline.mjs';
import { smokePlan } from './smoke.mjs';
import { MAIN_INSTALLER, compareResources, executableOf, findAppDir, openInstaller, resourcesOf } from './installed.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'release-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the packed app per platform', () => {
  const names = { name: 'model-lab', productName: 'Model Lab' };
  it("follows electron-builder's folder and executable names", () => {
    expect(packedApp('/r', 'linux', 'x64', names)).toEqual({ dir: '/r/linux-unpacked', executable: '/r/linux-unpacked/model-lab' });
    expect(packedApp('/r', 'linux', 'arm64', names).executable).toBe('/r/linux-arm64-unpacked/model-lab');
    expect(packedApp('/r', 'win32', 'x64', names).executable).toBe(path.join('/r/win-unpacked', 'Model Lab.exe'));
    expect(packedApp('/r', 'darwin', 'arm64', names).executable).toBe('/r/mac-arm64/Model Lab.app/Contents/MacOS/Model Lab');
    expect(packedApp('/r', 'darwin', 'x64', names).dir).toBe('/r/mac');
    expect(packedApp('/r', 'linux', 'x64', { ...names, executableName: 'lab' }).executable).toBe('/r/linux-unpacked/lab');
    expect(() => packedApp('/r', 'aix', 'x64', names)).toThrow(/aix/);
  });

  it('agrees with electron-builder packing a stand-in Electron for linux x64 and arm64', () => {
    // A project with this repository's names and a stand-in distribution: electron-builder only copies and renames it.
    const dist = path.join(tmp, 'dist');
    const proj = path.join(tmp, 'proj');
    mkdirSync(dist, { recursive: true });
    mkdirSync(proj, { recursive: true });
    writeFileSync(path.join(dist, 'electron'), '#!/bin/sh\nexit 1\n');
    chmodSync(path.join(dist, 'electron'), 0o755);
    const { name, productName } = packageNames();
    writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name, productName, version: '0.0.1', main: 'main.js', author: { name: 't', email: 't@example.com' } }));
    writeFileSync(path.join(proj, 'main.js'), '// the stand-in app\n');
    const release = path.join(tmp, 'release');
    for (const arch of ['x64', 'arm64']) {
      const r = spawnSync(
        process.execPath,
        [path.join(root, 'node_modules/electron-builder/cli.js'), '--linux', 'dir', `--${arch}`, '--publish', 'never', `-c.electronDist=${dist}`, '-c.electronVersion=45.5.0', `-c.directories.output=${release}`, '-c.npmRebuild=false'],
        { cwd: proj, encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') } },
      );
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      const app = packedApp(release, 'linux', arch, { name, productName }).executable;
      expect(readFileSync(app, 'utf8')).toContain('exit 1');
    }
  }, 60_000);
});

describe("electron-builder's arguments per runner", () => {
  it('builds AppImage and deb on Linux, NSIS on Windows, an ad hoc signed arm64 dmg on macOS, never publishing', () => {
    expect(builderArgs('linux', 'x64')).toEqual(['--linux', 'AppImage', 'deb', '--x64', '--publish', 'never']);
    expect(builderArgs('win32', 'x64')).toEqual(['--win', 'nsis', '--x64', '--publish', 'never']);
    expect(builderArgs('darwin', 'arm64')).toEqual(['--mac', 'dmg', '--arm64', '--publish', 'never', '-c.mac.identity=-']);
    expect(builderArgs('darwin', 'arm64', { signed: true })).not.toContain('-c.mac.identity=-');
    expect(builderArgs('linux', 'x64', { dir: true, extra: ['-c.electronDist=/d'] })).toEqual(['--linux', 'dir', '--x64', '--publish', 'never', '-c.electronDist=/d']);
  });

  it('refuses an Intel macOS installer (no darwin-x64 ONNX Runtime) and unknown platforms', () => {
    expect(() => builderArgs('darwin', 'x64')).toThrow(/darwin-x64/);
    expect(() => builderArgs('freebsd', 'x64')).toThrow(/freebsd/);
  });

  it("lists the platform's installers with their sizes", () => {
    const dir = path.join(tmp, 'installers');
    mkdirSync(dir, { recursive: true });
    for (const f of ['Model Lab-0.1.0.AppImage', 'model-lab_0.1.0_amd64.deb', 'Model Lab Setup 0.1.0.exe', 'latest.yml']) writeFileSync(path.join(dir, f), 'x'.repeat(3));
    expect(
      installersIn(dir, 'linux')
        .map((i) => [path.basename(i.file), i.bytes])
        .sort(),
    ).toEqual([
      ['Model Lab-0.1.0.AppImage', 3],
      ['model-lab_0.1.0_amd64.deb', 3],
    ]);
    expect(installersIn(dir, 'win32').map((i) => path.basename(i.file))).toEqual(['Model Lab Setup 0.1.0.exe']);
    expect(installersIn(path.join(dir, 'none'), 'darwin')).toEqual([]);
  });
});

describe('the loopback-only namespace', () => {
  it('wraps a command so that loopback comes up first and the command gets its arguments unchanged', () => {
    const argv = netnsCommand(['node', '-e', 'a "b" $c']);
    expect(argv.slice(0, 5)).toEqual(['unshare', '--user', '--map-root-user', '--net', '--']);
    expect(argv.slice(-3)).toEqual(['node', '-e', 'a "b" $c']);
  });

  it('runs with the network and says so, or refuses with --require, when no namespace can be made', () => {
    const none = { ok: false as const, reason: 'no network namespaces on darwin' };
    expect(offlineCommand(['x'], { available: none })).toEqual({ argv: ['x'], note: expect.stringMatching(/WARNING: running WITH the network.*darwin/) });
    expect(offlineCommand(['x'], { require: true, available: none }).argv).toBeUndefined();
    expect(netnsAvailable('darwin')).toEqual(none);
    expect(netnsAvailable('linux', (() => ({ status: 1, stderr: 'unshare: write failed /proc/self/uid_map: Operation not permitted\n' })) as never)).toEqual({
      ok: false,
      reason: expect.stringMatching(/uid_map.*apparmor_restrict_unprivileged_userns=0/),
    });
  });

  it('reaches a server on loopback and nothing else, for real', async (ctx) => {
    const available = netnsAvailable();
    if (!available.ok) return ctx.skip(`no user namespaces here: ${available.reason}`);
    // Inside: a server on loopback answers; an address off this machine (TEST-NET-1) is unreachable at once.
    const script = [
      "const http = require('node:http'); const net = require('node:net');",
      "const s = http.createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1', () => {",
      "  http.get('http://127.0.0.1:' + s.address().port, (r) => { r.resume(); const c = net.connect(80, '192.0.2.1');",
      "    c.on('connect', () => { console.log('loopback', r.statusCode, 'outside CONNECTED'); process.exit(0); });",
      "    c.on('error', (e) => { console.log('loopback', r.statusCode, 'outside', e.code); process.exit(0); }); });",
      '});',
    ].join('\n');
    const { argv } = offlineCommand([process.execPath, '-e', script], { require: true, available });
    const out = spawnSync(argv![0]!, argv!.slice(1), { encoding: 'utf8', timeout: 30_000 });
    expect(out.stdout.trim()).toBe('loopback 200 outside ENETUNREACH');
  }, 40_000);

  it('leaves the network as it is outside the namespace (the check is not vacuous)', (ctx) => {
    // The interfaces this machine has besides loopback are what the namespace takes away: outside
    // they are listed, inside (the same command, wrapped) only loopback is. Loopback working outside
    // as well would prove nothing about the namespace.
    const links = (argv: string[]): string[] =>
      (spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 30_000 }).stdout ?? '') // null: no `ip` here
        .split('\n')
        .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1])
        .filter((n): n is string => Boolean(n));
    const outside = links(['ip', '-o', 'link', 'show']);
    if (!outside.some((n) => n !== 'lo')) return ctx.skip(`this machine has no interface besides loopback to take away (ip lists: ${outside.join(', ') || 'nothing'})`);
    const available = netnsAvailable();
    if (!available.ok) return ctx.skip(`no user namespaces here: ${available.reason}`);
    const { argv } = offlineCommand(['ip', '-o', 'link', 'show'], { require: true, available });
    expect(links(argv!)).toEqual(['lo']);
  }, 40_000);
});

describe('the installers hold the tested app', () => {
  const names = { name: 'model-lab', productName: 'Model Lab' };
  /** A small app folder as electron-builder leaves it: executable, resources/app.asar, app.asar.unpacked. */
  const makeApp = (dir: string, asar = 'asar-bytes'): string => {
    mkdirSync(path.join(dir, 'resources/app.asar.unpacked/node_modules/sharp'), { recursive: true });
    writeFileSync(path.join(dir, 'model-lab'), '#!/bin/sh\n');
    writeFileSync(path.join(dir, 'resources/app.asar'), asar);
    writeFileSync(path.join(dir, 'resources/app.asar.unpacked/node_modules/sharp/sharp.node'), 'native');
    return dir;
  };
  /** A deb as electron-builder's (fpm) lays it out: the app in /opt/<productName>/. */
  const makeDeb = (appDir: string, deb: string): void => {
    const tree = path.join(tmp, `deb-${path.basename(deb)}`);
    mkdirSync(path.join(tree, 'DEBIAN'), { recursive: true });
    mkdirSync(path.join(tree, 'opt'), { recursive: true });
    writeFileSync(path.join(tree, 'DEBIAN/control'), 'Package: model-lab\nVersion: 0.1.0\nArchitecture: amd64\nMaintainer: t <t@example.com>\nDescription: test\n');
    spawnSync('cp', ['-a', appDir, path.join(tree, 'opt', 'Model Lab')]);
    const r = spawnSync('dpkg-deb', ['-Zgzip', '--build', tree, deb], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  };

  it('names where the app and its executable are inside an installed folder, per platform', () => {
    expect(resourcesOf('/a', 'linux', names)).toBe('/a/resources');
    expect(resourcesOf('/a', 'darwin', names)).toBe('/a/Model Lab.app/Contents/Resources');
    expect(executableOf('/opt/Model Lab', 'linux', names)).toBe('/opt/Model Lab/model-lab');
    expect(executableOf('/v', 'darwin', names)).toBe('/v/Model Lab.app/Contents/MacOS/Model Lab');
    expect(executableOf('/w', 'win32', names)).toBe(path.join('/w', 'Model Lab.exe'));
    expect(MAIN_INSTALLER).toEqual({ linux: '.deb', win32: '.exe', darwin: '.dmg' });
  });

  it('finds the app in an extracted deb and sees that it is the tested one, byte for byte', (ctx) => {
    if (spawnSync('dpkg-deb', ['--version']).status !== 0) return ctx.skip('dpkg-deb is not installed');
    const tested = makeApp(path.join(tmp, 'inst/linux-unpacked'));
    makeDeb(tested, path.join(tmp, 'inst/good.deb'));
    const trees = openInstaller(path.join(tmp, 'inst/good.deb'), path.join(tmp, 'inst/open-good'), 'linux');
    const appDir = findAppDir(trees[0]!, 'linux', names);
    expect(appDir).toBe(path.join(tmp, 'inst/open-good/opt/Model Lab'));
    expect(compareResources(path.join(tested, 'resources'), resourcesOf(appDir!, 'linux', names))).toEqual([]);
  });

  it('reports an installer whose app differs from the tested one, and one with no app at all', (ctx) => {
    if (spawnSync('dpkg-deb', ['--version']).status !== 0) return ctx.skip('dpkg-deb is not installed');
    const tested = makeApp(path.join(tmp, 'inst2/linux-unpacked'));
    const other = makeApp(path.join(tmp, 'inst2/other'), 'other-bytes');
    writeFileSync(path.join(other, 'resources/app.asar.unpacked/extra.txt'), 'x');
    makeDeb(other, path.join(tmp, 'inst2/bad.deb'));
    const [tree] = openInstaller(path.join(tmp, 'inst2/bad.deb'), path.join(tmp, 'inst2/open-bad'), 'linux');
    expect(compareResources(path.join(tested, 'resources'), resourcesOf(findAppDir(tree!, 'linux', names)!, 'linux', names))).toEqual([
      'missing or different: app.asar',
      'not in the tested app: app.asar',
      'not in the tested app: app.asar.unpacked/extra.txt',
    ]);
    mkdirSync(path.join(tmp, 'inst2/empty/opt/Model Lab'), { recursive: true });
    expect(findAppDir(path.join(tmp, 'inst2/empty'), 'linux', names)).toBeUndefined();
    expect(() => openInstaller('/x/setup.msi', path.join(tmp, 'inst2/msi'), 'linux')).toThrow(/no way to open/);
    expect(() => openInstaller('/x/missing.deb', path.join(tmp, 'inst2/missing'), 'linux')).toThrow(/dpkg-deb -x failed/);
  });
});

describe('the recording proxy', () => {
  it('refuses and writes down a plain request and a CONNECT (https, wss), letting nothing through', async () => {
    const proxy = await startRecordingProxy();
    const { port } = new URL(proxy.url);
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: 'http://example.invalid/x', headers: { host: 'example.invalid' } }, (r) => {
          r.resume();
          resolve(r.statusCode!);
        })
        .on('error', reject);
    });
    expect(status).toBe(502);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('CONNECT secure.invalid:443 HTTP/1.1\r\nHost: secure.invalid:443\r\n\r\n'));
      let got = '';
      socket.on('data', (c: Buffer) => (got += c.toString()));
      socket.on('end', () => resolve(got));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 502/);
    expect(proxy.requests).toEqual(['GET http://example.invalid/x', 'CONNECT secure.invalid:443']);
    await proxy.close();
  });
});

describe('the smoke runner', () => {
  const host = { platform: 'linux' as const, display: false, xvfb: true, netns: { ok: true as const }, node: '/n', root: '/repo' };
  const pw = ['/n', '/repo/node_modules/@playwright/test/cli.js', 'test', '-c', 'playwright.electron.config.ts'];

  it('runs Playwright on the Electron config, under xvfb inside the namespace on a Linux runner without a display', () => {
    const plan = smokePlan({ app: '/rel/linux-unpacked/model-lab', require: true, offline: true }, host);
    expect(plan.env).toEqual({ MODEL_LAB_APP: '/rel/linux-unpacked/model-lab', E2E_ELECTRON_REQUIRE: '1' });
    expect(plan.argv!.slice(0, 4)).toEqual(['unshare', '--user', '--map-root-user', '--net']);
    expect(plan.argv!.slice(-7)).toEqual(['xvfb-run', '-a', ...pw]);
  });

  it('needs neither xvfb nor a namespace where there is a display and the network is not asked about', () => {
    expect(smokePlan({}, { ...host, display: true }).argv).toEqual(pw);
    expect(smokePlan({}, { ...host, platform: 'darwin' }).argv).toEqual(pw);
    expect(smokePlan({}, host).env).toEqual({});
  });

  it('runs the browser stand-in when asked, and never in place of a given app or a required Electron', () => {
    expect(smokePlan({ standin: true, offline: true }, host).env).toEqual({ E2E_ELECTRON_STANDIN: 'browser' });
    expect(() => smokePlan({ standin: true, require: true }, host)).toThrow(/not with an app or --require/);
    expect(() => smokePlan({ standin: true, app: '/a' }, host)).toThrow(/not with an app/);
  });

  it('refuses to run --require --offline without a namespace, and warns without --require', () => {
    const netns = { ok: false as const, reason: 'restricted' };
    expect(smokePlan({ require: true, offline: true }, { ...host, netns }).argv).toBeUndefined();
    const plan = smokePlan({ offline: true }, { ...host, netns });
    expect(plan.argv).toEqual(['xvfb-run', '-a', ...pw]);
    expect(plan.notes.join('\n')).toMatch(/WITH the network/);
  });
});

describe('which Electron the smoke tests drive', () => {
  const fakeRoot = path.join(tmp, 'repo');

  it('skips with the reason when there is no Electron binary, without downloading one', () => {
    mkdirSync(path.join(fakeRoot, 'node_modules/electron'), { recursive: true });
    const choice = chooseTarget({}, fakeRoot);
    expect(choice).toEqual({ skip: expect.stringMatching(/no Electron binary.*MODEL_LAB_APP/) });
  });

  it("runs node_modules/electron's binary with the built app, or the packed app MODEL_LAB_APP names", () => {
    const dir = path.join(fakeRoot, 'node_modules/electron');
    writeFileSync(path.join(dir, 'path.txt'), 'electron');
    expect(installedElectron(dir, {})).toBeUndefined();
    mkdirSync(path.join(dir, 'dist'), { recursive: true });
    writeFileSync(path.join(dir, 'dist/electron'), '');
    expect(installedElectron(dir, {})).toBe(path.join(dir, 'dist/electron'));
    expect(() => chooseTarget({}, fakeRoot)).toThrow(/out\/main\/index\.js is missing/);
    mkdirSync(path.join(fakeRoot, 'out-7/main'), { recursive: true });
    writeFileSync(path.join(fakeRoot, 'out-7/main/index.js'), '');
    expect(chooseTarget({ MODEL_LAB_OUT: 'out-7' }, fakeRoot)).toEqual({ target: { args: [path.join(fakeRoot, 'out-7/main/index.js')], describe: expect.any(String) } });
    const app = path.join(dir, 'dist/electron');
    expect(chooseTarget({ MODEL_LAB_APP: app }, fakeRoot)).toEqual({ target: { executablePath: app, args: [], describe: `packed app ${app}` } });
  });

  it('starts in a fresh profile behind the recording proxy, and knows the default profile it would otherwise use', () => {
    const launch = firstStartLaunch({ args: ['.'], describe: '' }, '/tmp/u', 'http://127.0.0.1:9', { PATH: '/bin', ELECTRON_RUN_AS_NODE: '1', ELECTRON_RENDERER_URL: 'http://x' });
    expect(launch.args).toEqual(['.', '--user-data-dir=/tmp/u', '--proxy-server=http://127.0.0.1:9']);
    // What main sees once Playwright's loader removed its own arguments: [electron, ...args]. No repository folder in it,
    // so the first start opens the samples — also when a build folder's index.js is the app (MODEL_LAB_OUT).
    for (const app of ['.', '/repo/out-7/main/index.js']) {
      const args = firstStartLaunch({ args: [app], describe: '' }, '/tmp/u', 'http://127.0.0.1:9', {}).args;
      expect(repositoriesFromArgv(['/electron', ...args], false), app).toEqual([]);
    }
    // Electron as Node, or a dev server's page in place of the packed renderer, would not be the app under test.
    expect(launch.env['ELECTRON_RUN_AS_NODE']).toBeUndefined();
    expect(launch.env['ELECTRON_RENDERER_URL']).toBeUndefined();
    expect(launch.env['PATH']).toBe('/bin');
    expect(defaultUserData('win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'C:\\Users\\u')).toBe(path.join('C:\\Users\\u\\AppData\\Roaming', 'Model Lab'));
    expect(defaultUserData('darwin', {}, '/Users/u')).toBe('/Users/u/Library/Application Support/Model Lab');
    expect(defaultUserData('linux', { XDG_CONFIG_HOME: '/x' }, '/home/u')).toBe('/x/Model Lab');
    expect(defaultUserData('linux', {}, '/home/u')).toBe('/home/u/.config/Model Lab');
  });

  it('runs the browser stand-in only when asked, and never where Electron is required', () => {
    expect(chooseTarget({ E2E_ELECTRON_STANDIN: 'browser' }, fakeRoot)).toEqual({ standin: 'browser', describe: expect.stringMatching(/STAND-IN.*not Electron/) });
    expect(() => chooseTarget({ E2E_ELECTRON_STANDIN: 'browser', E2E_ELECTRON_REQUIRE: '1' }, fakeRoot)).toThrow(/does not count/);
    expect(() => chooseTarget({ E2E_ELECTRON_STANDIN: 'webkit' }, fakeRoot)).toThrow(/the one stand-in is 'browser'/);
  });

  it('fails, never skips, when MODEL_LAB_APP names an app that is not there', () => {
    expect(() => chooseTarget({ MODEL_LAB_APP: path.join(tmp, 'missing') }, fakeRoot)).toThrow(/does not exist/);
  });
});

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}

describe('the release workflow', () => {
  const wf = parse(readFileSync(path.join(root, '.github/workflows/release.yml'), 'utf8')) as {
    on: Record<string, unknown>;
    jobs: Record<string, { 'runs-on': string; steps: Step[]; strategy?: { matrix: { include: { name: string; os: string }[] } } }>;
  };
  const job = wf.jobs['installers']!;
  const steps = job.steps;

  it('runs on version tags and by hand, on a Linux, a Windows and a macOS runner', () => {
    expect(wf.on['push']).toEqual({ tags: ['v*'] });
    expect('workflow_dispatch' in wf.on).toBe(true);
    const oses = job.strategy!.matrix.include.map((m) => m.os);
    expect(oses.some((o) => o.startsWith('ubuntu-'))).toBe(true);
    expect(oses.some((o) => o.startsWith('windows-'))).toBe(true);
    // macos-14 and later are Apple silicon, the one macOS architecture built.
    expect(oses.filter((o) => o.startsWith('macos-')).every((o) => Number(o.split('-')[1]) >= 14)).toBe(true);
  });

  it('builds a CUDA variant of the Linux installers from electron-builder.cuda.yml with the CUDA provider libraries installed', () => {
    const cuda = job.strategy!.matrix.include.find((m) => m.name.includes('cuda')) as { os: string; onnxruntime?: string; config?: string } | undefined;
    expect(cuda).toMatchObject({ onnxruntime: 'cuda12', config: 'electron-builder.cuda.yml' });
    expect(cuda!.os.startsWith('ubuntu-')).toBe(true);
    expect(() => readFileSync(path.join(root, cuda!.config!))).not.toThrow();
    // CPU builds skip onnxruntime-node's postinstall; the CUDA one asks it for cuda12.
    expect((wf.jobs['installers'] as unknown as { env: Record<string, string> }).env['ONNXRUNTIME_NODE_INSTALL']).toBe("${{ matrix.onnxruntime || 'skip' }}");
    expect(steps.find((s) => s.name === 'Installers')!.run).toContain("format('--config {0}', matrix.config)");
    // Should npm skip dependencies' install scripts (allowScripts denies onnxruntime-node's), they are run before the build.
    const rerun = steps.findIndex((s) => s.run?.includes('onnxruntime-node/script/install.js'));
    expect(rerun).toBeGreaterThan(steps.findIndex((s) => s.run?.startsWith('npm ci')));
    expect(rerun).toBeLessThan(steps.findIndex((s) => s.run === 'npm run build'));
    expect(steps[rerun]!.run).toContain('node node_modules/electron/install.js');
    expect(existsSync(path.join(root, 'node_modules/onnxruntime-node/script/install.js'))).toBe(true);
  });

  it('uses only actions at versions their documentation describes (Node 24 majors)', () => {
    const known: Record<string, string[]> = { 'actions/checkout': ['v5'], 'actions/setup-node': ['v6'], 'actions/upload-artifact': ['v6'], 'actions/download-artifact': ['v7'] };
    const uses = Object.values(wf.jobs).flatMap((j) => j.steps.filter((s) => s.uses).map((s) => s.uses!));
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) {
      const [name, version] = u.split('@');
      expect(known[name!], u).toContain(version);
    }
  });

  it('installs with Node >= 22.12 (Electronʼs downloader), builds, packs with the script, then smoke-tests the packed app', () => {
    const node = String(steps.find((s) => s.uses?.startsWith('actions/setup-node'))!.with!['node-version']);
    const [major, minor = 99] = node.split('.').map(Number);
    expect(major! > 22 || (major === 22 && minor >= 12)).toBe(true);
    const runs = steps.map((s) => s.run ?? '').filter(Boolean);
    const at = (re: RegExp): number => runs.findIndex((r) => re.test(r));
    expect(at(/^npm ci/)).toBeGreaterThanOrEqual(0);
    expect(at(/^npm ci/)).toBeLessThan(at(/npm run build/));
    expect(at(/npm run build/)).toBeLessThan(at(/scripts\/release\/build\.mjs/));
    expect(at(/scripts\/release\/build\.mjs/)).toBeLessThan(at(/scripts\/release\/smoke\.mjs/));
    // Every smoke step requires Electron (a skip would pass silently); Linux runs it offline.
    const smoke = steps.filter((s) => s.run?.includes('smoke.mjs'));
    expect(smoke.length).toBe(2);
    for (const s of smoke) expect(s.run).toContain('--require');
    expect(smoke.find((s) => s.if === "runner.os == 'Linux'")!.run).toContain('--offline');
    // Then the installers: opened, compared with the tested app, the installed app smoke-tested (offline on Linux).
    const installed = steps.filter((s) => s.run?.includes('installed.mjs'));
    expect(installed.map((s) => s.run!.includes('--smoke'))).toEqual([true, true]);
    expect(installed.find((s) => s.if === "runner.os == 'Linux'")!.run).toContain('--offline');
    expect(at(/installed\.mjs/)).toBeGreaterThan(at(/scripts\/release\/smoke\.mjs/));
  });

  it('names only scripts that exist, and uploads every installer the build script checks for', () => {
    const scripts = steps.flatMap((s) => [...(s.run ?? '').matchAll(/node (scripts\/\S+\.mjs)/g)].map((m) => m[1]!));
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const s of scripts) expect(() => readFileSync(path.join(root, s)), s).not.toThrow();
    const upload = steps.find((s) => s.name === 'Upload installers')!;
    const paths = String(upload.with!['path']);
    for (const t of Object.values(TARGETS)) for (const e of t.endings) expect(paths).toContain(`release/*${e}`);
    expect(upload.with!['if-no-files-found']).toBe('error');
  });
});
