export interface Target {
  platform: string;
  arch: string;
}
export interface Specifier {
  spec: string;
  kind: 'import' | 'require';
  template?: boolean;
}
export interface Load {
  from: string;
  spec: string;
}
export interface WalkResult {
  files: Set<string>;
  packages: Set<string>;
  missing: Load[];
  skipped: (Load & { why: string })[];
}
export const ESM_CONDITIONS: string[];
export const CJS_CONDITIONS: string[];
export const NOT_LOADED: Map<string, string>;
export function isOtherPlatform(spec: string, target: Target): boolean;
export function specifiersOf(source: string, format: 'esm' | 'cjs', assets?: boolean): Specifier[];
export function packageOf(rel: string): string | undefined;
export function resolveIn(spec: string, file: string, root: string, format: 'esm' | 'cjs'): string | undefined;
export function walk(options: { root: string; entries: string[]; target: Target; runtime?: string[]; assets?: boolean }): WalkResult;
