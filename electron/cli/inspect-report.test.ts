import { describe, expect, it } from 'vitest';
import type { GraphNode, GraphSummary } from '../contract/inspect-api';
import { inspectReport } from './inspect-report';
import { dimsText, inspectText } from './inspect-text';

const graphNode = (name: string, opType: string, inputs: string[], outputs: string[], extra: Partial<GraphNode> = {}): GraphNode => ({
  name,
  opType,
  domain: '',
  inputs,
  outputs,
  attributes: [],
  ...extra,
});

function emptySummary(extra: Partial<GraphSummary>): GraphSummary {
  const base = { graphId: 'g', repoId: 'r', model: 'm', version: 1, file: 'm.onnx', fileBytes: 0, format: 'ONNX v8', irVersion: 8, producer: 'synthetic', producerVersion: '1' };
  return {
    ...base,
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

/** A small graph with roles, a Constant, an inferred intermediate and an If body reading an outer value. */
function summary() {
  return emptySummary({
    inputs: [{ name: 'x', dtype: 'FP32', dims: ['batch', 3, 8, 8] }],
    outputs: [{ name: 'y', dtype: 'FP32', dims: ['batch', 4, 8, 8] }],
    nodes: [
      graphNode('shape_const', 'Constant', [], ['shape'], { attributes: [{ name: 'value', type: 'TENSOR', value: 'INT64 [2]', tensor: 1 }] }),
      graphNode('conv', 'Conv', ['x', 'w', ''], ['c'], { attributes: [{ name: 'group', type: 'INT', value: '1' }] }),
      graphNode('cat', 'Concat', ['c', 'c', 'c'], ['cat'], { attributes: [{ name: 'axis', type: 'INT', value: '1' }] }),
      graphNode('if', 'If', ['cond'], ['y'], { attributes: [{ name: 'then_branch', type: 'GRAPH', value: '1 node', subgraphs: [0] }] }),
    ],
    initializers: [
      { name: 'w', dtype: 'FP32', dims: [4, 3, 3, 3], bytes: 432, elements: 108 },
      { name: 'shape_const:value', dtype: 'INT64', dims: [2], bytes: 16, elements: 2, preview: '[0, -1]' },
    ],
    ops: [
      { opType: 'Conv', summary: '', category: 'layer', inputs: [{ name: 'X' }, { name: 'W' }, { name: 'B', option: 'optional' }], outputs: [{ name: 'Y' }] },
      { opType: 'Concat', summary: '', category: 'tensor', inputs: [{ name: 'inputs', option: 'variadic' }], outputs: [{ name: 'concat_result' }] },
    ],
    inferred: { c: { dtype: 'FP32', dims: ['batch', 4, 8, 8] }, cat: { dtype: 'FP32', dims: ['batch', 12, 8, 8] } },
    shapeInference: { ms: 1.5, typed: 2, untyped: 1, unknownOps: ['If'] },
    subgraphs: [
      {
        id: 0,
        parent: -1,
        node: 3,
        attribute: 'then_branch',
        name: 'then',
        inputs: [],
        outputs: [{ name: 'y_then', dtype: 'FP32' }],
        nodes: [graphNode('id', 'Identity', ['cat'], ['y_then'])],
        initializers: [],
        valueTypes: {},
        outerInputs: ['cat'],
      },
    ],
  });
}

describe('inspectReport', () => {
  const r = inspectReport(summary(), { file: 'm.onnx' });

  it('names inputs and outputs by role, repeating a variadic one, and keeps omitted optional inputs', () => {
    const conv = r.graph.nodes[1]!;
    expect(conv.inputs).toEqual([
      { role: 'X', name: 'x', dtype: 'FP32', dims: ['batch', 3, 8, 8] },
      { role: 'W', name: 'w', dtype: 'FP32', dims: [4, 3, 3, 3] },
      { role: 'B', name: '', dtype: null, dims: null },
    ]);
    expect(conv.outputs[0]).toEqual({ role: 'Y', name: 'c', dtype: 'FP32', dims: ['batch', 4, 8, 8] });
    expect(r.graph.nodes[2]!.inputs.map((i) => i.role)).toEqual(['inputs', 'inputs', 'inputs']);
    // No schema: positions are numbered.
    expect(r.graph.nodes[3]!.inputs[0]!.role).toBe('#0');
  });

  it('lists every value once with its kind, type source, producer and consumers', () => {
    const by = Object.fromEntries(r.graph.tensors.map((t) => [t.name, t]));
    expect(r.graph.tensors.map((t) => t.name)).toEqual(['x', 'w', 'shape', 'c', 'cat', 'y']);
    expect(by['x']).toMatchObject({ kind: 'input', typeFrom: 'declared', consumers: 1 });
    expect(by['w']).toMatchObject({ kind: 'initializer', bytes: 432, elements: 108 });
    expect(by['shape']).toMatchObject({ kind: 'constant', dtype: 'INT64', dims: [2], value: '[0, -1]', producer: 0 });
    expect(by['c']).toMatchObject({ kind: 'intermediate', typeFrom: 'inferred', dims: ['batch', 4, 8, 8], producer: 1, consumers: 3 });
    expect(by['y']).toMatchObject({ kind: 'output', typeFrom: 'declared', producer: 3 });
    expect(r.counts).toEqual({ nodes: 5, initializers: 1, constants: 1, tensors: 8, typed: 7, subgraphs: 1 });
    expect(r.shapeInference).toEqual({ ms: 1.5, typed: 2, untyped: 1, unknownOps: ['If'] });
  });

  it('opens subgraphs with their outer values, typed from the enclosing graph', () => {
    const body = r.subgraphs[0]!;
    expect(body).toMatchObject({ id: 0, parent: -1, node: 3, attribute: 'then_branch', outerInputs: ['cat'] });
    expect(body.tensors.map((t) => [t.name, t.kind])).toEqual([
      ['cat', 'outer'],
      ['y_then', 'output'],
    ]);
    expect(body.nodes[0]!.inputs[0]).toMatchObject({ name: 'cat', dims: ['batch', 12, 8, 8] });
    expect(r.graph.nodes[3]!.attributes[0]!.value).toBe('1 node (subgraph #0)');
  });
});

describe('inspectText', () => {
  it('prints dims as numbers or symbolic names, ? where unknown', () => {
    expect(dimsText(['batch', 3, null])).toBe('[batch, 3, ?]');
    expect(dimsText([])).toBe('[]');
    expect(dimsText(null)).toBe('?');
  });

  it('prints nodes by role, every value, and the subgraphs', () => {
    const text = inspectText(inspectReport(summary(), { file: 'm.onnx' })).join('\n');
    expect(text).toContain('shape inference 1.5 ms (2 typed, 1 not; no rule for If)');
    expect(text).toContain(
      [
        '  [1] Conv  conv',
        '      in   X  x          FP32 [batch, 3, 8, 8]',
        '           W  w          FP32 [4, 3, 3, 3]',
        '           B  (omitted)',
        '      out  Y  c  FP32 [batch, 4, 8, 8]',
        '      attr group=1',
      ].join('\n'),
    );
    expect(text).toMatch(/\n {2}constant +shape +INT64 +\[2\] += \[0, -1\] {2}16 B/);
    expect(text).toMatch(/\n {2}intermediate +cat +FP32 +\[batch, 12, 8, 8\] +\(inferred\)/);
    expect(text).toContain("SUBGRAPH #0 'then' (main graph node [3], then_branch); from outer scope: cat");
  });
});
