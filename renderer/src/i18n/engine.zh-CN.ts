import type { EngineKey } from './engine.en';

/** 简体中文 messages about the engine process. */
export const engineZhCN: Record<EngineKey, string> = {
  'engine.restarting': '引擎已停止（{reason}），正在重新启动。窗口保持打开；正在进行的运行已取消，之前的运行结果已不可用。',
  'engine.running': '引擎已恢复，之前打开的模型仓库已重新打开。',
  'engine.runningEmpty': '引擎已恢复，但未重新打开模型仓库：引擎在打开它们时反复停止。检查之后，请再次打开它们（文件 › 最近打开）。',
  'engine.failed': '引擎再次停止（{reason}），未再自动重新启动。',
  'engine.retry': '重新启动引擎',
  'engine.retrying': '正在重新启动…',
  'engine.retryFailed': '引擎未能启动：{reason}',
};
