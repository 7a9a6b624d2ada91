/** Made-up graph summaries for tests and `npm run bench:graph`: a transformer-like stack with name scopes, and a deep chain. */
import type { GraphInitializer, GraphNode, GraphSummary, OpDoc } from '@contract/lab-api';

/** One node, for tests that build small graphs by hand. */
export const graphNode = (name: string, opType: string, inputs: string[], outputs: string[], extra: Partial<GraphNode> = {}): GraphNode => ({
  name,
  opType,
  domain: '',
  inputs,
  outputs,
  attributes: [],
  ...extra,
});

export function emptySummary(extra: Partial<GraphSummary> = {}): GraphSummary {
  return {
    graphId: 'g1',
    repoId: 'r1',
    model: 'm',
    version: 1,
    file: 'm/1/model.onnx',
    fileBytes: 0,
    format: 'ONNX v8',
    irVersion: 8,
    producer: 'synthetic',
    producerVersion: '1',
    domain: '',
    modelVersion: 0,
    doc: '',
    graphName: 'main',
    opsets: [{ domain: '', version: 17 }],
    metadata: [],
    inputs: [],
    outputs: [],
    nodes: [],
    initializers: [],
    valueTypes: {},
    ops: [],
    parseMs: 0,
    ...extra,
  };
}

const OPS: OpDoc[] = [
  { opType: 'MatMul', summary: 'Matrix product.', category: 'layer' },
  { opType: 'Add', summary: 'Element-wise sum.', category: 'tensor' },
  { opType: 'Softmax', summary: 'Normalised exponentials.', category: 'activation' },
  { opType: 'LayerNormalization', summary: 'Normalises over the last axes.', category: 'normalization' },
  { opType: 'Gelu', summary: 'Gaussian error linear unit.', category: 'activation' },
  { opType: 'Reshape', summary: 'Changes the shape.', category: 'shape' },
  { opType: 'Transpose', summary: 'Permutes axes.', category: 'shape' },
  { opType: 'Relu', summary: 'max(x, 0).', category: 'activation' },
];

export interface TransformerOptions {
  /**
   * One `attention_mask` input added to every layer's attention scores (`/attn/Add_mask`), as
   * exported decoders do: one value with thousands of consumers across the whole graph.
   */
  attentionMask?: boolean;
}

/**
 * About `targetNodes` nodes in layers `/model/layers.N/{attn,mlp}/…` with
 * residual adds, weights as initializers, and shapes in value_info.
 */
