import type { ShellKey } from './shell.en';

/** 简体中文 messages of the shell area. */
export const shellZhCN: Record<ShellKey, string> = {
};
