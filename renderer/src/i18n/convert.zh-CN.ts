/** “转换为 ONNX”的简体中文文本（并入 `zhCN`）。 */
import type { convertEn } from './convert.en';

export const convertZhCN: Record<keyof typeof convertEn, string> = {
  'convert.title': '转换为 ONNX',
  'convert.intro':
    '用 torch 把这个 TorchScript 模型导出为 ONNX（torch.onnx.export，张量名保持不变；模型支持批处理时批维度可变），在 Model Lab 的“converted”模型仓库中打开它，再用同一组带随机种子的输入运行两个模型，显示二者结果相差多少。',
  'convert.button': '转换为 ONNX',
  'convert.again': '重新转换',
  'convert.running': '正在用 torch 导出并比较两个模型……{seconds} 秒',
  'convert.needs': '需要装有 torch 的 Python：{cmd}（Debian/Ubuntu），或 pip install torch。',
  'convert.failed': '转换失败：{msg}',
  'convert.result.title': '两个模型的结果一致',
  'convert.result.differs': '两个模型的结果不一致',
  'convert.result.maxDiff': '最大绝对差',
  'convert.result.maxDiffIs': '最大绝对差：',
  'convert.result.samples': '{n} 组带随机种子的输入，opset {opset}，{torch}',
  'convert.result.output': '输出',
  'convert.result.shape': '形状（第一组输入）',
  'convert.result.file': '写入位置：',
  'convert.result.open': '打开 {model}',
  'convert.result.note': '约 1e-5 以下的差异来自浮点舍入：两个运行时的加法顺序不同。',
};
