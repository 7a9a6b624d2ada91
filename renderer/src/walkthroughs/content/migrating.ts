/** Migrating a model: exported ONNX + script pre-processing → an ensemble (the Hugging Face route); a TorchScript model exported to ONNX and compared; then your own model. */
import { conversionKey, formatDiff, type ConversionEntry } from '../../stores/convert';
import { graphNodeSelected, graphShown, repoNamed, shownDetail, tabShown } from '../checks';
import { countEn, text, type TourState, type Walkthrough } from '../types';

const REPO = 'ocr_ensemble';
const EXPORTED = 'text_detection';
const PRE = 'detection_preprocessing';
const TORCH_REPO = 'quick_deploy_pytorch';
const TORCH_MODEL = 'digits';

/** The digits model's conversion, once one was asked for in this window. */
function conversion(s: TourState): ConversionEntry | undefined {
  const r = repoNamed(s, TORCH_REPO);
  return r ? s.convert?.conversions[conversionKey(r.id, TORCH_MODEL)] : undefined;
}

export const migrating: Walkthrough = {
  id: 'migrating',
  sample: REPO,
  title: text('Migrating a model: from an export to an ensemble', '迁移模型：从导出文件到集成模型'),
  summary: text(
    'How a model exported to ONNX (for example from Hugging Face) and its processing code become a served ensemble, how a TorchScript model is exported to ONNX and compared, and what to do with your own model.',
    '一个导出为 ONNX 的模型（例如来自 Hugging Face）及其处理代码，如何变成一个可以提供服务的集成模型；TorchScript 模型如何导出为 ONNX 并与原模型比较；以及你自己的模型该怎么做。',
  ),
  steps: [
    {
      title: text('Two halves of every model', '每个模型都有两半'),
      body: text(
        'A model from a hub such as the Hugging Face Hub comes as weights plus a processor: code that turns text or images into the tensors the network expects, and its output back into answers. Exporting to ONNX keeps only the network. In ocr_ensemble, text_detection is such an export. Select it.',
        '从模型中心（例如 Hugging Face Hub）下载的模型通常由两部分组成：权重，以及预处理与后处理代码（Hugging Face 称之为 processor）——它把文本或图片转换成网络需要的张量，再把网络输出转换回结果。导出为 ONNX 只保留了网络本身。ocr_ensemble 里的 text_detection 就是这样一个导出文件。选中它。',
      ),
      target: [`repo-${REPO}`, `model-${EXPORTED}`],
      check: (s) => shownDetail(s, REPO, EXPORTED) !== undefined,
      showMe: (a) => a.selectModel(REPO, EXPORTED),
    },
    {
      title: text('Open its graph', '打开它的计算图'),
      body: text(
        "Open the {ui:model.tab.graph} tab. The model sidebar lists the graph's inputs and outputs with their names, types and dimensions: exactly what a config has to state. A dimension with a name or a question mark is variable and becomes -1 in the config.",
        '打开“{ui:model.tab.graph}”标签页。模型侧栏列出了图的输入和输出，以及它们的名字、类型和维度——这正是配置需要写明的内容。带名字或问号的维度是可变的，在配置中写作 -1。',
      ),
      target: ['tab-graph'],
      check: (s) => graphShown(s, REPO, EXPORTED),
      showMe: async (a) => {
        await a.selectModel(REPO, EXPORTED);
        a.setTab('graph');
      },
      result: (s) => {
        const g = s.graph.summary;
        if (!g || !graphShown(s, REPO, EXPORTED)) return undefined;
        const io = [...g.inputs, ...g.outputs].map((v) => `${v.name} ${v.dtype} [${(v.dims ?? []).map((d) => d ?? '?').join(', ')}]`).join(' → ');
        return { text: text(`${countEn(g.nodes.length, 'node', 'nodes')}; ${io}`, `${g.nodes.length} 个节点；${io}`) };
      },
    },
    {
      title: text('Find a node', '查找节点'),
      body: text(
        'Type an operator type such as Sigmoid or a part of a name into the find box, then select a node. Its sidebar shows what it reads and writes; following the last node back to the output is how you learn where an output name like sigmoid_0.tmp_0 comes from.',
        '在查找框里输入一个算子类型（例如 Sigmoid）或名字的一部分，然后选中一个节点。侧栏会显示它读取和写出的张量；从最后一个节点追溯到输出，就能知道像 sigmoid_0.tmp_0 这样的输出名是从哪里来的。',
      ),
      target: ['graph-find-input'],
      // Selecting the node is the point; finding it is the quick way there.
      check: (s) => graphNodeSelected(s, REPO, EXPORTED),
      result: (s) => {
        const sel = s.graph.selection;
        const node = sel.kind === 'node' && graphNodeSelected(s, REPO, EXPORTED) ? s.graph.summary?.nodes.find((n) => n.name === sel.name) : undefined;
        if (!node) return undefined;
        const line = `${node.opType} ${node.name}: ${node.inputs.filter(Boolean).join(', ')} → ${node.outputs.join(', ')}`;
        return { text: text(line, line) };
      },
    },
    {
      title: text('Let the graph write the config', '让计算图来写配置'),
      body: text(
        'Press "{ui:graph.config.button}". It writes the input and output blocks from the model itself and applies the batching rule: when every input and output has a variable first dimension, the model can batch, max_batch_size is set and that dimension is left out of dims; otherwise max_batch_size is 0 and dims are the full shapes. It also lists where the current config disagrees with the model.',
        '点击“{ui:graph.config.button}”。它根据模型本身写出 input 和 output 配置块，并应用批处理规则：如果每个输入和输出的第一个维度都可变，模型就能批处理，于是设置 max_batch_size，并把该维度从 dims 中去掉；否则 max_batch_size 为 0，dims 写完整形状。它还会列出当前配置与模型不一致的地方。',
      ),
      target: ['graph-use-in-config'],
      showMe: async (a) => {
        await a.selectModel(REPO, EXPORTED);
        a.setTab('graph');
      },
    },
    {
      title: text('The processor becomes a script model', '预处理代码变成脚本模型'),
      body: text(
        "Select detection_preprocessing and open its {ui:model.tab.config} tab. This is the processor's job moved to the server: decode the file, resize, normalize. Its output is declared with the same type and dims as the ONNX model's input, because the ensemble will hand one straight to the other.",
        '选中 detection_preprocessing 并打开它的“{ui:model.tab.config}”标签页。这就是原本由 processor 完成的预处理，现在搬到了服务端：解码文件、调整尺寸、归一化。它的输出声明了与 ONNX 模型输入相同的类型和 dims，因为集成模型会把前者直接交给后者。',
      ),
      target: [`repo-${REPO}`, `model-${PRE}`],
      check: (s) => tabShown(s, REPO, PRE, 'config'),
      showMe: async (a) => {
        await a.selectModel(REPO, PRE);
        a.setTab('config');
      },
      result: (s) => {
        const d = shownDetail(s, REPO, PRE);
        if (!d) return undefined;
        const outs = d.outputs.map((o) => `${o.name} ${o.datatype} [${o.dims.join(', ')}]`).join(', ');
        return { text: text(`Outputs: ${outs}`, `输出：${outs}`) };
      },
    },
    {
      title: text('Join them with an ensemble', '用集成模型把它们连起来'),
      body: text(
        "Select ensemble_model and open its {ui:model.tab.config} tab. Its inputs are what clients send, its outputs what they want back. One step per model; in each map the key is the member's tensor name and the value the ensemble's. The {ui:model.tab.overview} tab checks the wiring for you: unknown tensors, type or shape mismatches and unused outputs show up as diagnostics.",
        '选中 ensemble_model 并打开它的“{ui:model.tab.config}”标签页。它的输入是客户端发送的内容，输出是客户端想拿回的结果。每个模型一个步骤；每个映射中，键是成员模型的张量名，值是集成模型内部的张量名。“{ui:model.tab.overview}”标签页会替你检查连线：未知张量、类型或形状不一致、未使用的输出都会作为诊断信息列出。',
      ),
      target: ['tab-config'],
      check: (s) => tabShown(s, REPO, 'ensemble_model', 'config'),
      showMe: async (a) => {
        await a.selectModel(REPO, 'ensemble_model');
        a.setTab('config');
      },
      result: (s) => {
        const d = shownDetail(s, REPO, 'ensemble_model');
        if (!d) return undefined;
        const errors = d.diagnostics.filter((x) => x.severity === 'error').length;
        return { text: text(`${countEn(d.ensembleSteps.length, 'step', 'steps')}, ${countEn(errors, 'wiring error', 'wiring errors')}`, `${d.ensembleSteps.length} 个步骤，${errors} 个连线错误`) };
      },
    },
    {
      title: text('A TorchScript model', 'TorchScript 模型'),
      body: text(
        "The other route from PyTorch is TorchScript: a model saved with torch.jit.save as <name>/1/model.pt runs on Triton's PyTorch backend (platform pytorch_libtorch). Its tensors are named by position, INPUT__0 for forward()'s first argument and OUTPUT__0 for its result. Open the quick_deploy_pytorch sample and select digits, a classifier of 8×8 handwritten digits trained by the sample's train.py.",
        '从 PyTorch 出发的另一条路是 TorchScript：用 torch.jit.save 保存为 <name>/1/model.pt 的模型，在 Triton 的 PyTorch 后端上运行（platform pytorch_libtorch）。它的张量按位置命名：INPUT__0 是 forward() 的第一个参数，OUTPUT__0 是它的返回值。打开示例 quick_deploy_pytorch 并选中 digits，这是一个 8×8 手写数字分类器，由示例中的 train.py 训练得到。',
      ),
      target: [`repo-${TORCH_REPO}`],
      check: (s) => shownDetail(s, TORCH_REPO, TORCH_MODEL) !== undefined,
      showMe: (a) => a.selectModel(TORCH_REPO, TORCH_MODEL),
      result: (s) => {
        const d = shownDetail(s, TORCH_REPO, TORCH_MODEL);
        if (!d) return undefined;
        const io = [...d.inputs, ...d.outputs].map((v) => `${v.name} ${v.datatype} [${v.dims.join(', ')}]`).join(' → ');
        return { text: text(`${d.summary.platform || d.summary.backend}: ${io}`, `${d.summary.platform || d.summary.backend}：${io}`) };
      },
    },
    {
      title: text('Export it to ONNX, and compare', '导出为 ONNX 并比较'),
      body: text(
        'Press "{ui:convert.button}". torch exports the model to ONNX with the same tensor names, the lab opens it as digits_onnx in its "converted" model repository, and both models answer the same seeded random inputs: the largest absolute difference between their answers shows here. This needs Python with torch (sudo apt-get install python3-torch on Debian/Ubuntu, or python3 -m pip install torch); without it, the error in place says what to install.',
        '点击“{ui:convert.button}”。torch 会把模型导出为 ONNX，张量名保持不变；Model Lab 把它作为 digits_onnx 在自己的“converted”模型仓库中打开，再让两个模型回答同一组带随机种子的随机输入：二者结果的最大绝对差显示在这里。这一步需要装有 torch 的 Python（Debian/Ubuntu 上运行 sudo apt-get install python3-torch，或 python3 -m pip install torch）；没有 torch 时，原地显示的错误会说明要安装什么。',
      ),
      target: ['convert-onnx-button'],
      regard: ['convert-onnx-result'],
      check: (s) => {
        const c = conversion(s);
        return !!c && !c.running && (c.result !== undefined || c.error !== undefined);
      },
      showMe: (a) => a.convertToOnnx?.(TORCH_REPO, TORCH_MODEL) ?? a.selectModel(TORCH_REPO, TORCH_MODEL),
      result: (s) => {
        const c = conversion(s);
        if (!c || c.running) return undefined;
        if (c.error) return { text: text(`Not converted: ${c.error}`, `未能转换：${c.error}`) };
        const r = c.result;
        if (!r) return undefined;
        const diff = formatDiff(r.maxAbsDiff);
        return {
          text: text(
            `max abs difference ${diff} over ${countEn(r.samples, 'seeded input', 'seeded inputs')} (${r.model}, opset ${r.opset})`,
            `最大绝对差 ${diff}，共 ${r.samples} 组带随机种子的输入（${r.model}，opset ${r.opset}）`,
          ),
        };
      },
    },
    {
      title: text('Now your own model', '现在轮到你自己的模型'),
      body: text(
        'Make a repository folder with <name>/1/model.onnx and open it here. With no config, check the {ui:model.tab.completed} tab; in the {ui:model.tab.graph} tab, "{ui:graph.config.button}" gives you a starting config.pbtxt. Add a script model for the processing, then an ensemble folder with an empty 1/ and a config joining them. Test it in the {ui:play.tab} tab, then serve it to your clients.',
        '建一个模型仓库目录，放入 <name>/1/model.onnx，然后在这里打开它。没有配置时先看“{ui:model.tab.completed}”标签页；在“{ui:model.tab.graph}”标签页中，“{ui:graph.config.button}”会给你一份起步用的 config.pbtxt。为处理逻辑添加一个脚本模型，再建一个带空 1/ 目录的集成模型目录，用配置把它们连起来。在“{ui:play.tab}”标签页中测试，然后为你的客户端提供服务。',
      ),
      target: ['open-path'],
    },
  ],
};
