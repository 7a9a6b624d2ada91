import type { runsEn } from './runs.en';

/** 简体中文 of the runs area; keys as in runs.en.ts. */
export const runsZhCN: Record<keyof typeof runsEn, string> = {};
