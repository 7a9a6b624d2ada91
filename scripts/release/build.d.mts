/** Types of scripts/release/build.mjs, for its test. */
export const TARGETS: Record<'linux' | 'win32' | 'darwin', { flag: string; targets: string[]; endings: string[] }>;
export function builderArgs(platform: string, arch: string, opts?: { dir?: boolean; signed?: boolean; extra?: string[] }): string[];
export function installersIn(releaseDir: string, platform: 'linux' | 'win32' | 'darwin'): { file: string; bytes: number }[];
