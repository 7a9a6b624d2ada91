/**
 * The portability report's reasons in 简体中文. The engine writes each reason as an English
 * sentence (electron/engine/deploy/portability.ts); they are read back here by one pattern each,
 * as open-error-text.ts does for open errors, and the English stays beside the Chinese. A reason
 * no pattern matches is shown in English only, never as a half-translated sentence. The file name
 * ends in .zh-CN.ts so the glossary test reads it.
 */
import type { Shown } from './diagnostic-text';
import type { Locale } from './index';

type Rule = readonly [RegExp, (...g: string[]) => string | undefined];

const STEPS = /^its step models? (.+?) /;
const SIDE: Record<string, string> = { input: '输入', output: '输出' };

/** One difference between a model and a would-be twin ("input 'x' is missing", …), or undefined. */
function diffText(d: string): string | undefined {
  let m = /^(input|output) '(.+)' is missing$/.exec(d);
  if (m) return `缺少${SIDE[m[1]!]} '${m[2]}'`;
  m = /^(input|output) '(.+)' is extra$/.exec(d);
  if (m) return `多出${SIDE[m[1]!]} '${m[2]}'`;
  m = /^(input|output) '(.+)' is (.+), not (.+)$/.exec(d);
  if (m) return `${SIDE[m[1]!]} '${m[2]}' 为 ${m[3]}，而不是 ${m[4]}`;
  m = /^max_batch_size is (\d+), not (\d+)$/.exec(d);
  if (m) return `max_batch_size 为 ${m[1]}，而不是 ${m[2]}`;
  if (/^its config does not load$/.test(d)) return '其配置无法加载';
  if (/^its config\.pbtxt lists no tensors \(an auto_complete_config the report does not run may set them\): write them into config\.pbtxt$/.test(d))
    return '其 config.pbtxt 未列出任何张量（报告不会运行可能设置张量的 auto_complete_config）：请把张量写入 config.pbtxt';
  return undefined;
}

/** Each part of a '; '-joined list read by `one`, joined with a full-width semicolon; undefined when any part is unknown. */
function listText(list: string, one: (part: string) => string | undefined): string | undefined {
  const parts = list.split('; ').map(one);
  return parts.every((p) => p !== undefined) ? parts.join('；') : undefined;
}

const diffsText = (list: string) => listText(list, diffText);

const FILE_KIND: Record<string, string> = {
  'a directory': '文件夹',
  'a FIFO': 'FIFO',
  'a character device': '字符设备',
  'a block device': '块设备',
  'a socket': '套接字',
  'a special file': '特殊文件',
};

/** One file the export did not copy (engine/deploy/files.ts), or undefined. */
function skippedText(s: string): string | undefined {
  let m = /^(.+): cannot be read \((.+)\)$/.exec(s);
  if (m) return `${m[1]}：无法读取（${m[2]}）`;
  m = /^(.+): (.+), not a regular file$/.exec(s);
  if (m) return FILE_KIND[m[2]!] ? `${m[1]}：是${FILE_KIND[m[2]!]}，不是普通文件` : undefined;
  m = /^(.+): a link leading outside the (model folder|repository) \(not copied\)$/.exec(s);
  if (m) return `${m[1]}：指向${m[2] === 'repository' ? '模型仓库' : '模型文件夹'}之外的链接（未复制）`;
  m = /^(.+): a link to a folder it is already copying \(not copied\)$/.exec(s);
  if (m) return `${m[1]}：指向正在复制的文件夹的链接（未复制）`;
  m = /^(.+): deeper than (\d+) folders \(not copied\)$/.exec(s);
  if (m) return `${m[1]}：文件夹层级超过 ${m[2]} 层（未复制）`;
  m = /^(.+): more than (\d+) files \(the rest not copied\)$/.exec(s);
  return m ? `${m[1]}：超过 ${m[2]} 个文件（其余未复制）` : undefined;
}

const NO_GPU_WHY: Record<string, string> = {
  'its instance_group asks for KIND_GPU': '其 instance_group 要求 KIND_GPU',
  'a TensorRT plan runs only on a GPU': 'TensorRT plan 只能在 GPU 上运行',
};

