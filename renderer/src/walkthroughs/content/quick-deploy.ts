/** Quick Deploy: an ONNX model with no config, completed by the lab, classified, and called over HTTP. */
import { lastRun, lastRunOk, pageOf, serving, shownDetail, tabShown } from '../checks';
import { text, type Walkthrough } from '../types';

const REPO = 'quick_deploy_onnx';
const MODEL = 'text_direction';
const OUTPUT = 'softmax_0.tmp_0';
/** A picture of upright text: the classifier should lean to 0°. */
const SAMPLE = 'dejavu-serif-large.png';
/** labels.txt of the sample, in its order. */
const LABELS = ['0°', '180°'];

export const quickDeploy: Walkthrough = {
  id: 'quick-deploy',
  sample: REPO,
  title: text('Quick Deploy: a model with no config', '快速部署：没有配置文件的模型'),
  summary: text(
    'Drop an ONNX file in a folder, let the configuration be completed from the model, then call it with curl and tritonclient.',
    '把一个 ONNX 文件放进目录，让配置从模型本身补全，再用 curl 和 tritonclient 调用它。',
  ),
  steps: [
    {
      title: text('A folder with only a model file', '只有模型文件的目录'),
      body: text(
        'Select text_direction in quick_deploy_onnx. Its folder holds 1/model.onnx and a labels file, and no config.pbtxt. The ONNX file already records its inputs, outputs, types and shapes, so a server can work out most of the configuration on its own.',
        '在 quick_deploy_onnx 中选中 text_direction。它的目录里只有 1/model.onnx 和一个标签文件，没有 config.pbtxt。ONNX 文件本身就记录了输入、输出、类型和形状，所以服务器可以自己推算出大部分配置。',
      ),
      target: [`repo-${REPO}`, `model-${MODEL}`],
      check: (s) => shownDetail(s, REPO, MODEL) !== undefined,
      showMe: (a) => a.selectModel(REPO, MODEL),
      result: (s) => {
        const d = shownDetail(s, REPO, MODEL);
        if (!d) return undefined;
        return d.configText === undefined
          ? { text: text('No config.pbtxt: everything below comes from the model file.', '没有 config.pbtxt：下面的内容全部来自模型文件。') }
          : { text: text('This folder has a config.pbtxt; the sample is meant to have none.', '该目录有 config.pbtxt；本示例原本不应该有。') };
      },
    },
    {
      title: text('See what auto-complete filled in', '看看自动补全填了什么'),
      body: text(
        'Open the {ui:model.tab.completed} tab: the configuration the server would actually use. The inputs and outputs come from the ONNX graph. Because the first dimension of every input and output is variable, the model can batch, so max_batch_size is set and that dimension leaves dims. An instance group and the default model file name are added too. Filled-in fields are marked.',
        '打开“{ui:model.tab.completed}”标签页：这是服务器真正会使用的配置。输入和输出来自 ONNX 图。因为每个输入和输出的第一个维度都是可变的，模型可以批处理，于是设置了 max_batch_size，该维度也从 dims 中去掉。实例组和默认模型文件名也被补上了。自动补全的字段都有标记。',
      ),
      target: ['tab-completed'],
      check: (s) => tabShown(s, REPO, MODEL, 'completed'),
      showMe: async (a) => {
        await a.selectModel(REPO, MODEL);
        a.setTab('completed');
      },
      result: (s) => {
        const d = shownDetail(s, REPO, MODEL);
        if (!d) return undefined;
        const io = [...d.inputs, ...d.outputs].map((r) => `${r.name} ${r.datatype} [${r.dims.join(', ')}]`).join(', ');
        return { text: text(`max_batch_size ${d.maxBatchSize}; ${io}; ${d.autoFilled.length} fields filled in`, `max_batch_size ${d.maxBatchSize}；${io}；自动补全了 ${d.autoFilled.length} 个字段`) };
      },
    },
    {
      title: text('Run it once', '运行一次'),
      body: text(
        'Open the {ui:play.tab} tab. The input x is an image tensor, so the form decodes a sample picture into floats. A config says nothing about how the model was trained: this one expects text crops of 48 × 192 pixels scaled to -1..1, and with other pre-processing its answers mean little. Set that size and the PaddleOCR normalization in the image editor ({ui:walkthrough.showMe} does it) and press {ui:play.run}. The two numbers are the probabilities of "upright" and "turned 180°".',
        '打开“{ui:play.tab}”标签页。输入 x 是图像张量，所以表单会把一张示例图片解码成浮点数。配置文件并不说明模型是怎样训练的：这个模型需要 48 × 192 像素、数值映射到 -1..1 的文字裁剪图，用别的预处理得到的结果没有什么意义。在图像编辑器里设置该尺寸和 PaddleOCR 归一化（“{ui:walkthrough.showMe}”会替你设置），然后点击“{ui:play.run}”。返回的两个数分别是“正向”和“旋转 180°”的概率。',
      ),
      target: ['run-button'],
      regard: ['run-output-area'],
      check: (s) => lastRunOk(s, REPO, MODEL),
      showMe: (a) => a.runModel(REPO, MODEL, { sampleImage: SAMPLE, image: { width: 192, height: 48, preset: 'paddle' } }),
      result: (s) => {
        const run = lastRun(s, REPO, MODEL);
        if (run?.state !== 'ok') return undefined;
        const page = pageOf(s, run.runId, OUTPUT);
        if (!page) return { needs: [{ runId: run.runId, name: OUTPUT }] };
        const probs = page.values
          .slice(0, 2)
          .map((v, i) => `${LABELS[i]}: ${typeof v === 'number' ? v.toFixed(3) : String(v)}`)
          .join(', ');
        return { text: text(probs, probs) };
      },
    },
    {
      title: text('Labels and the classification extension', '标签与分类扩展'),
      body: text(
        'labels.txt names the two classes. A server uses it only when a config attaches it to an output with label_filename, and then a client can ask for the top classes instead of raw scores: each answer is a string "score:index:label". Without labels the answer is "score:index". Attaching labels needs a small config that lists the output with its type and dims; inputs, batching and instances are still completed from the model, as the {ui:model.tab.completed} tab shows.',
        'labels.txt 给两个类别起了名字。只有当配置用 label_filename 把它挂到某个输出上时，服务器才会使用它；此后客户端可以请求排名靠前的类别，而不是原始得分：每个结果是形如 "score:index:label" 的字符串。没有标签时结果是 "score:index"。挂上标签需要一份小配置，列出该输出及其类型和 dims；输入、批处理和实例仍由模型自动补全，“{ui:model.tab.completed}”标签页里可以看到。',
      ),
      target: ['tab-completed'],
    },
    {
      title: text('Call it with curl and tritonclient', '用 curl 和 tritonclient 调用'),
      body: text(
        'Below the run result, the snippets repeat this exact request two ways: a curl command posting JSON to /v2/models/text_direction/infer, and a Python script with tritonclient. To get classes instead of scores, ask for the output with the "classification" parameter in JSON, or class_count in tritonclient.',
        '在运行结果下方，代码片段用两种方式重现了这次请求：一条向 /v2/models/text_direction/infer 发送 JSON 的 curl 命令，以及一段使用 tritonclient 的 Python 脚本。若想得到类别而不是得分，在 JSON 中为该输出加上 "classification" 参数，或在 tritonclient 中设置 class_count。',
      ),
      target: ['snippets'],
      check: (s) => lastRunOk(s, REPO, MODEL),
      showMe: async (a) => {
        await a.selectModel(REPO, MODEL);
        a.setTab('run');
      },
    },
    {
      title: text('Serve the repository', '为模型仓库提供服务'),
      body: text(
        "Open {ui:serve.button} in the header and start serving quick_deploy_onnx. The lab then answers Triton's HTTP and gRPC protocols, so the snippets work from a terminal as they would against tritonserver.",
        '点击顶栏的“{ui:serve.button}”，开始为 quick_deploy_onnx 提供服务。之后 Model Lab 会响应 Triton 的 HTTP 与 gRPC 协议，这些代码片段在终端里的效果就和对着 tritonserver 一样。',
      ),
      target: ['serve-toggle'],
      check: (s) => serving(s, REPO),
      showMe: (a) => a.startServing(REPO),
      result: (s) => {
        const st = s.serve.status;
        if (!serving(s, REPO) || !st) return undefined;
        const where = [st.http && `HTTP ${st.http}`, st.grpc && `gRPC ${st.grpc}`].filter(Boolean).join(', ');
        return { text: text(`Serving at ${where}`, `服务地址：${where}`) };
      },
    },
  ],
};
