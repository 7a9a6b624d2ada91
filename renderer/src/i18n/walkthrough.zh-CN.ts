import type { walkthroughEn } from './walkthrough.en';

/** 简体中文 messages of the walkthrough area. */
export const walkthroughZhCN: Record<keyof typeof walkthroughEn, string> = {
  'walkthrough.title': '教程导览',
};
