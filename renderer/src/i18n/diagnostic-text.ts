/**
 * The engine's diagnostics in 简体中文, per diagnostic code.
 *
 * The engine speaks Triton's English on purpose (users search for those sentences), so the UI
 * translates at display time and keeps the English sentence beside the Chinese one. The contract's
 * `Diagnostic` carries the code, the field and the file as structured data, but the names and
 * numbers of a message live only in its text; this is the one place that reads them back, with a
 * pattern per message shape of each code. A message no pattern matches is shown as its code's
 * summary (a sentence without variable parts) beside the English, never as a half-filled sentence.
 * `diagnostic-text.test.ts` fails when the engine emits a code this table lacks, and checks each
 * pattern against the message templates found in the engine's source.
 */
import type { Locale } from './index';

type Rule = readonly [RegExp, (...g: string[]) => string];

export interface CodeText {
  /** A whole Chinese sentence without the message's variable parts, used when no rule matches. */
  summary: string;
  /** Patterns over the full English message (anchored), each building the Chinese sentence from its groups. */
  rules?: readonly Rule[];
}

/** What the UI shows: the text in the current language, and Triton's English beside it when they differ. */
export interface Shown {
  text: string;
  english?: string;
}

const FOR = ' for (.+)';
const TYPE: Record<string, string> = { input: '输入', output: '输出' };

/** `model input 'x' ` / `model output 'x' ` prefixes of the I/O checks. */
const IO = "model (input|output) '(.*)' ";

const io = (kind: string): string => TYPE[kind] ?? kind;

/** The text-format parser's messages (`config.syntax`): the message is the parser's own, without a position. */
const SYNTAX: readonly Rule[] = [
  [/^unknown field "(.*)" for message (.+)$/, (f, ty) => `${ty} 消息中没有字段 ${f}。`],
  [/^unknown field "(.*)" for (.+)$/, (f, ty) => `${ty} 中没有字段 ${f}。`],
  [/^oneof "(.*)" is already set$/, (o) => `oneof ${o} 已经设置过了。`],
  [/^non-repeated field "(.*)" is repeated$/, (f) => `非重复字段 ${f} 出现了多次。`],
  [/^expected ":" before value of field "(.*)"$/, (f) => `字段 ${f} 的值之前应有 “:”。`],
  [/^expected "\{" or "<" to open a map entry of "(.*)"$/, (f) => `${f} 的映射条目应以 “{” 或 “<” 开始。`],
  [/^expected "\{" or "<" to open (.+)$/, (ty) => `${ty} 应以 “{” 或 “<” 开始。`],
  [/^unknown field "(.*)" in map entry$/, (f) => `映射条目中没有字段 ${f}。`],
  [/^map entry "(.*)" is already set$/, (f) => `映射条目 ${f} 已经设置过了。`],
  [/^unexpected (".*")$/, (c) => `意外的字符 ${c}。`],
  [/^invalid hexadecimal literal$/, () => '无效的十六进制字面量。'],
  [/^invalid exponent$/, () => '无效的指数。'],
  [/^invalid number$/, () => '无效的数字。'],
  [/^unterminated string$/, () => '字符串没有结束引号。'],
  [/^invalid (".*") in string$/, (c) => `字符串中不能出现 ${c}。`],
  [/^unterminated escape sequence$/, () => '转义序列不完整。'],
];

