/**
 * Why a folder did not open, in 简体中文: the engine's LabError messages for opening a repository
 * (electron/engine/lab.ts, repository/folder-kind.ts) read back by one pattern each, as
 * diagnostic-text.ts does for diagnostics. The English stays beside the Chinese; a message no
 * pattern matches is shown in English only, never as a half-filled sentence.
 */
import type { Locale } from './index';
import type { Shown } from './diagnostic-text';

const RULES: readonly (readonly [RegExp, (...g: string[]) => string])[] = [
  [/^'(.+)' does not exist$/, (p) => `“${p}”不存在。`],
  [/^'(.+)' is not a folder; /, (p) => `“${p}”不是文件夹：模型仓库是每个模型各占一个子文件夹的文件夹。`],
  [
    /^'(.+)' is a model folder \(it holds config\.pbtxt\), not a model repository\. Open the folder that holds it, '(.+)', /,
    (p, parent) => `“${p}”是一个模型文件夹（其中有 config.pbtxt），不是模型仓库。请打开包含它的文件夹“${parent}”。`,
  ],
  [
    /^'(.+)' holds files \((.+)\) but no sub-folders, /,
    (p, files) => `“${p}”中只有文件（${files}），没有子文件夹，所以不是模型仓库。模型仓库中每个模型各占一个文件夹，例如 <model>/config.pbtxt 和 <model>/1/model.onnx。`,
  ],
  [
    /^'(.+)' looks like a model folder \(it holds the version folders? (.+)\), not a model repository\. Open the folder that holds it, '(.+)'\.$/,
    (p, v, parent) => `“${p}”看起来是一个模型文件夹（其中有版本文件夹 ${v}），不是模型仓库。请打开包含它的文件夹“${parent}”。`,
  ],
  [
    /^'(.+)' holds model repositories \((.+)\), not models\. Open one of them instead, for example '(.+)'\.$/,
    (p, repos, one) => `“${p}”中是若干模型仓库（${repos}），而不是模型。请改为打开其中一个，例如“${one}”。`,
  ],
];

/** An open error in the reader's language, with the engine's English beside it in Chinese mode. */
export function openErrorText(message: string, lang: Locale): Shown {
  if (lang !== 'zh-CN') return { text: message };
  for (const [re, build] of RULES) {
    const m = re.exec(message);
    if (m) return { text: build(...m.slice(1)), english: message };
  }
  return { text: message };
}
