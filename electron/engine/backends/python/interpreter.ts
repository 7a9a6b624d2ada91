/**
 * Which Python runs a model: the config parameter PYTHON_EXECUTABLE (the
 * lab's), else Triton's EXECUTION_ENV_PATH when it is an unpacked environment
 * folder, else the lab's "Python interpreter" setting, else the MODEL_LAB_PYTHON
 * environment variable, else `python3` on the PATH and then /usr/bin/python3
 * (on macOS Homebrew's two places before it; on Windows `python`, then `python3`). The first that imports numpy wins; when none
 * does, the error says exactly what to install.
 *
 * Interpreters are probed only when a Python or PyTorch model is loaded or
 * converted (never at startup or for diagnostics), one probe per interpreter
 * at a time however many models load together. On macOS /usr/bin/python3 is a
 * stub: without the developer tools, running it opens Apple's "install the
 * command line developer tools" dialog. It is run only when `xcode-select -p`
 * says they are installed; otherwise it is skipped with a reason naming the fix.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ModelConfig } from '../../config/gen/model_config_pb';
import { LabError } from '../../errors';

export interface PythonEnv {
  executable: string;
  python: string;
  numpy: string;
}

/** The lab's own config parameter naming an interpreter. */
export const PYTHON_EXECUTABLE = 'PYTHON_EXECUTABLE';
export const EXECUTION_ENV_PATH = 'EXECUTION_ENV_PATH';
export const PYTHON_ENV_VAR = 'MODEL_LAB_PYTHON';
const DEFAULTS = ['python3', '/usr/bin/python3'];
/** Finder-started apps get a minimal PATH (/usr/bin:/bin:...): Homebrew's Python is looked for where Homebrew puts it. */
const MAC_DEFAULTS = ['python3', '/opt/homebrew/bin/python3', '/usr/local/bin/python3', '/usr/bin/python3'];
/** python.org's Windows installer puts python.exe on the PATH ("Add python.exe to PATH"), not python3.exe; there is no /usr/bin. */
const WIN_DEFAULTS = ['python', 'python3'];
/** macOS's stub that asks to install the developer tools when they are missing. */
const MAC_STUB = '/usr/bin/python3';

/** What the search depends on outside the lab; tests replace it. */
export interface PythonHost {
  platform: NodeJS.Platform;
  /** macOS: whether the command line developer tools are installed (`xcode-select -p` exits 0). */
  developerTools(): Promise<boolean>;
}

function xcodeSelect(): Promise<boolean> {
  // xcode-select -p only prints the folder (exit 2 when there is none); it never opens the dialog.
  return new Promise((resolve) => execFile('xcode-select', ['-p'], { timeout: 5_000 }, (err) => resolve(!err)));
}

const realHost: PythonHost = { platform: process.platform, developerTools: xcodeSelect };
let host: PythonHost = realHost;

/** The platform the install hints are written for (tests may pretend another: setPythonHostForTests). */
export function pythonPlatform(): NodeJS.Platform {
  return host.platform;
}

/** Tests: pretend to be another platform (undefined: this one). */
export function setPythonHostForTests(h: Partial<PythonHost> | undefined): void {
  host = { ...realHost, ...h };
}

/** A bare command as the PATH resolves it (undefined when it is not there); a path as it is. */
function onPath(exe: string): string | undefined {
  if (exe.includes('/') || exe.includes(path.sep)) return exe;
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, exe);
    try {
      accessSync(p, fsConstants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      /* the next folder */
    }
  }
  return undefined;
}

/** Why `exe` must not be run (macOS's developer-tools stub without the tools), or undefined when it may. */
export async function stubRefusal(exe: string): Promise<string | undefined> {
  if (host.platform !== 'darwin' || onPath(exe) !== MAC_STUB) return undefined;
  if (await host.developerTools()) return undefined;
  return `${MAC_STUB} is macOS's stub that opens the "install developer tools" dialog, and the command line developer tools are not installed (xcode-select -p finds none), so it was not run; install Python 3 from python.org or Homebrew (\`brew install python\`), or the developer tools (\`xcode-select --install\`)`;
}

const PROBE = 'import sys, numpy; print(sys.version.split()[0]); print(numpy.__version__); sys.exit(0 if sys.version_info >= (3, 8) else 3)';

type Probe = { ok: true; env: PythonEnv } | { ok: false; kind: 'missing' | 'numpy' | 'old' | 'skipped'; detail: string };

/**
 * A probe of interpreters by `run`, shared (here and by the PyTorch probe): working interpreters are
 * remembered; failures are probed again on the next load (the user may have installed what was
 * missing since); models loading together share the probe under way instead of each starting one.
 */
export function sharedProbe<E, F extends { ok: false }>(run: (executable: string) => Promise<{ ok: true; env: E } | F>): (executable: string) => Promise<{ ok: true; env: E } | F> {
  const known = new Map<string, E>();
  const probing = new Map<string, Promise<{ ok: true; env: E } | F>>();
  return (executable) => {
    const hit = known.get(executable);
    if (hit) return Promise.resolve({ ok: true, env: hit });
    let p = probing.get(executable);
    if (!p) {
      p = run(executable)
        .then((r) => {
          if (r.ok) known.set(executable, r.env);
          return r;
        })
        .finally(() => probing.delete(executable));
      probing.set(executable, p);
    }
    return p;
  };
}