const BACKEND: Record<string, CodeText> = {
  'backend.undetermined': {
    summary: '无法确定模型的后端：配置中没有 backend，模型名称也不是 model.<后端名> 的形式。',
    rules: [
      [
        /^Invalid model name: Could not determine backend for model '(.*)' with no backend in model configuration\. Expected model name of the form 'model\.<backend_name>'\.$/,
        (m) => `模型名称无效：模型 ${m} 的配置中没有 backend，无法确定它的后端。模型名称应为 model.<后端名> 的形式。`,
      ],
    ],
  },
  'backend.not-runnable': {
    summary: 'Model Lab 无法运行此后端的模型；已读取、补全并检查了它的配置。',
    rules: [
      [
        /^Model Lab cannot run (.+?) \((backend '[^']*')(?: needs LibTorch)?\); its config was read, completed and checked$/,
        (runs) => `Model Lab 无法运行${runsZh(runs)}；已读取、补全并检查了它的配置。`,
      ],
    ],
  },
  'backend.unknown': {
    summary: '找不到该后端的库，请在模型配置中指定 runtime。',
    rules: [[/^unable to find backend library for backend '(.*)', try specifying runtime on the model configuration\.$/, (b) => `找不到后端 ${b} 的库，请尝试在模型配置中指定 runtime。`]],
  },
  'backend.load': {
    summary: '模型加载失败（原因见下方 Triton 的英文信息）。',
    rules: [
      [
        /^ONNX Runtime could not be loaded on this computer \(([\w-]+)\): (.*)\. To run ONNX models: (.*)\.$/s,
        (where, why, hint) => `这台计算机无法加载 ONNX Runtime（${where}）：${why}。要运行 ONNX 模型：${ortHintZh(hint)}。`,
      ],
    ],
  },
  'identity.pairs': { summary: '模型配置的输入和输出必须一一成对。', rules: [[/^model configuration must have equal input\/output pairs$/, () => '模型配置的输入和输出必须一一成对。']] },
  'identity.input-name': {
    summary: '输入名称必须符合 INPUT<序号> 的形式。',
    rules: [[/^expected input name to follow INPUT<index> pattern, got '(.*)'$/, (n) => `输入名称应为 INPUT<序号> 的形式，实际为 ${n}。`]],
  },
  'identity.output-name': {
    summary: '输出名称必须符合 OUTPUT<序号> 的形式。',
    rules: [[/^expected output name to follow OUTPUT<index> pattern, got '(.*)'$/, (n) => `输出名称应为 OUTPUT<序号> 的形式，实际为 ${n}。`]],
  },
  'identity.indices': { summary: '输入和输出的序号必须一致。', rules: [[/^expected input and output indices to match$/, () => '输入和输出的序号必须一致。']] },
  'identity.datatype': {
    summary: '输入和输出的数据类型必须一致。',
    rules: [[/^expected input and output datatype to match, got (\S+) and (\S+)$/, (a, b) => `输入和输出的数据类型必须一致，实际为 ${a} 和 ${b}。`]],
  },
  'identity.shape': {
    summary: '输入和输出的形状必须一致。',
    rules: [[/^expected input and output shape to match, got (.+) and (.+)$/, (a, b) => `输入和输出的形状必须一致，实际为 ${a} 和 ${b}。`]],
  },
  'onnx.non-tensor-io': {
    summary: 'ONNX 模型的输入或输出不是张量，Triton 不支持。',
    rules: [[/^Unsupported ONNX Type '(.*)' for I\/O '(.*)', expected 'ONNX_TYPE_TENSOR'\.$/, (ty, n) => `输入/输出 ${n} 的 ONNX 类型 ${ty} 不受支持，应为 ONNX_TYPE_TENSOR。`]],
  },
  'onnx.autofill-max-batch-size': {
    summary: '模型支持批处理，但配置未指定 max_batch_size，已自动填入。若要使用更大的批大小，请显式指定 max_batch_size。',
    rules: [
      [
        /^autofilled max_batch_size to (\d+) for model '(.*)' since batching is supporrted but no max_batch_size is specified in model configuration\. Must specify max_batch_size to utilize autofill with a larger max batch size$/,
        (n, m) => `模型 ${m} 支持批处理，但配置未指定 max_batch_size，已自动填为 ${n}。若要使用更大的批大小，请显式指定 max_batch_size。`,
      ],
    ],
  },
  'onnx.autofill-batching': {
    summary: '自动补全失败：模型不支持批处理，但配置指定了非零的 max_batch_size。',
    rules: [
      [
        /^autofill failed for model '(.*)': model does not support batching while non-zero max_batch_size is specified$/,
        (m) => `模型 ${m} 自动补全失败：模型不支持批处理，但配置指定了非零的 max_batch_size。`,
      ],
    ],
  },
  'onnx.optional-batching': {
    summary: '支持批处理的模型不能有可选输入。',
    rules: [[/^unable to load model '(.*)', optional input '(.*)' is not supported for models that support batching$/, (m, i) => `无法加载模型 ${m}：支持批处理的模型不支持可选输入 ${i}。`]],
  },
  'onnx.unknown-input': { summary: '配置中的输入在 ONNX 模型中不存在。', rules: [allowed('input')] },
  'onnx.unknown-output': { summary: '配置中的输出在 ONNX 模型中不存在。', rules: [allowed('output')] },
  'onnx.datatype': {
    summary: '配置中的数据类型与 ONNX 模型不一致，或不受支持。',
    rules: [
      [/^unsupported datatype (\S+) for (input|output) '(.*)' for model '(.*)'$/, (ty, k, n, m) => `模型 ${m} 的${io(k)} ${n} 使用了不受支持的数据类型 ${ty}。`],
      [
        /^unable to load model '(.*)', configuration expects datatype (\S+) for (input|output) '(.*)', model provides (.+)$/,
        (m, ty, k, n, got) => `无法加载模型 ${m}：配置要求${io(k)} ${n} 的数据类型为 ${ty}，而模型提供的是 ${got}。`,
      ],
    ],
  },
  'onnx.ragged': {
    summary: '不规则（ragged）输入要求模型提供形状为 [-1] 的输入。',
    rules: [
      [
        /^unable to load model '(.*)', configuration expects model provides input with shape \[-1\] for ragged input '(.*)', which is not supported for optional input$/,
        (m, n) => `无法加载模型 ${m}：配置要求不规则输入 ${n} 的形状为 [-1]，而可选输入不支持这种形状。`,
      ],
      [
        /^unable to load model '(.*)', configuration expects model provides input with shape \[-1\] +for ragged input '(.*)', model provides (.+)$/,
        (m, n, s) => `无法加载模型 ${m}：配置要求不规则输入 ${n} 的形状为 [-1]，而模型提供的是 ${s}。`,
      ],
    ],
  },
  'onnx.shape': {
    summary: '配置中张量的形状与 ONNX 模型不一致。',
    rules: [
      [
        /^unable to load model '(.*)', scalar tensor '(.*)', should only provide 1 in the model configuration when the model doesn't support batching\. Model configuration provided: (.+)\.$/,
        (m, n, d) => `无法加载模型 ${m}：标量张量 ${n} 在模型不支持批处理时，模型配置中只能给出 1；实际给出的是 ${d}。`,
      ],
      [
        /^model '(.*)', tensor '(.*)': for the model to support batching the shape should have at least 1 dimension and the first dimension must be -1; but shape expected by the model is (.+)$/,
        (m, n, s) => `模型 ${m} 的张量 ${n}：要支持批处理，形状至少要有 1 个维度且第一个维度必须为 -1，但模型要求的形状是 ${s}。`,
      ],
      [
        /^model '(.*)', tensor '(.*)': the model expects (\d+) dimensions \(shape (.+?)\) but the model configuration specifies (\d+) dimensions \(an initial batch dimension because max_batch_size > 0 followed by the explicit tensor shape, making complete shape (.+)\)$/,
        (m, n, a, s, b, full) =>
          `模型 ${m} 的张量 ${n}：模型要求 ${a} 个维度（形状 ${s}），但模型配置给出了 ${b} 个维度（因为 max_batch_size > 0，开头有一个批维度，其后是显式的张量形状，完整形状为 ${full}）。`,
      ],
      [
        /^model '(.*)', tensor '(.*)': the model expects (\d+) dimensions \(shape (.+?)\) but the model configuration specifies (\d+) dimensions \(shape (.+)\)$/,
        (m, n, a, s, b, d) => `模型 ${m} 的张量 ${n}：模型要求 ${a} 个维度（形状 ${s}），但模型配置给出了 ${b} 个维度（形状 ${d}）。`,
      ],
    ],
  },
  'onnx.input-count': {
    summary: '配置要求的输入个数与模型提供的不一致。',
    rules: [[/^unable to load model '(.*)', configuration expects (\d+) inputs, model provides (\d+)$/, (m, a, b) => `无法加载模型 ${m}：配置要求 ${a} 个输入，模型提供了 ${b} 个。`]],
  },
  'model-file.invalid': {
    summary: '无法读取模型文件。',
    rules: [
      [/^unable to load model '(.*)': failed to read '(.*)': (.+)$/s, (m, f, e) => `无法加载模型 ${m}：读取 ${f} 失败（${e}）。`],
      [/^'(.*)' for model instance '(.*)' is not a regular file \(a FIFO or device is never read\)$/, (f, m) => `模型实例 ${m} 的 ${f} 不是普通文件（Model Lab 从不读取 FIFO 或设备文件）。`],
    ],
  },
  'model-file.missing': {
    summary: '找不到模型文件。',
    rules: [[/^unable to find '(.*)' for model instance '(.*)'$/, (f, m) => `找不到模型实例 ${m} 的文件 ${f}。`]],
  },
  'model-file.outside': {
    summary: '配置中指定的文件路径必须位于模型目录之内。',
    rules: [[/^Invalid (.+?) '(.*)' with normalized path '(.*)' must stay within model directory\.$/, (field, n, p) => `${field} 的值 ${n} 无效：规范化后的路径 ${p} 必须位于模型目录之内。`]],
  },
  'python.unavailable': { summary: '找不到可用的 Python 环境（需要带 numpy 的 Python 3）。' },
  'python.stub-name': {
    summary: 'Python 存根名称含有无效字符（模型名不能含有 ; | & $ ` < > ( ) [ ] { } \\ " \' * ? ~ # !）。',
    rules: [[/^Invalid stub name: contains invalid characters$/, () => 'Python 存根名称含有无效字符：模型名不能含有 ; | & $ ` < > ( ) [ ] { } \\ " \' * ? ~ # ! 这些字符。']],
  },
  'python.auto-complete': { summary: 'Python 模型的 auto_complete_config 执行失败。' },
  'pytorch.unavailable': {
    summary: '找不到带 torch 的 Python 环境，无法运行 PyTorch 模型。',
    rules: [
      [
        /^PyTorch backend: torch is missing: (.*)\. Install PyTorch for it: (.*)\.$/s,
        (which, how) => `PyTorch 后端：缺少 torch：${torchWhich(which)}。请为它安装 PyTorch：${how.replace(' (Debian/Ubuntu) or ', '（Debian/Ubuntu）或 ')}。`,
      ],
    ],
  },
  'pytorch.aoti': {
    summary: 'Model Lab 只运行 TorchScript 模型（model.pt），不运行 AOTInductor 模型包（model.pt2）。',
    rules: [
      [
        /^Model Lab runs TorchScript models \(platform 'pytorch_libtorch', model\.pt\); AOTInductor archives \(platform 'torch_aoti', model\.pt2\) do not run here$/,
        () => 'Model Lab 运行 TorchScript 模型（platform 为 pytorch_libtorch，文件 model.pt）；AOTInductor 模型包（platform 为 torch_aoti，文件 model.pt2）不能在这里运行。',
      ],
    ],
  },
  'pytorch.datatype': {
    summary: 'PyTorch（LibTorch）不支持这个数据类型。',
    rules: [[/^unsupported datatype (\S+) for (input|output) '(.*)' for model '(.*)'$/, (t, kind, n, m) => `模型 ${m} 的${io(kind)} ${n} 的数据类型 ${t} 不受支持。`]],
  },
  'pytorch.string-rank': {
    summary: 'PyTorch 模型的 TYPE_STRING 输入或输出只能是一维（List[str]）。',
    rules: [[/^Triton only supports 1 dimensional List of String as (input|output) for '(.*)' for model '(.*)'$/, (kind, n, m) => `Triton 只支持一维的字符串列表作为模型 ${m} 的${io(kind)} ${n}。`]],
  },
  'pytorch.no-input': {
    summary: 'PyTorch 模型的配置必须至少有一个输入。',
    rules: [[/^model configuration must contain at least one input, none were specified\.$/, () => '模型配置必须至少包含一个输入，当前一个也没有。']],
  },
  'pytorch.no-output': {
    summary: 'PyTorch 模型的配置必须至少有一个输出。',
    rules: [[/^model configuration must contain at least one output, none were specified\.$/, () => '模型配置必须至少包含一个输出，当前一个也没有。']],
  },
  'pytorch.no-auto-complete': {
    summary: 'PyTorch 后端不自动补全配置：TorchScript 文件不带输入输出信息。',
    rules: [[/^skipping model configuration auto-complete for '(.*)': not supported for pytorch backend$/, (m) => `跳过模型 ${m} 的配置自动补全：pytorch 后端不支持。`]],
  },
  'script.auto-complete': { summary: '脚本模型的 autoCompleteConfig 执行失败。' },
  'runtime.escape': {
    summary: 'runtime 字段指定的后端库超出了后端目录，请检查模型配置中的 runtime 字段。',
    rules: [
      [
        /^backend library name '(.*)' escapes backend directory '(.*)', for model '(.*)', check model config runtime field$/,
        (lib, dir, m) => `模型 ${m} 的后端库名 ${lib} 超出了后端目录 ${dir}，请检查模型配置中的 runtime 字段。`,
      ],
    ],
  },
  'runtime.unsupported': {
    summary: 'Model Lab 自行运行该后端，无法加载 runtime 指定的后端库；删除 runtime 即可在这里运行模型。',
    rules: [
      [
        /^Model Lab runs the '(.*)' backend itself and cannot load the backend library '(.*)' named by 'runtime'; remove 'runtime' to run the model here$/,
        (b, lib) => `Model Lab 自行运行 ${b} 后端，无法加载 runtime 指定的后端库 ${lib}；删除 runtime 即可在这里运行模型。`,
      ],
    ],
  },
  'runtime.missing': {
    summary: '找不到 runtime 指定的后端库。',
    rules: [[/^unable to find backend library '(.*)' for model '(.*)', searched: (.*)$/, (lib, m, paths) => `找不到模型 ${m} 的后端库 ${lib}，已搜索：${paths.trim()}。`]],
  },
};

/** The fixes the engine names when ONNX Runtime's native binding does not load (backends/onnxruntime/runtime.ts, bindingHint). */
function ortHintZh(hint: string): string {
  const vc = /^install the Microsoft Visual C\+\+ Redistributable \(x64: (\S+)\), then restart Model Lab$/.exec(hint);
  if (vc) return `安装 Microsoft Visual C++ 运行库（Visual C++ Redistributable，x64：${vc[1]}），然后重新启动 Model Lab`;
  if (hint.startsWith('onnxruntime-node 1.30 ships no binary for Intel Macs'))
    return 'onnxruntime-node 1.30 没有提供 Intel Mac 的二进制文件：ONNX 模型可在 Apple 芯片的 Mac、Linux 和 Windows 上运行（或用“添加服务器…”连接一个 Triton 服务器，在那里运行）';
  if (hint.startsWith('onnxruntime-node needs glibc 2.28')) return 'onnxruntime-node 需要 x64 或 arm64 上的 glibc 2.28 或更新版本；如果 Model Lab 的文件不完整，请重新安装，然后重新启动';
  return hint;
}

/** The interpreters a missing-torch reason lists ("'x' cannot import torch; … (set by …)"), in Chinese. */
function torchWhich(which: string): string {
  return which
    .replace(/ cannot import torch/g, ' 无法导入 torch')
    .replace(/; /g, '；')
    .replace(/ \(set by the config parameter (\w+)\)$/, '（由配置参数 $1 指定）')
    .replace(/ \(set by the environment variable (\w+)\)$/, '（由环境变量 $1 指定）')
    .replace(/ \(set by the lab setting "Python interpreter"\)$/, '（由 Model Lab 的“Python 解释器”设置指定）');
}

function runsZh(runs: string): string {
  const known: Record<string, string> = {
    'TensorFlow models': ' TensorFlow 模型（后端 tensorflow）',
    'TensorRT engines': ' TensorRT 引擎（后端 tensorrt）',
    'OpenVINO models': ' OpenVINO 模型（后端 openvino）',
    'PyTorch models': ' PyTorch 模型（后端 pytorch，需要 LibTorch）',
  };
  const custom = /^models of the custom backend '(.*)'$/.exec(runs);
  return known[runs] ?? (custom ? `自定义后端 ${custom[1]} 的模型` : ` ${runs}`);
}

function allowed(kind: 'input' | 'output'): Rule {
  return [new RegExp(`^unexpected inference ${kind} '(.*)', allowed ${kind}s are: (.*)$`), (n, list) => `意外的推理${io(kind)} ${n}，允许的${io(kind)}为：${list || '（无）'}。`];
}

const ensembleStep = (field: string): Rule => [new RegExp(`^must specify '${field}' in step (\\d+) of ensemble '(.*)'$`), (i, e) => `集成模型 ${e} 的第 ${i} 步必须指定 ${field}。`];
const ENSEMBLE: Record<string, CodeText> = {
  'ensemble.step-model': { summary: '集成模型的每个步骤都必须指定 model_name。', rules: [ensembleStep('model_name')] },
  'ensemble.step-input-map': { summary: '集成模型的每个步骤都必须指定 input_map。', rules: [ensembleStep('input_map')] },
  'ensemble.step-output-map': { summary: '集成模型的每个步骤都必须指定 output_map。', rules: [ensembleStep('output_map')] },
  'ensemble.tensor-written-twice': {
    summary: '同一个集成张量在输出映射中只能出现一次。',
    rules: [[/^ensemble tensor '(.*)' can appear in an output map only once for ensemble '(.*)' step (\d+)$/, (tn, e, i) => `集成模型 ${e} 第 ${i} 步：集成张量 ${tn} 在输出映射中只能出现一次。`]],
  },
  'ensemble.platform': {
    summary: '只有 platform 为 ensemble 的模型才能设置 ensemble_scheduling。',
    rules: [[/^ensemble scheduling cannot be set for model '(.*)' whose platform is not (.*)$/, (m, p) => `模型 ${m} 的 platform 不是 ${p}，不能设置 ensemble_scheduling。`]],
  },
  'ensemble.instance-group': {
    summary: '集成模型不应指定 instance_group。',
    rules: [[/^instance group should not be specified for ensemble '(.*)'$/, (e) => `集成模型 ${e} 不应指定 instance_group。`]],
  },
  'ensemble.optimization': {
    summary: '集成模型不应指定 optimization。',
    rules: [[/^optimization should not be specified for ensemble '(.*)'$/, (e) => `集成模型 ${e} 不应指定 optimization。`]],
  },
  'ensemble.warmup': { summary: '集成模型不能指定 model_warmup。', rules: [[/^model_warmup can not be specified for ensemble '(.*)'$/, (e) => `集成模型 ${e} 不能指定 model_warmup。`]] },
  'ensemble.no-steps': { summary: '集成模型必须指定 step。', rules: [[/^must specify 'step' for ensemble '(.*)'$/, (e) => `集成模型 ${e} 必须指定 step。`]] },
  'ensemble.input-unused': {
    summary: '集成模型的某个输入没有被任何步骤使用。',
    rules: [[/^ensemble input '(.*)' for ensemble (.*?)'? is not used$/, (n, e) => `集成模型 ${e} 的输入 ${n} 没有被使用。`]],
  },
  'ensemble.output-unused': {
    summary: '集成模型的某个输出没有被任何步骤写入。',
    rules: [[/^ensemble output '(.*)' for ensemble (.*?)'? is not used$/, (n, e) => `集成模型 ${e} 的输出 ${n} 没有被使用。`]],
  },
  'ensemble.output-not-written': {
    summary: '集成模型的某个输出没有被写入。',
    rules: [
      [
        /^output '(.*)' for ensemble '(.*)' is not written: at least one of its depending tensors, '(.*)', is not connected$/,
        (n, e, d) => `集成模型 ${e} 的输出 ${n} 没有被写入：它依赖的张量中至少有一个（${d}）没有接入。`,
      ],
      [/^output '(.*)' for ensemble '(.*)' is not written$/, (n, e) => `集成模型 ${e} 的输出 ${n} 没有被写入。`],
    ],
  },
  'ensemble.tensor-unused': {
    summary: '某个集成张量没有被使用。',
    rules: [[/^ensemble tensor '(.*)' is unused in ensemble '(.*)'$/, (n, e) => `集成模型 ${e} 中的集成张量 ${n} 没有被使用。`]],
  },
  'ensemble.map-unknown-input': {
    summary: '集成张量映射到了成员模型中不存在的输入。',
    rules: [
      [/^in ensemble (.*), ensemble tensor (.*) is mapping to non-existing input (.*) in model (.*)$/, (e, tn, k, m) => `集成模型 ${e} 中，集成张量 ${tn} 映射到了模型 ${m} 中不存在的输入 ${k}。`],
    ],
  },
  'ensemble.map-unknown-output': {
    summary: '集成张量映射自成员模型中不存在的输出。',
    rules: [
      [/^in ensemble (.*), ensemble tensor (.*) is mapped from non-existing output (.*) in model (.*)$/, (e, tn, k, m) => `集成模型 ${e} 中，集成张量 ${tn} 映射自模型 ${m} 中不存在的输出 ${k}。`],
    ],
  },
  'ensemble.input-not-mapped': {
    summary: '成员模型的某个输入没有映射到任何集成张量。',
    rules: [[/^in ensemble (.*), input (.*) in model (.*) is not mapped to any ensemble tensors$/, (e, n, m) => `集成模型 ${e} 中，模型 ${m} 的输入 ${n} 没有映射到任何集成张量。`]],
  },
  'ensemble.tensor-inconsistent': {
    summary: '同一个集成张量在不同成员模型中推断出的数据类型或形状不一致。',
    rules: [
      [
        /^in ensemble (.*), ensemble tensor (.*): inconsistent data type: (\S+) is inferred from model (.*) while (\S+) is inferred from model (.*)$/,
        (e, tn, a, ma, b, mb) => `集成模型 ${e} 中，集成张量 ${tn} 的数据类型不一致：从模型 ${ma} 推断为 ${a}，而从模型 ${mb} 推断为 ${b}。`,
      ],
      [
        /^in ensemble (.*), ensemble tensor (.*): inconsistent shape: (.+) is inferred from model (.*) while (.+) is inferred from model (.*)$/,
        (e, tn, a, ma, b, mb) => `集成模型 ${e} 中，集成张量 ${tn} 的形状不一致：从模型 ${ma} 推断为 ${a}，而从模型 ${mb} 推断为 ${b}。`,
      ],
    ],
  },
  'ensemble.max-batch-size': {
    summary: '集成模型的最大批大小超过了某个成员模型允许的值。',
    rules: [
      [
        /^ensemble (.*) allows maximum batch size (\d+), but it contains model (.*) which only allows maximum batch size to be (\d+)$/,
        (e, a, m, b) => `集成模型 ${e} 允许的最大批大小为 ${a}，但其中的模型 ${m} 最大只允许 ${b}。`,
      ],
    ],
  },
  'ensemble.decoupled-mix': {
    summary: '某个步骤的输入来自不同的解耦模型（decoupled）。',
    rules: [
      [/^in ensemble (.*), step of model '(.*)' receives inputs originated from different decoupled models$/, (e, m) => `集成模型 ${e} 中，模型 ${m} 这一步的输入来自不同的解耦模型（decoupled）。`],
    ],
  },
  'ensemble.scheduling-missing': {
    summary: 'platform 为 ensemble 的模型必须设置 ensemble_scheduling。',
    rules: [[/^ensemble scheduling must be set for ensemble (.*) whose platform is ensemble$/, (e) => `集成模型 ${e} 的 platform 为 ensemble，必须设置 ensemble_scheduling。`]],
  },
  'ensemble.cycle': {
    summary: '集成模型之间存在循环依赖。',
    rules: [[/^circular dependency between ensembles: (.+)$/, (chain) => `集成模型之间存在循环依赖：${chain}。`]],
  },
  'ensemble.member-invalid': {
    summary: '集成模型依赖的某个模型无效。',
    rules: [[/^ensemble '(.*)' depends on '(.*)' which is not valid\. Model '(.*)' failed with error: (.+)$/s, (e, m, m2, err) => `集成模型 ${e} 依赖的模型 ${m} 无效。模型 ${m2} 的错误：${err}`]],
  },
  'ensemble.member-not-ready': {
    summary: '集成模型依赖的某个模型没有已加载的版本。',
    rules: [
      [
        /^ensemble '(.*)' depends on '(.*)' which has no loaded version\. Model '(.*)' loading failed with error: (.+)$/s,
        (e, m, m2, err) => `集成模型 ${e} 依赖的模型 ${m} 没有已加载的版本。模型 ${m2} 加载失败，错误：${err}`,
      ],
      [/^ensemble '(.*)' depends on '(.*)' which has no loaded version\.$/, (e, m) => `集成模型 ${e} 依赖的模型 ${m} 没有已加载的版本。`],
    ],
  },
  'ensemble.member-version': {
    summary: '集成模型要求的成员模型版本没有加载。',
    rules: [[/^ensemble '(.*)' depends on '(.*)' whose required version (-?\d+) is not loaded\.$/, (e, m, v) => `集成模型 ${e} 依赖的模型 ${m} 所要求的版本 ${v} 没有加载。`]],
  },
  'ensemble.member-missing': {
    summary: '集成模型包含不存在或有歧义的模型。',
    rules: [[/^ensemble (.*) contains models that are not available or ambiguous: (.+)$/, (e, list) => `集成模型 ${e} 包含不存在或有歧义的模型：${list}。`]],
  },
};

const CONFIG: Record<string, CodeText> = {
  'config.name-missing': { summary: '模型配置必须指定 name。', rules: [[/^model configuration must specify 'name'$/, () => '模型配置必须指定 name。']] },
  'config.platform-unexpected': {
    summary: '意外的 platform 类型。',
    rules: [[new RegExp(`^unexpected platform type '(.*)'${FOR}$`), (p, m) => `模型 ${m} 的 platform 类型 ${p || '（空）'} 不是预期的值。`]],
  },
  'config.ensemble-backend': {
    summary: '集成模型的 platform 必须为 ensemble，backend 必须为空。',
    rules: [[/^Ensemble model '(.*)' must have platform type '(.*)' and empty backend type$/, (m, p) => `集成模型 ${m} 的 platform 必须为 ${p}，backend 必须为空。`]],
  },
  'config.platform-backend-pair': {
    summary: 'platform 与 backend 的组合不合法。',
    rules: [[/^unexpected 'platform' and 'backend' pair, got:(.*), (.*)$/, (p, b) => `platform 与 backend 的组合不合法：platform 为 ${p || '（空）'}，backend 为 ${b || '（空）'}。`]],
  },
  'config.max-batch-size-negative': {
    summary: 'max_batch_size 不能为负数。',
    rules: [[new RegExp(`^'max_batch_size' must be non-negative value${FOR}$`), (m) => `模型 ${m} 的 max_batch_size 不能为负数。`]],
  },
  'config.version-policy-missing': {
    summary: '必须指定版本策略（version_policy）。',
    rules: [[new RegExp(`^must specify 'version policy'${FOR}$`), (m) => `模型 ${m} 必须指定版本策略（version_policy）。`]],
  },
  'config.response-cache': {
    summary: '响应缓存（response_cache）不支持此模型，请关闭响应缓存。',
    rules: [
      [
        /^Response Cache does not currently support model (.*) with 'decoupled' transaction policy\. Please disable the response cache\.$/,
        (m) => `响应缓存目前不支持采用解耦（decoupled）事务策略的模型 ${m}，请关闭响应缓存。`,
      ],
      [
        /^Response Cache does not currently support model (.*) with sequence batching scheduler\. Please disable the response cache\.$/,
        (m) => `响应缓存目前不支持使用序列批处理调度器的模型 ${m}，请关闭响应缓存。`,
      ],
    ],
  },
  'config.missing': {
    summary: '模型文件夹中没有 config.pbtxt。',
    rules: [[/^failed to open text file for read (.*): No such file or directory$/, (p) => `无法打开文本文件 ${p} 进行读取：文件不存在。`]],
  },
  'config.outside': {
    summary: '配置文件是指向模型目录之外的链接。',
    rules: [
      [/^config file path '(.*)' for model '(.*)' is outside model directory: it is a link to a file elsewhere$/, (p, m) => `模型 ${m} 的配置文件 ${p} 位于模型目录之外：它是指向别处文件的链接。`],
    ],
  },
  'config.unreadable': { summary: '无法读取配置文件。' },
  'config.syntax': { summary: 'config.pbtxt 有语法错误。', rules: SYNTAX },
  'config.name-mismatch': {
    summary: '目录名必须与模型名称相同。',
    rules: [[/^unexpected directory name '(.*)' for model '(.*)', directory name must equal model name$/, (d, m) => `模型 ${m} 的目录名 ${d} 不符合要求：目录名必须与模型名称相同。`]],
  },
  'metrics.identifier': {
    summary: 'metric_control 必须指定 metric_identifier。',
    rules: [[/^metric control must specify 'metric_identifier'$/, () => 'metric_control 必须指定 metric_identifier。']],
  },
  'metrics.family': { summary: 'metric_identifier 必须指定非空的 family。', rules: [[/^metric identifier must specify non-empty 'family'$/, () => 'metric_identifier 必须指定非空的 family。']] },
  'metrics.histogram': {
    summary: 'metric_control 必须指定 histogram_options。',
    rules: [[/^metric control must specify 'histogram_options'$/, () => 'metric_control 必须指定 histogram_options。']],
  },
  'metrics.buckets': { summary: 'histogram_options 必须指定非空的 buckets。', rules: [[/^histogram options must specify non-empty 'buckets'$/, () => 'histogram_options 必须指定非空的 buckets。']] },
};

const SEQ_VALUES = "'int32_false_true', 'fp32_false_true' (?:or|and) 'bool_false_true'";
const SCHEDULING: Record<string, CodeText> = {
  'dynamic-batching.preferred-size': {
    summary: '动态批处理的 preferred_batch_size 必须为正数，且不能大于 max_batch_size。',
    rules: [
      [new RegExp(`^dynamic batching preferred size must be positive${FOR}$`), (m) => `模型 ${m} 的动态批处理 preferred_batch_size 必须为正数。`],
      [new RegExp(`^dynamic batching preferred size must be <= max batch size${FOR}$`), (m) => `模型 ${m} 的动态批处理 preferred_batch_size 不能大于 max_batch_size。`],
    ],
  },
  'dynamic-batching.priority': {
    summary: '优先级必须在 [1, priority_levels] 范围内。',
    rules: [
      [new RegExp(`^default priority level must be in range \\[1, (\\d+)\\]${FOR}$`), (n, m) => `模型 ${m} 的 default_priority_level 必须在 [1, ${n}] 范围内。`],
      [new RegExp(`^priority queue policy must have priority level in range \\[1, (\\d+)\\]${FOR}$`), (n, m) => `模型 ${m} 的 priority_queue_policy 中的优先级必须在 [1, ${n}] 范围内。`],
    ],
  },
  'dynamic-batching.preserve-ordering': {
    summary: 'preserve_ordering 为 true 时，队列设置受限。',
    rules: [
      [new RegExp(`^Only one priority level is allowed when 'preserve_ordering' is true${FOR}$`), (m) => `模型 ${m} 的 preserve_ordering 为 true 时，只允许一个优先级。`],
      [new RegExp(`^Queue policy can not have DELAY as timeout action when 'preserve_ordering' is true${FOR}$`), (m) => `模型 ${m} 的 preserve_ordering 为 true 时，队列策略的超时动作不能为 DELAY。`],
    ],
  },
  'sequence.control-name': {
    summary: '序列批处理的控制张量必须有名称。',
    rules: [[new RegExp(`^sequence batching control tensor must have a name${FOR}$`), (m) => `模型 ${m} 的序列批处理控制张量必须有名称。`]],
  },
  'sequence.control-tensor': {
    summary: '同一个控制张量被指定给了多种控制类型。',
    rules: [[new RegExp(`^sequence batching control tensor '(.*)' is specified for multiple control kinds${FOR}$`), (n, m) => `模型 ${m} 的序列批处理控制张量 ${n} 被指定给了多种控制类型。`]],
  },
  'sequence.control-values': {
    summary: '序列批处理控制的取值设置不正确（int32_false_true、fp32_false_true、bool_false_true）。',
    rules: [
      [
        new RegExp(`^sequence batching must specify either ${SEQ_VALUES} for (\\S+)${FOR}$`),
        (k, m) => `模型 ${m} 的序列批处理必须为 ${k} 指定 int32_false_true、fp32_false_true 或 bool_false_true 之一。`,
      ],
      [
        new RegExp(`^sequence batching specifies more than one from ${SEQ_VALUES} for (\\S+)${FOR}$`),
        (k, m) => `模型 ${m} 的序列批处理为 ${k} 指定了 int32_false_true、fp32_false_true 和 bool_false_true 中的多个。`,
      ],
      [new RegExp(`^sequence batching control '(.*)' must have exactly 2 entries for (\\S+)${FOR}$`), (c, k, m) => `模型 ${m} 的序列批处理控制 ${c}（用于 ${k}）必须恰好有 2 个条目。`],
      [
        new RegExp(`^sequence batching must not specify either ${SEQ_VALUES} for (\\S+)${FOR}$`),
        (k, m) => `模型 ${m} 的序列批处理不能为 ${k} 指定 int32_false_true、fp32_false_true 或 bool_false_true。`,
      ],
    ],
  },
  'sequence.corrid-type': {
    summary: 'CONTROL_SEQUENCE_CORRID 的数据类型不受支持。',
    rules: [
      [
        /^unexpected data type for control CONTROL_SEQUENCE_CORRID for (.*)\. Allowed data types are (.+)$/,
        (m, list) => `模型 ${m} 的控制 CONTROL_SEQUENCE_CORRID 数据类型不符合要求。允许的数据类型为 ${list.replace(/,? and /, '、').replace(/, /g, '、')}。`,
      ],
    ],
  },
  'sequence.control-kind': {
    summary: '序列批处理中同一种控制类型的张量只能有一个。',
    rules: [[new RegExp(`^sequence batching specifies multiple (\\S+) tensors${FOR}$`), (k, m) => `模型 ${m} 的序列批处理指定了多个 ${k} 张量。`]],
  },
  'sequence.preferred-size': {
    summary: '序列批处理的 preferred_batch_size 必须为正数，且不能大于 max_batch_size。',
    rules: [
      [new RegExp(`^sequence batching preferred batch size must be positive${FOR}$`), (m) => `模型 ${m} 的序列批处理 preferred_batch_size 必须为正数。`],
      [new RegExp(`^sequence batching preferred batch size must be <= max batch size${FOR}$`), (m) => `模型 ${m} 的序列批处理 preferred_batch_size 不能大于 max_batch_size。`],
    ],
  },
  'sequence.initial-state': {
    summary: '序列批处理状态的 initial_state 设置不正确。',
    rules: [
      [
        /^initial_state field for state input '(.*)' must contain exactly one or zero element\. Found '(\d+)' elements\.$/,
        (i, n) => `状态输入 ${i} 的 initial_state 最多只能有一个元素，实际有 ${n} 个。`,
      ],
      [/^The data type used for 'initial_state' field of state '(.*)' does not match the state data type\.$/, (i) => `状态 ${i} 的 initial_state 数据类型与状态的数据类型不一致。`],
      [/^Field 'name' must be set when using initial_state for state input '(.*)'\.$/, (i) => `状态输入 ${i} 使用 initial_state 时必须设置 name 字段。`],
      [/^State input name '(.*)' specified more than once\.$/, (i) => `状态输入名 ${i} 被指定了多次。`],
      [
        /^Number of dimensions in 'initial_state' doesn't match the size of 'state' dimensions for state input '(.*)'\. (\d+) != (\d+)$/,
        (i, a, b) => `状态输入 ${i} 的 initial_state 维数与 state 的维数不一致：${a} != ${b}。`,
      ],
      [/^'initial_state' field for state input name '(.*)' contains variable dimensions\.$/, (i) => `状态输入 ${i} 的 initial_state 含有可变维度。`],
      [
        /^'initial_state' dim for input name '(.*)' doesn't match 'state' dim description\. (-?\d+) != (-?\d+)$/,
        (i, a, b) => `状态输入 ${i} 的 initial_state 维度与 state 的维度描述不一致：${a} != ${b}。`,
      ],
      [/^initial_state setting expects state'(.*)' to have state_data set$/, (i) => `状态 ${i} 的 initial_state 必须设置 state_data（zero_data 或 data_file）。`],
    ],
  },
  'sequence.slot-utilization': {
    summary: '序列批处理的 minimum_slot_utilization 必须在 (0.0, 1.0] 范围内。',
    rules: [
      [new RegExp(`^sequence batching minimum slot utilization must be in range \\(0\\.0, 1\\.0\\]${FOR}$`), (m) => `模型 ${m} 的序列批处理 minimum_slot_utilization 必须在 (0.0, 1.0] 范围内。`],
    ],
  },
  'batching.library-outside': {
    summary: '批处理库的路径超出了模型仓库。',
    rules: [[/^Batching library path escapes model repository\.$/, () => '批处理库的路径超出了模型仓库。']],
  },
};

const GROUP = '^instance group (.*) of model (.*) ';
const INSTANCES: Record<string, CodeText> = {
  'instance-group.missing': {
    summary: '必须指定至少一个实例组（instance_group）。',
    rules: [[new RegExp(`^must specify one or more 'instance group's${FOR}$`), (m) => `模型 ${m} 必须指定至少一个实例组（instance_group）。`]],
  },
  'instance-group.kind': {
    summary: '实例组的 kind 与其设置不符。',
    rules: [
      [new RegExp(`${GROUP}has kind (KIND_MODEL|KIND_CPU) but specifies one or more GPUs$`), (g, m, k) => `模型 ${m} 的实例组 ${g} 的 kind 为 ${k}，却指定了 GPU。`],
      [new RegExp(`${GROUP}has unexpected kind KIND_AUTO$`), (g, m) => `模型 ${m} 的实例组 ${g} 的 kind 为 KIND_AUTO，不是预期的值。`],
    ],
  },
  'instance-group.gpu-id': {
    summary: '实例组指定的 GPU 编号无效或不受支持。',
    rules: [
      [
        new RegExp(`${GROUP}specifies invalid or unsupported gpu id (-?\\d+)\\. GPUs with at least the minimum required CUDA compute compatibility of 6\\.000000 are: (.*)$`),
        (g, m, id, list) => `模型 ${m} 的实例组 ${g} 指定的 GPU 编号 ${id} 无效或不受支持。满足最低 CUDA 计算能力 6.0 的 GPU 有：${list || '（无）'}。`,
      ],
    ],
  },
  'instance-group.no-gpu': {
    summary: '实例组的 kind 为 KIND_GPU，但这里没有可用的 GPU。',
    rules: [[new RegExp(`${GROUP}has kind KIND_GPU but no GPUs are available$`), (g, m) => `模型 ${m} 的实例组 ${g} 的 kind 为 KIND_GPU，但这里没有可用的 GPU。`]],
  },
  'instance-group.profile': {
    summary: '只有 TensorRT 模型支持实例组的 profile 字段。',
    rules: [
      [
        new RegExp(`${GROUP}and platform (.*?) ?specifies profile field which is only supported for TensorRT models$`),
        (g, m) => `模型 ${m} 的实例组 ${g} 指定了 profile 字段，而只有 TensorRT 模型支持该字段。`,
      ],
    ],
  },
  'instance-group.too-many': {
    summary: '模型要求的实例数超过了 Model Lab 的上限。',
    rules: [
      [
        /^model (.*) asks for (\d+) instances \(count × GPUs over its instance groups\); Model Lab starts at most (\d+) instances of a model version$/,
        (m, n, max) => `模型 ${m} 要求 ${n} 个实例（各实例组的 count × GPU 数之和）；Model Lab 为一个模型版本最多启动 ${max} 个实例。`,
      ],
    ],
  },
  'warmup.variable-dims': {
    summary: '预热（model_warmup）要求指定输入的所有可变维度。',
    rules: [[/^warmup setting expects all variable-size dimensions are specified for input '(.*)'$/, (n) => `预热设置要求输入 ${n} 的所有可变维度都已指定。`]],
  },
  'warmup.too-large': {
    summary: '预热样本所需的输入数据超过了 Model Lab 的上限。',
    rules: [
      [
        /^warmup sample '(.*)' needs (.+?) of input data; Model Lab generates at most (.+?) for one sample \(all its inputs, batch included\)$/,
        (w, a, b) => `预热样本 ${w} 需要 ${a} 的输入数据；Model Lab 为一个样本最多生成 ${b}（包括它的全部输入和批次）。`,
      ],
    ],
  },
  'warmup.too-many': {
    summary: 'model_warmup 要求的执行量超过了 Model Lab 的上限。',
    rules: [
      [
        /^model_warmup asks for (\d+) executions on each instance \(samples × count\); Model Lab runs at most (\d+)$/,
        (n, max) => `model_warmup 要求每个实例执行 ${n} 次（样本数 × count）；Model Lab 最多执行 ${max} 次。`,
      ],
      [
        /^model_warmup sends (.+?) through the model \(sample size × count × (\d+) instances\); Model Lab sends at most (.+)$/,
        (a, n, b) => `model_warmup 要向模型发送 ${a} 的数据（样本大小 × count × ${n} 个实例）；Model Lab 最多发送 ${b}。`,
      ],
    ],
  },
  'warmup.file-outside': {
    summary: '预热数据文件位于模型目录之外。',
    rules: [
      [
        /^warmup data file '(.*)' for input '(.*)' of warmup sample '(.*)' in model '(.*)' is outside model directory$/,
        (f, n, w, m) => `模型 ${m} 的预热样本 ${w} 中，输入 ${n} 的预热数据文件 ${f} 位于模型目录之外。`,
      ],
    ],
  },
};

const END = `${FOR}$`;
const IO_TEXTS: Record<string, CodeText> = {
  'io.shape': {
    summary: '输入或输出的名称、数据类型或形状设置不正确。',
    rules: [
      [new RegExp(`^model (input|output) must specify 'name'${END}`), (k, m) => `模型 ${m} 的${io(k)}必须指定 name。`],
      [new RegExp(`^${IO}must specify '(data_type|dims)'${END}`), (k, n, f, m) => `模型 ${m} 的${io(k)} ${n} 必须指定 ${f}。`],
      [
        new RegExp(`^${IO}cannot have empty reshape for non-batching model as scalar tensors are not supported${END}`),
        (k, n, m) => `模型 ${m} 不支持批处理，不支持标量张量，因此${io(k)} ${n} 的 reshape 不能为空。`,
      ],
      [new RegExp(`^${IO}dimension must be integer >= 1, or -1 to indicate a variable-size dimension${END}`), (k, n, m) => `模型 ${m} 的${io(k)} ${n}：维度必须是 >= 1 的整数，或用 -1 表示可变维度。`],
      [
        new RegExp(`^${IO}reshape dimensions must be integer >= 1, or -1 to indicate a variable-size dimension${END}`),
        (k, n, m) => `模型 ${m} 的${io(k)} ${n}：reshape 的维度必须是 >= 1 的整数，或用 -1 表示可变维度。`,
      ],
      [new RegExp(`^element count for tensor '(.*) (dims|reshape)' exceeds maximum size of (\\d+)${END}`), (n, f, max, m) => `模型 ${m} 的张量 ${n} 的 ${f} 元素个数超过了上限 ${max}。`],
      [new RegExp(`^${IO}has different size for dims and reshape${END}`), (k, n, m) => `模型 ${m} 的${io(k)} ${n}：dims 与 reshape 的大小不同。`],
      [new RegExp(`^${IO}has different number of variable-size dimensions for dims and reshape${END}`), (k, n, m) => `模型 ${m} 的${io(k)} ${n}：dims 与 reshape 中可变维度的个数不同。`],
    ],
  },
  'io.format': {
    summary: 'NHWC/NCHW 格式的模型输入需要 3 个维度。',
    rules: [[new RegExp(`^model input NHWC/NCHW require 3 dims${END}`), (m) => `模型 ${m} 中 NHWC/NCHW 格式的输入需要 3 个维度。`]],
  },
  'io.shape-tensor': {
    summary: '只有 TensorRT 平台支持形状张量（shape tensor）。',
    rules: [[new RegExp(`^shape tensors are only supported for TensorRT platform${END}`), (m) => `模型 ${m}：只有 TensorRT 平台支持形状张量（is_shape_tensor）。`]],
  },
  'io.non-linear': {
    summary: '只有 TensorRT 平台支持非线性 I/O 格式，且需要 3 个维度。',
    rules: [
      [new RegExp(`^Non-linear IO format is only supported for the TensorRT platform${END}`), (m) => `模型 ${m}：只有 TensorRT 平台支持非线性 I/O 格式。`],
      [new RegExp(`^Non-linear IO format (input|output) requires 3 dims${END}`), (k, m) => `模型 ${m}：非线性 I/O 格式的${io(k)}需要 3 个维度。`],
    ],
  },
  'batch-io.kind': {
    summary: '未知的批输入或批输出类型（kind）。',
    rules: [[new RegExp(`^unknown batch (input|output) kind '(.*)'${END}`), (k, kn, m) => `模型 ${m} 的批${io(k)}类型 ${kn} 未知。`]],
  },
  'batch-io.sources': {
    summary: '批输入或批输出应恰好有 1 个 source_input。',
    rules: [[new RegExp(`^batch (input|output) kind '(.*)' expects 1 source input, got (\\d+)${END}`), (k, kn, n, m) => `模型 ${m} 中类型为 ${kn} 的批${io(k)}应有 1 个源输入，实际有 ${n} 个。`]],
  },
  'batch-io.type': {
    summary: '批输入的数据类型必须为 TYPE_INT32 或 TYPE_FP32。',
    rules: [[new RegExp(`^batch input data type must be TYPE_INT32 or TYPE_FP32${END}`), (m) => `模型 ${m} 的批输入数据类型必须为 TYPE_INT32 或 TYPE_FP32。`]],
  },
  'batch-io.source': {
    summary: 'source_input 中的输入名称不存在。',
    rules: [[new RegExp(`^unknown source input name '(.*)'${END}`), (n, m) => `模型 ${m} 中没有名为 ${n} 的源输入。`]],
  },
  'batch-io.target': {
    summary: '批输出的 target_name 不存在或重复。',
    rules: [
      [new RegExp(`^unknown target output name '(.*)'${END}`), (n, m) => `模型 ${m} 中没有名为 ${n} 的目标输出。`],
      [new RegExp(`^target output name '(.*)' can only be specified once${END}`), (n, m) => `模型 ${m} 的目标输出 ${n} 只能指定一次。`],
    ],
  },
};

const REPOSITORY: Record<string, CodeText> = {
  'repository.invalid': { summary: '这个文件夹不是可用的模型仓库。' },
  'model.unreadable': { summary: '无法打开模型目录。', rules: [[/^failed to open directory (.*): (.+)$/s, (d, e) => `无法打开目录 ${d}：${e}`]] },
  'output.label-missing': { summary: '无法读取输出的标签文件（label_filename）。' },
  'output.label-outside': {
    summary: '标签文件位于模型目录之外。',
    rules: [[/^label file path '(.*)' for output '(.*)' in model '(.*)' is outside model directory$/, (f, o, m) => `模型 ${m} 的输出 ${o} 的标签文件 ${f} 位于模型目录之外。`]],
  },
  'layout.config-in-version': {
    summary: '配置文件放在了版本文件夹里，Triton 不会在那里查找配置。',
    rules: [
      [
        /^'(.*)' is inside a version folder, where Triton never looks for a config; Triton reads only '(.*)'(\. It holds an ensemble's scheduling but no platform, max_batch_size, input or output, which Triton also requires)?$/,
        (f, want, ens) =>
          `${f} 位于版本文件夹中，Triton 从不在那里查找配置；Triton 只读取 ${want}。` +
          (ens ? '它包含集成模型的调度（ensemble_scheduling），但缺少 Triton 同样要求的 platform、max_batch_size、input 和 output。' : ''),
      ],
    ],
  },
  'layout.hidden-folder': {
    summary: 'Triton 会把模型仓库中的每个文件夹（包括隐藏文件夹）都当作模型。',
    rules: [
      [
        /^Triton treats every folder in a model repository as a model, hidden ones included: '(.*)' is loaded as a model$/,
        (n) => `Triton 会把模型仓库中的每个文件夹（包括隐藏文件夹）都当作模型：${n} 被当作模型加载。`,
      ],
    ],
  },
  'version.leading-zero': {
    summary: '版本目录名以 0 开头，已忽略。',
    rules: [[/^ignore version directory '(.*)' which contains leading zeros in its directory name$/, (n) => `已忽略版本目录 ${n}：目录名以 0 开头。`]],
  },
  'version.not-numeric': {
    summary: '版本目录名不是整数，已忽略。',
    rules: [[/^ignore version directory '(.*)' which fails to convert to integral number$/, (n) => `已忽略版本目录 ${n}：目录名无法转换为整数。`]],
  },
  'version.specific-missing': {
    summary: '版本策略指定的版本目录不存在。',
    rules: [[/^version (-?\d+) is specified for model '(.*)', but the version directory is not present$/, (v, m) => `模型 ${m} 的版本策略指定了版本 ${v}，但该版本目录不存在。`]],
  },
  'version.none': {
    summary: '在模型的版本策略下，至少要有一个可用的版本。',
    rules: [[/^at least one version must be available under the version policy of model '(.*)'$/, (m) => `在模型 ${m} 的版本策略下，至少要有一个可用的版本。`]],
  },
};

export const DIAGNOSTIC_ZH: Record<string, CodeText> = { ...BACKEND, ...ENSEMBLE, ...CONFIG, ...SCHEDULING, ...INSTANCES, ...IO_TEXTS, ...REPOSITORY };

/** The fixes the engine writes, as patterns; a fix no pattern matches is shown in English. */
const FIXES: readonly Rule[] = [
  [
    /^Save the model with torch\.jit\.script\(model\)\.save\("model\.pt"\) and set platform: "pytorch_libtorch", or export it to ONNX\.$/,
    () => '用 torch.jit.script(model).save("model.pt") 保存模型并设置 platform: "pytorch_libtorch"，或把它导出为 ONNX。',
  ],
  [
    /^The lab runs these instances on the CPU\. Triton on a machine without GPUs refuses to load the model; use kind: KIND_CPU \(or KIND_AUTO\) to be portable\.$/,
    () => 'Model Lab 在 CPU 上运行这些实例。在没有 GPU 的机器上，Triton 会拒绝加载该模型；如需可移植，请使用 kind: KIND_CPU（或 KIND_AUTO）。',
  ],
  [
    /^Move it to '(.*)' \(one level up\) and make sure it is complete: name, platform or backend, max_batch_size, input and output\.$/,
    (f) => `把它移到 ${f}（上一级目录），并确保内容完整：name、platform 或 backend、max_batch_size、input 和 output。`,
  ],
  [/^Remove '(.*)' from the repository \(or move it out\) if it is not a model\.$/, (n) => `如果 ${n} 不是模型，请把它从模型仓库中删除（或移出）。`],
  [
    /^Create a version folder '(.*)' holding (.+)\. Triton serves only numbered sub-folders of a model\.$/,
    (f, holds) => `创建版本文件夹 ${f}，${holdsZh(holds)}。Triton 只为模型中以数字命名的子文件夹提供服务。`,
  ],
  [
    /^Create '(.*)' with the config below \(inputs and outputs inferred from the member models\), and keep '(.*)' as an empty version folder:\n\n([\s\S]*)$/,
    (f, v, cfg) => `用下面的配置创建 ${f}（输入和输出由成员模型推断得出），并保留 ${v} 作为空的版本文件夹：\n\n${cfg}`,
  ],
  ...foreignFixes(),
];

function holdsZh(holds: string): string {
  if (holds === 'nothing (an ensemble needs only the empty folder)') return '里面不用放任何文件（集成模型只需要一个空文件夹）';
  const file = /^the model file '(.*)'$/.exec(holds);
  if (file) return `在其中放入模型文件 ${file[1]}`;
  return holds === 'the model file' ? '在其中放入模型文件' : `在其中放入 ${holds}`;
}

function foreignFixes(): Rule[] {
  const base: Record<string, string> = {
    'Export the model to ONNX (for example with tf2onnx) to run it here.': '把模型导出为 ONNX（例如使用 tf2onnx），即可在这里运行。',
    'A model.plan is built for one GPU and TensorRT version; run the ONNX model it was built from instead.': 'model.plan 是针对特定 GPU 和 TensorRT 版本构建的；请改为运行构建它所用的 ONNX 模型。',
    'Run the ONNX model it was converted from instead.': '请改为运行转换它所用的 ONNX 模型。',
    'Export the model to ONNX to run it here.': '把模型导出为 ONNX，即可在这里运行。',
  };
  return Object.entries(base).map(([en, zh]): Rule => [new RegExp(`^${escape(en)}(?: Note that '(.*)' is missing too\\.)?$`), (f) => zh + (f ? `另外，${f} 也不存在。` : '')]);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function apply(rules: readonly Rule[] | undefined, english: string): string | undefined {
  for (const [re, build] of rules ?? []) {
    const m = re.exec(english);
    if (m) return build(...m.slice(1).map((g) => g ?? ''));
  }
  return undefined;
}

/** The Chinese sentence a pattern of `code` builds from `message`; undefined when none matches. */
export function ruleText(code: string, message: string): string | undefined {
  return apply(DIAGNOSTIC_ZH[code]?.rules, message);
}

/** A diagnostic's message in `lang`: Chinese from its code's patterns (else its summary), with the English kept beside. */
export function diagnosticMessage(code: string, message: string, lang: Locale): Shown {
  if (lang === 'en') return { text: message };
  const entry = DIAGNOSTIC_ZH[code];
  if (!entry) return { text: message };
  return { text: apply(entry.rules, message) ?? entry.summary, english: message };
}

/** A diagnostic's fix in `lang`: Chinese when a pattern knows it, else the English as it is. */
export function diagnosticFix(fix: string, lang: Locale): Shown {
  if (lang === 'en') return { text: fix };
  const zh = apply(FIXES, fix);
  return zh === undefined ? { text: fix } : { text: zh, english: fix };
}

/** Notes outside the diagnostics: the CUDA fallback (`VersionSummary.deviceNote`) and a decoupled run (`RunResult.note`). */
const NOTES: readonly Rule[] = [
  [
    /^KIND_GPU was asked for, but torch (\S+) of (.*) has no CUDA \(torch\.cuda\.is_available\(\) is False\); running on CPU$/,
    (v, exe) => `配置要求 KIND_GPU，但 ${exe} 的 torch ${v} 没有 CUDA（torch.cuda.is_available() 为 False）；现在在 CPU 上运行。`,
  ],
  [
    /^KIND_GPU was asked for on GPU (\d+), but torch sees (\d+) GPU\(s\); that instance runs on CPU$/,
    (g, n) => `配置要求在 GPU ${g} 上运行（KIND_GPU），但 torch 只看到 ${n} 个 GPU；该实例在 CPU 上运行。`,
  ],
  [
    /^the config asks for a GPU, but this onnxruntime-node install has no CUDA execution provider \(reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12 on a machine with CUDA 12\); running on CPU$/,
    () => '配置要求使用 GPU，但当前安装的 onnxruntime-node 没有 CUDA 执行提供程序（请在装有 CUDA 12 的机器上用 ONNXRUNTIME_NODE_INSTALL=cuda12 重新安装）；现在在 CPU 上运行。',
  ],
  [
    /^the config asks for a GPU, but this build of Model Lab has no CUDA execution provider \(the CUDA build of the Linux x64 installers has it\); running on CPU$/,
    () => '配置要求使用 GPU，但这个版本的 Model Lab 没有 CUDA 执行提供程序（Linux x64 安装包的 CUDA 版本才有）；现在在 CPU 上运行。',
  ],
  [
    /^CUDA is not available \((.*)\); running on CPU\. The CUDA execution provider needs an NVIDIA driver with CUDA 12 and cuDNN 9 on this computer\.$/,
    (why) => `CUDA 不可用（${why}）；现在在 CPU 上运行。CUDA 执行提供程序需要这台计算机装有 NVIDIA 驱动、CUDA 12 和 cuDNN 9。`,
  ],
  [
    /^This decoupled model sent (\d+) responses(?: \((\d+) of them errors\))?; the outputs shown are the last one's that had outputs\. Triton's gRPC ModelStreamInfer returns every response\.$/,
    (n, errors) => `这个解耦模型（decoupled）发送了 ${n} 个响应${errors ? `（其中 ${errors} 个是错误）` : ''}；这里显示的是最后一个带输出的响应。Triton 的 gRPC ModelStreamInfer 会返回每一个响应。`,
  ],
];

/** A note from the engine in `lang`: Chinese when a pattern knows it (English beside), else the English. */
export function engineNote(note: string, lang: Locale): Shown {
  if (lang === 'en') return { text: note };
  const zh = apply(NOTES, note);
  return zh === undefined ? { text: note } : { text: zh, english: note };
}

/** Triton's readable status codes, which prefix a model's or version's reason ("Invalid argument: …"). */
const STATUS_ZH: Record<string, string> = {
  'Invalid argument': '参数无效',
  'Not found': '未找到',
  Unavailable: '不可用',
  Unsupported: '不支持',
  'Already exists': '已存在',
  Internal: '内部错误',
  Cancelled: '已取消',
};

/** Reasons with a shape of their own, beyond the diagnostics' messages. */
const REASONS: readonly Rule[] = [
  [/^failed to read text proto from (.*): (\d+):(\d+): (.*)$/s, (file, line, col, msg) => `无法读取 ${file} 中的文本格式配置（第 ${line} 行第 ${col} 列）：${apply(SYNTAX, msg) ?? msg}`],
  [/^not selected by the version policy$/, () => '版本策略没有选中这个版本'],
];

/** The Chinese of any diagnostic's message, whatever its code (a reason carries no code). */
function anyMessage(message: string): string | undefined {
  for (const entry of Object.values(DIAGNOSTIC_ZH)) {
    const zh = apply(entry.rules, message);
    if (zh !== undefined) return zh;
  }
  return apply(REASONS, message);
}

/**
 * A model's or version's reason ("<Status>: <message>", Triton's wording) in `lang`: Chinese when
 * its message is one the diagnostics know, the English kept beside; else the English as it is.
 */
export function reasonText(reason: string, lang: Locale): Shown {
  if (lang === 'en') return { text: reason };
  const m = /^([A-Z][a-z]+(?: [a-z]+)?): (.*)$/s.exec(reason);
  const status = m ? STATUS_ZH[m[1]!] : undefined;
  const zh = status ? anyMessage(m![2]!) : anyMessage(reason);
  if (zh === undefined) return { text: reason };
  return { text: status ? `${status}：${zh}` : zh, english: reason };
}

/** What a backend runs (`ModelSummary.backendRuns`, the backend chip's title), by the engine's wording. */
const BACKEND_RUNS_ZH: Record<string, string> = {
  'identity models: each output copies the input of the same index': 'identity 模型：每个输出复制同一序号的输入',
  'ONNX models, in ONNX Runtime': 'ONNX 模型，在 ONNX Runtime 中运行',
  'Python models (model.py), one Python process per instance': 'Python 模型（model.py），每个实例一个 Python 进程',
  'JavaScript and TypeScript models (model.js, model.mjs, model.ts), one worker thread per instance': 'JavaScript 和 TypeScript 模型（model.js、model.mjs、model.ts），每个实例一个工作线程',
  'TensorFlow models': 'TensorFlow 模型',
  'TensorRT engines': 'TensorRT 引擎',
  'OpenVINO models': 'OpenVINO 模型',
  'PyTorch models': 'PyTorch 模型',
  'PyTorch TorchScript models (model.pt), in a Python process with torch per instance': 'PyTorch TorchScript 模型（model.pt），每个实例一个带 torch 的 Python 进程',
};

/** A backend's "what it runs" in `lang`; the English as it is when it is not one the lab ships. */
export function backendRunsText(runs: string, lang: Locale): string {
  if (lang === 'en') return runs;
  const custom = /^models of the custom backend '(.*)'$/.exec(runs);
  return BACKEND_RUNS_ZH[runs] ?? (custom ? `自定义后端 ${custom[1]} 的模型` : runs);
}

/**
 * The version policy as the engine describes it ("latest 1", "all", "specific [1, 3]"), read back
 * into words, with the config's own syntax (what a user types) as `code`.
 */
export function versionPolicyText(policy: string, lang: Locale): { text: string; code: string } | undefined {
  const latest = /^latest (\d+)$/.exec(policy);
  const specific = /^specific \[(.*)\]$/.exec(policy);
  const zh = lang === 'zh-CN';
  if (latest) {
    const n = Number(latest[1]);
    const text = zh ? `最新的 ${n} 个版本` : n === 1 ? 'the latest version' : `the latest ${n} versions`;
    return { text, code: `latest { num_versions: ${n} }` };
  }
  if (policy === 'all') return { text: zh ? '全部版本' : 'all versions', code: 'all { }' };
  if (specific) return { text: zh ? `指定版本：${specific[1]!.split(', ').join('、')}` : `versions ${specific[1]}`, code: `specific { versions: [${specific[1]}] }` };
  return undefined;
}
