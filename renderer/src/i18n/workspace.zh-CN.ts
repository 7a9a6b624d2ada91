import type { workspaceEn } from './workspace.en';

/** 简体中文 of the workspace area; keys as in workspace.en.ts. */
export const workspaceZhCN: Record<keyof typeof workspaceEn, string> = {
  'workspace.recent.button': '最近打开的模型仓库（Ctrl+R）',
  'workspace.recent.title': '最近打开的模型仓库',
  'workspace.recent.empty': '还没有最近打开的模型仓库。打开过的文件夹会列在这里。',
  'workspace.recent.clear': '清空列表',
  'workspace.recent.forget': '从列表中移除',
  'workspace.recent.isOpen': '已打开',
  'workspace.recent.hint': '用 ↑ ↓ 选择，按 Enter 打开，按 Delete 移除，按 Esc 关闭',
  'workspace.filter.placeholder': '筛选模型',
  'workspace.filter.clear': '清除筛选',
  'workspace.filter.count': '{n} / {total}',
  'workspace.filter.noMatch': '没有与“{q}”匹配的模型。',
  'workspace.filter.noMatchRepo': '此模型仓库中没有与筛选条件匹配的模型。',
  'workspace.sidebar.resize': '拖动或用 ← → 键调整模型仓库树的宽度',
  'workspace.sidebar.hide': '隐藏模型仓库树',
  'workspace.sidebar.show': '显示模型仓库树',
  'workspace.crumbs.label': '当前位置',
  'workspace.crumbs.version': '版本 {v}',
  'workspace.skipped.title': '上次打开的文件夹中有 {n} 个未能打开',
  'workspace.repo.sampleTitle': 'Model Lab 自带的示例模型仓库',
  'workspace.main.empty.title': '打开一个模型仓库即可开始',
  'workspace.main.empty.body': '在上方的输入框中填写它的路径，按 Ctrl+R 查看以前打开过的模型仓库，或打开示例模型仓库。',
};
