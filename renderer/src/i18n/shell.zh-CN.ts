import type { ShellKey } from './shell.en';

/** 简体中文 messages of the shell area. */
export const shellZhCN: Record<ShellKey, string> = {
  'drop.typePath': '浏览器无法得知拖入的文件夹在磁盘上的位置。请在上方输入框中输入其路径，或使用桌面应用。',
  'drop.noPath': '拖入的内容不是磁盘上的文件夹。请拖入模型仓库文件夹。',
};
