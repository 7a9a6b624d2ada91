import type { ensembleEn } from './ensemble.en';

/** 简体中文 messages of the ensemble area. */
export const ensembleZhCN: Record<keyof typeof ensembleEn, string> = {
  'model.tab.ensemble': '逐步执行',
};
