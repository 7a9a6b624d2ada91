import type { graphEn } from './graph.en';

/** 简体中文 messages of the graph area. */
export const graphZhCN: Record<keyof typeof graphEn, string> = {
  'model.tab.graph': '计算图',
};
