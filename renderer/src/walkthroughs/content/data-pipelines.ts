/** Data Pipelines: five data types through the data_pipeline sample's two script models. */
import type { RunResult } from '@contract/lab-api';
import { lastRun, lastRunOk, shownDetail, stepRunFinished, tabShown } from '../checks';
import { countEn, text, type Walkthrough } from '../types';

const REPO = 'data_pipeline';
const ENSEMBLE = 'ensemble_model';

function okRun(run: RunResult | undefined): RunResult | undefined {
  return run?.state === 'ok' ? run : undefined;
}

/** Each output with the input of the same suffix: did it come back with the same type and shape? */
export function roundTrips(run: RunResult): { name: string; same: boolean }[] {
  return run.outputs.map((o) => {
    const i = run.inputs.find((x) => x.name === o.name.replace(/^ensemble_output_/, 'ensemble_input_'));
    return { name: o.name, same: !!i && i.dtype === o.dtype && i.shape.join(',') === o.shape.join(',') };
  });
}

export const dataPipelines: Walkthrough = {
  id: 'data-pipelines',
  sample: REPO,
  title: text('Data Pipelines: strings, integers, images and bools', '数据管道：字符串、整数、图像与布尔值'),
  summary: text(
    'A pipeline that does nothing but move five data types, so you can see how each travels from client to model and between models.',
    '一条什么都不计算、只搬运五种数据类型的管道，用来看清每种数据如何从客户端到模型、再在模型之间传递。',
  ),
  steps: [
    {
      title: text('Select the data pipeline', '选中数据管道'),
      body: text(
        'Real pipelines mix types: text prompts, token ids, pixels, flags. This sample keeps only the plumbing: two script models that hand back what they receive, joined by an ensemble. Select ensemble_model in data_pipeline.',
        '真实的管道会混用多种类型：文本提示、token id、像素、标志位。这个示例只保留了管道本身：两个原样返回输入的脚本模型，由一个集成模型连接起来。在 data_pipeline 中选中 ensemble_model。',
      ),
      target: [`repo-${REPO}`, `model-${ENSEMBLE}`],
      check: (s) => shownDetail(s, REPO, ENSEMBLE) !== undefined,
      showMe: (a) => a.selectModel(REPO, ENSEMBLE),
    },
    {
      title: text('Declare every type in the config', '在配置中声明每种类型'),
      body: text(
        'Open the {ui:model.tab.config} tab. Each input names a data type: TYPE_STRING (sent as BYTES on the wire, one variable-length item per element), TYPE_UINT8 and TYPE_INT8 arrays, a TYPE_FP32 image with three variable dimensions, and TYPE_BOOL. max_batch_size is 8, so dims leave out the batch dimension the client adds in front.',
        '打开“{ui:model.tab.config}”标签页。每个输入都写明了数据类型：TYPE_STRING（在传输中是 BYTES，每个元素是一段可变长度的字节）、TYPE_UINT8 与 TYPE_INT8 数组、三个维度都可变的 TYPE_FP32 图像，以及 TYPE_BOOL。max_batch_size 为 8，因此 dims 里不包含客户端在最前面加上的批维度。',
      ),
      target: ['tab-config'],
      check: (s) => tabShown(s, REPO, ENSEMBLE, 'config'),
      showMe: async (a) => {
        await a.selectModel(REPO, ENSEMBLE);
        a.setTab('config');
      },
      result: (s) => {
        const d = shownDetail(s, REPO, ENSEMBLE);
        if (!d) return undefined;
        const types = d.inputs.map((i) => i.dataType).join(', ');
        return { text: text(`Inputs: ${types}`, `输入：${types}`) };
      },
    },
    {
      title: text('Look inside a member model', '查看一个成员模型'),
      body: text(
        'Select model1 and open its files. Its execute function reads each input tensor by name, logs it, and puts the same values into an output tensor. A model that knows nothing about the others: the ensemble decides where its outputs go.',
        '选中 model1 并打开它的文件。它的 execute 函数按名字读取每个输入张量，打印到日志，再把相同的值放进输出张量。它对其他模型一无所知：输出送到哪里，由集成模型决定。',
      ),
      target: [`repo-${REPO}`, 'model-model1'],
      check: (s) => s.repos.selection?.model === 'model1' && s.repos.repos.some((r) => r.id === s.repos.selection?.repoId && r.name === REPO),
      showMe: (a) => a.openFile(REPO, 'model1', 'model1/1/model.js'),
    },
    {
      title: text('Run the ensemble', '运行集成模型'),
      body: text(
        'Select ensemble_model again and open the {ui:play.tab} tab. The form picks an editor per type: text for the string, values for the integer arrays, a sample picture decoded to floats for the image, toggles for the bools. Press {ui:play.run}.',
        '再次选中 ensemble_model，打开“{ui:play.tab}”标签页。表单按类型选择编辑器：字符串用文本框，整数数组用数值，图像用一张解码成浮点数的示例图片，布尔值用开关。点击“{ui:play.run}”。',
      ),
      target: ['run-button'],
      regard: ['run-output-area'],
      check: (s) => lastRunOk(s, REPO, ENSEMBLE),
      showMe: (a) => a.runModel(REPO, ENSEMBLE),
      result: (s) => {
        const run = okRun(lastRun(s, REPO, ENSEMBLE));
        if (!run) return undefined;
        const outs = run.outputs.map((o) => `${o.name.replace(/^ensemble_output_/, '')} ${o.dtype} [${o.shape.join(', ')}]`).join(' · ');
        return { text: text(`${countEn(run.outputs.length, 'output', 'outputs')}: ${outs}`, `${run.outputs.length} 个输出：${outs}`) };
      },
    },
    {
      title: text('Read the five outputs', '查看五个输出'),
      body: text(
        "Open each output in the result: strings as a list, integers as a table, the image as a picture, bools as a grid. Compare them with what you sent. Every value crossed two models and the ensemble's hand-over unchanged; only the names differ.",
        '在结果中逐个打开输出：字符串显示为列表，整数显示为表格，图像显示为图片，布尔值显示为网格。把它们和发送的内容对比：每个值都经过了两个模型和集成模型的交接，没有任何改变，变的只是名字。',
      ),
      target: ['output-ensemble_output_bool'],
      check: (s) => lastRunOk(s, REPO, ENSEMBLE),
      showMe: async (a) => {
        await a.selectModel(REPO, ENSEMBLE);
        a.setTab('run');
      },
      result: (s) => {
        const run = okRun(lastRun(s, REPO, ENSEMBLE));
        if (!run) return undefined;
        const trips = roundTrips(run);
        const changed = trips.filter((t) => !t.same).map((t) => t.name);
        return changed.length
          ? { text: text(`Type or shape changed: ${changed.join(', ')}`, `类型或形状有变化：${changed.join('，')}`) }
          : { text: text(`All ${trips.length} outputs came back with the type and shape they were sent with.`, `全部 ${trips.length} 个输出的类型和形状都与发送时一致。`) };
      },
    },
    {
      title: text('Watch the hand-over between models', '观察模型之间的交接'),
      body: text(
        'Open the {ui:model.tab.ensemble} tab and run the ensemble to the end. The model1_to_model2 tensors are edges inside the ensemble: the server passes them from one model to the next, and the client never sees or sends them.',
        '打开“{ui:model.tab.ensemble}”标签页，把集成模型运行到结束。model1_to_model2 开头的张量是集成模型内部的边：服务器把它们从一个模型交给下一个模型，客户端既看不到也不需要发送它们。',
      ),
      target: ['tab-ensemble'],
      check: (s) => stepRunFinished(s, REPO, ENSEMBLE),
      showMe: (a) => a.stepToEnd(REPO, ENSEMBLE),
      result: (s) => {
        const inner = (s.step.state?.edges ?? []).filter((e) => e.name.startsWith('model1_to_model2'));
        if (!inner.length || !tabShown(s, REPO, ENSEMBLE, 'ensemble')) return undefined;
        const list = inner.map((e) => `${e.name} ${e.info.dtype}`).join(', ');
        return { text: text(`Inside the ensemble: ${list}`, `集成模型内部：${list}`) };
      },
    },
  ],
};