const RULES: readonly Rule[] = [
  [
    /^uses backend 'script' \(a JavaScript\/TypeScript model\), which is Model Lab's own: Triton has no such backend$/,
    () => '使用 script 后端（JavaScript/TypeScript 模型），这是 Model Lab 自有的后端：Triton 没有这个后端。',
  ],
  [/^backend '(.+)' is part of (\S+)$/, (b, image) => `后端 '${b}' 包含在 ${image} 中。`],
  [
    /^its Python twin '(.+)' in (\S+) has the same tensors(?: \(it needs (.+)\))?: export with Python twins to deploy it$/,
    (m, repo, needs) => `${repo} 中的 Python 孪生模型 '${m}' 具有相同的张量${needs ? `（它需要 ${needs}）` : ''}：导出时使用 Python 孪生模型即可部署。`,
  ],
  [/^no model '(.+)' in (\S+) to stand in for it$/, (m, repo) => `${repo} 中没有可替代它的模型 '${m}'。`],
  [/^'(.+)' in (\S+) cannot stand in for it: it is lab-only too \((.+)\)$/, (m, repo, why) => `${repo} 中的 '${m}' 无法替代它：它同样仅限 Model Lab（${why}）。`],
  [
    /^'(.+)' in (\S+) cannot stand in for it: (.+)$/,
    (m, repo, diffs) => {
      const d = diffsText(diffs!);
      return d ? `${repo} 中的 '${m}' 无法替代它：${d}。` : undefined;
    },
  ],
  [
    new RegExp(`${STEPS.source}(?:are|is) lab-only: swap (?:them|it) for (?:their Python twins|its Python twin) to deploy it$`),
    (l) => `其步骤模型 ${l} 仅限 Model Lab：换成 Python 孪生模型即可部署。`,
  ],
  [new RegExp(`${STEPS.source}(?:are|is) not in the repository$`), (l) => `其步骤模型 ${l} 不在此模型仓库中。`],
  [new RegExp(`${STEPS.source}needs? Python packages, which the export installs$`), (l) => `其步骤模型 ${l} 需要 Python 包，导出时会安装。`],
  [/^every step model runs on Triton as it is$/, () => '每个步骤模型都可在 Triton 上原样运行。'],
  [/^imports only the standard library and what Triton's image has \(numpy, triton_python_backend_utils\)$/, () => '只导入标准库和 Triton 镜像自带的模块（numpy、triton_python_backend_utils）。'],
  [/^imports (.+), which Triton's image does not have: the export's Dockerfile installs (?:it|them)$/, (l) => `导入了 Triton 镜像中没有的 ${l}：导出的 Dockerfile 会安装。`],
  [/^imports (.+) only when present \(inside try\/except ImportError\): it runs without (?:it|them)$/, (l) => `仅在已安装时导入 ${l}（位于 try/except ImportError 中）：没有也能运行。`],
  [/^imports Model Lab's own modules? (.+), which Triton does not have$/, (l) => `导入了 Model Lab 自有的模块 ${l}，Triton 中没有。`],
  [/^could not read (.+)$/, (f) => `无法读取 ${f}。`],
  [
    /^uses the lab-only config parameter PYTHON_EXECUTABLE \(Triton's Python backend ignores it; remove it, and use EXECUTION_ENV_PATH for a packed environment\)$/,
    () => '使用了仅限 Model Lab 的配置参数 PYTHON_EXECUTABLE（Triton 的 Python 后端会忽略它；请删除它，打包的环境请用 EXECUTION_ENV_PATH）。',
  ],
  [/^ships its Python environment \(EXECUTION_ENV_PATH '(.+)'\), which Triton unpacks as it is$/, (v) => `自带 Python 环境（EXECUTION_ENV_PATH '${v}'），Triton 会按原样解包。`],
  [
    /^EXECUTION_ENV_PATH '(.+)' points outside the model folder: copy the environment archive into the model folder and name it as '\$\$TRITON_MODEL_DIRECTORY\/<file>' so it travels with the model$/,
    (v) => `EXECUTION_ENV_PATH '${v}' 指向模型文件夹之外：请把环境压缩包复制到模型文件夹中，并写成 '$$TRITON_MODEL_DIRECTORY/<file>'，使其随模型一起导出。`,
  ],
  [
    /^is a TensorFlow model \((.+)\): Triton's server image has had no TensorFlow backend since 25\.03, so (\S+) cannot load it; export it to ONNX \(tf2onnx\) or build an image with the tensorflow backend$/,
    (p, image) => `是 TensorFlow 模型（${p}）：自 25.03 起 Triton 服务器镜像不再包含 TensorFlow 后端，因此 ${image} 无法加载它；请将其导出为 ONNX（tf2onnx），或构建带 tensorflow 后端的镜像。`,
  ],
  [/^its config names no backend or platform, and none can be told from its files: Triton cannot load it either$/, () => '其配置未指定后端或平台，也无法从文件中判断：Triton 同样无法加载。'],
  [/^uses backend '(.+)', which (\S+) does not have: add it to (\S+) in the image$/, (b, image, dir) => `使用的后端 '${b}' 不在 ${image} 中：请在镜像中将其添加到 ${dir}。`],
  [
    /^a TensorRT plan runs only with the TensorRT version and GPU it was built for: rebuild it with the TensorRT of Triton (\S+) on the target GPU$/,
    (v) => `TensorRT plan 只能在构建它时的 TensorRT 版本和 GPU 上运行：请在目标 GPU 上用 Triton ${v} 的 TensorRT 重新构建。`,
  ],
  [
    /^calls (.+) through BLS \(model_name\), which (?:are|is) lab-only: swap (?:them|it) for a Python twin to deploy it$/,
    (l) => `通过 BLS（model_name）调用的 ${l} 仅限 Model Lab：换成 Python 孪生模型即可部署。`,
  ],
  [
    /^calls (.+) through BLS \(model_name\), which (?:are|is) not in this repository: Triton answers such a call with an error unless the server has that model$/,
    (l) => `通过 BLS（model_name）调用的 ${l} 不在此模型仓库中：除非服务器上有该模型，否则 Triton 会对这样的调用返回错误。`,
  ],
  [
    /^names (.+) in its code, (?:lab-only models|a lab-only model) of this repository: a BLS call to (?:them|it) fails on Triton$/,
    (l) => `代码中写有此模型仓库中仅限 Model Lab 的模型 ${l}：在 Triton 上对其进行 BLS 调用会失败。`,
  ],
  [
    /^(.+), but the export asks for no GPU \(--gpus 0\): Triton fails to load it on a node without one$/,
    (why) => (NO_GPU_WHY[why!] ? `${NO_GPU_WHY[why!]}，但导出未请求 GPU（--gpus 0）：在没有 GPU 的节点上 Triton 无法加载它。` : undefined),
  ],
  [
    /^not copied \(the exported folder lacks (?:it|them)\): (.+)$/,
    (list) => {
      const l = listText(list!, skippedText);
      return l ? `未复制（导出的文件夹中缺少这些文件）：${l}。` : undefined;
    },
  ],
  [/^its config does not load \((.+)\): Triton will refuse it too; fix it first$/, (why) => `其配置无法加载（${why}）：Triton 同样会拒绝它；请先修复。`],
];

/** A report reason in the reader's language; in 简体中文 the engine's English comes with it. */
export function deployReasonText(reason: string, lang: Locale): Shown {
  if (lang !== 'zh-CN') return { text: reason };
  for (const [re, build] of RULES) {
    const m = re.exec(reason);
    const text = m ? build(...m.slice(1)) : undefined;
    if (text) return { text, english: reason };
  }
  return { text: reason };
}

/** A file an export left out (DeploymentExport.skipped, as engine/deploy/files.ts words it) in the reader's language. */
export function deploySkippedText(s: string, lang: Locale): Shown {
  const text = lang === 'zh-CN' ? skippedText(s) : undefined;
  return text ? { text: `${text}。`, english: s } : { text: s };
}

/** The engine's refusals of a report or an export (engine/deploy/files.ts, export.ts, twins.ts, handlers/deploy-handlers.ts). */
const ERRORS: readonly Rule[] = [
  [
    /^the output folder '(.+)' is not empty \((\d+) entr(?:y|ies)\); choose a new or empty folder: nothing is overwritten$/,
    (p, n) => `输出文件夹“${p}”不为空（${n} 项）：请选择一个新的或空的文件夹，任何已有文件都不会被覆盖。`,
  ],
  [/^'(.+)' exists and is not a folder; nothing is overwritten$/, (p) => `“${p}”已存在且不是文件夹：任何已有文件都不会被覆盖。`],
  [/^the output folder '(.+)' is a link; name the folder itself$/, (p) => `输出文件夹“${p}”是一个链接：请填写文件夹本身的路径。`],
  [/^the output folder '(.+)' is inside the repository '(.+)'; choose a folder outside it$/, (p, r) => `输出文件夹“${p}”位于模型仓库“${r}”之内：请选择模型仓库之外的文件夹。`],
  [/^the output folder must be an absolute path, got '(.+)'$/, (p) => `输出文件夹必须是绝对路径，而不是“${p}”。`],
  [/^'outDir' must be an absolute folder path$/, () => '输出文件夹必须是绝对路径。'],
  [/^'twins' must be an absolute folder path$/, () => '孪生模型仓库必须是绝对路径。'],
  [/^cannot create the output folder '(.+)' \((.+)\)$/, (p, why) => `无法创建输出文件夹“${p}”（${why}）。`],
  [/^'(.+)' is not an image reference \(\[registry\/\]name\[:tag\], lowercase name\)$/, (i) => `“${i}”不是有效的镜像引用（[registry/]name[:tag]，名称须为小写）。`],
  [/^GPUs must be a whole number from 0 to (\d+), got (.+)$/, (max, got) => `GPU 数必须是 0 到 ${max} 之间的整数，而不是 ${got}。`],
  [/^the twins repository '(.+)' does not exist$/, (p) => `孪生模型仓库“${p}”不存在。`],
  [/^the twins repository '(.+)' is not a folder$/, (p) => `孪生模型仓库“${p}”不是文件夹。`],
  [/^the twins repository is the repository itself \('(.+)'\)$/, (p) => `孪生模型仓库就是此模型仓库本身（“${p}”）。`],
  [/^the twins repository '(.+)' cannot be read: (.+)$/, (p, why) => `无法读取孪生模型仓库“${p}”：${why}`],
];

/** A report's or an export's error in the reader's language; in 简体中文 the engine's English comes with it. */
export function deployErrorText(message: string, lang: Locale): Shown {
  if (lang !== 'zh-CN') return { text: message };
  for (const [re, build] of ERRORS) {
    const m = re.exec(message);
    const text = m ? build(...m.slice(1)) : undefined;
    if (text) return { text, english: message };
  }
  return { text: message };
}

/** The error as one banner text: the reader's language first, the engine's English on its own line (searchable). */
export function deployErrorBanner(message: string, lang: Locale): string {
  const s = deployErrorText(message, lang);
  return s.english ? `${s.text}\n${s.english}` : s.text;
}
