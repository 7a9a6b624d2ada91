/**
 * Apps started from Finder, the Dock or a Linux desktop launcher get the
 * session's minimal PATH (`/usr/bin:/bin:/usr/sbin:/sbin` on macOS), not the
 * one the user's shell builds, so Homebrew or pyenv Python and `netron` are
 * not found although they work in a terminal. Before the engine process
 * starts (it inherits main's environment), main asks the user's login shell
 * for its PATH, as VS Code does: `$SHELL -ilc` runs `/usr/bin/env` between two
 * random markers (rc files may print anything around them; an external `env`
 * prints PATH colon-joined in any shell, fish included), with no stdin, a
 * bounded time and bounded output. The shell is only ever given that fixed
 * command line; the result is only read, and is taken as soon as the closing
 * marker is printed (a background job an rc file leaves holding stdout does not
 * hold it). Anything that goes wrong (no shell, a hang, a non-zero exit before
 * the marker, no marker, over 1 MiB) leaves PATH as it was, with a log line.
 * Entries the shell adds come first; those main already had are kept after.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import path from 'node:path';

export interface LoginPathOptions {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Packaged (a desktop launch): on Linux only those need it; a terminal launch already has the shell's PATH. */
  packaged: boolean;
  log(line: string): void;
  /** Default 5 s; the shell is killed after it. */
  timeoutMs?: number;
}

/** The most output read from the shell (an env dump is a few kB). */
const MAX_OUTPUT = 1 << 20;

/**
 * The shell to ask: $SHELL when it is an absolute path, else the account's login shell (the user
 * database's, `os.userInfo().shell`: a desktop session does not always set SHELL), else on macOS
 * its default login shell.
 */
export function loginShell(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, accountShell?: string | null): string | undefined {
  for (const shell of [env['SHELL'], accountShell]) if (shell && path.isAbsolute(shell)) return shell;
  return platform === 'darwin' ? '/bin/zsh' : undefined;
}

/** The account's shell from the user database, if it can be read. */
function accountShell(): string | null {
  try {
    return userInfo().shell;
  } catch {
    return null;
  }
}

/** Whether this launch should ask the login shell: macOS always, Linux when packaged, never Windows. */
export function wantsLoginPath(platform: NodeJS.Platform, packaged: boolean): boolean {
  return platform === 'darwin' || (platform === 'linux' && packaged);
}

/** The PATH printed between the markers by `env`, if any. */
export function parseMarkedPath(output: string, marker: string): string | undefined {
  const start = output.indexOf(marker);
  const end = output.indexOf(marker, start + marker.length);
  if (start < 0 || end < 0) return undefined;
  const line = output
    .slice(start + marker.length, end)
    .split('\n')
    .find((l) => l.startsWith('PATH='));
  const value = line?.slice('PATH='.length).trim();
  return value ? value : undefined;
}

/** The shell's entries first, then those only the current PATH has; empty and duplicate entries dropped. */
export function mergePath(fromShell: string, current: string | undefined): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const entry of [...fromShell.split(':'), ...(current ?? '').split(':')]) {
    if (!entry || seen.has(entry)) continue;
    seen.add(entry);
    out.push(entry);
  }
  return out.join(':');
}

/**
 * Runs `shell -ilc <fixed command>` and resolves with its stdout once the closing marker is printed
 * (or, without it, once the shell ends with 0), or undefined (with the reason logged).
 */
function runShell(shell: string, command: string, marker: string, env: NodeJS.ProcessEnv, timeoutMs: number, log: (line: string) => void): Promise<string | undefined> {
  return new Promise((resolve) => {
    let out = '';
    let done = false;
    const finish = (value: string | undefined, why?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (why) log(`login shell PATH: ${why}; keeping PATH as it is`);
      resolve(value);
    };
    // Its own process group, so a timeout also stops whatever the rc files started.
    const child = spawn(shell, ['-ilc', command], { env, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      finish(undefined, `${shell} did not answer within ${timeoutMs} ms`);
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (done) return;
      out += chunk;
      // The closing marker means env's output is complete: no need to wait for the pipe to close,
      // which a background job an rc file started (holding stdout) would delay past the time bound.
      const first = out.indexOf(marker);
      if (first >= 0 && out.indexOf(marker, first + marker.length) >= 0) finish(out);
      else if (out.length > MAX_OUTPUT) {
        killGroup();
        finish(undefined, `${shell} printed more than ${MAX_OUTPUT} bytes`);
      }
    });
    child.on('error', (err) => finish(undefined, `${shell} could not start (${err.message})`));
    child.on('close', (code, signal) => (code === 0 ? finish(out) : finish(undefined, `${shell} exited with ${signal ?? code}`)));
  });
}

/**
 * The login shell's PATH merged with the current one, or undefined when this launch does not need
 * it or the shell could not tell. The caller sets `process.env.PATH` before starting the engine.
 */
export async function loginShellPath(opts: LoginPathOptions): Promise<string | undefined> {
  if (!wantsLoginPath(opts.platform, opts.packaged)) return undefined;
  const shell = loginShell(opts.platform, opts.env, accountShell());
  if (!shell) return undefined;
  const marker = `__MODEL_LAB_${randomBytes(8).toString('hex')}__`;
  // Single-quoted literals only: the same text is valid in sh, bash, zsh and fish.
  const command = `printf '%s\\n' '${marker}'; /usr/bin/env; printf '%s\\n' '${marker}'`;
  // Markers for shells that check these (oh-my-zsh's auto-update, tmux auto-start) to keep quiet.
  const env = { ...opts.env, MODEL_LAB_RESOLVING_ENVIRONMENT: '1', DISABLE_AUTO_UPDATE: 'true', ZSH_TMUX_AUTOSTARTED: 'true' };
  const output = await runShell(shell, command, marker, env, opts.timeoutMs ?? 5000, opts.log);
  if (output === undefined) return undefined;
  const found = parseMarkedPath(output, marker);
  if (!found) {
    opts.log(`login shell PATH: ${shell} printed no PATH; keeping PATH as it is`);
    return undefined;
  }
  return mergePath(found, opts.env['PATH']);
}
