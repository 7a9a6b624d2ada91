import type { PlaygroundKey } from './playground.en';

/** 简体中文 messages of the playground area. */
export const playgroundZhCN: Record<PlaygroundKey, string> = {
};
