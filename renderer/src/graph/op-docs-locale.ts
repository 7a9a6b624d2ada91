/**
 * Operator descriptions in the UI's language. The engine describes operators
 * in English (electron/engine/graph/op-docs.ts, OpDoc.summary); 简体中文 comes
 * from op-docs.zh-CN.json, which holds the same operators by domain and op
 * type (a test keeps the two tables in step) and the sentences for operators
 * the table lacks, filled in here from the node's op type, domain and opset.
 */
import type { OpDoc } from '@contract/lab-api';
import { locale, type Locale } from '../i18n';
import zh from './op-docs.zh-CN.json';

type Lines = keyof typeof zh.lines;
const TABLES: Record<string, Record<string, string> | undefined> = zh.ops;

/** The domains the engine's table describes (as it does: the default domain and onnxruntime's contrib one). */
const DESCRIBED_DOMAINS = ['ai.onnx', 'com.microsoft'];

function fill(line: Lines, params: Record<string, string | number>): string {
  return zh.lines[line].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
}

/** The default domain is written '' or 'ai.onnx'; the table files it under 'ai.onnx'. */
function domainKey(domain: string | undefined): string {
  return !domain || domain === 'ai.onnx' ? 'ai.onnx' : domain;
}

/** The Chinese description the table holds for an operator, looked up as the engine does (either described domain). */
export function zhTableEntry(opType: string, domain?: string): string | undefined {
  const key = domainKey(domain);
  if (!DESCRIBED_DOMAINS.includes(key)) return undefined;
  const own = TABLES[key]?.[opType];
  if (own) return own;
  for (const d of DESCRIBED_DOMAINS) if (TABLES[d]?.[opType]) return TABLES[d]![opType];
  return undefined;
}

/** 简体中文 for an operator: the table's line, else the generic line (schema known) or the custom-domain one. */
export function zhOpSummary(doc: Pick<OpDoc, 'opType' | 'domain' | 'sinceVersion'>): string {
  const entry = zhTableEntry(doc.opType, doc.domain);
  if (entry) return entry;
  const key = domainKey(doc.domain);
  const domain = key === 'ai.onnx' ? zh.lines.standardDomain : fill('namedDomain', { domain: key });
  return doc.sinceVersion !== undefined ? fill('generic', { op: doc.opType, domain, since: doc.sinceVersion }) : fill('custom', { op: doc.opType, domain });
}

/** The description of an operator in the given language (the current one by default); '' when the engine has none. */
export function opSummary(doc: OpDoc, lang: Locale = locale.value): string {
  if (lang === 'zh-CN') return zhOpSummary(doc);
  return doc.summary;
}
