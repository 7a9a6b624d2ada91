/** If/Loop/Scan bodies: both parsers give the same bodies, parents, outer inputs and initializer names; nesting depth is bounded. */
import { create } from '@bufbuild/protobuf';
import path from 'node:path';
import { GraphProtoSchema } from 'onnx-buf';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab } from '../lab';
import { TempDirs } from '../repository/testing/temp-repo';
import { tensorPage } from '../runs/tensor-access';
import { readInitializer } from './initializer-reader';
import { MAX_BODY_DEPTH } from './nesting';
import { type ParsedOnnx, parseOnnxFile, readOnnxSummary } from './onnx-summary';
import { attr, controlFlowModel, model, nestedIfModel, node, vi } from './testing/graph-models';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

async function write(files: Record<string, Uint8Array | string>): Promise<string> {
  return (await temp.make(files)).root;
}

/** The whole-decode parse and the scanner's, small nodes decoded and every node walked. */
async function allParses(file: string): Promise<ParsedOnnx[]> {
  return [await parseOnnxFile(file), await parseOnnxFile(file, { scanAboveBytes: 0, windowBytes: 256 }), await parseOnnxFile(file, { scanAboveBytes: 0, windowBytes: 256, largeNodeBytes: 0 })];
}

describe('subgraph bodies', () => {
  it('gives each body its nodes, parent, owner, initializers and outer inputs, the same from both parsers', async () => {
    const file = path.join(await write({ 'cf.onnx': controlFlowModel() }), 'cf.onnx');
    const [whole, ...scanned] = await allParses(file);
    const s = whole!.summary;
    for (const other of scanned) {
      expect({ ...other.summary, parseMs: 0 }).toEqual({ ...s, parseMs: 0 });
      for (const [i, loc] of other.locators.entries()) expect(tensorPage(readInitializer(file, loc), 0, 20)).toEqual(tensorPage(readInitializer(file, whole!.locators[i]!), 0, 20));
    }
    expect(s.nodes.map((n) => n.name)).toEqual(['pre', 'branch', 'Softmax_2']);
    const bodies = s.subgraphs!;
    expect(bodies.map((b) => [b.id, b.parent, b.node, b.attribute, b.name, b.nodes.length])).toEqual([
      [0, -1, 1, 'then_branch', 'then_body', 4],
      [1, 0, 2, 'body', 'loop_body', 3],
      [2, 1, 1, 'body', 'scan_body', 2],
      [3, -1, 1, 'else_branch', 'else_body', 5],
    ]);
    const ifAttrs = s.nodes[1]!.attributes;
    expect(ifAttrs.map((a) => [a.name, a.type, a.value, a.subgraphs])).toEqual([
      ['then_branch', 'GRAPH', "'then_body', 4 nodes", [0]],
      ['else_branch', 'GRAPH', "'else_body', 5 nodes", [3]],
    ]);
    expect(bodies[0]!.nodes[2]!.attributes[0]).toMatchObject({ name: 'body', subgraphs: [1], subgraphNodes: 3 });
    expect(bodies[1]!.nodes[1]!.attributes[0]).toMatchObject({ name: 'body', subgraphs: [2] });
    // Owners list what their bodies read, for edges into If/Loop/Scan boxes.
    expect(s.nodes[1]!.implicitInputs).toEqual(['xr', 'trip']);
    expect(bodies[0]!.nodes.map((n) => n.implicitInputs)).toEqual([undefined, undefined, ['xr', 'gain'], undefined]);
    expect(bodies[1]!.nodes[1]!.implicitInputs).toEqual(['gain']);
    expect(s.nodes[0]!.implicitInputs).toBeUndefined();
    // Values read from enclosing graphs, nested bodies' reads included.
    expect(bodies.map((b) => b.outerInputs)).toEqual([['xr', 'trip'], ['xr', 'gain'], ['gain'], ['xr']]);
    expect(bodies[1]!.inputs.map((i) => [i.name, i.dtype, i.dims])).toEqual([
      ['iter', 'INT64', []],
      ['cond_in', 'BOOL', []],
      ['v_in', 'FP32', ['N', 4]],
    ]);
    expect(bodies[0]!.valueTypes).toEqual({ t2: { dtype: 'FP32', dims: ['N', 4] } });
    // Operators used only inside bodies are described too.
    expect(s.ops.map((o) => o.opType)).toEqual(['Add', 'Constant', 'Identity', 'If', 'Loop', 'MatMul', 'Mul', 'Neg', 'Relu', 'Scan', 'Sigmoid', 'Softmax', 'Tanh']);
  });

  it('names body initializers by their path, keeps the name the body uses, and reads their values', async () => {
    const file = path.join(await write({ 'cf.onnx': controlFlowModel() }), 'cf.onnx');
    for (const { summary: s, locators } of await allParses(file)) {
      expect(s.initializers.map((t) => [t.name, t.localName])).toEqual([
        ['w', undefined],
        ['trip', undefined],
        ['branch/then_branch/w', 'w'],
        ['branch/then_branch/b', 'b'],
        ['branch/then_branch/gain', 'gain'],
        ['branch/else_branch/w', 'w'],
        ['branch/else_branch/Constant_2:value', undefined],
      ]);
      expect(s.subgraphs!.map((b) => b.initializers)).toEqual([[2, 3, 4], [], [], [5]]);
      expect(s.subgraphs![3]!.nodes[2]!.attributes[0]!.tensor).toBe(6);
      // Nodes keep the names the model uses.
      expect(s.subgraphs![0]!.nodes[0]!.inputs).toEqual(['xr', 'w']);
      const values = (i: number) => tensorPage(readInitializer(file, locators[i]!), 0, 16).values;
      expect(values(0)).toEqual([0, 1, 2, 3]);
      expect(values(5)).toEqual([1, -1, 1, -1]);
      expect(values(6)).toEqual([0.5]);
      expect(locators[2]!.name).toBe('branch/then_branch/w');
      // Body weights are located in the file, never copied, on every path (the scanner walks a large If's bodies).
      expect(locators.slice(2, 6).map((l) => l.source.kind)).toEqual(['raw', 'raw', 'raw', 'raw']);
    }
  });

  it('counts a value a branch passes straight out as read from outside', async () => {
    const passThrough = create(GraphProtoSchema, { name: 'pass', output: [vi('x', 1, [2])] });
    const m = model({
      nodes: [node('If', ['c'], ['y'], 'gate', [attr({ name: 'then_branch', type: 5, g: passThrough }), attr({ name: 'else_branch', type: 5, g: passThrough })])],
      inputs: [vi('x', 1, [2]), vi('c', 9, [])],
      outputs: [vi('y', 1, [2])],
    });
    const file = path.join(await write({ 'p.onnx': m }), 'p.onnx');
    const s = await readOnnxSummary(file);
    expect(s.subgraphs!.map((b) => [b.attribute, b.nodes.length, b.outerInputs])).toEqual([
      ['then_branch', 0, ['x']],
      ['else_branch', 0, ['x']],
    ]);
  });

  it("views a body's initializers through the lab by their entry names", async () => {
    const root = await write({ 'cf/1/model.onnx': controlFlowModel(), 'cf/config.pbtxt': 'backend: "onnxruntime"' });
    const lab = new Lab();
    try {
      const { id: repoId } = await lab.openRepository(root, { options: { runtime: false } });
      const g = await lab.graphs.modelGraph({ repoId, model: 'cf' });
      expect(g.subgraphs).toHaveLength(4);
      const values = (name: string) => tensorPage(lab.tensor({ runId: g.graphId, side: 'initializer', name }), 0, 16).values;
      expect(values('w')).toEqual([0, 1, 2, 3]);
      expect(values('branch/else_branch/w')).toEqual([1, -1, 1, -1]);
      expect(values('branch/then_branch/gain')).toEqual([2, 2, 2, 2]);
      expect(values('branch/else_branch/Constant_2:value')).toEqual([0.5]);
    } finally {
      await lab.close();
    }
  });

  it('leaves models without bodies as they were', async () => {
    const { chainModel } = await import('./testing/graph-models');
    const file = path.join(await write({ 'c.onnx': chainModel(30) }), 'c.onnx');
    expect((await readOnnxSummary(file)).subgraphs).toBeUndefined();
    // A GRAPH attribute that refers to a function's attribute holds no body.
    const ref = model({ nodes: [node('If', ['c'], ['y'], 'gate', [attr({ name: 'then_branch', type: 5, refAttrName: 'then' })])], inputs: [vi('c', 9, [])], outputs: [vi('y', 1, [1])] });
    const refFile = path.join(await write({ 'r.onnx': ref }), 'r.onnx');
    for (const opts of [{}, { scanAboveBytes: 0, largeNodeBytes: 0 }]) {
      const s = await readOnnxSummary(refFile, opts);
      expect(s.subgraphs).toBeUndefined();
      expect(s.nodes[0]!.attributes).toEqual([{ name: 'then_branch', type: 'GRAPH', value: '→ then' }]);
    }
  });

  it(`opens bodies nested ${MAX_BODY_DEPTH} deep and refuses deeper ones (10,000 nested Ifs) with a clear error, on every path`, async () => {
    const root = await write({ 'ok.onnx': nestedIfModel(MAX_BODY_DEPTH), 'deep.onnx': nestedIfModel(MAX_BODY_DEPTH + 1), 'crafted.onnx': nestedIfModel(10_000) });
    const [ok, ...okScanned] = await allParses(path.join(root, 'ok.onnx'));
    expect(ok!.summary.subgraphs).toHaveLength(MAX_BODY_DEPTH);
    expect(ok!.summary.subgraphs!.at(-1)).toMatchObject({ id: MAX_BODY_DEPTH - 1, parent: MAX_BODY_DEPTH - 2, outerInputs: ['c'] });
    for (const other of okScanned) expect({ ...other.summary, parseMs: 0 }).toEqual({ ...ok!.summary, parseMs: 0 });
    for (const name of ['deep.onnx', 'crafted.onnx']) {
      for (const opts of [{}, { scanAboveBytes: 0 }, { scanAboveBytes: 0, largeNodeBytes: 0 }]) {
        const err = await readOnnxSummary(path.join(root, name), opts).catch((e: unknown) => e);
        expect(err, `${name} ${JSON.stringify(opts)}`).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining(`more than ${MAX_BODY_DEPTH} levels deep`) });
      }
    }
  });
});
