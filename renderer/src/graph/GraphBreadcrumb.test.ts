// @vitest-environment happy-dom
/** The breadcrumb, and opening bodies of the control-flow model through the Graph tab (node sidebar "Open", breadcrumb back). */
import { mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import type { GraphSummary } from '@contract/inspect-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setBackend } from '../api/client';
import { detail, fakeClient, io } from '../components/playground/test-support';
import { setLocale } from '../i18n';
import GraphBreadcrumb from './GraphBreadcrumb.vue';
import { emptySummary, graphNode } from './synthetic';
import fixture from './testing/control-flow.summary.json';
import { mountGraphPanel, settle } from './testing/mount-panel';

const main = fixture as unknown as GraphSummary;
let pinia: Pinia;
let wrapper: VueWrapper | undefined;

beforeEach(() => {
  setLocale('en');
  pinia = createPinia();
  setActivePinia(pinia);
});
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
  setBackend(undefined);
});

describe('GraphBreadcrumb', () => {
  it('shows the path to a nested body, each step above the current one going back', async () => {
    const w = mount(GraphBreadcrumb, { props: { summary: main, body: 2, outer: 1 } });
    expect(w.text()).toContain('main›branch (then_branch)›repeat (body)›rows (body)');
    expect(w.get('[data-testid=graph-crumb-current]').text()).toBe('rows (body)');
    expect(w.get('[data-testid=graph-crumb-outer]').text()).toBe('1 value from an enclosing graph shown as an input');
    const crumbs = w.findAll('[data-testid=graph-crumb]');
    expect(crumbs.map((c) => c.attributes('data-body'))).toEqual(['-1', '0', '1']);
    await crumbs[1]!.trigger('click');
    await crumbs[0]!.trigger('click');
    await w.get('[data-testid=graph-crumb-back]').trigger('click');
    expect(w.emitted('open')).toEqual([[0], [undefined], [1]]);
    // Alt+↑ goes up one level too.
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', altKey: true }));
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp' }));
    expect(w.emitted('open')).toEqual([[0], [undefined], [1], [1]]);
    w.unmount();
  });

  it('offers the bodies held by the shown graph, and in the main graph no way back', async () => {
    const w = mount(GraphBreadcrumb, { props: { summary: main } });
    expect(w.find('[data-testid=graph-crumb-back]').exists()).toBe(false);
    expect(w.get('[data-testid=graph-crumb-current]').text()).toBe('main');
    expect(w.get('[data-testid=graph-crumb-totals]').text()).toBe('the model: 4 subgraphs, 14 nodes inside them');
    const pick = w.get('[data-testid=graph-crumb-pick]');
    expect(pick.findAll('option').map((o) => o.text())).toEqual(['Subgraphs here (2)…', 'branch (then_branch): 4 nodes', 'branch (else_branch): 5 nodes']);
    await pick.setValue('3');
    expect(w.emitted('open')).toEqual([[3]]);
    setLocale('zh-CN');
    await w.setProps({ body: 0 });
    expect(w.text()).toContain('主图');
    expect(
      w
        .get('[data-testid=graph-crumb-pick]')
        .findAll('option')
        .map((o) => o.text()),
    ).toEqual(['此处的子图（1）…', 'repeat (body)：3 个节点']);
    w.unmount();
  });
});

