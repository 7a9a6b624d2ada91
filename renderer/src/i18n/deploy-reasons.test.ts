/**
 * The portability report's reasons in 简体中文: each sentence the engine writes
 * (electron/engine/deploy/portability.ts, as it words them) reads back in
 * Chinese with the English kept; anything else stays English only.
 */
import { describe, expect, it } from 'vitest';
import { deployErrorBanner, deployErrorText, deployReasonText } from './deploy-reasons.zh-CN';

const IMAGE = 'nvcr.io/nvidia/tritonserver:26.07-py3';
const CASES: [string, string][] = [
  [
    "uses backend 'script' (a JavaScript/TypeScript model), which is Model Lab's own: Triton has no such backend",
    '使用 script 后端（JavaScript/TypeScript 模型），这是 Model Lab 自有的后端：Triton 没有这个后端。',
  ],
  [`backend 'onnxruntime' is part of ${IMAGE}`, `后端 'onnxruntime' 包含在 ${IMAGE} 中。`],
  [
    "its Python twin 'crop' in ocr_ensemble_python has the same tensors: export with Python twins to deploy it",
    "ocr_ensemble_python 中的 Python 孪生模型 'crop' 具有相同的张量：导出时使用 Python 孪生模型即可部署。",
  ],
  [
    "its Python twin 'crop' in ocr_ensemble_python has the same tensors (it needs pillow): export with Python twins to deploy it",
    "ocr_ensemble_python 中的 Python 孪生模型 'crop' 具有相同的张量（它需要 pillow）：导出时使用 Python 孪生模型即可部署。",
  ],
  ["no model 'crop' in r_python to stand in for it", "r_python 中没有可替代它的模型 'crop'。"],
  [
    "'crop' in r_python cannot stand in for it: max_batch_size is 0, not 8; input 'IMAGE' is missing; output 'TEXT' is TYPE_STRING [1], not TYPE_STRING [-1]",
    "r_python 中的 'crop' 无法替代它：max_batch_size 为 0，而不是 8；缺少输入 'IMAGE'；输出 'TEXT' 为 TYPE_STRING [1]，而不是 TYPE_STRING [-1]。",
  ],
  ['its step models a, b are lab-only: swap them for their Python twins to deploy it', '其步骤模型 a, b 仅限 Model Lab：换成 Python 孪生模型即可部署。'],
  ['its step model a is lab-only: swap it for its Python twin to deploy it', '其步骤模型 a 仅限 Model Lab：换成 Python 孪生模型即可部署。'],
  ['its step model gone is not in the repository', '其步骤模型 gone 不在此模型仓库中。'],
  ['its step models p, q need Python packages, which the export installs', '其步骤模型 p, q 需要 Python 包，导出时会安装。'],
  ['every step model runs on Triton as it is', '每个步骤模型都可在 Triton 上原样运行。'],
  ["imports only the standard library and what Triton's image has (numpy, triton_python_backend_utils)", '只导入标准库和 Triton 镜像自带的模块（numpy、triton_python_backend_utils）。'],
  [
    "imports opencv-python-headless, pillow, which Triton's image does not have: the export's Dockerfile installs them",
    '导入了 Triton 镜像中没有的 opencv-python-headless, pillow：导出的 Dockerfile 会安装。',
  ],
  ['imports opencv-python-headless only when present (inside try/except ImportError): it runs without it', '仅在已安装时导入 opencv-python-headless（位于 try/except ImportError 中）：没有也能运行。'],
  ["imports Model Lab's own module model_lab_utils, which Triton does not have", '导入了 Model Lab 自有的模块 model_lab_utils，Triton 中没有。'],
  [
    "uses the lab-only config parameter PYTHON_EXECUTABLE (Triton's Python backend ignores it; remove it, and use EXECUTION_ENV_PATH for a packed environment)",
    '使用了仅限 Model Lab 的配置参数 PYTHON_EXECUTABLE（Triton 的 Python 后端会忽略它；请删除它，打包的环境请用 EXECUTION_ENV_PATH）。',
  ],
  [
    `uses backend 'custom', which ${IMAGE} does not have: add it to /opt/tritonserver/backends/custom in the image`,
    `使用的后端 'custom' 不在 ${IMAGE} 中：请在镜像中将其添加到 /opt/tritonserver/backends/custom。`,
  ],
  ["its config does not load (unknown field 'x'): Triton will refuse it too; fix it first", "其配置无法加载（unknown field 'x'）：Triton 同样会拒绝它；请先修复。"],
];

describe('deployReasonText', () => {
  it('reads every reason the engine writes in Chinese, with the English beside it', () => {
    for (const [en, zh] of CASES) expect(deployReasonText(en, 'zh-CN'), en).toEqual({ text: zh, english: en });
  });

  it('leaves English as it is, and a reason it does not know (or only half knows) in English only', () => {
    expect(deployReasonText(CASES[0]![0], 'en')).toEqual({ text: CASES[0]![0] });
    expect(deployReasonText('something new the engine says', 'zh-CN')).toEqual({ text: 'something new the engine says' });
    const half = "'crop' in r_python cannot stand in for it: input 'IMAGE' is missing; a difference not known here";
    expect(deployReasonText(half, 'zh-CN')).toEqual({ text: half });
  });
});

describe('deployErrorText', () => {
  const ERRORS: [string, string][] = [
    [
      "the output folder '/tmp/o' is not empty (1 entry); choose a new or empty folder: nothing is overwritten",
      '输出文件夹“/tmp/o”不为空（1 项）：请选择一个新的或空的文件夹，任何已有文件都不会被覆盖。',
    ],
    [
      "the output folder '/tmp/o' is not empty (3 entries); choose a new or empty folder: nothing is overwritten",
      '输出文件夹“/tmp/o”不为空（3 项）：请选择一个新的或空的文件夹，任何已有文件都不会被覆盖。',
    ],
    ["'/tmp/f' exists and is not a folder; nothing is overwritten", '“/tmp/f”已存在且不是文件夹：任何已有文件都不会被覆盖。'],
    ["the output folder '/r/x' is inside the repository '/r'; choose a folder outside it", '输出文件夹“/r/x”位于模型仓库“/r”之内：请选择模型仓库之外的文件夹。'],
    ["cannot create the output folder '/root/x' (EACCES)", '无法创建输出文件夹“/root/x”（EACCES）。'],
    ["'Upper/x' is not an image reference ([registry/]name[:tag], lowercase name)", '“Upper/x”不是有效的镜像引用（[registry/]name[:tag]，名称须为小写）。'],
    ["the twins repository '/nope' does not exist", '孪生模型仓库“/nope”不存在。'],
  ];
  it('reads the engine refusals in Chinese, the English on its own line', () => {
    for (const [en, zh] of ERRORS) expect(deployErrorText(en, 'zh-CN'), en).toEqual({ text: zh, english: en });
    expect(deployErrorBanner(ERRORS[0]![0], 'zh-CN')).toBe(`${ERRORS[0]![1]}\n${ERRORS[0]![0]}`);
    expect(deployErrorBanner(ERRORS[0]![0], 'en')).toBe(ERRORS[0]![0]);
    expect(deployErrorBanner('the lab is not reachable', 'zh-CN')).toBe('the lab is not reachable');
  });
});
