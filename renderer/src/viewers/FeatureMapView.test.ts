// @vitest-environment happy-dom
/** The feature-map grid: one heatmap per channel, paged, per batch item, with statistics, a larger channel on click, errors per tile; and when TensorView offers it. */
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setBackend } from '../api/client';
import { setLocale } from '../i18n';
import { fakeLab, info, range, type FakeLab } from './fake-lab';
import FeatureMapView from './FeatureMapView.vue';
import TensorView from './TensorView.vue';
import { forgetViewPicks } from './view-memory';

const source = { runId: 'obs-1', side: 'edge' as const, name: 'conv' };
const stats = { count: 1, min: -1.5, max: 4, mean: 0.5, std: 1, nan: 0, inf: 0 };
let lab: FakeLab;

beforeEach(() => {
  setLocale('en');
  forgetViewPicks();
});
afterEach(() => setBackend(undefined));

function grid(shape: number[], opts: { fail?: boolean } = {}) {
  lab = fakeLab({ conv: { values: range(shape.reduce((a, b) => a * b, 1)) } }, opts.fail ? { fail: ['tensorHeatmap'] } : {});
  setBackend(lab);
  return mount(FeatureMapView, { props: { tensor: info('conv', 'FP32', shape, { stats }), source } });
}

describe('FeatureMapView', () => {
  it('draws a page of channels, each its own heatmap, and pages through the rest', async () => {
    const w = grid([1, 40, 4, 4]);
    await flushPromises();
    expect(w.findAll('[data-testid^=fmap-tile-]')).toHaveLength(32);
    expect(w.findAll('[data-testid^=fmap-tile-] img')).toHaveLength(32);
    expect(lab.of('tensorHeatmap').map((r) => r.fixed)).toEqual(range(32, (c) => [0, c] as never));
    expect(lab.of('tensorHeatmap').every((r) => r.maxSide === 64 && r.runId === 'obs-1' && r.side === 'edge')).toBe(true);
    expect(w.get('[data-testid=fmap-range]').text()).toBe('Channels 0–31 of 40');
    expect(w.get('[data-testid=fmap-stats]').text()).toContain('min-1.5');
    expect(w.get('[data-testid=fmap-prev]').attributes('disabled')).toBeDefined();

    lab.clear();
    await w.get('[data-testid=fmap-next]').trigger('click');
    await flushPromises();
    expect(w.findAll('[data-testid^=fmap-tile-]')).toHaveLength(8);
    expect(lab.of('tensorHeatmap').map((r) => (r.fixed as number[])[1])).toEqual([32, 33, 34, 35, 36, 37, 38, 39]);
    expect(w.get('[data-testid=fmap-range]').text()).toBe('Channels 32–39 of 40');
    expect(w.get('[data-testid=fmap-next]').attributes('disabled')).toBeDefined();
  });

  it('shows one channel larger on click, and another batch item on request', async () => {
    const w = grid([2, 3, 4, 4]);
    await flushPromises();
    expect(w.find('[data-testid=fmap-next]').exists()).toBe(false);
    await w.get('[data-testid=fmap-tile-2]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid=fmap-picked]').text()).toContain('Channel 2');
    expect(lab.of('tensorHeatmap').at(-1)!.fixed).toEqual([0, 2]);
    lab.clear();
    await w.get('[data-testid=fmap-batch]').setValue('1');
    await w.get('[data-testid=fmap-batch]').trigger('change');
    await flushPromises();
    expect(lab.of('tensorHeatmap').map((r) => r.fixed)).toEqual(
      expect.arrayContaining([
        [1, 0],
        [1, 1],
        [1, 2],
      ]),
    );
  });

  it('marks a channel that could not be drawn, with the reason', async () => {
    const w = grid([1, 2, 4, 4], { fail: true });
    await flushPromises();
    expect(w.get('[data-testid=fmap-tile-0]').attributes('title')).toBe('Channel 0 could not be drawn: tensorHeatmap failed');
    expect(w.find('[data-testid=fmap-tile-0] img').exists()).toBe(false);
  });
});

describe('TensorView and feature maps', () => {
  it('opens N×C×H×W tensors as feature maps first, unless they could be a picture', async () => {
    lab = fakeLab({ conv: { values: range(16 * 16) }, x: { values: range(3 * 256) } });
    setBackend(lab);
    const maps = mount(TensorView, { props: { tensor: info('conv', 'FP32', [1, 16, 4, 4], { stats }), source } });
    await flushPromises();
    expect(maps.find('[data-testid=feature-maps]').exists()).toBe(true);
    expect(maps.find('[data-testid=fmap-stats]').exists()).toBe(false);
    expect(maps.find('[data-testid=number-stats]').exists()).toBe(true);
    await maps.get('[data-testid=viewer-tab-table]').trigger('click');
    expect(maps.find('[data-testid=number-table]').exists()).toBe(true);
    const layouts = [{ layout: 'NCHW' as const, batch: 1, height: 16, width: 16, channels: 3 }];
    const picture = mount(TensorView, { props: { tensor: info('x', 'FP32', [1, 3, 16, 16], { stats, imageLayouts: layouts }), source: { ...source, name: 'x' } } });
    await flushPromises();
    expect(picture.find('[data-testid=image-view]').exists()).toBe(true);
    expect(picture.find('[data-testid=viewer-tab-feature-maps]').exists()).toBe(true);
    const flat = mount(TensorView, { props: { tensor: info('conv', 'FP32', [1, 16], { stats }), source } });
    expect(flat.find('[data-testid=viewer-tab-feature-maps]').exists()).toBe(false);
  });
});
