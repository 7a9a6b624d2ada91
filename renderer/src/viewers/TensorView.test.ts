// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import type { TensorInfo } from '@contract/lab-api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setBackend } from '../api/client';
import { setLocale } from '../i18n';
import { fakeLab, info, range, type FakeLab } from './fake-lab';
import type { Value } from './tensor-utils';
import TensorView from './TensorView.vue';
import { forgetViewPicks } from './view-memory';

const src = (name: string) => ({ runId: 'r1', side: 'output' as const, name });
let lab: FakeLab;

function view(tensor: TensorInfo, values: Value[], hex?: number[]) {
  lab = fakeLab({ [tensor.name]: { values, hex } });
  setBackend(lab);
  return mount(TensorView, { props: { tensor, source: src(tensor.name) } });
}

beforeEach(() => {
  setLocale('en');
  forgetViewPicks();
});
afterEach(() => {
  setBackend(undefined);
  vi.restoreAllMocks();
});

describe('TensorView', () => {
  it('shows the facts of the tensor in its header', async () => {
    const w = view(
      info('probs', 'FP32', [1, 1000], { byteSize: 4000 }),
      range(1000, (i) => i / 1000),
    );
    await flushPromises();
    expect(w.get('[data-testid=tensor-dtype]').text()).toBe('FP32');
    expect(w.get('[data-testid=tensor-shape]').text()).toBe('[1, 1000]');
    expect(w.get('[data-testid=tensor-elements]').text()).toBe('1,000 elements');
    expect(w.get('[data-testid=tensor-bytes]').text()).toBe('3.91 KiB');
  });

  it('picks the viewer by datatype', async () => {
    expect(
      view(info('s', 'BYTES', [2]), ['a', 'b'])
        .find('[data-testid=strings-view]')
        .exists(),
    ).toBe(true);
    expect(
      view(info('b', 'BOOL', [2], { trueCount: 1 }), [true, false])
        .find('[data-testid=bool-view]')
        .exists(),
    ).toBe(true);
    const n = view(info('n', 'INT64', [3]), [1, '9007199254740993', 3]);
    await flushPromises();
    expect(n.find('[data-testid=number-view]').exists()).toBe(true);
    expect(n.get('[data-testid=number-table]').text()).toContain('9007199254740993');
    expect(n.find('[data-testid=viewer-tab-image]').exists()).toBe(false);
  });

  it('opens pictures as images: UINT8, and FP32 in 0…1 at its stored range; tiny ones as tables', async () => {
    const layouts: TensorInfo['imageLayouts'] = [{ layout: 'HWC', batch: 1, height: 8, width: 8, channels: 3 }];
    const u8 = view(info('img', 'UINT8', [8, 8, 3], { imageLayouts: layouts, stats: { count: 192, min: 0, max: 191, mean: 95, std: 55, nan: 0, inf: 0 } }), range(192));
    await flushPromises();
    expect(u8.findAll('[role=tab]').map((b) => b.text())).toEqual(['Image', 'Heatmap', 'Table', 'Histogram']);
    expect(u8.get('[data-testid=viewer-tab-image]').attributes('aria-selected')).toBe('true');
    expect(lab.of('tensorImage')).toEqual([{ ...src('img'), layout: 'HWC', order: 'RGB', range: [0, 255] }]);

    const f32 = view(
      info('img', 'FP32', [8, 8, 3], { imageLayouts: layouts, stats: { count: 192, min: 0, max: 1, mean: 0.5, std: 0.3, nan: 0, inf: 0 } }),
      range(192, (i) => i / 191),
    );
    await flushPromises();
    expect(f32.findAll('[role=tab]')[0]!.text()).toBe('Image');
    expect(lab.of('tensorImage')).toEqual([{ ...src('img'), layout: 'HWC', order: 'RGB', range: [0, 1] }]);
    expect(f32.get('[data-testid=image-range-stored]').text()).toBe('As stored (0…1)');
    expect(f32.find('[data-testid=image-normalized-note]').exists()).toBe(false);

    const tiny = view(info('img', 'FP32', [2, 2, 3], { imageLayouts: [{ layout: 'HWC', batch: 1, height: 2, width: 2, channels: 3 }] }), range(12));
    await flushPromises();
    expect(tiny.findAll('[role=tab]').map((b) => b.text())).toEqual(['Table', 'Image', 'Heatmap', 'Histogram']);
    expect(tiny.find('[data-testid=number-table]').exists()).toBe(true);
    expect(lab.of('tensorImage')).toHaveLength(0);
  });

  it('shows float pictures outside 0…1 and 0…255 normalized, with a note', async () => {
    const layouts: TensorInfo['imageLayouts'] = [{ layout: 'NCHW', batch: 1, height: 16, width: 16, channels: 3 }];
    const w = view(
      info('pix', 'FP32', [1, 3, 16, 16], { imageLayouts: layouts, stats: { count: 768, min: -2.1, max: 2.6, mean: 0, std: 1, nan: 0, inf: 0 } }),
      range(768, (i) => i / 100 - 2.1),
    );
    await flushPromises();
    expect(w.findAll('[role=tab]').map((b) => b.text())).toEqual(['Image', 'Heatmap', 'Feature maps', 'Table', 'Histogram']);
    expect(lab.of('tensorImage')).toEqual([{ ...src('pix'), layout: 'NCHW', batchIndex: 0, order: 'RGB' }]);
    expect(w.get('[data-testid=image-normalized-note]').text()).toContain('Values run from -2.1 to 2.6');
    expect(w.find('[data-testid=image-range-stored]').exists()).toBe(false);
  });

  it('opens a [1,1,H,W] float map as a heatmap of H × W, a classifier as a plot', async () => {
    const map = view(
      info('prob', 'FP32', [1, 1, 16, 24], {
        imageLayouts: [{ layout: 'NCHW', batch: 1, height: 16, width: 24, channels: 1 }],
        stats: { count: 384, min: 0, max: 1, mean: 0.2, std: 0.1, nan: 0, inf: 0 },
      }),
      range(384, (i) => (i % 7) / 7),
    );
    await flushPromises();
    expect(map.findAll('[role=tab]')[0]!.text()).toBe('Heatmap');
    expect(lab.of('tensorHeatmap')).toEqual([{ ...src('prob'), fixed: [0, 0], axes: [2, 3], maxSide: 256 }]);
    expect(map.get('[data-testid=slice-rows]').text()).toContain('height (axis 2)');
    expect(map.get('[data-testid=slice-size]').text()).toBe('16 × 24');
    // The fake engine answers a 2 × 3 grid (540 × 360 px, 180 px a cell): (400, 200) is height 1, width 2, element 26.
    await map.get('[data-testid=heatmap-stage]').trigger('mousemove', { clientX: 400, clientY: 200 });
    await new Promise((r) => setTimeout(r, 80));
    await flushPromises();
    expect(lab.of('tensorPage').at(-1)).toEqual({ ...src('prob'), offset: 26, count: 1 });
    expect(map.get('[data-testid=heatmap-readout]').text()).toBe('height 1, width 2: 0.714286');

    const cls = view(
      info('logits', 'FP32', [1, 1000], { stats: { count: 1000, min: 0, max: 999, mean: 500, std: 1, nan: 0, inf: 0 } }),
      range(1000, (i) => (i === 417 ? 50 : i % 10)),
    );
    await flushPromises();
    expect(cls.findAll('[role=tab]').map((b) => b.text())).toEqual(['Plot', 'Table', 'Histogram']);
    expect(cls.get('[data-testid=plot-top]').text()).toContain('index 417: 50');
  });

  it('remembers the view a user picks for a tensor name, not the automatic one', async () => {
    const t = info('logits', 'FP32', [1, 1000], { stats: { count: 1000, min: 0, max: 1, mean: 0.5, std: 0.1, nan: 0, inf: 0 } });
    const first = view(t, range(1000));
    await flushPromises();
    await first.get('[data-testid=viewer-tab-histogram]').trigger('click');
    // The tabs keep their order while the user clicks through them.
    expect(first.findAll('[role=tab]').map((b) => b.text())).toEqual(['Plot', 'Table', 'Histogram']);
    const again = view(t, range(1000));
    await flushPromises();
    expect(again.findAll('[role=tab]').map((b) => b.text())).toEqual(['Histogram', 'Plot', 'Table']);
    expect(again.find('[data-testid=histogram-view]').exists()).toBe(true);
    const other = view({ ...t, name: 'other' }, range(1000));
    await flushPromises();
    expect(other.findAll('[role=tab]')[0]!.text()).toBe('Plot');
  });

  it('shows the tab names in 简体中文', async () => {
    setLocale('zh-CN');
    const w = view(info('logits', 'FP32', [1, 1000], { stats: { count: 1000, min: 0, max: 1, mean: 0.5, std: 0.1, nan: 0, inf: 0 } }), range(1000));
    await flushPromises();
    expect(w.findAll('[role=tab]').map((b) => b.text())).toEqual(['折线图', '表格', '直方图']);
    expect(w.get('[data-testid=plot-readout]').text()).toBe('将指针移到图上即可读取数值。');
  });

  it('has an empty state for tensors without elements', () => {
    const w = view(info('none', 'BYTES', [0]), []);
    expect(w.text()).toContain('No elements');
    expect(w.text()).toContain('[0]');
    expect(lab.calls).toHaveLength(0);
  });

  it('downloads exports through an object URL and <a download>', async () => {
    const blobs: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => (blobs.push(b as Blob), 'blob:lab/1'));
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    const clicked: { download: string; href: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ download: this.download, href: this.getAttribute('href') ?? '' });
    });
    const w = view(info('probs', 'FP32', [3]), [1, 2, 3]);
    await w.get('[data-testid=export-json]').trigger('click');
    await flushPromises();
    expect(lab.of('exportTensor')).toEqual([{ ...src('probs'), format: 'json' }]);
    expect(clicked).toEqual([{ download: 'probs.json', href: 'blob:lab/1' }]);
    expect(blobs[0]!.type).toBe('application/json');
    expect(await blobs[0]!.text()).toBe('{"data":[1]}');
    await w.get('[data-testid=export-npy]').trigger('click');
    await flushPromises();
    expect(clicked.at(-1)!.download).toBe('probs.npy');
    expect(document.querySelectorAll('a[download]')).toHaveLength(0);
  });

  it('shows a failed export in place', async () => {
    lab = fakeLab({ t: { values: [1] } }, { fail: ['exportTensor'] });
    setBackend(lab);
    const w = mount(TensorView, { props: { tensor: info('t', 'FP32', [1]), source: src('t') } });
    await w.get('[data-testid=export-npy]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid=export-error]').text()).toContain('exportTensor failed');
  });

  it('shows a failed page in place, and retries', async () => {
    lab = fakeLab({ t: { values: [1, 2] } }, { fail: ['tensorPage'] });
    setBackend(lab);
    const w = mount(TensorView, { props: { tensor: info('t', 'FP32', [2]), source: src('t') } });
    await flushPromises();
    expect(w.get('[data-testid=viewer-error]').text()).toContain('tensorPage failed');
    const ok = fakeLab({ t: { values: [1.5, 2] } });
    setBackend(ok);
    await w.get('[data-testid=viewer-error] button').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid=viewer-error]').exists()).toBe(false);
    expect(w.get('[data-testid=number-table]').text()).toContain('1.5');
  });

  it('sends only the reference in requests, and refetches for a new run', async () => {
    lab = fakeLab({ t: { values: [1, 2] } });
    setBackend(lab);
    const w = mount(TensorView, { props: { tensor: info('t', 'INT32', [2]), source: { ...src('t'), extra: 'x' } as never } });
    await flushPromises();
    expect(lab.of('tensorPage')).toEqual([{ ...src('t'), offset: 0, count: 2 }]);
    await w.setProps({ source: { runId: 'r2', side: 'output', name: 't' } });
    await flushPromises();
    expect(lab.of('tensorPage').at(-1)).toMatchObject({ runId: 'r2' });
  });
});
