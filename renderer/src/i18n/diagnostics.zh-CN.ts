import type { diagnosticsEn } from './diagnostics.en';

/** 简体中文 of the diagnostics area; keys as in diagnostics.en.ts. */
export const diagnosticsZhCN: Record<keyof typeof diagnosticsEn, string> = {
  'diag.severity.error': '错误',
  'diag.severity.warning': '警告',
  'diag.severity.info': '提示',
  'diag.english': 'Triton 原文',
  'diag.english.hint': 'Triton 的英文原文：可选中复制，用于搜索',
  'model.scheduler.none': '默认调度器（不做批处理）',
  'model.scheduler.dynamic_batching': '动态批处理',
  'model.scheduler.sequence_batching': '序列批处理',
  'model.scheduler.ensemble_scheduling': '集成调度',
  'model.versionPolicy.code': 'config.pbtxt 中的写法',
  'model.reasonLabel': '{state}：',
  'diag.count.errors': '{n} 个错误',
  'diag.count.warnings': '{n} 个警告',
  'model.reloadFailed.chipTitle': '{title}：{reason}',
  'model.reloadFailed.heading': '{title}。',
};
