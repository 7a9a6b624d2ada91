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

/** The first of `candidates` (relative to the module at `from`, an import.meta.url) that holds every one of `files`. */
export function bundledDir(from: string, candidates: readonly string[], files: readonly string[]): string | undefined {
  for (const rel of candidates) {
    const url = new URL(rel, from);
    if (url.protocol !== 'file:') continue;
    const dir = fileURLToPath(url).replace(`${path.sep}app.asar${path.sep}`, `${path.sep}app.asar.unpacked${path.sep}`);
    if (files.every((f) => existsSync(path.join(dir, f)))) return dir;
  }
  return undefined;
}
