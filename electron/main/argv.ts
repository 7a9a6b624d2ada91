/** Repository folders named on a command line, for the first launch and for later ones forwarded to it. */
import path from 'node:path';

/** Repository folders given on the command line (`npm start -- <folder>`), skipping Electron's own arguments. */
export function repositoriesFromArgv(argv: readonly string[], packaged: boolean): string[] {
  // Unpackaged: electron <app-dir> [args]; packaged: <app> [args].
  const args = argv.slice(packaged ? 1 : 2);
  return args.filter((a) => !a.startsWith('-') && a !== '.');
}

/** What a second launch hands the running instance (`app.requestSingleInstanceLock(data)`). */
export interface LaunchData {
  /** Absolute folders, resolved against the second launch's working directory. */
  repositories: string[];
}

export function launchData(argv: readonly string[], cwd: string, packaged: boolean): LaunchData {
  return { repositories: repositoriesFromArgv(argv, packaged).map((p) => path.resolve(cwd, p)) };
}

function isLaunchData(v: unknown): v is LaunchData {
  if (!v || typeof v !== 'object') return false;
  const r = (v as { repositories?: unknown }).repositories;
  return Array.isArray(r) && r.every((p) => typeof p === 'string' && p.length > 0);
}

/**
 * The folders a second launch asked for, from its launch data when it sent
 * some, else from its argv (which Chromium may have reordered or extended
 * with switches) resolved against its working directory.
 */
export function secondLaunchRepositories(argv: readonly string[], cwd: string, data: unknown, packaged: boolean): string[] {
  if (isLaunchData(data)) return data.repositories;
  return launchData(argv, cwd, packaged).repositories;
}
