// @vitest-environment happy-dom
import { type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setBackend } from '../api/client';
import { detail, fakeClient, io } from '../components/playground/test-support';
import { setLocale } from '../i18n';
import { useGraphStore } from '../stores/graph';
import { maskedTransformer } from './layout-test-support';
import { emptySummary, graphNode } from './synthetic';
import { readViewPrefs, viewPrefs, wheelZooms } from './view-prefs';
import { mountGraphPanel, settle } from './testing/mount-panel';

const det = detail('text_detection', 0, [io('x', 'FP32', [1, 3, -1, -1], 0)], [io('y', 'FP32', [1, 1, -1, -1], 0)]);
let pinia: Pinia;
let wrapper: VueWrapper | undefined;

async function open(summary: () => unknown): Promise<VueWrapper> {
  setBackend(fakeClient({ modelGraph: summary, netronStatus: () => ({ available: false }) }));
  wrapper = mountGraphPanel(det, pinia);
  await settle();
  return wrapper;
}

/** A paddle2onnx-style graph: every node in the one scope `p2o`. */
const paddle = () =>
  emptySummary({
    repoId: det.repoId,
    inputs: [{ name: 'x', dtype: 'FP32', dims: [1, 8] }],
    outputs: [{ name: 'c', dtype: 'FP32', dims: [1, 8] }],
    nodes: [graphNode('p2o.Relu.0', 'Relu', ['x'], ['a']), graphNode('p2o.Relu.1', 'Relu', ['a'], ['b']), graphNode('p2o.Sigmoid.0', 'Sigmoid', ['b'], ['c'])],
  });

/** The view's transform, and where an element's box centre is on screen. */
function view(w: VueWrapper): { tx: number; ty: number; k: number } {
  const m = /translate\(([-\d.e]+) ([-\d.e]+)\) scale\(([-\d.e]+)\)/.exec(w.get('svg > g').attributes('transform')!)!;
  return { tx: Number(m[1]), ty: Number(m[2]), k: Number(m[3]) };
}
function screenCentre(w: VueWrapper, sel: string): { x: number; y: number } {
  const el = w.get(sel);
  const [x, y] = /translate\(([-\d.e]+) ([-\d.e]+)\)/.exec(el.attributes('transform')!)!.slice(1).map(Number) as [number, number];
  const width = Number(el.get('rect').attributes('width'));
  const height = Number(el.get('rect').attributes('height'));
  const v = view(w);
  return { x: (x + width / 2) * v.k + v.tx, y: (y + height / 2) * v.k + v.ty };
}

beforeEach(() => {
  setLocale('en');
  localStorage.clear();
  Object.assign(viewPrefs, readViewPrefs(null));
  pinia = createPinia();
  setActivePinia(pinia);
});
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
  setBackend(undefined);
});

