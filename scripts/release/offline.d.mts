/** Types of scripts/release/offline.mjs, for its test. */
import type { spawnSync } from 'node:child_process';
export type Availability = { ok: true } | { ok: false; reason: string };
export function netnsCommand(cmd: readonly string[]): string[];
export function netnsAvailable(platform?: NodeJS.Platform, run?: typeof spawnSync): Availability;
export function offlineCommand(cmd: string[], opts?: { require?: boolean; available?: Availability }): { argv: string[] | undefined; note: string };
