import type { diagnosticsEn } from './diagnostics.en';

/** 简体中文 of the diagnostics area; keys as in diagnostics.en.ts. */
export const diagnosticsZhCN: Record<keyof typeof diagnosticsEn, string> = {};
