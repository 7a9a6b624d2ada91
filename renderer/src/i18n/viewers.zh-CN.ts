import type { ViewersKey } from './viewers.en';

/** 简体中文 messages of the viewers area. */
export const viewersZhCN: Record<ViewersKey, string> = {
};
