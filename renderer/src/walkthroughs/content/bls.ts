/** BLS: the ocr_bls sample's script model, which loops and branches where an ensemble cannot. */
import { lastRun, lastRunOk, shownDetail, tabShown } from '../checks';
import { countEn, text, type Walkthrough } from '../types';
import { recognizedText } from './model-ensembles';

const REPO = 'ocr_bls';
const PIPELINE = 'ocr_pipeline';
const SCRIPT = 'ocr_pipeline/1/model.js';
/** The sample image turned 180°, which the plain ensemble cannot read. */
const UPSIDE_DOWN = 'upside-down.png';

export const bls: Walkthrough = {
  id: 'bls',
  sample: REPO,
  title: text('Business Logic Scripting: loops and branches', '业务逻辑脚本（BLS）：循环与分支'),
  summary: text(
    'One script model calls the detection, direction and recognition models itself, deciding what to do from what they return.',
    '一个脚本模型自己调用检测、方向和识别模型，并根据它们的返回结果决定下一步。',
  ),
  steps: [
    {
      title: text('Where an ensemble stops', '集成模型做不到的事'),
      body: text(
        'An ensemble is a fixed graph: every step runs once per request, in an order the config decides. It cannot say "if this line is upside down, turn it", or "call the recognizer once per group of eight crops". Business logic scripting puts that control flow in code: a script model builds requests to other models and waits for their answers. Select ocr_pipeline in the ocr_bls sample.',
        '集成模型是一张固定的图：每个请求里每个步骤只执行一次，顺序由配置决定。它无法表达“如果这一行是倒着的，就把它转过来”，也无法表达“每八个裁剪块调用一次识别模型”。业务逻辑脚本把这些控制流写进代码：脚本模型自己构造对其他模型的请求，并等待它们的结果。请在 ocr_bls 示例中选中 ocr_pipeline。',
      ),
      target: [`repo-${REPO}`, `model-${PIPELINE}`],
      check: (s) => shownDetail(s, REPO, PIPELINE) !== undefined,
      showMe: (a) => a.selectModel(REPO, PIPELINE),
    },
    {
      title: text('A config with no graph in it', '没有图的配置'),
      body: text(
        'Open its {ui:model.tab.config} tab. backend is "script" and there is no ensemble_scheduling: one input (the image file\'s bytes) and three outputs (texts, boxes, scores). Which models run, how often and in what order is decided by the code at request time, so nothing about it appears here.',
        '打开它的“{ui:model.tab.config}”标签页。backend 是 "script"，没有 ensemble_scheduling：一个输入（图片文件的字节），三个输出（texts、boxes、scores）。调用哪些模型、调用几次、以什么顺序，都由代码在处理请求时决定，所以配置里看不到这些。',
      ),
      target: ['tab-config'],
      check: (s) => tabShown(s, REPO, PIPELINE, 'config'),
      showMe: async (a) => {
        await a.selectModel(REPO, PIPELINE);
        a.setTab('config');
      },
      result: (s) => {
        const d = shownDetail(s, REPO, PIPELINE);
        if (!d) return undefined;
        const outs = d.outputs.map((o) => `${o.name} ${o.datatype}`).join(', ');
        return { text: text(`backend ${d.summary.backend}; outputs: ${outs}`, `backend ${d.summary.backend}；输出：${outs}`) };
      },
    },
    {
      title: text('Read the script', '阅读脚本'),
      body: text(
        "Open model.js in the model's version folder. Its infer function is one BLS call: it builds an inference request with a model name, an input and the output it wants, runs exec() and waits for the response, the same calls Triton's Python backend offers. The flow that uses it is in ocr.js, and it is ordinary code: a loop that sends crops in chunks no larger than the callee's max_batch_size, and a branch that turns the whole page when most lines read upside down.",
        '打开模型版本目录下的 model.js。其中的 infer 函数就是一次 BLS 调用：用模型名、一个输入和想要的输出构造推理请求，调用 exec() 并等待结果——与 Triton Python 后端提供的调用方式相同。使用它的流程写在 ocr.js 里，都是普通代码：一个循环把裁剪块分批发送，每批不超过被调用模型的 max_batch_size；一个分支在多数行读起来是倒着时把整页转过来。',
      ),
      target: [`repo-${REPO}`, `model-${PIPELINE}`],
      check: (s) => s.repos.selection?.file === SCRIPT,
      showMe: (a) => a.openFile(REPO, PIPELINE, SCRIPT),
    },
    {
      title: text('Meet the orientation classifier', '认识方向分类器'),
      body: text(
        'Select text_direction. It takes a text-line crop (3 × 48 × 192, normalized) and returns two probabilities: upright or turned 180°. The ensemble sample has no place for it, because whether to rotate depends on its answer. The script asks it about every line and acts on the reply.',
        '选中 text_direction。它接收一行文字的裁剪图（3 × 48 × 192，已归一化），返回两个概率：正向，或旋转了 180°。集成模型示例里没有它的位置，因为要不要旋转取决于它的回答；脚本则对每一行询问它，并根据回答采取行动。',
      ),
      target: [`repo-${REPO}`, 'model-text_direction'],
      check: (s) => shownDetail(s, REPO, 'text_direction') !== undefined,
      showMe: (a) => a.selectModel(REPO, 'text_direction'),
      result: (s) => {
        const d = shownDetail(s, REPO, 'text_direction');
        const io = d && [...d.inputs, ...d.outputs].map((r) => `${r.name} ${r.datatype} [${r.dims.join(', ')}]`).join(' → ');
        return io ? { text: text(io, io) } : undefined;
      },
    },
    {
      title: text('Run it on an upside-down page', '对倒置的页面运行'),
      body: text(
        'Select ocr_pipeline again, open the {ui:play.tab} tab, pick the sample image upside-down.png and press {ui:play.run}. The page is read in the right order even though it is upside down; the ensemble in ocr_ensemble returns nonsense for the same file.',
        '再次选中 ocr_pipeline，打开“{ui:play.tab}”标签页，选择示例图片 upside-down.png，然后点击“{ui:play.run}”。尽管页面是倒着的，文字仍按正确顺序读出；同一张图片交给 ocr_ensemble 中的集成模型，读出的却是毫无意义的文字。',
      ),
      target: ['run-button'],
      regard: ['run-output-area'],
      check: (s) => lastRunOk(s, REPO, PIPELINE),
      showMe: (a) => a.runModel(REPO, PIPELINE, { sampleImage: UPSIDE_DOWN }),
      result: (s) => {
        const run = lastRun(s, REPO, PIPELINE);
        return run?.state === 'ok' ? recognizedText(s, run.runId, 'texts') : undefined;
      },
    },
    {
      title: text('See the calls the script made', '查看脚本发出的调用'),
      body: text(
        'The step timings under the result list each call the script made, nested under the request, with its own queue and compute time. The number of calls changes with the image: more lines, more chunks; a rotated page, a second pass.',
        '结果下方的步骤耗时列出了脚本发出的每一次调用，嵌套在请求之下，并各自显示排队和计算时间。调用次数随图片而变：行越多，批次越多；页面倒置时，还会再处理一遍。',
      ),
      target: ['step-chart'],
      check: (s) => (lastRun(s, REPO, PIPELINE)?.steps ?? []).some((st) => st.kind === 'bls'),
      result: (s) => {
        const calls = (lastRun(s, REPO, PIPELINE)?.steps ?? []).filter((st) => st.kind === 'bls');
        if (!calls.length) return undefined;
        const counts = new Map<string, number>();
        for (const c of calls) counts.set(c.model, (counts.get(c.model) ?? 0) + 1);
        const list = [...counts].map(([m, n]) => `${m} ×${n}`).join(', ');
        return { text: text(`${countEn(calls.length, 'BLS call', 'BLS calls')}: ${list}`, `${calls.length} 次 BLS 调用：${list}`) };
      },
    },
    {
      title: text('Choosing between the two', '如何在两者之间选择'),
      body: text(
        'Use an ensemble when the flow is a fixed graph: it is configuration only, and the scheduler can run independent steps at the same time. Use BLS when the next call depends on a previous answer: loops, branches, retries, or batching by hand. The price is code you maintain, and calls that only show up when you trace a run.',
        '当流程是一张固定的图时用集成模型：只需配置，调度器还能让互不依赖的步骤同时执行。当下一次调用取决于上一次的结果时用 BLS：循环、分支、重试或手动分批。代价是你要维护这些代码，而且这些调用只有在跟踪一次运行时才看得到。',
      ),
    },
  ],
};
