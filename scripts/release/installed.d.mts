/** Types of scripts/release/installed.mjs, for its test. */
import type { spawnSync } from 'node:child_process';
import type { PackageNames } from './find-app.mjs';
export const MAIN_INSTALLER: Record<'linux' | 'win32' | 'darwin', string>;
export function resourcesOf(appDir: string, platform: string, names: PackageNames): string;
export function executableOf(appDir: string, platform: string, names: PackageNames): string;
export function findAppDir(tree: string, platform: string, names: PackageNames, depth?: number): string | undefined;
export function fingerprint(dir: string): string[];
export function compareResources(expected: string, actual: string): string[];
export function openInstaller(installer: string, dir: string, platform: string, run?: typeof spawnSync, env?: NodeJS.ProcessEnv): string[];
