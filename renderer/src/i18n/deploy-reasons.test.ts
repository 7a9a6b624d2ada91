/**
 * The portability report's reasons in 简体中文: each sentence the engine writes
 * (electron/engine/deploy/portability.ts, as it words them) reads back in
 * Chinese with the English kept; anything else stays English only.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { deployErrorBanner, deployErrorText, deployReasonText } from './deploy-reasons.zh-CN';

/** The engine files that word a report's reasons, as text (Vite reads them for the test). */
const SOURCES = import.meta.glob(['../../../electron/engine/deploy/{portability,export,tensors,files}.ts'], { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const source = (name: string) => Object.entries(SOURCES).find(([f]) => f.endsWith(`/${name}`))![1];

/** Values for substitutions a number cannot stand for: lists of sentences the engine joins, a file kind. */
const VALUES: Record<string, string[]> = {
  "diffs.join('; ')": ["max_batch_size is 0, not 8; input 'x' is missing"],
  "t.reasons.join('; ')": ["uses backend 'custom', which 71 does not have"],
  "mine.join('; ')": ['m/a: a FIFO, not a regular file; m/b: cannot be read (EACCES)'],
  kind: ['a FIFO', 'a socket'],
  side: ['input', 'output'],
  PYTHON_EXECUTABLE: ['PYTHON_EXECUTABLE'],
  EXECUTION_ENV_PATH: ['EXECUTION_ENV_PATH'],
};

/**
 * Every wording of a string or template literal: a substitution becomes a number (71, 72, …), each
 * branch of a condition between literals (plural forms), a const's literal value, or VALUES' entries.
 */
function samplesOf(node: ts.Node, sf: ts.SourceFile, consts: Map<string, ts.Expression>): string[] {
  if (ts.isStringLiteralLike(node)) return [node.text];
  if (ts.isParenthesizedExpression(node)) return samplesOf(node.expression, sf, consts);
  if (ts.isConditionalExpression(node)) return [...samplesOf(node.whenTrue, sf, consts), ...samplesOf(node.whenFalse, sf, consts)];
  if (!ts.isTemplateExpression(node)) return [];
  let out = [node.head.text];
  node.templateSpans.forEach((span, i) => {
    const e = span.expression;
    const text = e.getText(sf);
    const init = ts.isIdentifier(e) ? consts.get(text) : undefined;
    const literal = (x: ts.Node): boolean => ts.isStringLiteralLike(x) || ts.isTemplateExpression(x) || (ts.isConditionalExpression(x) && literal(x.whenTrue) && literal(x.whenFalse));
    const options = VALUES[text] ?? (ts.isConditionalExpression(e) && literal(e) ? samplesOf(e, sf, consts) : init && literal(init) ? samplesOf(init, sf, consts) : [String(71 + i)]);
    out = out.flatMap((o) => options.map((v) => o + v + span.literal.text));
  });
  return out;
}

/** The sentences `file` writes at the sites `isSite` picks (the literal's parent chain is walked through arrays and conditions). */
function sentences(name: string, isSite: (n: ts.Node, sf: ts.SourceFile) => ts.Node[]): string[] {
  const sf = ts.createSourceFile(name, source(name), ts.ScriptTarget.Latest, true);
  const consts = new Map<string, ts.Expression>();
  const out: string[] = [];
  const take = (n: ts.Node): void => {
    if (ts.isArrayLiteralExpression(n)) n.elements.forEach(take);
    else if (ts.isConditionalExpression(n) && !ts.isStringLiteralLike(n.whenTrue) && !ts.isTemplateExpression(n.whenTrue)) [n.whenTrue, n.whenFalse].forEach(take);
    else out.push(...samplesOf(n, sf, consts));
  };
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && n.initializer && ts.isIdentifier(n.name)) consts.set(n.name.text, n.initializer);
    isSite(n, sf).forEach(take);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

const pushTo = (receiver: RegExp) => (n: ts.Node, sf: ts.SourceFile) =>
  ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'push' && receiver.test(n.expression.expression.getText(sf)) ? [...n.arguments] : [];

/** Reasons: pushed to `reasons`, the third argument of entry(), a `reasons:` array, a string[] function's return, an array given to a const. */
const REASONS = [
  ...sentences('portability.ts', (n, sf) => [
    ...pushTo(/(^|\.)reasons$/)(n, sf),
    ...(ts.isCallExpression(n) && n.expression.getText(sf) === 'entry' && n.arguments[2] ? [n.arguments[2]] : []),
    ...(ts.isReturnStatement(n) && n.expression && ts.isArrayLiteralExpression(n.expression) ? [n.expression] : []),
    ...(ts.isReturnStatement(n) && n.expression && ts.isConditionalExpression(n.expression) ? [n.expression] : []),
  ]),
  ...sentences('export.ts', (n, sf) => (ts.isPropertyAssignment(n) && n.name.getText(sf) === 'reasons' && ts.isArrayLiteralExpression(n.initializer) ? [n.initializer] : [])),
];
/** How a twin differs from the original (a cannot-stand-in reason lists them), and the files an export leaves out. */
const DIFFS = [
  ...sentences('tensors.ts', pushTo(/^out$/)),
  ...sentences('portability.ts', (n) => (ts.isVariableDeclaration(n) && /^(unread|diffs)$/.test(n.name.getText()) && n.initializer ? [n.initializer] : [])),
];
const SKIPPED = sentences('files.ts', pushTo(/(^|\.)skipped$/));

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
  [
    'calls recognize, crop through BLS (model_name), which are lab-only: swap them for a Python twin to deploy it',
    '通过 BLS（model_name）调用的 recognize, crop 仅限 Model Lab：换成 Python 孪生模型即可部署。',
  ],
  [
    'its instance_group asks for KIND_GPU, but the export asks for no GPU (--gpus 0): Triton fails to load it on a node without one',
    '其 instance_group 要求 KIND_GPU，但导出未请求 GPU（--gpus 0）：在没有 GPU 的节点上 Triton 无法加载它。',
  ],
  [
    'not copied (the exported folder lacks them): m/1/pipe: a FIFO, not a regular file; m/1/out: a link leading outside the model folder (not copied)',
    '未复制（导出的文件夹中缺少这些文件）：m/1/pipe：是FIFO，不是普通文件；m/1/out：指向模型文件夹之外的链接（未复制）。',
  ],
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

describe('deployReasonText against the engine', () => {
  it('finds the sentences the engine writes (the scan itself works)', () => {
    expect(REASONS.length).toBeGreaterThan(30);
    expect(REASONS).toContain('calls 71 through BLS (model_name), which is lab-only: swap it for a Python twin to deploy it');
    expect(DIFFS).toContain("input '72' is missing");
    expect(SKIPPED).toContain('71: a link leading outside the model folder (not copied)');
  });

  // A reason the engine writes that no pattern reads (a new or reworded sentence) fails here instead of showing English only.
  const read = (en: string) => {
    const shown = deployReasonText(en, 'zh-CN');
    expect(shown.english, `no pattern reads: ${en}`).toBe(en);
    expect(shown.text).toMatch(/[\u4e00-\u9fff]/);
    expect(shown.text).not.toMatch(/undefined|\$\{/);
    for (const v of en.match(/\b7\d\b/g) ?? []) expect(shown.text, `value ${v} lost: ${en}`).toContain(v);
  };
  it('reads every reason sentence in the engine (portability.ts, export.ts)', () => REASONS.forEach(read));
  it('reads every way a twin differs (tensors.ts, portability.ts) inside a cannot-stand-in reason', () => DIFFS.forEach((d) => read(`'71' in 72 cannot stand in for it: ${d}`)));
  it('reads every file an export leaves out (files.ts) inside a not-copied reason', () => SKIPPED.forEach((f) => read(`not copied (the exported folder lacks it): ${f}`)));
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
