import type { deskEn } from './desk.en';

/** 简体中文 of the desk area; keys as in desk.en.ts. */
export const deskZhCN: Record<keyof typeof deskEn, string> = {
  'desk.log.event.loading': '正在加载版本 {v}',
  'desk.log.event.loaded': '版本 {v} 已加载，可以接收请求',
  'desk.log.event.failed': '版本 {v} 加载失败：{reason}',
  'desk.log.event.unloaded': '版本 {v} 已卸载',
  'desk.log.event.reloaded': '— 已重新加载：以上内容来自上一次加载 —',
  'desk.log.detail.ms': '{ms} 毫秒',
  'desk.log.detail.instances': '{n} 个实例',
  'desk.log.withDetails': '{head}（{details}）',
  'desk.log.eventTitle': '由 Model Lab 记录',
  'desk.log.empty.loading.title': '正在加载…',
  'desk.log.empty.loading.body': '加载的每一步都会实时记录在这里，随后是模型代码打印或记录的内容。',
  'desk.log.empty.ready.title': '模型加载后尚无日志',
  'desk.log.empty.ready.body': '加载、卸载和实例重启都会记录在这里，模型代码运行时打印或记录的内容也会显示在这里。',
  'desk.log.empty.unloaded.title': '未加载',
  'desk.log.empty.unloaded.body': '加载模型后即可查看日志：加载过程会记录在这里，随后是模型运行时打印的内容。',
  'desk.log.empty.failed.title': '没有日志：没有启动任何实例',
  'desk.log.empty.failed.body': '模型在运行任何代码之前就停止了，原因显示在上方和“概览”标签页中。',
  'desk.log.empty.filtered.title': '此级别没有内容',
  'desk.log.empty.filtered.body': '筛选条件隐藏了 {n} 行。',
  'desk.splash.repositories': '正在打开模型仓库…',
  'desk.file.lines': '{n} 行',
  'desk.file.plainAfter': '文件较大：第 {n} 行之后不再着色，其余内容以纯文本显示。',
  'desk.file.more': '已显示 {total} 行中的 {shown} 行。再显示 {n} 行',
};
