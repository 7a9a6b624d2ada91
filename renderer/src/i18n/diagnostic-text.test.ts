/**
 * The diagnostics' Chinese stays complete and in step with the engine: the codes and the message
 * templates are read from the engine's source (TypeScript's parser), so a new code, or a reworded
 * message that a pattern no longer matches, fails here instead of showing English or a broken sentence.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { backendRunsText, DIAGNOSTIC_ZH, diagnosticFix, diagnosticMessage, engineNote, reasonText, ruleText, versionPolicyText } from './diagnostic-text';

/** The engine's sources (tests, test helpers and declarations aside), as text: Vite reads them for the test. */
const SOURCES = import.meta.glob(['../../../electron/engine/**/*.ts', '!**/*.test.ts', '!**/*.d.ts', '!**/testing/**'], { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const CODE = /^[a-z][a-z-]*\.[a-z][a-z0-9-]*$/;
/** The functions that make a finding from (code, message, …). */
const MAKERS = new Set(['issue', 'warning', 'push']);

interface Site {
  code: string;
  file: string;
  /** The message with each `${…}` replaced by a distinct number; undefined when it is not a literal. */
  sample?: string;
  values: string[];
}

/** A string or template literal as a sample message: each substitution becomes 71, 72, … (numbers fit every pattern's slots). */
function sampleOf(node: ts.Node, values: string[]): string | undefined {
  if (ts.isStringLiteralLike(node)) return node.text;
  if (!ts.isTemplateExpression(node)) return undefined;
  let out = node.head.text;
  for (const span of node.templateSpans) {
    // An optional part (`${x ? ` (…)` : ''}`) is sampled without it; hand-written cases cover it.
    const e = span.expression;
    if (ts.isConditionalExpression(e) && ts.isStringLiteralLike(e.whenFalse) && e.whenFalse.text === '') {
      out += span.literal.text;
      continue;
    }
    const v = String(71 + values.length);
    values.push(v);
    out += v + span.literal.text;
  }
  return out;
}

function collectSites(): Site[] {
  const sites: Site[] = [];
  for (const [file, text] of Object.entries(SOURCES)) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const rel = file.replace(/^.*electron\/engine\//, '');
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && n.arguments.length >= 2) {
        const callee = n.expression.getText(sf).split('.').pop() ?? '';
        const first = n.arguments[0]!;
        if (MAKERS.has(callee) && ts.isStringLiteralLike(first) && CODE.test(first.text)) {
          const values: string[] = [];
          let sample = sampleOf(n.arguments[1]!, values);
          // validateModelIO's push() appends " for <model>" to every message.
          if (sample !== undefined && callee === 'push' && rel.endsWith('validate-model.ts')) {
            values.push('79');
            sample += ' for 79';
          }
          sites.push({ code: first.text, file: rel, sample, values });
        }
      }
      if (ts.isPropertyAssignment(n) && n.name.getText(sf) === 'code' && ts.isStringLiteralLike(n.initializer) && CODE.test(n.initializer.text)) {
        const obj = n.parent;
        const msg = obj.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(sf) === 'message');
        const values: string[] = [];
        const body = msg && ts.isArrowFunction(msg.initializer) ? msg.initializer.body : msg?.initializer;
        // file-fields' message(f) takes the file name as its parameter.
        sites.push({ code: n.initializer.text, file: rel, sample: body ? sampleOf(body, values) : undefined, values });
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return sites;
}

const SITES = collectSites();

/** Every fix the engine writes: `fix:` properties, `x.fix = …` and warning()'s fourth argument, as samples. */
function collectFixes(): Site[] {
  const out: Site[] = [];
  for (const [file, text] of Object.entries(SOURCES)) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const add = (node: ts.Node | undefined): void => {
      const values: string[] = [];
      const sample = node && sampleOf(node, values);
      // A fix put together from other fixes (`${f.fix}${missing}`) has no words of its own.
      if (sample !== undefined && /[a-z]{3}/i.test(sample)) out.push({ code: 'fix', file: file.replace(/^.*electron\/engine\//, ''), sample, values });
    };
    const visit = (n: ts.Node): void => {
      if (ts.isPropertyAssignment(n) && n.name.getText(sf) === 'fix') add(n.initializer);
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && /\.fix$/.test(n.left.getText(sf))) add(n.right);
      if (ts.isCallExpression(n) && n.expression.getText(sf) === 'warning' && n.arguments[3]) add(n.arguments[3]);
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}
const FIX_SITES = collectFixes();

/** The notes the UI translates (CUDA fallback, a decoupled run), found in the engine by how they begin. */
function collectNotes(): Site[] {
  const starts = ['the config asks for a GPU', 'CUDA is not available', 'This decoupled model sent'];
  const out: Site[] = [];
  for (const [file, text] of Object.entries(SOURCES)) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node): void => {
      const head = ts.isStringLiteralLike(n) ? n.text : ts.isTemplateExpression(n) ? n.head.text : undefined;
      if (head !== undefined && starts.some((p) => head.startsWith(p))) {
        const values: string[] = [];
        out.push({ code: 'note', file, sample: sampleOf(n, values), values });
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}
const NOTE_SITES = collectNotes();
const CODES = [...new Set(SITES.map((s) => s.code))].sort();

/** Values a translation leaves out on purpose (said once, or said by the sentence itself). */
const DROPPED: Record<string, (s: Site) => string[]> = {
  // The platform name is implied by "only TensorRT models support it".
  'instance-group.profile': (s) => [s.values[2]!],
};

describe('engine diagnostics in 简体中文', () => {
  it('finds the engine’s codes (the scan itself works)', () => {
    expect(CODES.length).toBeGreaterThan(80);
    expect(CODES).toContain('config.syntax');
    expect(CODES).toContain('ensemble.tensor-unused');
    expect(CODES).toContain('io.shape');
  });

  it('has a translation for every code the engine emits, and none for codes it does not', () => {
    const missing = CODES.filter((c) => !DIAGNOSTIC_ZH[c]);
    expect(missing, 'codes without a Chinese translation').toEqual([]);
    const stale = Object.keys(DIAGNOSTIC_ZH).filter((c) => !CODES.includes(c));
    expect(stale, 'translations of codes the engine no longer emits').toEqual([]);
  });

  it('every summary is a whole Chinese sentence with no placeholder', () => {
    for (const [code, entry] of Object.entries(DIAGNOSTIC_ZH)) {
      expect(entry.summary, code).toMatch(/[\u4e00-\u9fff]/);
      expect(entry.summary, code).toMatch(/[。）]$/);
      expect(entry.summary, code).not.toMatch(/\$\{|undefined|\{\w+\}/);
    }
  });

  // One test per message template in the engine: its code's patterns read it and keep every value.
  // backend.not-runnable's template is put together from a backend's descriptor: tested below with real ones.
  for (const site of SITES.filter((s) => s.sample !== undefined && s.code !== 'backend.not-runnable')) {
    it(`${site.code}: "${site.sample!.slice(0, 70)}…" (${site.file})`, () => {
      const shown = diagnosticMessage(site.code, site.sample!, 'zh-CN');
      expect(shown.english).toBe(site.sample);
      expect(ruleText(site.code, site.sample!), 'no pattern matched').toBe(shown.text);
      expect(shown.text).toMatch(/[\u4e00-\u9fff]/);
      expect(shown.text).not.toMatch(/undefined|\$\{/);
      const dropped = DROPPED[site.code]?.(site) ?? [];
      for (const v of site.values.filter((x) => !dropped.includes(x))) expect(shown.text, `value ${v} lost`).toContain(v);
    });
  }
});

describe('messages built elsewhere (helpers, parser, runtime errors)', () => {
  const cases: [string, string, string][] = [
    ['onnx.unknown-input', "unexpected inference input 'x', allowed inputs are: a, b", '意外的推理输入 x，允许的输入为：a, b。'],
    ['onnx.unknown-output', "unexpected inference output 'y', allowed outputs are: ", '意外的推理输出 y，允许的输出为：（无）。'],
    [
      'onnx.shape',
      "model 'det', tensor 'x': the model expects 4 dimensions (shape [-1,3,-1,-1]) but the model configuration specifies 3 dimensions (shape [3,-1,-1])",
      '模型 det 的张量 x：模型要求 4 个维度（形状 [-1,3,-1,-1]），但模型配置给出了 3 个维度（形状 [3,-1,-1]）。',
    ],
    [
      'ensemble.tensor-inconsistent',
      'in ensemble ocr, ensemble tensor crops: inconsistent data type: TYPE_FP32 is inferred from model det while TYPE_UINT8 is inferred from model rec',
      '集成模型 ocr 中，集成张量 crops 的数据类型不一致：从模型 det 推断为 TYPE_FP32，而从模型 rec 推断为 TYPE_UINT8。',
    ],
    [
      'ensemble.output-not-written',
      "output 'text' for ensemble 'ocr' is not written: at least one of its depending tensors, 'crops', is not connected",
      '集成模型 ocr 的输出 text 没有被写入：它依赖的张量中至少有一个（crops）没有接入。',
    ],
    ['ensemble.member-not-ready', "ensemble 'ocr' depends on 'det' which has no loaded version.", '集成模型 ocr 依赖的模型 det 没有已加载的版本。'],
    ['io.shape', "model input 'x' must specify 'dims' for m", '模型 m 的输入 x 必须指定 dims。'],
    ['io.non-linear', 'Non-linear IO format output requires 3 dims for m', '模型 m：非线性 I/O 格式的输出需要 3 个维度。'],
    ['config.missing', 'failed to open text file for read /r/m/config.pbtxt: No such file or directory', '无法打开文本文件 /r/m/config.pbtxt 进行读取：文件不存在。'],
    [
      'onnx.shape',
      "unable to load model 'm', scalar tensor 'x', should only provide 1 in the model configuration when the model doesn't support batching. Model configuration provided: [2].",
      '无法加载模型 m：标量张量 x 在模型不支持批处理时，模型配置中只能给出 1；实际给出的是 [2]。',
    ],
    ['config.syntax', 'unknown field "max_batch" for inference.ModelConfig', 'inference.ModelConfig 中没有字段 max_batch。'],
    ['config.syntax', 'unknown field "outptu" for message inference.ModelConfig', 'inference.ModelConfig 消息中没有字段 outptu。'],
    ['config.syntax', 'expected ":" before value of field "name"', '字段 name 的值之前应有 “:”。'],
    ['config.syntax', 'unterminated string', '字符串没有结束引号。'],
    ['ensemble.cycle', 'circular dependency between ensembles: a -> ... -> b -> a', '集成模型之间存在循环依赖：a -> ... -> b -> a。'],
    [
      'backend.not-runnable',
      "Model Lab cannot run PyTorch models (backend 'pytorch' needs LibTorch); its config was read, completed and checked",
      'Model Lab 无法运行 PyTorch 模型（后端 pytorch，需要 LibTorch）；已读取、补全并检查了它的配置。',
    ],
    [
      'backend.not-runnable',
      "Model Lab cannot run models of the custom backend 'foo' (backend 'foo'); its config was read, completed and checked",
      'Model Lab 无法运行自定义后端 foo 的模型；已读取、补全并检查了它的配置。',
    ],
  ];
  for (const [code, english, zh] of cases) {
    it(`${code}: ${english.slice(0, 60)}`, () => {
      expect(diagnosticMessage(code, english, 'zh-CN')).toEqual({ text: zh, english });
    });
  }

  it('falls back to the code’s summary (English beside) when no pattern matches, never a half sentence', () => {
    const odd = "Python found no numpy in '/usr/bin/python3'";
    expect(diagnosticMessage('python.unavailable', odd, 'zh-CN')).toEqual({ text: DIAGNOSTIC_ZH['python.unavailable']!.summary, english: odd });
    expect(diagnosticMessage('config.syntax', 'something new', 'zh-CN').text).toBe('config.pbtxt 有语法错误。');
  });

  it('shows English as it is in English, and an unknown code as it is in Chinese', () => {
    expect(diagnosticMessage('config.syntax', 'unterminated string', 'en')).toEqual({ text: 'unterminated string' });
    expect(diagnosticMessage('no.such-code', 'hello', 'zh-CN')).toEqual({ text: 'hello' });
  });
});

describe('fixes and notes', () => {
  it('finds the engine’s fixes (the scan itself works)', () => {
    expect(FIX_SITES.length).toBeGreaterThanOrEqual(8);
  });

  // One test per fix the engine writes: a pattern reads it, keeping every value.
  for (const site of FIX_SITES) {
    it(`fix: "${site.sample!.slice(0, 60)}…" (${site.file})`, () => {
      const shown = diagnosticFix(site.sample!, 'zh-CN');
      expect(shown.english, 'no pattern matched').toBe(site.sample);
      expect(shown.text).toMatch(/[\u4e00-\u9fff]/);
      for (const v of site.values) expect(shown.text, `value ${v} lost`).toContain(v);
    });
  }

  it('translates the engine’s fixes and keeps a suggested config as it is', () => {
    const fix = "Create 'ens/config.pbtxt' with the config below (inputs and outputs inferred from the member models), and keep 'ens/1/' as an empty version folder:\n\nname: \"ens\"\n";
    expect(diagnosticFix(fix, 'zh-CN').text).toBe('用下面的配置创建 ens/config.pbtxt（输入和输出由成员模型推断得出），并保留 ens/1/ 作为空的版本文件夹：\n\nname: "ens"\n');
    expect(diagnosticFix("Export the model to ONNX to run it here. Note that '/r/m/1/model.pt' is missing too.", 'zh-CN').text).toBe(
      '把模型导出为 ONNX，即可在这里运行。另外，/r/m/1/model.pt 也不存在。',
    );
    expect(diagnosticFix("Create a version folder 'm/1/' holding the model file 'model.onnx'. Triton serves only numbered sub-folders of a model.", 'zh-CN').text).toBe(
      '创建版本文件夹 m/1/，在其中放入模型文件 model.onnx。Triton 只为模型中以数字命名的子文件夹提供服务。',
    );
    expect(diagnosticFix("Create a version folder 'e/1/' holding nothing (an ensemble needs only the empty folder). Triton serves only numbered sub-folders of a model.", 'zh-CN').text).toBe(
      '创建版本文件夹 e/1/，里面不用放任何文件（集成模型只需要一个空文件夹）。Triton 只为模型中以数字命名的子文件夹提供服务。',
    );
    expect(diagnosticFix('Do something else.', 'zh-CN')).toEqual({ text: 'Do something else.' });
  });

  it('finds every note in the engine and reads each one', () => {
    expect(NOTE_SITES.map((n) => n.sample!.slice(0, 12)).sort()).toEqual(['CUDA is not ', 'This decoupl', 'the config a', 'the config a']);
    for (const n of NOTE_SITES) {
      const shown = engineNote(n.sample!, 'zh-CN');
      expect(shown.english, n.sample).toBe(n.sample);
      expect(shown.text).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('translates the CUDA fallback and the decoupled-run notes', () => {
    expect(
      engineNote('CUDA is not available (libcudart.so.12: cannot open); running on CPU. The CUDA execution provider needs an NVIDIA driver with CUDA 12 and cuDNN 9 on this computer.', 'zh-CN').text,
    ).toBe('CUDA 不可用（libcudart.so.12: cannot open）；现在在 CPU 上运行。CUDA 执行提供程序需要这台计算机装有 NVIDIA 驱动、CUDA 12 和 cuDNN 9。');
    const decoupled = "This decoupled model sent 3 responses (1 of them errors); the outputs shown are the last one's that had outputs. Triton's gRPC ModelStreamInfer returns every response.";
    expect(engineNote(decoupled, 'zh-CN').text).toMatch(/^这个解耦模型（decoupled）发送了 3 个响应（其中 1 个是错误）/);
    expect(engineNote(decoupled, 'en')).toEqual({ text: decoupled });
  });

  it('reads the version policy back into words, with the config syntax beside', () => {
    expect(versionPolicyText('latest 1', 'zh-CN')).toEqual({ text: '最新的 1 个版本', code: 'latest { num_versions: 1 }' });
    expect(versionPolicyText('latest 2', 'en')).toEqual({ text: 'the latest 2 versions', code: 'latest { num_versions: 2 }' });
    expect(versionPolicyText('specific [1, 3]', 'zh-CN')).toEqual({ text: '指定版本：1、3', code: 'specific { versions: [1, 3] }' });
    expect(versionPolicyText('all', 'zh-CN')?.text).toBe('全部版本');
    expect(versionPolicyText('weird', 'zh-CN')).toBeUndefined();
  });

  it('reads a model’s reason back: the status and the message in Chinese, else the English as it is', () => {
    const bad = "Invalid argument: model input 'INPUT0' dimension must be integer >= 1, or -1 to indicate a variable-size dimension for bad_dims";
    expect(reasonText(bad, 'zh-CN')).toEqual({ text: '参数无效：模型 bad_dims 的输入 INPUT0：维度必须是 >= 1 的整数，或用 -1 表示可变维度。', english: bad });
    const parse = 'Internal: failed to read text proto from /r/m/config.pbtxt: 12:1: unknown field "outptu" for inference.ModelConfig';
    expect(reasonText(parse, 'zh-CN').text).toBe('内部错误：无法读取 /r/m/config.pbtxt 中的文本格式配置（第 12 行第 1 列）：inference.ModelConfig 中没有字段 outptu。');
    expect(reasonText('Internal: something else', 'zh-CN')).toEqual({ text: 'Internal: something else' });
    expect(reasonText(bad, 'en')).toEqual({ text: bad });
  });

  it('says what each backend runs, for every backend the engine describes', () => {
    const runs = Object.entries(SOURCES).flatMap(([file, text]) => (file.includes('/backends/') ? [...text.matchAll(/^\s*runs: '([^']+)'/gm)].map((m) => m[1]!) : []));
    expect(runs.length).toBeGreaterThanOrEqual(8);
    for (const r of runs) expect(backendRunsText(r, 'zh-CN'), r).toMatch(/[\u4e00-\u9fff]/);
    expect(backendRunsText("models of the custom backend 'foo'", 'zh-CN')).toBe('自定义后端 foo 的模型');
    expect(backendRunsText('ONNX models, in ONNX Runtime', 'en')).toBe('ONNX models, in ONNX Runtime');
  });
});
