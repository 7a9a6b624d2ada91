/** Types of scripts/start-lib.mjs, for its test. */
export const ELECTRON_DOWNLOAD_NODE: [number, number];
export function electronExecutableIn(distDir: string, platform: NodeJS.Platform): string;
export function nodeAtLeast(version: string, min?: readonly [number, number] | number[]): boolean;
export function oldNodeMessage(version: string): string;
export function packageBinCommand(pkgDir: string, pkgJson: { name?: string; bin?: string | Record<string, string> }, binName: string, nodePath: string): { command: string; args: string[] };
export function resolveFolderArgs(args: readonly string[], initCwd: string | undefined, cwd: string): string[];
export function shellQuote(value: string): string;
export function forwardsSignal(signal: NodeJS.Signals, stdinIsTTY: boolean): boolean;
export function sandboxFix(exe: string): string;
export function childExit(opts: { code: number | null; signal: NodeJS.Signals | null; forwarded?: NodeJS.Signals | undefined; platform: NodeJS.Platform; electronExe: string | undefined }): {
  code: number;
  message?: string;
};
