import type { tensorsEn } from './tensors.en';

/** 简体中文 of the tensors area; keys as in tensors.en.ts. */
export const tensorsZhCN: Record<keyof typeof tensorsEn, string> = {};
