// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import type { ImageLayout, RunResult } from '@contract/lab-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setBackend } from '../api/client';
import { setLocale } from '../i18n';
import { fakeLab, info, range, type FakeLab, type FakeOptions } from './fake-lab';
import ImageView from './ImageView.vue';

const src = { runId: 'r1', side: 'output' as const, name: 'img' };
const HWC: ImageLayout = { layout: 'HWC', batch: 1, height: 3, width: 4, channels: 3 };
const CHW: ImageLayout = { layout: 'CHW', batch: 1, height: 4, width: 3, channels: 3 };

let lab: FakeLab;

function setup(layouts: ImageLayout[], values = range(36), opts: FakeOptions = {}, extra: Record<string, unknown> = {}): VueWrapper {
  lab = fakeLab({ img: { values }, boxes: { values: [] }, ...(extra.tensors as Record<string, { values: number[] }>) }, opts);
  setBackend(lab);
  const shape = extra.shape as number[] | undefined;
  const dtype = (extra.dtype as 'UINT8' | 'FP32' | undefined) ?? 'UINT8';
  return mount(ImageView, { props: { tensor: info('img', dtype, shape ?? [3, 4, 3], { imageLayouts: layouts }), source: src, hoverDelay: 0, boxes: extra.boxes as never } });
}

async function hover(w: VueWrapper, clientX: number, clientY: number): Promise<void> {
  await w.get('[data-testid=image-stage]').trigger('mousemove', { clientX, clientY });
  await new Promise((r) => setTimeout(r, 5));
  await flushPromises();
}

beforeEach(() => setLocale('en'));
afterEach(() => setBackend(undefined));

describe('image viewer: orientation', () => {
  it('asks for the layout chosen, HWC or CHW', async () => {
    const w = setup([HWC, CHW]);
    await flushPromises();
    expect(lab.of('tensorImage')).toEqual([{ ...src, layout: 'HWC', order: 'RGB' }]);
    await w.get('[data-testid=image-layout]').setValue('1');
    await flushPromises();
    expect(lab.of('tensorImage').at(-1)).toEqual({ ...src, layout: 'CHW', order: 'RGB' });
    expect(w.get('[data-testid=image-img]').attributes('src')).toBe('data:image/png;base64,iVBORw0KGgo=');
  });

  it('reads a hovered HWC pixel as one range of its channels', async () => {
    const w = setup([HWC]);
    await flushPromises();
    await w.get('[data-testid=image-zoom-1]').trigger('click');
    lab.clear();
    await hover(w, 2.5, 1.5);
    expect(lab.of('tensorPage')).toEqual([{ ...src, offset: 18, count: 3 }]);
    expect(w.get('[data-testid=image-readout]').text()).toBe('2, 1: [18, 19, 20]');
  });

  it('reads a hovered CHW pixel from each channel plane', async () => {
    const w = setup([CHW], range(36), { image: { width: 3, height: 4 } });
    await flushPromises();
    await w.get('[data-testid=image-zoom-1]').trigger('click');
    lab.clear();
    await hover(w, 2.2, 1.9);
    expect(lab.of('tensorPage').map((r) => [r.offset, r.count])).toEqual([
      [5, 1],
      [17, 1],
      [29, 1],
    ]);
    expect(w.get('[data-testid=image-readout]').text()).toBe('2, 1: [5, 17, 29]');
  });

  it('maps the pointer through the zoom, and reads pixels with the keyboard', async () => {
    const w = setup([HWC]);
    await flushPromises();
    await w.get('[data-testid=image-zoom-4]').trigger('click');
    const stage = w.get('[data-testid=image-stage]');
    expect(stage.attributes('style')).toContain('width: 16px');
    expect(stage.classes()).toContain('pixelated');
    lab.clear();
    await hover(w, 13, 9); // (3, 2) at 4×
    expect(lab.of('tensorPage')).toEqual([{ ...src, offset: 33, count: 3 }]);
    await stage.trigger('mouseleave');
    lab.clear();
    await stage.trigger('keydown', { key: 'ArrowRight' });
    await stage.trigger('keydown', { key: 'ArrowDown' });
    await new Promise((r) => setTimeout(r, 5));
    await flushPromises();
    expect(lab.of('tensorPage').at(-1)).toEqual({ ...src, offset: 15, count: 3 });
    expect(w.get('[data-testid=image-readout]').text()).toBe('1, 1: [15, 16, 17]');
  });

  it('pages through a batch and reads pixels of the image shown', async () => {
    const NCHW: ImageLayout = { layout: 'NCHW', batch: 2, height: 2, width: 2, channels: 3 };
    const w = setup([NCHW], range(24), { image: { width: 2, height: 2 } }, { shape: [2, 3, 2, 2] });
    await flushPromises();
    expect(lab.of('tensorImage')[0]).toMatchObject({ layout: 'NCHW', batchIndex: 0 });
    expect(w.get('[data-testid=image-batch-prev]').attributes('disabled')).toBeDefined();
    await w.get('[data-testid=image-batch-next]').trigger('click');
    await flushPromises();
    expect(lab.of('tensorImage').at(-1)).toMatchObject({ layout: 'NCHW', batchIndex: 1 });
    await w.get('[data-testid=image-zoom-1]').trigger('click');
    lab.clear();
    await hover(w, 1.5, 1.5);
    expect(lab.of('tensorPage').map((r) => r.offset)).toEqual([15, 19, 23]);
  });

  it('sends the channel order for 3-channel images only', async () => {
    const w = setup([HWC]);
    await flushPromises();
    await w.get('[data-testid=image-order-BGR]').trigger('click');
    await flushPromises();
    expect(lab.of('tensorImage').at(-1)).toMatchObject({ order: 'BGR' });
    const gray = setup([{ layout: 'HW', batch: 1, height: 3, width: 4, channels: 1 }], range(12), {}, { shape: [3, 4] });
    await flushPromises();
    expect(gray.find('[data-testid=image-order-BGR]').exists()).toBe(false);
    expect(lab.of('tensorImage')[0]).toEqual({ ...src, layout: 'HW' });
  });
});

