/** Types of scripts/gen-op-schemas-parse.mjs, for its test. */
export interface StoredSignature {
  v: number;
  i?: string[];
  o?: string[];
  a?: string[];
  d?: 1;
  x?: 1;
}
export type StoredVersion = number | StoredSignature;
export interface StoredOp {
  c: string;
  s: StoredVersion[];
}
export interface DeclaredAttr {
  type: string;
  expr: string;
}
export function formatFloat(f: number): string;
export function formatDefault(type: string, raw: string): string;
export function parseParam(term: string): string;
export function parseAttr(term: string): string;
export function signature(body: string, fallback?: number): StoredSignature;
export function categoryOf(op: string, group: string | undefined): string;
export function compact(versions: StoredSignature[]): StoredVersion[];
export function callArgs(src: string, open: number): string[];
export function statementEnd(src: string, start: number): number;
export function cppLiteral(expr: string, constants: Map<string, string>, type: string): string | undefined;
export function cppConstants(src: string): Map<string, string>;
export function onnxGroups(files: { path: string; text: string }[]): Map<string, string>;
export function changelogDomain(doc: string, domain: string, groups: Map<string, string>, maxVersion: number, extra?: Map<string, StoredSignature>): Record<string, StoredOp>;
export function defaultDomain(doc: string, groups: Map<string, string>, maxOpset: number, extra?: Map<string, StoredSignature>): Record<string, StoredOp>;
export function ortOnnxDomainSchemas(src: string): Map<string, StoredSignature>;
export function schemaBlocks(src: string): { name: string; block: string; domain: string | undefined }[];
export function contribDefaults(src: string): { defaults: Map<string, Map<string, DeclaredAttr>>; constants: Map<string, string> };
export function contribDomain(doc: string, domain: string, src: string): Record<string, StoredOp>;