export function transformerSummary(targetNodes: number, opts: TransformerOptions = {}): GraphSummary {
  const nodes: GraphNode[] = [];
  const initializers: GraphInitializer[] = [];
  const valueTypes: GraphSummary['valueTypes'] = {};
  const hidden = [1, 'seq', 768];
  const node = (name: string, opType: string, inputs: string[], weights: number[][] = []): string => {
    const out = `${name}_output_0`;
    const ins = [...inputs];
    for (const dims of weights) {
      const w = `${name.replace(/^\//, '').replace(/\//g, '.')}.weight${ins.length}`;
      initializers.push({ name: w, dtype: 'FP32', dims, bytes: dims.reduce((a, b) => a * b, 4), elements: dims.reduce((a, b) => a * b, 1) });
      ins.push(w);
    }
    nodes.push({ name, opType, domain: '', inputs: ins, outputs: [out], attributes: opType === 'Softmax' ? [{ name: 'axis', type: 'INT', value: '-1' }] : [] });
    valueTypes[out] = { dtype: 'FP32', dims: hidden };
    return out;
  };
  let x = node('/model/embed/Gather', 'Gather', ['input_ids'], [[32000, 768]]);
  const perLayer = opts.attentionMask ? 31 : 30;
  const layers = Math.max(1, Math.round((targetNodes - 3) / perLayer));
  for (let l = 0; l < layers; l++) {
    const p = `/model/layers.${l}`;
    const n1 = node(`${p}/input_layernorm/LayerNormalization`, 'LayerNormalization', [x], [[768], [768]]);
    const q = node(`${p}/attn/q_proj/MatMul`, 'MatMul', [n1], [[768, 768]]);
    const kk = node(`${p}/attn/k_proj/MatMul`, 'MatMul', [n1], [[768, 768]]);
    const v = node(`${p}/attn/v_proj/MatMul`, 'MatMul', [n1], [[768, 768]]);
    const qr = node(`${p}/attn/Reshape`, 'Reshape', [q]);
    const kr = node(`${p}/attn/Reshape_1`, 'Reshape', [kk]);
    const vr = node(`${p}/attn/Reshape_2`, 'Reshape', [v]);
    const qt = node(`${p}/attn/Transpose`, 'Transpose', [qr]);
    const kt = node(`${p}/attn/Transpose_1`, 'Transpose', [kr]);
    const vt = node(`${p}/attn/Transpose_2`, 'Transpose', [vr]);
    const scores = node(`${p}/attn/MatMul`, 'MatMul', [qt, kt]);
    const s = opts.attentionMask ? node(`${p}/attn/Add_mask`, 'Add', [scores, 'attention_mask']) : scores;
    const sm = node(`${p}/attn/Softmax`, 'Softmax', [s]);
    const av = node(`${p}/attn/MatMul_1`, 'MatMul', [sm, vt]);
    const at = node(`${p}/attn/Transpose_3`, 'Transpose', [av]);
    const ar = node(`${p}/attn/Reshape_3`, 'Reshape', [at]);
    const o = node(`${p}/attn/o_proj/MatMul`, 'MatMul', [ar], [[768, 768]]);
    const r1 = node(`${p}/Add`, 'Add', [x, o]);
    const n2 = node(`${p}/post_attention_layernorm/LayerNormalization`, 'LayerNormalization', [r1], [[768], [768]]);
    let h = node(`${p}/mlp/up_proj/MatMul`, 'MatMul', [n2], [[768, 3072]]);
    h = node(`${p}/mlp/up_proj/Add`, 'Add', [h], [[3072]]);
    h = node(`${p}/mlp/act/Gelu`, 'Gelu', [h]);
    const g = node(`${p}/mlp/gate_proj/MatMul`, 'MatMul', [n2], [[768, 3072]]);
    const ga = node(`${p}/mlp/gate_proj/Relu`, 'Relu', [g]);
    h = node(`${p}/mlp/Mul`, 'Mul', [h, ga]);
    h = node(`${p}/mlp/down_proj/MatMul`, 'MatMul', [h], [[3072, 768]]);
    h = node(`${p}/mlp/down_proj/Add`, 'Add', [h], [[768]]);
    const r2 = node(`${p}/Add_1`, 'Add', [r1, h]);
    const c1 = node(`${p}/Reshape`, 'Reshape', [r2]);
    const c2 = node(`${p}/Reshape_1`, 'Reshape', [c1]);
    x = node(`${p}/Identity`, 'Identity', [c2]);
  }
  x = node('/model/norm/LayerNormalization', 'LayerNormalization', [x], [[768], [768]]);
  const logits = node('/lm_head/MatMul', 'MatMul', [x], [[768, 32000]]);
  return emptySummary({
    graphName: 'synthetic_transformer',
    inputs: [{ name: 'input_ids', dtype: 'INT64', dims: [1, 'seq'] }, ...(opts.attentionMask ? [{ name: 'attention_mask', dtype: 'FP32', dims: [1, 1, 'seq', 'seq'] }] : [])],
    outputs: [{ name: logits, dtype: 'FP32', dims: [1, 'seq', 32000] }],
    nodes,
    initializers,
    valueTypes,
    ops: OPS,
  });
}

/** A chain of `depth` Relu nodes with no name scopes. */
export function chainSummary(depth: number): GraphSummary {
  const nodes: GraphNode[] = [];
  let prev = 'x';
  for (let i = 0; i < depth; i++) {
    const out = `t${i}`;
    nodes.push({ name: `Relu_${i}`, opType: 'Relu', domain: '', inputs: [prev], outputs: [out], attributes: [] });
    prev = out;
  }
  return emptySummary({ inputs: [{ name: 'x', dtype: 'FP32', dims: [1, 8] }], outputs: [{ name: prev, dtype: 'FP32', dims: [1, 8] }], nodes, ops: OPS });
}