describe('graph navigation', () => {
  it('offers Expand all / Collapse all only when there are scopes to open or close', async () => {
    const w = await open(paddle);
    expect(w.findAll('[data-testid=graph-node]')).toHaveLength(3);
    expect(w.find('[data-testid=graph-expand-all]').exists()).toBe(false);
    expect(w.find('[data-testid=graph-collapse-all]').exists()).toBe(false);
  });

  it('keeps the selection centred when everything expands or collapses', { timeout: 30_000 }, async () => {
    const w = await open(() => ({ ...maskedTransformer(1_000), repoId: det.repoId }));
    const target = '/model/layers.0/attn/Softmax';
    await w.get('[data-testid=graph-find-input]').setValue(target);
    await w.get('[data-testid=graph-find-result]').trigger('mousedown');
    await settle();
    // Pan far away, then expand all: the selection comes back to the middle.
    await w.get('[data-testid=graph-canvas]').trigger('wheel', { deltaY: 5000 });
    await w.get('[data-testid=graph-expand-all]').trigger('click');
    await settle();
    const c = screenCentre(w, `[data-testid=graph-node][data-name="${target}"]`);
    expect(Math.abs(c.x - 400)).toBeLessThan(2);
    expect(Math.abs(c.y - 300)).toBeLessThan(2);
    await w.get('[data-testid=graph-collapse-all]').trigger('click');
    await settle();
    // Collapsed, the selection is inside the layers.0 box, which takes its place in the middle.
    const box = screenCentre(w, '[data-testid=graph-scope][data-scope="model/layers.0"]');
    expect(Math.abs(box.x - 400)).toBeLessThan(2);
    expect(Math.abs(box.y - 300)).toBeLessThan(2);
  });

  it('scrolls with the wheel and zooms with Ctrl+wheel, or the other way round when set so', async () => {
    const w = await open(paddle);
    const canvas = w.get('[data-testid=graph-canvas]');
    const before = view(w);
    await canvas.trigger('wheel', { deltaY: 100 });
    expect(view(w)).toEqual({ ...before, ty: before.ty - 100 });
    await canvas.trigger('wheel', { deltaY: -100, ctrlKey: true });
    expect(view(w).k).toBeGreaterThan(before.k);
    await w.get('[data-testid=graph-wheel]').setValue('zoom');
    const k = view(w).k;
    await canvas.trigger('wheel', { deltaY: 100 });
    expect(view(w).k).toBeLessThan(k);
    expect(JSON.parse(localStorage.getItem('model-lab.graph-view')!)).toMatchObject({ wheel: 'zoom' });
    expect(wheelZooms({ ctrlKey: true, metaKey: false }, 'zoom')).toBe(false);
  });

  it('has back, forward and close in the sidebar; Esc closes it and the choice is remembered', async () => {
    const w = await open(paddle);
    const store = useGraphStore();
    await w.get('[data-testid=graph-node][data-name="p2o.Relu.0"]').trigger('click');
    await w.get('[data-testid=graph-node][data-name="p2o.Sigmoid.0"]').trigger('click');
    expect(store.selection).toEqual({ kind: 'node', name: 'p2o.Sigmoid.0' });
    await w.get('[data-testid=graph-back]').trigger('click');
    expect(store.selection).toEqual({ kind: 'node', name: 'p2o.Relu.0' });
    await w.get('[data-testid=graph-back]').trigger('click');
    expect(store.selection).toEqual({ kind: 'model' });
    expect(w.get('[data-testid=graph-back]').attributes('disabled')).toBeDefined();
    await w.get('[data-testid=graph-forward]').trigger('click');
    expect(store.selection).toEqual({ kind: 'node', name: 'p2o.Relu.0' });
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', altKey: true }));
    expect(store.selection).toEqual({ kind: 'node', name: 'p2o.Sigmoid.0' });
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', altKey: true }));
    expect(store.selection).toEqual({ kind: 'node', name: 'p2o.Relu.0' });
    await w.get('[data-testid=graph-close-sidebar]').trigger('click');
    expect(w.find('[data-testid=graph-sidebar]').exists()).toBe(false);
    expect(readViewPrefs(localStorage.getItem('model-lab.graph-view')).sidebarHidden).toBe(true);
    // Choosing a node brings it back; Esc closes it again.
    await w.get('[data-testid=graph-node][data-name="p2o.Relu.1"]').trigger('click');
    expect(w.find('[data-testid=graph-sidebar]').exists()).toBe(true);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await settle();
    expect(w.find('[data-testid=graph-sidebar]').exists()).toBe(false);
  });

  it('opens another graph on the same canvas at its own first view, not at the old pan', async () => {
    const w = await open(paddle);
    const first = view(w);
    await w.get('[data-testid=graph-canvas]').trigger('wheel', { deltaY: 4000 });
    expect(view(w).ty).toBe(first.ty - 4000);
    // A different graph (as when a subgraph body opens) while the canvas stays mounted.
    useGraphStore().summary = { ...paddle(), graphId: 'g2' };
    await settle();
    expect(view(w)).toEqual(first);
  });

  it('puts the canvas over the whole window and hides the repository tree, remembered', async () => {
    const w = await open(paddle);
    await w.get('[data-testid=graph-full-window]').trigger('click');
    expect(w.get('[data-testid=graph-panel]').classes()).toContain('full-window');
    await w.get('[data-testid=graph-toggle-tree]').trigger('click');
    expect(readViewPrefs(localStorage.getItem('model-lab.graph-view'))).toMatchObject({ fullWindow: true, treeHidden: true });
    expect(readViewPrefs('{"fullWindow":"yes","wheel":"sideways"}')).toEqual({ fullWindow: false, sidebarHidden: false, treeHidden: false, wheel: 'scroll' });
  });
});

describe('toggling one scope', () => {
  it('keeps the scope where it was on screen, expanded and collapsed again', { timeout: 30_000 }, async () => {
    const w = await open(() => ({ ...maskedTransformer(1_000), repoId: det.repoId }));
    const sel = '[data-testid=graph-scope][data-scope="model/layers.1/attn"]';
    const before = screenCentre(w, sel);
    await w.get(sel).trigger('click');
    await settle();
    // Expanded: its first node sits where the box was.
    const first = screenCentre(w, '[data-testid=graph-node][data-name="/model/layers.1/attn/q_proj/MatMul"]');
    expect(Math.abs(first.x - before.x)).toBeLessThan(2);
    expect(Math.abs(first.y - before.y)).toBeLessThan(2);
    await w.get('[data-testid=graph-frame][data-scope="model/layers.1/attn"]').trigger('click');
    await settle();
    const after = screenCentre(w, sel);
    expect(Math.abs(after.x - first.x)).toBeLessThan(2);
    expect(Math.abs(after.y - first.y)).toBeLessThan(2);
  });
});
