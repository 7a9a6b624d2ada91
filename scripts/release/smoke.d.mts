/** Types of scripts/release/smoke.mjs, for its test. */
import type { Availability } from './offline.mjs';
export interface SmokeHost {
  platform: NodeJS.Platform;
  display: boolean;
  xvfb: boolean;
  netns: Availability;
  node: string;
  root: string;
}
export function smokePlan(opts: { app?: string | undefined; require?: boolean; offline?: boolean; standin?: boolean }, host: SmokeHost): { argv: string[] | undefined; env: Record<string, string>; notes: string[] };