describe('image viewer: value range', () => {
  const floats = range(36, (i) => -1 + (2 * i) / 35);

  it('shows the range the engine used in auto mode', async () => {
    const w = setup([HWC], floats, {}, { dtype: 'FP32' });
    await flushPromises();
    expect(lab.of('tensorImage')[0]!.range).toBeUndefined();
    expect(w.get('[data-testid=image-range-shown]').text()).toContain('-1 → black, 1 → white');
  });

  it('sends a manual range, refuses an empty one, and goes back to auto', async () => {
    const w = setup([HWC], floats, {}, { dtype: 'FP32' });
    await flushPromises();
    await w.get('[data-testid=image-range-manual]').trigger('click');
    await flushPromises();
    expect(lab.of('tensorImage').at(-1)!.range).toEqual([-1, 1]);
    await w.get('[data-testid=image-range-min]').setValue('-0.5');
    await w.get('[data-testid=image-range-max]').setValue('0.5');
    await flushPromises();
    expect(lab.of('tensorImage').at(-1)!.range).toEqual([-0.5, 0.5]);
    expect(w.get('[data-testid=image-range-shown]').text()).toContain('-0.5 → black, 0.5 → white');
    const before = lab.of('tensorImage').length;
    await w.get('[data-testid=image-range-min]').setValue('2');
    await flushPromises();
    expect(w.text()).toContain('min below max');
    expect(lab.of('tensorImage')).toHaveLength(before);
    await w.get('[data-testid=image-range-auto]').trigger('click');
    await flushPromises();
    expect(lab.of('tensorImage').at(-1)!.range).toBeUndefined();
  });
});

describe('image viewer: box overlays', () => {
  it('draws [N, 4, 2] corner boxes over the image, in its pixel space', async () => {
    const quads = [0, 0, 2, 0, 2, 1, 0, 1, 1, 1, 3, 1, 3, 2, 1, 2];
    const w = setup([HWC], range(36), {}, { tensors: { boxes: { values: quads } }, boxes: { runId: 'r1', side: 'output', name: 'boxes', shape: [2, 4, 2] } });
    await flushPromises();
    expect(lab.of('tensorPage')).toEqual([{ runId: 'r1', side: 'output', name: 'boxes', offset: 0, count: 16 }]);
    const svg = w.get('[data-testid=image-overlay]');
    expect(svg.attributes('viewBox')).toBe('0 0 4 3');
    expect(svg.findAll('polygon').map((p) => p.attributes('points'))).toEqual(['0,0 2,0 2,1 0,1', '1,1 3,1 3,2 1,2']);
    expect(w.text()).toContain('Boxes (2)');
    await w.get('[data-testid=image-boxes-toggle]').setValue(false);
    expect(w.find('[data-testid=image-overlay]').exists()).toBe(false);
  });

  it('looks up the shape of [N, 4] boxes in the run history', async () => {
    const run = { runId: 'r1', outputs: [{ name: 'boxes', shape: [1, 4] }], inputs: [] } as unknown as RunResult;
    const w = setup([HWC], range(36), { runs: [run] }, { tensors: { boxes: { values: [1, 0.5, 3, 2.5] } }, boxes: { runId: 'r1', side: 'output', name: 'boxes' } });
    await flushPromises();
    expect(lab.of('listRuns')).toHaveLength(1);
    expect(w.get('[data-testid=image-overlay] polygon').attributes('points')).toBe('1,0.5 3,0.5 3,2.5 1,2.5');
  });

  it('says when the boxes tensor has a shape it cannot draw', async () => {
    const w = setup([HWC], range(36), {}, { tensors: { boxes: { values: [1, 2, 3] } }, boxes: { runId: 'r1', side: 'output', name: 'boxes', shape: [1, 3] } });
    await flushPromises();
    expect(w.get('[data-testid=image-boxes-error]').text()).toContain('[1, 3]');
  });
});

describe('image viewer: image files inside a tensor', () => {
  const ENCODED: ImageLayout = { layout: 'ENCODED', batch: 2, height: 4, width: 4, channels: 3 };

  it('asks for the decoded file, browses the batch, and reads no values on hover', async () => {
    const w = setup([ENCODED], range(36), { image: { width: 4, height: 4 } }, { shape: [2, 18] });
    await flushPromises();
    expect(lab.of('tensorImage')).toEqual([{ ...src, layout: 'ENCODED', batchIndex: 0 }]);
    expect(w.get('[data-testid=image-layout-fixed]').text()).toBe('Image files · 4×4 · 2 in the batch');
    expect(w.find('[data-testid=image-range-auto]').exists()).toBe(false);
    expect(w.find('[data-testid=image-order-RGB]').exists()).toBe(false);
    await w.get('[data-testid=image-batch-next]').trigger('click');
    await flushPromises();
    expect(lab.of('tensorImage').at(-1)).toEqual({ ...src, layout: 'ENCODED', batchIndex: 1 });
    await w.get('[data-testid=image-zoom-1]').trigger('click');
    lab.clear();
    await hover(w, 1.5, 2.5);
    expect(lab.of('tensorPage')).toEqual([]);
    expect(w.get('[data-testid=image-readout]').text()).toContain('1, 2 (an image file');
  });
});
