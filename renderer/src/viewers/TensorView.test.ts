// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import type { TensorInfo } from '@contract/lab-api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setBackend } from '../api/client';
import { setLocale } from '../i18n';
import { fakeLab, info, range, type FakeLab } from './fake-lab';
import type { Value } from './tensor-utils';
import TensorView from './TensorView.vue';

const src = (name: string) => ({ runId: 'r1', side: 'output' as const, name });
let lab: FakeLab;

function view(tensor: TensorInfo, values: Value[], hex?: number[]) {
  lab = fakeLab({ [tensor.name]: { values, hex } });
  setBackend(lab);
  return mount(TensorView, { props: { tensor, source: src(tensor.name) } });
}

beforeEach(() => setLocale('en'));
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

  it('shows UINT8 images first, and float images after the table', async () => {
    const layouts: TensorInfo['imageLayouts'] = [{ layout: 'HWC', batch: 1, height: 2, width: 2, channels: 3 }];
    const u8 = view(info('img', 'UINT8', [2, 2, 3], { imageLayouts: layouts }), range(12));
    await flushPromises();
    expect(u8.findAll('[role=tab]').map((b) => b.text())).toEqual(['Image', 'Table', 'Heatmap', 'Histogram']);
    expect(u8.get('[data-testid=viewer-tab-image]').attributes('aria-selected')).toBe('true');
    expect(u8.find('[data-testid=image-view]').exists()).toBe(true);
    expect(lab.of('tensorImage')).toHaveLength(1);

    const f32 = view(info('img', 'FP32', [2, 2, 3], { imageLayouts: layouts }), range(12));
    await flushPromises();
    expect(f32.findAll('[role=tab]').map((b) => b.text())).toEqual(['Table', 'Heatmap', 'Histogram', 'Image']);
    expect(f32.find('[data-testid=number-table]').exists()).toBe(true);
    await f32.get('[data-testid=viewer-tab-image]').trigger('click');
    await flushPromises();
    expect(lab.of('tensorImage')).toHaveLength(1);
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
