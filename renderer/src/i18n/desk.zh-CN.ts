import type { deskEn } from './desk.en';

/** 简体中文 of the desk area; keys as in desk.en.ts. */
export const deskZhCN: Record<keyof typeof deskEn, string> = {};