describe('Graph tab with subgraphs', () => {
  it('draws a branch without nodes as the outer value passing straight to its output', async () => {
    const pass = (id: number, attribute: string) => ({
      id,
      parent: -1,
      node: 0,
      attribute,
      name: '',
      inputs: [],
      outputs: [{ name: 'x', dtype: 'FP32', dims: [2] }],
      nodes: [],
      initializers: [],
      valueTypes: {},
      outerInputs: ['x'],
    });
    const s = emptySummary({
      graphId: 'g-pass',
      inputs: [
        { name: 'x', dtype: 'FP32', dims: [2] },
        { name: 'c', dtype: 'BOOL', dims: [] },
      ],
      outputs: [{ name: 'y', dtype: 'FP32', dims: [2] }],
      nodes: [
        graphNode('gate', 'If', ['c'], ['y'], {
          attributes: [
            { name: 'then_branch', type: 'GRAPH', value: '0 nodes', subgraphNodes: 0, subgraphs: [0] },
            { name: 'else_branch', type: 'GRAPH', value: '0 nodes', subgraphNodes: 0, subgraphs: [1] },
          ],
        }),
      ],
      subgraphs: [pass(0, 'then_branch'), pass(1, 'else_branch')],
    });
    setBackend(fakeClient({ modelGraph: () => s, netronStatus: () => ({ available: false }) }));
    const det = detail('pass', 0, [io('x', 'FP32', [2], 0)], [io('y', 'FP32', [2], 0)]);
    wrapper = mountGraphPanel(det, pinia);
    const w = wrapper;
    await settle();
    await w.get('[data-testid=graph-crumb-pick]').setValue('1');
    await settle();
    expect(w.find('[data-testid=graph-empty]').exists()).toBe(false);
    expect(w.find('[data-testid=graph-input][data-name=x]').exists()).toBe(true);
    expect(w.get('[data-testid=graph-crumb-current]').text()).toBe('gate (else_branch)');
  });

  it('opens a branch from the If node, shows its nodes and outer inputs, then a nested body, and goes back', async () => {
    setBackend(fakeClient({ modelGraph: () => main, netronStatus: () => ({ available: false }) }));
    const det = detail('control_flow', 0, [io('x', 'FP32', [-1, 4], 0)], [io('out', 'FP32', [-1, 4], 0)]);
    wrapper = mountGraphPanel(det, pinia);
    const w = wrapper;
    await settle();
    const names = () => w.findAll('[data-testid=graph-node]').map((n) => n.attributes('data-name'));
    expect(names()).toEqual(['pre', 'branch', 'Softmax_2']);
    await w.get('[data-testid=graph-node][data-name=branch]').trigger('click');
    await settle();
    const open = w.findAll('[data-testid=graph-open-body]');
    expect(open.map((b) => b.attributes('data-body'))).toEqual(['3', '0']);
    await w.get('[data-testid=graph-open-body][data-body="0"]').trigger('click');
    await settle();
    expect(names()).toEqual(['project', 'bias', 'repeat', 'squash']);
    expect(w.get('[data-testid=graph-crumb-current]').text()).toBe('branch (then_branch)');
    expect(w.find('[data-testid=graph-input][data-name=xr]').exists()).toBe(true);
    expect(w.find('[data-testid=graph-input][data-name=trip]').exists()).toBe(true);
    expect(w.get('[data-testid=graph-crumb-outer]').text()).toContain('2 values');
    // Into the Loop's body, two levels down, and back one step, then to the main graph.
    await w.get('[data-testid=graph-crumb-pick]').setValue('1');
    await settle();
    expect(names()).toEqual(['keep_going', 'rows', 'residual']);
    expect(w.get('[data-testid=graph-breadcrumb]').text()).toContain('main›branch (then_branch)›repeat (body)');
    await w.get('[data-testid=graph-crumb-back]').trigger('click');
    await settle();
    expect(names()).toEqual(['project', 'bias', 'repeat', 'squash']);
    await w.get('[data-testid=graph-crumb][data-body="-1"]').trigger('click');
    await settle();
    expect(names()).toEqual(['pre', 'branch', 'Softmax_2']);
    // Find reaches into bodies: picking the Scan's Relu opens its body with the node selected.
    await w.get('[data-testid=graph-find-input]').setValue('relu');
    const found = w.findAll('[data-testid=graph-find-result]');
    expect(found.map((r) => r.text())).toEqual([expect.stringContaining('Relu in branch (then_branch) › repeat (body) › rows (body)')]);
    await found[0]!.trigger('mousedown');
    await settle();
    expect(names()).toEqual(['scale', 'relu']);
    expect(w.get('[data-testid=graph-sidebar-node] [data-testid=graph-node-name]').text()).toBe('relu');
  });
});

describe('coming back from a body', () => {
  it('finds the main graph with the scopes expanded or collapsed as they were left', async () => {
    const body = {
      id: 0,
      parent: -1,
      node: 2,
      attribute: 'then_branch',
      name: 'then',
      inputs: [],
      outputs: [{ name: 't', dtype: 'FP32' }],
      nodes: [graphNode('inner', 'Identity', ['x'], ['t'])],
      initializers: [],
      valueTypes: {},
      outerInputs: ['x'],
    };
    const s = emptySummary({
      inputs: [{ name: 'x', dtype: 'FP32', dims: [2] }],
      outputs: [{ name: 'y', dtype: 'FP32', dims: [2] }],
      nodes: [
        graphNode('/enc/relu', 'Relu', ['x'], ['a']),
        graphNode('/enc/neg', 'Neg', ['a'], ['c']),
        graphNode('/dec/if', 'If', ['c'], ['y'], { attributes: [{ name: 'then_branch', type: 'GRAPH', value: '1 nodes', subgraphs: [0] }] }),
      ],
      subgraphs: [body],
    });
    setBackend(fakeClient({ modelGraph: () => s, netronStatus: () => ({ available: false }) }));
    const det = detail('scoped', 0, [io('x', 'FP32', [2], 0)], [io('y', 'FP32', [2], 0)]);
    wrapper = mountGraphPanel(det, pinia);
    const w = wrapper;
    await settle();
    const scopes = () => w.findAll('[data-testid=graph-scope]').map((n) => n.attributes('data-scope'));
    expect(scopes()).toEqual([]);
    await w.get('[data-testid=graph-frame][data-scope=enc]').trigger('keydown.enter');
    await settle();
    expect(scopes()).toEqual(['enc']);
    await w.get('[data-testid=graph-crumb-pick]').setValue('0');
    await settle();
    expect(w.findAll('[data-testid=graph-node]').map((n) => n.attributes('data-name'))).toEqual(['inner']);
    await w.get('[data-testid=graph-crumb][data-body="-1"]').trigger('click');
    await settle();
    expect(scopes()).toEqual(['enc']);
  });
});
