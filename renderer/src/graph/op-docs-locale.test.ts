// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import type { OpDoc } from '@contract/lab-api';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../i18n';
import { buildGraphModel } from './graph-model';
import GraphNodeSidebar from './GraphNodeSidebar.vue';
import { opSummary, zhOpSummary, zhTableEntry } from './op-docs-locale';
import zh from './op-docs.zh-CN.json';
import { emptySummary, graphNode } from './synthetic';

// What the engine sends (its English lines abridged): a described default-domain operator, a described
// contrib operator, one the schemas know but the table does not describe, and one of a custom domain.
const OPS: OpDoc[] = [
  { opType: 'Conv', domain: '', summary: 'Slides learned filters over the input (a convolution).', category: 'layer', sinceVersion: 11 },
  { opType: 'FusedConv', domain: 'com.microsoft', summary: 'A convolution followed by an activation in one step.', category: 'layer', sinceVersion: 1 },
  {
    opType: 'Gradient',
    domain: '',
    summary: 'Gradient from the standard ONNX domain (introduced in version 1 of its operator set); the lab has no description of it yet.',
    category: 'other',
    sinceVersion: 1,
  },
  { opType: 'Blur', domain: 'com.acme', summary: "Blur from the 'com.acme' domain; the lab has no description of it.", category: 'other' },
];

function sidebarText(node: number): string {
  const m = buildGraphModel(
    emptySummary({
      ops: OPS,
      nodes: [
        graphNode('conv', 'Conv', ['x', 'w'], ['a']),
        graphNode('fused', 'FusedConv', ['a', 'w2'], ['b'], { domain: 'com.microsoft' }),
        graphNode('grad', 'Gradient', ['b'], ['c']),
        graphNode('blur', 'Blur', ['c'], ['y'], { domain: 'com.acme' }),
      ],
    }),
  );
  return mount(GraphNodeSidebar, { props: { model: m, node } })
    .get('[data-testid=graph-node-doc]')
    .text();
}

afterEach(() => setLocale('en'));

describe('operator descriptions in the sidebar', () => {
  it('stay the engine’s English lines in English', () => {
    setLocale('en');
    expect([0, 1, 2, 3].map(sidebarText)).toEqual(OPS.map((o) => o.summary));
  });

  it('are Chinese in 简体中文: the table’s lines, the generic line and the custom-domain line', () => {
    setLocale('zh-CN');
    expect(sidebarText(0)).toBe('在输入的空间维度上滑动学到的卷积核，并可加上偏置（即卷积）。');
    expect(sidebarText(1)).toBe('一步完成卷积及其后的激活（Microsoft contrib 算子）。');
    expect(sidebarText(2)).toBe('Gradient：标准 ONNX 域的算子（自该算子集第 1 版引入）；Model Lab 暂无它的说明。');
    expect(sidebarText(3)).toBe('Blur：com.acme 域的算子；Model Lab 没有它的说明（请查阅定义它的运行时或导出工具的文档）。');
  });

  it('follow a language switch while the sidebar is open', async () => {
    setLocale('en');
    const m = buildGraphModel(emptySummary({ ops: OPS, nodes: [graphNode('conv', 'Conv', ['x', 'w'], ['a'])] }));
    const w = mount(GraphNodeSidebar, { props: { model: m, node: 0 } });
    expect(w.get('[data-testid=graph-node-doc]').text()).toBe(OPS[0]!.summary);
    setLocale('zh-CN');
    await w.vm.$nextTick();
    expect(w.get('[data-testid=graph-node-doc]').text()).toBe(zh.ops['ai.onnx'].Conv);
  });
});

describe('the Chinese table lookup', () => {
  it('finds an operator in either described domain, as the engine does, and never in a custom one', () => {
    expect(zhTableEntry('Relu', 'ai.onnx')).toBe(zh.ops['ai.onnx'].Relu);
    expect(zhTableEntry('Relu', 'com.microsoft')).toBe(zh.ops['ai.onnx'].Relu);
    expect(zhTableEntry('FusedConv', '')).toBe(zh.ops['com.microsoft'].FusedConv);
    expect(zhTableEntry('Relu', 'com.acme')).toBeUndefined();
    expect(zhOpSummary({ opType: 'Relu', domain: 'com.acme' })).toBe('Relu：com.acme 域的算子；Model Lab 没有它的说明（请查阅定义它的运行时或导出工具的文档）。');
  });

  it('picks the language asked for', () => {
    expect(opSummary(OPS[0]!, 'en')).toBe(OPS[0]!.summary);
    expect(opSummary(OPS[0]!, 'zh-CN')).toBe(zh.ops['ai.onnx'].Conv);
  });
});
