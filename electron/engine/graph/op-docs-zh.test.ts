/**
 * The renderer shows operator descriptions in 简体中文 from its own table
 * (renderer/src/graph/op-docs.zh-CN.json, read here as data: engine code does
 * not import the renderer). Every operator this English table describes needs
 * a Chinese line, and the Chinese table describes nothing the English one
 * lacks, or the two languages would disagree on which operators are known.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DESCRIBED_OP_TYPES, opDoc } from './op-docs';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../renderer/src/graph/op-docs.zh-CN.json');
const zh = JSON.parse(readFileSync(file, 'utf8')) as { lines: Record<string, string>; ops: Record<string, Record<string, string>> };
const entries = Object.entries(zh.ops).flatMap(([domain, ops]) => Object.entries(ops).map(([opType, text]) => ({ domain, opType, text })));
const HAN = /[\u4e00-\u9fff]/;

describe('Chinese operator descriptions', () => {
  it('describe every operator of the English table, once, and nothing else', () => {
    const byOp = new Map<string, string[]>();
    for (const e of entries) byOp.set(e.opType, [...(byOp.get(e.opType) ?? []), e.domain]);
    const missing = DESCRIBED_OP_TYPES.filter((op) => !byOp.has(op));
    const extra = [...byOp.keys()].filter((op) => !DESCRIBED_OP_TYPES.includes(op));
    const twice = [...byOp].filter(([, domains]) => domains.length > 1).map(([op]) => op);
    expect({ missing, extra, twice }).toEqual({ missing: [], extra: [], twice: [] });
    expect(entries.length).toBe(DESCRIBED_OP_TYPES.length);
    expect(Object.keys(zh.ops).sort()).toEqual(['ai.onnx', 'com.microsoft']);
  });

  it('are Chinese sentences with full-width punctuation around Chinese text', () => {
    const bad = entries.filter(
      ({ text }) => !HAN.test(text) || !text.endsWith('。') || /[\u4e00-\u9fff][,;:()]|[,;:()][\u4e00-\u9fff]/.test(text) || /[\u4e00-\u9fff][A-Za-z0-9]|[A-Za-z0-9][\u4e00-\u9fff]/.test(text),
    );
    expect(bad).toEqual([]);
  });

  it('follow the glossary (初始化器, 管道, 缩放系数 for scale) and keep the English notes on contrib operators', () => {
    expect(entries.filter(({ text }) => /初始值|流水线|实验室|集成(?!模型)/.test(text))).toEqual([]);
    for (const e of entries) {
      const en = opDoc(e.opType, e.domain === 'ai.onnx' ? '' : e.domain).summary;
      // The English line names contrib operators as such; the Chinese one does too, and files them under their domain.
      expect({ op: e.opType, contrib: e.text.includes('Microsoft contrib 算子') }).toEqual({ op: e.opType, contrib: en.includes('Microsoft contrib operator') });
      if (en.includes('Microsoft contrib operator')) expect(e.domain).toBe('com.microsoft');
      // Formulas and the names of operators and attributes stay in half-width, as written in English.
      for (const name of en.match(/\b[A-Z][a-z]+[A-Z]\w*\b|\b\w+·\w+\b/g) ?? []) expect({ op: e.opType, name, found: e.text.includes(name) }).toMatchObject({ found: true });
    }
  });

  it('have the sentences for operators the table lacks, with the parts the renderer fills in', () => {
    expect(zh.lines['generic']).toMatch(/\{op\}.*\{domain\}.*\{since\}/);
    expect(zh.lines['custom']).toMatch(/\{op\}.*\{domain\}/);
    expect(zh.lines['namedDomain']).toContain('{domain}');
    for (const line of Object.values(zh.lines)) expect(line).toMatch(HAN);
  });
});
