/** Model Ensembles: the OCR pipeline of the ocr_ensemble sample, from config to step-through. */
import { lastRun, lastRunOk, pageOf, quoteList, repoOpen, shownDetail, stepRunFinished, stepRunStarted, tabShown } from '../checks';
import type { StepRunState } from '@contract/lab-api';
import { countEn, text, type ResultLine, type TourState, type Walkthrough } from '../types';

/** A step run's state in words, never the raw value inside a sentence. */
const STATE_EN: Record<StepRunState['state'], string> = { paused: 'paused', running: 'running', finished: 'finished', error: 'failed', stopped: 'stopped' };
const STATE_ZH: Record<StepRunState['state'], string> = { paused: '已暂停', running: '正在进行', finished: '已结束', error: '失败', stopped: '已停止' };

const REPO = 'ocr_ensemble';
const ENSEMBLE = 'ensemble_model';

/** The text a finished run read, once its values are fetched. */
export function recognizedText(s: TourState, runId: string | undefined, output = 'recognized_text'): ResultLine | undefined {
  if (!runId) return undefined;
  const page = pageOf(s, runId, output);
  if (!page) return { needs: [{ runId, name: output }] };
  if (page.total === 0) return { text: text('The run finished but read no text in this image.', '运行已结束，但这张图片里没有读出文字。') };
  const lines = quoteList(page.values);
  return { text: text(`Read ${countEn(page.total, 'line', 'lines')}: ${lines}`, `读出 ${page.total} 行：${lines}`) };
}

