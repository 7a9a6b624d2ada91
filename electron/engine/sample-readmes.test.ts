/**
 * The sample repositories' READMEs (and the sample images') have a 简体中文
 * version beside them, README.zh-CN.md, that the lab shows in that language.
 * A translation keeps what must stay as written: every fenced block (diagrams,
 * configs) and every inline code span (names of models, tensors, fields and
 * files), and it follows the project glossary.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './backends/script/samples/sample-images';

function readmes(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules') out.push(...readmes(p));
    else if (e.name === 'README.md') out.push(p);
  }
  return out;
}

const english = [...readmes(path.join(projectRoot, 'sample-repos')), path.join(projectRoot, 'resources/sample-images/README.md')];
const fences = (md: string): string[] => [...md.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]!);
const spans = (md: string): string[] => [...md.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
const headings = (md: string): number => md.replace(/```[\s\S]*?```/g, '').match(/^#{1,6} /gm)?.length ?? 0;
const rel = (p: string): string => path.relative(projectRoot, p);

describe('Chinese READMEs of the samples', () => {
  it('exist beside every English one', () => {
    expect(english.length).toBeGreaterThanOrEqual(5);
    expect(english.filter((p) => !existsSync(p.replace(/README\.md$/, 'README.zh-CN.md'))).map(rel)).toEqual([]);
  });

  it.each(english.map((p) => [rel(p), p]))('%s: keeps the code, the names and the headings, in Chinese prose', (_, p) => {
    const en = readFileSync(p, 'utf8');
    const zh = readFileSync(p.replace(/README\.md$/, 'README.zh-CN.md'), 'utf8');
    expect(fences(zh)).toEqual(fences(en));
    expect(spans(en).filter((s) => !zh.includes(`\`${s}\``))).toEqual([]);
    expect(headings(zh)).toBe(headings(en));
    const prose = zh.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]+`/g, '');
    expect(prose).toMatch(/[\u4e00-\u9fff]/);
    // Full-width punctuation in Chinese sentences; glossary terms (管道, 集成模型, Model Lab for the product).
    expect(prose.match(/[\u4e00-\u9fff][,;:!?]|[,;:!?][\u4e00-\u9fff]/g) ?? []).toEqual([]);
    expect(prose.match(/流水线|实验室|初始值|(?<!模型)集成(?!模型)/g) ?? []).toEqual([]);
    // GitHub does not close ** between full-width punctuation and a Chinese character: the 。 goes after the bold.
    expect(prose.match(/[\u3000-\u303f\uff00-\uffef]\*\*[\u4e00-\u9fff]/g) ?? []).toEqual([]);
  });
});
