/**
 * Finding the Python files the lab ships for its children (the Python stub,
 * the PyTorch runner): a folder next to the calling module in the sources, or
 * the folder electron.vite.config.mts copies them to in a build. Python cannot
 * read inside an asar archive, so a packaged app uses the unpacked copy
 * (electron-builder.yml asarUnpack).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A path inside the app's archive as its twin in app.asar.unpacked, where electron-builder's asarUnpack
 * puts the files that must be real (native libraries, the Python files, the script workers). The
 * innermost `app.asar` counts: a folder above the install may carry that name too. Other paths unchanged.
 */
export function unpackedPath(p: string): string {
  const m = /^(.*[\\/])app\.asar(?=[\\/])/.exec(p);
  return m ? `${m[1]}app.asar.unpacked${p.slice(m[0].length)}` : p;
}

/** The first of `candidates` (relative to the module at `from`, an import.meta.url) that holds every one of `files`. */
export function bundledDir(from: string, candidates: readonly string[], files: readonly string[]): string | undefined {
  for (const rel of candidates) {
    const url = new URL(rel, from);
    if (url.protocol !== 'file:') continue;
    const dir = unpackedPath(fileURLToPath(url));
    if (files.every((f) => existsSync(path.join(dir, f)))) return dir;
  }
  return undefined;
}
