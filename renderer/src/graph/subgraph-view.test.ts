/** Bodies of the control-flow model (summary as the engine reads it) open through the main graph's pipeline. */
import type { GraphSummary } from '@contract/inspect-api';
import { beforeEach, describe, expect, it } from 'vitest';
import { setLocale } from '../i18n';
import { buildGraphModel, graphCounts } from './graph-model';
import { bodyChain, bodyLabel, bodySummary, findInBodies } from './subgraph-view';
import fixture from './testing/control-flow.summary.json';
import { emptySummary, graphNode, transformerSummary } from './synthetic';
import { initialExpanded, visibleGraph } from './visible';

const main = fixture as unknown as GraphSummary;
beforeEach(() => setLocale('en'));

function opened(id: number) {
  const view = bodySummary(main, id)!;
  const m = buildGraphModel(view.summary);
  const g = visibleGraph(m, initialExpanded(m));
  return { view, m, g };
}

describe('subgraph view', () => {
  it('opens then_branch with the outer values as inputs, counted and typed from the scope that declares them', () => {
    const { view, m, g } = opened(0);
    expect(view.summary.graphName).toBe('then_body');
    expect(view.summary.inputs.map((i) => [i.name, i.dtype, i.dims])).toEqual([
      // xr is produced in the main graph without a declared type; trip is a main-graph initializer.
      ['xr', 'unknown', undefined],
      ['trip', 'INT64', []],
    ]);
    expect([...view.outer]).toEqual(['xr', 'trip']);
    expect(view.summary.nodes.map((n) => n.name)).toEqual(['project', 'bias', 'repeat', 'squash']);
    expect(graphCounts(m)).toEqual({ file: 4, drawn: 4, folded: 0 });
    // Every outer value is drawn as an input with an edge to its reader.
    const inputs = g.items.filter((it) => it.kind === 'input').map((it) => it.title);
    expect(inputs).toEqual(expect.arrayContaining(['xr', 'trip']));
    const at = (id: string) => g.index.get(id)!;
    expect(g.edges.some((e) => e.from === at('i:xr') && e.to === at('n:0'))).toBe(true);
    expect(g.edges.some((e) => e.from === at('i:trip') && e.to === at('n:2'))).toBe(true);
    expect(g.items.filter((it) => it.kind === 'node')).toHaveLength(4);
  });

  it("points the body's references at its own initializers, not the main graph's of the same name", () => {
    const { view, m } = opened(0);
    expect(view.summary.initializers.map((t) => t.name)).toEqual(['branch/then_branch/w', 'branch/then_branch/b', 'branch/then_branch/gain']);
    expect(view.summary.nodes[0]!.inputs).toEqual(['xr', 'branch/then_branch/w']);
    // The Loop's body reads gain, which is then_branch's own initializer here.
    expect(view.summary.nodes[2]!.implicitInputs).toEqual(['xr', 'branch/then_branch/gain']);
    expect(m.initByName.get('branch/then_branch/w')).toBe(0);
    expect(m.initByName.has('w')).toBe(false);
    // The else branch's Constant value is re-indexed into the view's own list.
    const e = bodySummary(main, 3)!.summary;
    const constant = e.nodes.find((n) => n.opType === 'Constant')!;
    expect(e.initializers[constant.attributes[0]!.tensor!]!.name).toBe('branch/else_branch/Constant_2:value');
    expect(e.nodes.find((n) => n.name === 'weigh')!.inputs).toEqual(['e1', 'branch/else_branch/w']);
    const em = buildGraphModel(e);
    expect(graphCounts(em)).toEqual({ file: 5, drawn: 4, folded: 1 });
  });

  it('opens nested bodies: the Scan inside the Loop reads gain from then_branch, two levels up', () => {
    const loop = opened(1);
    expect(loop.view.summary.inputs.map((i) => i.name)).toEqual(['iter', 'cond_in', 'v_in', 'xr', 'gain']);
    expect(loop.view.summary.inputs.find((i) => i.name === 'gain')).toMatchObject({ dtype: 'FP32', dims: [4] });
    const scan = opened(2);
    expect(scan.view.summary.inputs.map((i) => [i.name, i.dtype, i.dims])).toEqual([
      ['row', 'FP32', [4]],
      ['gain', 'FP32', [4]],
    ]);
    expect(scan.g.items.filter((it) => it.kind === 'node').map((it) => it.title)).toEqual(['Mul', 'Relu']);
    // Nested GRAPH attributes keep pointing at the whole model's bodies.
    expect(loop.view.summary.nodes[1]!.attributes[0]!.subgraphs).toEqual([2]);
    expect(loop.view.summary.subgraphs).toBe(main.subgraphs);
  });

  it('finds nodes inside bodies, or from a body the rest of the model, exact matches first', () => {
    const fromMain = findInBodies(main, undefined, 'squash');
    expect(fromMain.results.map((r) => [r.name, r.body, r.node, r.detail])).toEqual([
      ['squash', 0, 3, 'Sigmoid in branch (then_branch)'],
      ['squash', 3, 4, 'Tanh in branch (else_branch)'],
    ]);
    expect(findInBodies(main, undefined, 'relu').results.map((r) => [r.name, r.detail])).toEqual([['relu', 'Relu in branch (then_branch) › repeat (body) › rows (body)']]);
    // From the Scan body: the main graph's nodes and the other bodies, not its own.
    const fromScan = findInBodies(main, 2, 'add');
    expect(fromScan.results.map((r) => [r.name, r.body, r.detail])).toEqual([
      ['pre', -1, 'Add in the main graph'],
      ['bias', 0, 'Add in branch (then_branch)'],
      ['residual', 1, 'Add in branch (then_branch) › repeat (body)'],
    ]);
    expect(findInBodies(main, 2, 'relu').total).toBe(0);
    expect(findInBodies(main, undefined, '  ').total).toBe(0);
    expect(findInBodies(main, undefined, 'a', 2)).toMatchObject({ total: expect.any(Number), results: { length: 2 } });
  });

  it('opens a big body like a big main graph: scopes from its node names, collapsed to fit, weights by their entries', () => {
    // A 2,000-node transformer that lives inside an If's then_branch, as script-exported models put it.
    const net = transformerSummary(2000);
    const prefix = 'gate/then_branch/';
    const s = emptySummary({
      inputs: [{ name: 'flag', dtype: 'BOOL', dims: [] }, ...net.inputs],
      outputs: [{ name: 'y', dtype: 'FP32', dims: net.outputs[0]!.dims! }],
      nodes: [graphNode('gate', 'If', ['flag'], ['y'], { attributes: [{ name: 'then_branch', type: 'GRAPH', value: '', subgraphNodes: net.nodes.length, subgraphs: [0] }] })],
      initializers: net.initializers.map((t) => ({ ...t, name: `${prefix}${t.name}`, localName: t.name })),
      subgraphs: [
        {
          id: 0,
          parent: -1,
          node: 0,
          attribute: 'then_branch',
          name: 'net',
          inputs: [],
          outputs: net.outputs,
          nodes: net.nodes,
          initializers: net.initializers.map((_, i) => i),
          valueTypes: net.valueTypes,
          outerInputs: net.inputs.map((i) => i.name),
        },
      ],
    });
    const view = bodySummary(s, 0)!;
    expect(view.summary.inputs.map((i) => [i.name, i.dims])).toEqual(net.inputs.map((i) => [i.name, i.dims]));
    const m = buildGraphModel(view.summary);
    expect(m.scopes.size).toBeGreaterThan(10);
    const g = visibleGraph(m, initialExpanded(m));
    expect(g.items.filter((it) => it.kind === 'node' || it.kind === 'scope').length).toBeLessThan(net.nodes.length / 4);
    const whole = visibleGraph(m, new Set(m.scopes.keys()));
    expect(whole.items.filter((it) => it.kind === 'node')).toHaveLength(m.drawn.length);
    // Every weight the body reads is found under its entry name.
    const reads = new Set(view.summary.nodes.flatMap((n) => n.inputs));
    for (const t of net.initializers) if (reads.has(`${prefix}${t.name}`)) expect(m.initByName.has(`${prefix}${t.name}`)).toBe(true);
    expect([...reads].some((v) => net.initializers.some((t) => t.name === v))).toBe(false);
  });

  it('notes what each body input and output stands for in the node that runs it', () => {
    const doc = (id: number) => {
      const v = bodySummary(main, id)!.summary;
      return { inputs: v.inputs.map((i) => [i.name, i.doc]), outputs: v.outputs.map((o) => [o.name, o.doc]) };
    };
    expect(doc(0)).toEqual({
      inputs: [
        ['xr', 'From the main graph (read inside this body without being passed in)'],
        ['trip', 'From the main graph (read inside this body without being passed in)'],
      ],
      outputs: [['then_out', "Becomes 'y', the output of branch"]],
    });
    expect(doc(1)).toEqual({
      inputs: [
        ['iter', 'Iteration number, counting from 0'],
        ['cond_in', 'Whether this iteration runs: true at first, then the previous iteration’s answer'],
        ['v_in', "Loop-carried: starts as 't2', then the previous iteration’s 'v_out'"],
        ['xr', 'From the main graph (read inside this body without being passed in)'],
        ['gain', 'From branch (then_branch) (read inside this body without being passed in)'],
      ],
      outputs: [
        ['cond_out', 'Whether to run another iteration'],
        ['v_out', "Loop-carried: the next iteration’s 'v_in'; after the last one, 'looped'"],
      ],
    });
    expect(doc(2)).toEqual({
      inputs: [
        ['row', "One slice of 'v_in' per iteration"],
        ['gain', 'From branch (then_branch) (read inside this body without being passed in)'],
      ],
      outputs: [['row_out', "Stacked over the iterations into 'scanned'"]],
    });
  });

  it('names the path to a body', () => {
    expect(bodyChain(main, 2).map((b) => bodyLabel(main, b))).toEqual(['branch (then_branch)', 'repeat (body)', 'rows (body)']);
    expect(bodyChain(main, 3).map((b) => bodyLabel(main, b))).toEqual(['branch (else_branch)']);
    expect(bodySummary(main, 9)).toBeUndefined();
    expect(bodyChain(main, 9)).toEqual([]);
  });
});
