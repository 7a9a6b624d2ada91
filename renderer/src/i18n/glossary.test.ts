/**
 * 简体中文 follows one glossary (shared/reference/zh-CN-glossary.md): the forbidden forms below are
 * the ones a native editor found in the UI and the tours. Every zh-CN catalog, the tours and the
 * diagnostics' Chinese are read as source text, so a string added anywhere in them is checked.
 */
import { describe, expect, it } from 'vitest';

const SOURCES = {
  ...import.meta.glob(['./*.zh-CN.ts', './zh-CN.ts', './diagnostic-text.ts'], { query: '?raw', import: 'default', eager: true }),
  ...import.meta.glob(['../walkthroughs/content/*.ts'], { query: '?raw', import: 'default', eager: true }),
} as Record<string, string>;

interface Rule {
  bad: RegExp;
  use: string;
}

/** What the glossary forbids, and what to write instead. */
export const FORBIDDEN: readonly Rule[] = [
  { bad: /流水线/g, use: 'pipeline is 管道' },
  { bad: /实验室/g, use: 'the product is Model Lab, not 实验室' },
  { bad: /乱码/g, use: 'nonsense is 毫无意义的文字/结果 (乱码 is mojibake)' },
  { bad: /初始值/g, use: 'initializer is 初始化器（initializer）' },
  { bad: /处理器/g, use: 'processor reads as a CPU: 预处理/后处理代码, or processor' },
  { bad: /行为第/g, use: '行为 reads as "behaviour": 行对应第 … 轴' },
  { bad: /HuggingFace/g, use: 'write Hugging Face (and keep "Hugging Face Hub" in English)' },
  { bad: /(?<!模型)集成(?!模型|张量|输入|输出|调度|步骤)/g, use: '集成 alone as a noun: 集成模型 (or 模型集成 for the feature)' },
  { bad: /可服务|正在服务|服务\s*(?=[{A-Za-z])/g, use: '"服务" is not a transitive verb: 为…提供服务' },
  { bad: /缩放(?:到|后|图片|图像)|关闭缩放/g, use: 'resize is 调整尺寸 (缩放 is zoom, 缩放系数 scale)' },
  { bad: /(?<!模型|代码)仓库/g, use: 'model repository is 模型仓库, one term across the project (never 仓库 alone)' },
  { bad: /批次维度|批次大小|批尺寸/g, use: 'batch dimension / batch size are 批维度 / 批大小' },
  { bad: /[\u4e00-\u9fff][,;!?](?=\s*[\u4e00-\u9fff])|[\u4e00-\u9fff][:(]/g, use: 'full-width punctuation in Chinese sentences (，；！？：（）)' },
];

/** The Chinese of a source file: quoted strings and templates with at least one CJK character. */
function chineseStrings(source: string): string[] {
  return [...source.matchAll(/'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`|"((?:[^"\\\n]|\\.)*)"/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '').filter((s) => /[\u4e00-\u9fff]/.test(s));
}

describe('简体中文 follows the glossary', () => {
  it('reads the catalogs, the tours and the diagnostics', () => {
    const files = Object.keys(SOURCES);
    expect(files.some((f) => f.endsWith('/zh-CN.ts'))).toBe(true);
    expect(files.some((f) => f.endsWith('playground.zh-CN.ts'))).toBe(true);
    expect(files.some((f) => f.endsWith('migrating.ts'))).toBe(true);
    expect(files.some((f) => f.endsWith('diagnostic-text.ts'))).toBe(true);
  });

  it('finds what it forbids (the rules themselves work)', () => {
    const hits = (s: string) => FORBIDDEN.filter((r) => s.match(r.bad)).length;
    expect(hits('实验室会自动补上 1')).toBe(1);
    expect(hits('由一个集成连接起来')).toBe(1);
    expect(hits('集成模型和集成张量，模型集成')).toBe(0);
    expect(hits('正在服务 {repo}')).toBe(1);
    expect(hits('为 {repo} 提供服务')).toBe(0);
    expect(hits('请填写缩放后的宽和高')).toBe(1);
    expect(hits('滚轮缩放')).toBe(0);
    expect(hits('尚未打开仓库')).toBe(1);
    expect(hits('尚未打开模型仓库')).toBe(0);
    expect(hits('第 {i} 维,大小')).toBe(1);
    expect(hits('状态: 已暂停')).toBe(1);
    expect(hits('状态：已暂停（{ui:play.tab}）')).toBe(0);
  });

  for (const [file, source] of Object.entries(SOURCES)) {
    it(file.replace(/^.*\//, ''), () => {
      const found: string[] = [];
      for (const s of chineseStrings(source)) for (const r of FORBIDDEN) for (const m of s.matchAll(r.bad)) found.push(`${m[0]} (${r.use}) in: ${s.slice(Math.max(0, m.index - 20), m.index + 30)}`);
      expect(found).toEqual([]);
    });
  }
});
