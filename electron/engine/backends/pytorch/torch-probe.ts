/**
 * Which Python runs a PyTorch model: the Python backend's interpreters, in the
 * same order (python/interpreter.ts: PYTHON_EXECUTABLE, EXECUTION_ENV_PATH,
 * the lab's setting, MODEL_LAB_PYTHON, python3, /usr/bin/python3), the first
 * that imports numpy and torch. None: the model is UNAVAILABLE, and the
 * message names the exact command that installs torch for that interpreter.
 * Working interpreters are remembered (importing torch takes a second or
 * two); failures are probed again on the next load, after an install. Models
 * loading together share one probe per interpreter, and macOS's developer-tools
 * stub is never run without the tools (python/interpreter.ts, stubRefusal).
 */
import { execFile } from 'node:child_process';
import type { ModelConfig } from '../../config/gen/model_config_pb';
import { LabError, errorMessage } from '../../errors';
import { candidates, findPython, pythonPlatform, sharedProbe, stubRefusal } from '../python/interpreter';

export interface TorchEnv {
  executable: string;
  python: string;
  numpy: string;
  torch: string;
  /** torch.cuda.is_available() and how many GPUs it sees. */
  cudaDevices: number;
}

const PROBE = [
  'import sys',
  'if sys.version_info < (3, 8): sys.exit(3)',
  'import numpy',
  'try:',
  '    import torch',
  'except ImportError as e:',
  '    print(e, file=sys.stderr); sys.exit(4)',
  'print(sys.version.split()[0]); print(numpy.__version__); print(torch.__version__)',
  'print(torch.cuda.device_count() if torch.cuda.is_available() else 0)',
].join('\n');

type Probe = { ok: true; env: TorchEnv } | { ok: false; kind: 'torch' | 'other'; detail: string };

async function runProbe(executable: string): Promise<Probe> {
  const refused = await stubRefusal(executable);
  if (refused) return { ok: false, kind: 'other', detail: refused };
  return new Promise((resolve) => {
    execFile(executable, ['-c', PROBE], { timeout: 60_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } }, (err, stdout, stderr) => {
      if (!err) {
        const [python = '', numpy = '', torch = '', cuda = '0'] = stdout.trim().split('\n');
        return resolve({ ok: true, env: { executable, python, numpy, torch, cudaDevices: Number(cuda) || 0 } });
      }
      const last = stderr.trim().split('\n').pop() ?? '';
      resolve((err as { code?: unknown }).code === 4 ? { ok: false, kind: 'torch', detail: last } : { ok: false, kind: 'other', detail: last || err.message });
    });
  });
}

/** Working interpreters remembered, one probe at a time per interpreter (importing torch takes seconds). */
const probe = sharedProbe(runProbe);

/** The install command for torch, for this interpreter. */
export function torchInstallHint(exe: string): string {
  const debian = pythonPlatform() === 'linux' && (exe === 'python3' || exe === '/usr/bin/python3') ? '`sudo apt-get install python3-torch` (Debian/Ubuntu) or ' : '';
  return `Install PyTorch for it: ${debian}\`${exe} -m pip install torch\``;
}

/** A Python with numpy and torch for a model, or UNAVAILABLE saying exactly what to install. */
export async function findTorch(config: ModelConfig, modelDir: string, setting?: string): Promise<TorchEnv> {
  const { list, explicit } = candidates(config, modelDir, setting);
  const noTorch: string[] = [];
  const failures: string[] = [];
  for (const exe of list) {
    const p = await probe(exe);
    if (p.ok) return p.env;
    if (p.kind === 'torch') noTorch.push(exe);
    else failures.push(`'${exe}': ${p.detail}`);
  }
  if (noTorch.length > 0) {
    const by = explicit ? ` (set by ${explicit})` : '';
    throw new LabError('UNAVAILABLE', `PyTorch backend: torch is missing: ${noTorch.map((e) => `'${e}' cannot import torch`).join('; ')}${by}. ${torchInstallHint(noTorch[0]!)}.`, {
      reason: 'PYTHON_ENV',
    });
  }
  // No interpreter with numpy at all: the Python backend's own message says what is missing, torch is added to it.
  try {
    await findPython(config, modelDir, setting);
  } catch (err) {
    const message = errorMessage(err).replace(/^Python backend:/, 'PyTorch backend:');
    const how =
      pythonPlatform() === 'linux'
        ? '`sudo apt-get install python3-torch` (Debian/Ubuntu) or `python3 -m pip install torch`'
        : pythonPlatform() === 'win32'
          ? '`py -m pip install torch`'
          : '`python3 -m pip install torch`';
    throw new LabError('UNAVAILABLE', `${message} PyTorch models need torch too: ${how}.`, {
      reason: 'PYTHON_ENV',
    });
  }
  throw new LabError('UNAVAILABLE', `PyTorch backend: no interpreter could import numpy and torch: ${failures.join('; ')}.`, { reason: 'PYTHON_ENV' });
}
