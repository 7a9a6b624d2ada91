import type { workspaceEn } from './workspace.en';

/** 简体中文 of the workspace area; keys as in workspace.en.ts. */
export const workspaceZhCN: Record<keyof typeof workspaceEn, string> = {};
