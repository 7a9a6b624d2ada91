/**
 * onnxruntime-node, loaded on first use instead of at startup: the one place
 * the engine imports it. Its native binding can fail to load (onnxruntime-node
 * 1.30 ships no Intel-macOS binary; a clean Windows PC lacks the Visual C++
 * runtime DLLs). Imported statically, that failure took the whole engine down
 * before any window; loaded here, each ONNX model is UNAVAILABLE with the
 * binding's own error and what to do about it (reason ORT_BINDING), and the
 * rest of the lab (browsing, the graph, scripts, Python) works.
 *
 * Also here: whether this install can use CUDA. The binding lists CUDA when it
 * was built with it, but its provider libraries are a separate download
 * (ONNXRUNTIME_NODE_INSTALL=cuda12) placed next to the binding, so the lab
 * looks for them there, in a packaged app in app.asar.unpacked, where the
 * dynamic loader finds them (nothing native loads from inside the archive).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as OrtTypes from 'onnxruntime-node';
import { LabError, errorMessage } from '../../errors';
import { unpackedPath } from '../bundled-files';

export type Ort = typeof OrtTypes;

/** How the module is imported; replaced by tests to stand in for a binding that does not load. */
export type OrtImporter = () => Promise<unknown>;

const defaultImporter: OrtImporter = () => import('onnxruntime-node');

let importer: OrtImporter = defaultImporter;
let loaded: Ort | undefined;
let loading: Promise<Ort> | undefined;

/** What to do when the binding does not load, for this platform and architecture. */
export function bindingHint(platform: string, arch: string): string {
  if (platform === 'darwin' && arch === 'x64') {
    return 'onnxruntime-node 1.30 ships no binary for Intel Macs: ONNX models run on Apple-silicon Macs, Linux and Windows (or add a Triton server with "Add server…" and run them there)';
  }
  if (platform === 'win32') {
    return 'install the Microsoft Visual C++ Redistributable (x64: https://aka.ms/vs/17/release/vc_redist.x64.exe), then restart Model Lab';
  }
  if (platform === 'linux') {
    return 'onnxruntime-node needs glibc 2.28 or newer on x64 or arm64; reinstall Model Lab if its files are incomplete, then restart it';
  }
  return `onnxruntime-node ships no binary for ${platform}-${arch}`;
}

/** The error each ONNX model carries when the binding failed to load. */
export function bindingFailure(err: unknown, platform: string = process.platform, arch: string = process.arch): LabError {
  const first = (errorMessage(err).split('\n')[0] ?? '').trim();
  return new LabError('UNAVAILABLE', `ONNX Runtime could not be loaded on this computer (${platform}-${arch}): ${first}. To run ONNX models: ${bindingHint(platform, arch)}.`, {
    cause: err,
    reason: 'ORT_BINDING',
  });
}

function asOrt(m: unknown): Ort {
  // A CommonJS module imported from ESM: its exports are named, and also the default.
  const ns = m as Partial<Ort> & { default?: Ort };
  if (ns.InferenceSession && ns.Tensor) return ns as Ort;
  if (ns.default?.InferenceSession) return ns.default;
  throw new Error('the onnxruntime-node module has no InferenceSession');
}

/**
 * ONNX Runtime, loaded on the first call. A failure is not kept: the next model
 * load tries again (after the user installed what was missing, a reload may work).
 */
export function loadOrt(): Promise<Ort> {
  if (loaded) return Promise.resolve(loaded);
  loading ??= importer().then(
    (m) => {
      loaded = asOrt(m);
      return loaded;
    },
    (err: unknown) => {
      loading = undefined;
      throw bindingFailure(err);
    },
  );
  return loading;
}

/** The module, where code runs only after a session was created (tensor conversion); throws when it was never loaded. */
export function loadedOrt(): Ort {
  if (!loaded) throw new LabError('INTERNAL', 'ONNX Runtime is used before it was loaded');
  return loaded;
}

/** Tests: import through `fn` from now on (undefined: the real module); forgets what was loaded. */
export function setOrtImporterForTests(fn: OrtImporter | undefined): void {
  importer = fn ?? defaultImporter;
  loaded = undefined;
  loading = undefined;
}

/** The files the CUDA execution provider needs next to the binding, per platform (what ONNXRUNTIME_NODE_INSTALL=cuda12 places there). */
export function cudaProviderFiles(platform: string): string[] {
  if (platform === 'win32') return ['onnxruntime_providers_cuda.dll', 'onnxruntime_providers_shared.dll'];
  return ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'];
}

/** Where onnxruntime-node's entry file is, as Node resolves it from here (inside app.asar in a packaged app). */
function ortEntry(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('onnxruntime-node');
  } catch {
    return undefined;
  }
}

/** The folder holding this platform's onnxruntime_binding.node (unpacked in a packaged app), or undefined when not found. */
export function bindingDir(platform: string = process.platform, arch: string = process.arch, entry: string | undefined = ortEntry()): string | undefined {
  // <package>/dist/index.js → <package>/bin/napi-v6/<platform>/<arch>
  return entry ? unpackedPath(path.join(path.dirname(entry), '..', 'bin', 'napi-v6', platform, arch)) : undefined;
}

/** Whether this ONNX Runtime is the one packed into an installed app (its binding in app.asar.unpacked), not an npm install. */
export function packagedRuntime(dir: string | undefined = bindingDir()): boolean {
  return dir !== undefined && /[\\/]app\.asar\.unpacked[\\/]/.test(dir);
}

export interface CudaSupport {
  usable: boolean;
  /** Why not, when not: for the model's device note. */
  why?: string;
}

/** Whether sessions can ask for CUDA: the binding was built with it and its provider libraries are installed next to it. */
export function cudaSupport(ort: Pick<Ort, 'listSupportedBackends'>, dir: string | undefined = bindingDir()): CudaSupport {
  let listed: boolean;
  try {
    listed = ort.listSupportedBackends().some((b) => b.name === 'cuda');
  } catch {
    listed = false;
  }
  if (!listed) return { usable: false, why: `this onnxruntime-node build (${process.platform}-${process.arch}) has no CUDA execution provider` };
  const missing = dir ? cudaProviderFiles(process.platform).filter((f) => !existsSync(path.join(dir, f))) : cudaProviderFiles(process.platform);
  if (missing.length > 0) return { usable: false, why: `this onnxruntime-node install has no CUDA provider libraries (${missing.join(', ')} not in ${dir ?? 'its binary folder'})` };
  return { usable: true };
}
