export interface CheckResult {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  detail?: string;
}
export function filesUnder(dir: string, rel?: string): string[];
export function sizeOf(p: string): number;
export function binaryKind(file: string): { os: string; arch: string };
export function asarEntries(archive: string): { path: string; size: number; unpacked: boolean }[];
export function checkSamples(packed: string, root: string): CheckResult;
export function checkArchiveRoot(resources: string): CheckResult;