export const modelEnsembles: Walkthrough = {
  id: 'model-ensembles',
  sample: REPO,
  title: text('Model Ensembles: OCR in one request', '模型集成：一次请求完成 OCR'),
  summary: text('Five models chained on the server: read the wiring, run it, and step through it tensor by tensor.', '五个模型在服务端串成一条管道：读懂连线方式，运行它，再逐步查看每个张量。'),
  steps: [
    {
      title: text('Open the sample repositories', '打开示例模型仓库'),
      body: text(
        'The lab ships runnable repositories shaped like the Triton tutorials. ocr_ensemble holds the OCR pipeline: two ONNX models (text detection and recognition) and three small script models around them. Press {ui:open.samples} in the header to open them.',
        'Model Lab 自带几个可运行的模型仓库，结构与 Triton 教程一致。ocr_ensemble 是 OCR 管道：两个 ONNX 模型（文字检测和文字识别），外加围绕它们的三个小脚本模型。点击顶栏的“{ui:open.samples}”打开它们。',
      ),
      target: ['open-samples'],
      check: (s) => repoOpen(s, REPO),
      showMe: (a) => a.openSamples(),
    },
    {
      title: text('Select the ensemble', '选中集成模型'),
      body: text(
        'Without an ensemble, the client does the glue work: it decodes and resizes the image, calls detection, crops every line, calls recognition, and turns scores into characters, sending tensors back and forth twice. ensemble_model moves all of that next to the models. The client sends the image file once and receives strings; the intermediate tensors never cross the network. Select ensemble_model and look at the steps listed in its {ui:model.tab.overview} tab.',
        '如果没有集成模型，客户端要负责所有衔接工作：解码图片并调整尺寸、调用检测模型、裁出每一行、再调用识别模型、把得分转成字符，张量在网络上来回传两次。ensemble_model 把这些工作都搬到模型旁边：客户端只发送一次图片文件，拿回的是字符串，中间张量不再经过网络。选中 ensemble_model，看看“{ui:model.tab.overview}”标签页里列出的步骤。',
      ),
      target: [`repo-${REPO}`, `model-${ENSEMBLE}`],
      check: (s) => shownDetail(s, REPO, ENSEMBLE) !== undefined,
      showMe: (a) => a.selectModel(REPO, ENSEMBLE),
      result: (s) => {
        const d = shownDetail(s, REPO, ENSEMBLE);
        if (!d) return undefined;
        const chain = d.ensembleSteps.map((st) => st.modelName).join(' → ');
        return { text: text(`${d.ensembleSteps.length} steps: ${chain}`, `${d.ensembleSteps.length} 个步骤：${chain}`) };
      },
    },
    {
      title: text('Read how input_map and output_map wire the graph', '看 input_map 与 output_map 如何连成图'),
      body: text(
        'Open the {ui:model.tab.config} tab. platform is "ensemble" and the version folder is empty: the config is the whole model. In each step, a map key is the member model\'s own tensor name and the value is a name on the ensemble\'s shared board. A step that writes "original_image" through output_map and a later step that reads "original_image" through input_map are connected by that name alone; that is how the DAG is drawn. Notice original_image: it leaves the first step and is read again by detection_postprocessing, skipping the detector, so the crops are cut from the full-size picture.',
        '打开“{ui:model.tab.config}”标签页。platform 是 "ensemble"，版本目录是空的：这份配置就是整个模型。每个步骤里，映射的键是成员模型自己的张量名，值是集成模型内部共享的张量名。一个步骤通过 output_map 写出 "original_image"，后面的步骤通过 input_map 读取 "original_image"，两者仅凭这个名字就连在一起——有向无环图就是这样画出来的。注意 original_image：它由第一个步骤写出，越过检测模型，再由 detection_postprocessing 读取，所以裁剪是在原尺寸图片上进行的。',
      ),
      target: ['tab-config'],
      check: (s) => tabShown(s, REPO, ENSEMBLE, 'config'),
      showMe: async (a) => {
        await a.selectModel(REPO, ENSEMBLE);
        a.setTab('config');
      },
    },
    {
      title: text('Run it with a sample image', '用示例图片运行'),
      body: text(
        'Open the {ui:play.tab} tab. The form sends the bytes of a PNG file as input_image (UINT8, one dimension), exactly what a client would send, and the five steps run inside the lab. Press {ui:play.run}; the step timings below the result show each member model on its own.',
        '打开“{ui:play.tab}”标签页。表单把 PNG 文件的字节作为 input_image（UINT8，一维）发送，与真实客户端发送的内容相同，五个步骤都在 Model Lab 内部执行。点击“{ui:play.run}”，结果下方的步骤耗时会分别列出每个成员模型。',
      ),
      target: ['run-button'],
      regard: ['step-chart'],
      check: (s) => lastRunOk(s, REPO, ENSEMBLE),
      showMe: (a) => a.runModel(REPO, ENSEMBLE),
      result: (s) => recognizedText(s, lastRun(s, REPO, ENSEMBLE)?.state === 'ok' ? lastRun(s, REPO, ENSEMBLE)?.runId : undefined),
    },
    {
      title: text('Open the {ui:model.tab.ensemble} tab', '打开“{ui:model.tab.ensemble}”标签页'),
      body: text(
        'The {ui:model.tab.ensemble} tab draws the ensemble the way the tutorial pictures it: its inputs and outputs as diamonds, member models as boxes, and every named tensor as an edge between them. Click a model to see its configuration.',
        '“{ui:model.tab.ensemble}”标签页按教程里的示意图画出集成模型：输入和输出是菱形，成员模型是方框，每个具名张量是它们之间的一条边。点击某个模型可以查看它的配置。',
      ),
      target: ['tab-ensemble'],
      check: (s) => tabShown(s, REPO, ENSEMBLE, 'ensemble'),
      showMe: async (a) => {
        await a.selectModel(REPO, ENSEMBLE);
        a.setTab('ensemble');
      },
    },
    {
      title: text('Step through to the end', '逐步执行到结束'),
      body: text(
        'Press {ui:ens.start}: the run pauses before each step, with the tensors that step is about to read. Press {ui:ens.step} once or twice and open the edges as they appear: the probability map is a heatmap, the text crops are a batch of images, and the last edge is the text itself. Then press {ui:ens.runToEnd}.',
        '点击“{ui:ens.start}”：运行会在每个步骤之前暂停，并显示这个步骤即将读取的张量。点击一两次“{ui:ens.step}”，依次打开出现的边：概率图以热力图显示，文字裁剪块是一个批次的图片，最后一条边就是识别出的文字。然后点击“{ui:ens.runToEnd}”。',
      ),
      target: ['step-start'],
      check: (s) => stepRunFinished(s, REPO, ENSEMBLE),
      showMe: (a) => a.stepToEnd(REPO, ENSEMBLE, { sampleImage: 'mixed-report.png' }),
      result: (s) => {
        const st = s.step.state;
        if (!st || !stepRunStarted(s, REPO, ENSEMBLE)) return undefined;
        if (st.state === 'finished' && st.result) return recognizedText(s, st.result.runId);
        return { text: text(`${countEn(st.done.length, 'step', 'steps')} done; the run is ${STATE_EN[st.state]}`, `已完成 ${st.done.length} 个步骤，运行${STATE_ZH[st.state]}`) };
      },
    },
    {
      title: text('Read the timeline', '查看时间线'),
      body: text(
        "After a run, the timeline shows every step as a bar: time waiting in the member's queue, then compute. Here each step needs the previous one's output, so the bars follow each other; steps that do not depend on each other would run side by side. Press {ui:timeline.export} to keep it.",
        '运行结束后，时间线把每个步骤画成一条横条：先是在成员模型队列中的等待时间，然后是计算时间。这里每一步都依赖上一步的输出，所以横条首尾相接；互不依赖的步骤则会并排执行。点击“{ui:timeline.export}”可以把跟踪（trace）保存下来。',
      ),
      target: ['timeline'],
    },
  ],
};
