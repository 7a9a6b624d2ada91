#!/usr/bin/env node
/**
 * Runs a command with no network but loopback: the check that a first start needs no network,
 * for every process of the app (Chromium, main, the engine process with Node's own sockets), not
 * only what Chromium's proxy setting covers.
 *
 * On Linux: a new user and network namespace (`unshare --user --map-root-user --net`), whose only
 * interface is loopback, brought up before the command runs. It needs unprivileged user namespaces;
 * Ubuntu 23.10 and later restrict them through AppArmor
 * (`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`, as the release workflow does).
 * Inside, the user is root of the namespace: Playwright starts Electron with --no-sandbox on Linux
 * anyway. Elsewhere (macOS, Windows) there is no such tool; the smoke test's recording proxy is
 * what checks Chromium's requests there.
 *
 *   node scripts/release/offline.mjs [--require] -- COMMAND [ARGS...]
 * With --require the command is not run (exit 1) when the namespace cannot be made; without it,
 * the command runs with the network and a warning says so.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `sh -c` body of the namespace: loopback up, then the command given as "$@". */
// `ip` often lives in /usr/sbin or /sbin, which a normal user's PATH lacks on Debian: add them for this shell only.
const NETNS_BODY = 'PATH="$PATH:/usr/sbin:/sbin" ip link set lo up && exec "$@"';

/** The argv that runs `cmd` with loopback only (Linux). */
export function netnsCommand(cmd) {
  return ['unshare', '--user', '--map-root-user', '--net', '--', 'sh', '-c', NETNS_BODY, 'offline', ...cmd];
}

/**
 * Whether a loopback-only namespace can be made here, and if not why: the probe runs the same
 * namespace with a command that fails unless loopback came up and nothing else is reachable.
 */
export function netnsAvailable(platform = process.platform, run = spawnSync) {
  if (platform !== 'linux') return { ok: false, reason: `no network namespaces on ${platform}` };
  const [exe, ...args] = netnsCommand(['sh', '-c', 'ip -o link show | grep -qv " lo:" && exit 3; exit 0']);
  const probe = run(exe, args, { encoding: 'utf8' });
  if (probe.error) return { ok: false, reason: `unshare could not run: ${probe.error.message}` };
  if (probe.status === 3) return { ok: false, reason: 'the namespace has interfaces other than loopback' };
  if (probe.status !== 0) {
    const err = `${probe.stderr ?? ''}`.trim().split('\n').at(-1) ?? '';
    return { ok: false, reason: `unshare --user --net failed (${err || `exit ${probe.status}`}); on Ubuntu >= 23.10: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` };
  }
  return { ok: true };
}

/** The command to run: inside the namespace when one can be made, else as it is (or undefined with `require`). */
export function offlineCommand(cmd, { require = false, available = netnsAvailable() } = {}) {
  if (available.ok) return { argv: netnsCommand(cmd), note: 'no network: a network namespace with loopback only' };
  if (require) return { argv: undefined, note: `cannot run offline: ${available.reason}` };
  return { argv: cmd, note: `WARNING: running WITH the network (${available.reason})` };
}

function main() {
  const args = process.argv.slice(2);
  const dash = args.indexOf('--');
  const opts = dash < 0 ? [] : args.slice(0, dash);
  const cmd = dash < 0 ? args : args.slice(dash + 1);
  if (cmd.length === 0) {
    process.stderr.write('usage: node scripts/release/offline.mjs [--require] -- COMMAND [ARGS...]\n');
    process.exit(2);
  }
  const { argv, note } = offlineCommand(cmd, { require: opts.includes('--require') });
  process.stderr.write(`[offline] ${note}\n`);
  if (!argv) process.exit(1);
  const r = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit' });
  if (r.error) {
    process.stderr.write(`[offline] ${r.error.message}\n`);
    process.exit(1);
  }
  process.exit(r.status ?? 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