const probe = sharedProbe(runProbe);

async function runProbe(executable: string): Promise<Probe> {
  const refused = await stubRefusal(executable);
  if (refused) return { ok: false, kind: 'skipped', detail: refused };
  return new Promise((resolve) => {
    execFile(executable, ['-c', PROBE], { timeout: 20_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } }, (err, stdout, stderr) => {
      const [python = '', numpy = ''] = stdout.trim().split('\n');
      if (!err) return resolve({ ok: true, env: { executable, python, numpy } });
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES') return resolve({ ok: false, kind: 'missing', detail: code });
      if (/No module named '?numpy/.test(stderr)) return resolve({ ok: false, kind: 'numpy', detail: stderr.trim().split('\n').pop() ?? '' });
      if ((err as { code?: unknown }).code === 3) return resolve({ ok: false, kind: 'old', detail: python });
      resolve({ ok: false, kind: 'missing', detail: stderr.trim().split('\n').pop() || String(err.message) });
    });
  });
}

/** The interpreters to try for a model, in order, and whether they were chosen explicitly. */
export function candidates(config: ModelConfig, modelDir: string, setting?: string): { list: string[]; explicit?: string } {
  const param = (key: string): string | undefined => config.parameters[key]?.stringValue?.replaceAll('$$TRITON_MODEL_DIRECTORY', modelDir) || undefined;
  const exe = param(PYTHON_EXECUTABLE);
  if (exe) return { list: [path.isAbsolute(exe) || !exe.includes('/') ? exe : path.resolve(modelDir, exe)], explicit: `the config parameter ${PYTHON_EXECUTABLE}` };
  const envPath = param(EXECUTION_ENV_PATH);
  if (envPath) {
    const dir = path.isAbsolute(envPath) ? envPath : path.resolve(modelDir, envPath);
    if (existsSync(dir) && statSync(dir).isDirectory()) return { list: [path.join(dir, 'bin', 'python3')], explicit: `the config parameter ${EXECUTION_ENV_PATH}` };
  }
  if (setting) return { list: [setting], explicit: 'the lab setting "Python interpreter"' };
  const fromEnv = process.env[PYTHON_ENV_VAR];
  if (fromEnv) return { list: [fromEnv], explicit: `the environment variable ${PYTHON_ENV_VAR}` };
  return { list: host.platform === 'darwin' ? MAC_DEFAULTS : host.platform === 'win32' ? WIN_DEFAULTS : DEFAULTS };
}

function failureText(exe: string, p: Exclude<Probe, { ok: true }>): string {
  switch (p.kind) {
    case 'missing':
      return `'${exe}' was not found (${p.detail})`;
    case 'numpy':
      return `'${exe}' cannot import numpy`;
    case 'old':
      return `'${exe}' is Python ${p.detail}; 3.8 or newer is needed`;
    default:
      return `'${exe}' was skipped: ${p.detail}`;
  }
}

/** How to install Python 3 with numpy here. */
function pythonInstallHint(): string {
  if (host.platform === 'darwin') return 'Install Python 3 from python.org or Homebrew (`brew install python`) and then `python3 -m pip install numpy`';
  if (host.platform === 'win32') return 'Install Python 3 from python.org (with "Add python.exe to PATH") and then `py -m pip install numpy`';
  return 'Install Python 3 with numpy: `sudo apt-get install python3 python3-numpy` (Debian/Ubuntu) or Python from python.org and then `python3 -m pip install numpy`';
}

function installHint(exe: string): string {
  // apt is named only where there is one: a Mac or Windows user is told pip alone.
  const apt = host.platform === 'linux' ? '`sudo apt-get install python3-numpy` (Debian/Ubuntu, for /usr/bin/python3) or ' : '';
  return `Install numpy for it: ${apt}\`${exe} -m pip install numpy\``;
}

/** Finds a Python with numpy for a model, or says exactly what is missing and how to fix it (UNAVAILABLE). */
export async function findPython(config: ModelConfig, modelDir: string, setting?: string): Promise<PythonEnv> {
  const { list, explicit } = candidates(config, modelDir, setting);
  const failures: string[] = [];
  let numpyMissing: string | undefined;
  for (const exe of list) {
    const p = await probe(exe);
    if (p.ok) return p.env;
    if (p.kind === 'numpy') numpyMissing ??= exe;
    failures.push(failureText(exe, p));
  }
  const tried = `${failures.join('; ')}${explicit ? ` (set by ${explicit})` : ''}`;
  if (numpyMissing) {
    throw new LabError('UNAVAILABLE', `Python backend: numpy is missing: ${tried}. ${installHint(numpyMissing)}.`, { reason: 'PYTHON_ENV' });
  }
  throw new LabError(
    'UNAVAILABLE',
    `Python backend: no usable Python 3 interpreter: ${tried}. ${pythonInstallHint()}; or name an interpreter with the model config parameter ${PYTHON_EXECUTABLE} or the environment variable ${PYTHON_ENV_VAR}.`,
    { reason: 'PYTHON_ENV' },
  );
}
