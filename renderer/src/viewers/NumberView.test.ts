// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setBackend } from '../api/client';
import { setLocale } from '../i18n';
import { fakeLab, info, range, type FakeLab } from './fake-lab';
import HeatmapView from './HeatmapView.vue';
import NumberTable from './NumberTable.vue';
import NumberView from './NumberView.vue';
import { forgetViewPicks } from './view-memory';

const src = (name: string) => ({ runId: 'r1', side: 'output' as const, name });
const stats = { count: 120, min: 0, max: 59.5, mean: 29.75, std: 17.3205, nan: 0, inf: 0 };
let lab: FakeLab;

function rank4() {
  lab = fakeLab({ x: { values: range(120, (i) => i * 0.5) } });
  setBackend(lab);
  return mount(NumberView, { props: { tensor: info('x', 'FP32', [2, 3, 4, 5], { stats }), source: src('x') } });
}

beforeEach(() => {
  setLocale('en');
  forgetViewPicks();
});
afterEach(() => setBackend(undefined));

describe('number viewer: stats', () => {
  it('shows min/max/mean/std and highlights NaN and Inf counts', async () => {
    lab = fakeLab({ y: { values: [1, 'NaN', 'Infinity', 2] } });
    setBackend(lab);
    const w = mount(NumberView, { props: { tensor: info('y', 'FP32', [4], { stats: { count: 2, min: 1, max: 2, mean: 1.5, std: 0.5, nan: 1, inf: 1 } }), source: src('y') } });
    await flushPromises();
    const s = w.get('[data-testid=number-stats]').text();
    expect(s).toContain('min1');
    expect(s).toContain('mean1.5');
    expect(w.get('[data-testid=stat-nan]').classes()).toContain('alarm');
    expect(w.get('[data-testid=stat-inf]').classes()).toContain('alarm');
    const cells = w.findAll('[data-testid=table-row] td');
    expect(cells.map((c) => c.text())).toEqual(['1', 'NaN', 'Inf', '2']);
    expect(cells[1]!.classes()).toContain('nonfinite');
    const quiet = rank4();
    await flushPromises();
    expect(quiet.get('[data-testid=stat-nan]').classes()).not.toContain('alarm');
  });
});

describe('number viewer: table', () => {
  it('slices a rank-4 tensor: leading indices pick the rows × columns fetched', async () => {
    const w = rank4();
    await flushPromises();
    expect(lab.of('tensorPage')).toEqual([{ ...src('x'), offset: 0, count: 20 }]);
    await w.get('[data-testid=axis-0]').setValue('1');
    await flushPromises();
    expect(lab.of('tensorPage').at(-1)).toEqual({ ...src('x'), offset: 60, count: 20 });
    await w.get('[data-testid=axis-1]').setValue('2');
    await flushPromises();
    expect(lab.of('tensorPage').at(-1)).toEqual({ ...src('x'), offset: 100, count: 20 });
    const rows = w.findAll('[data-testid=table-row]');
    expect(rows).toHaveLength(4);
    expect(rows[0]!.findAll('td').map((c) => c.text())).toEqual(['50', '50.5', '51', '51.5', '52']);
    expect(rows[3]!.get('th').text()).toBe('3');
    await w.get('[data-testid=axis-1]').setValue('9');
    await flushPromises();
    expect((w.get('[data-testid=axis-1]').element as HTMLInputElement).value).toBe('2');
  });

  it('pages wide rows by columns, one range per row', async () => {
    lab = fakeLab({ w: { values: range(240) } });
    setBackend(lab);
    const w = mount(NumberTable, { props: { tensor: info('w', 'INT32', [2, 3, 40]), source: src('w'), fixed: [1], pageCols: 16 } });
    await flushPromises();
    expect(lab.of('tensorPage').map((r) => [r.offset, r.count])).toEqual([
      [120, 16],
      [160, 16],
      [200, 16],
    ]);
    lab.clear();
    await w.get('[data-testid=cols-next]').trigger('click');
    await flushPromises();
    expect(lab.of('tensorPage').map((r) => r.offset)).toEqual([136, 176, 216]);
    expect(
      w
        .findAll('thead th')
        .map((h) => h.text())
        .slice(1, 3),
    ).toEqual(['16', '17']);
    expect(w.findAll('[data-testid=table-row]')[0]!.findAll('td')[0]!.text()).toBe('136');
  });

  it('pages rows: page 2 starts one page of rows further', async () => {
    lab = fakeLab({ r: { values: range(240) } });
    setBackend(lab);
    const w = mount(NumberTable, { props: { tensor: info('r', 'INT32', [120, 2]), source: src('r'), fixed: [] } });
    await flushPromises();
    expect(lab.of('tensorPage')).toEqual([{ ...src('r'), offset: 0, count: 100 }]);
    await w.get('[data-testid=rows-next]').trigger('click');
    await flushPromises();
    expect(lab.of('tensorPage').at(-1)).toEqual({ ...src('r'), offset: 100, count: 100 });
  });

  it('lists a tensor with one long axis as a column, 100 a page', async () => {
    lab = fakeLab({ p: { values: range(1000, (i) => i / 3) } });
    setBackend(lab);
    const w = mount(NumberView, { props: { tensor: info('p', 'FP32', [1, 1000]), source: src('p') } });
    await w.get('[data-testid=viewer-tab-table]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid=axis-picker]').exists()).toBe(false);
    // The plot read the vector once (one page); the table reads its first 100.
    expect(lab.of('tensorPage')).toEqual([
      { ...src('p'), offset: 0, count: 1000 },
      { ...src('p'), offset: 0, count: 100 },
    ]);
    await w.get('[data-testid=rows-next]').trigger('click');
    await flushPromises();
    expect(lab.of('tensorPage').at(-1)).toEqual({ ...src('p'), offset: 100, count: 100 });
    const first = w.findAll('[data-testid=table-row]')[0]!;
    expect(first.get('th').text()).toBe('[0, 100]');
    expect(first.get('td').text()).toBe('33.3333');
  });
});

describe('number viewer: heatmap', () => {
  it('lets the user pick the rows and columns axes and every other index; the table keeps its own slice', async () => {
    const w = rank4();
    await flushPromises();
    await w.get('[data-testid=axis-0]').setValue('1');
    await w.get('[data-testid=viewer-tab-heatmap]').trigger('click');
    await flushPromises();
    // [2, 3, 4, 5]: the last two axes longer than a channel axis, every other index 0.
    expect(lab.of('tensorHeatmap')).toEqual([{ ...src('x'), fixed: [0, 0], axes: [2, 3], maxSide: 256 }]);
    expect(w.get('[data-testid=slice-size]').text()).toBe('4 × 5');
    await w.get('[data-testid=slice-slider-0]').setValue('1');
    await flushPromises();
    expect(lab.of('tensorHeatmap').at(-1)).toEqual({ ...src('x'), fixed: [1, 0], axes: [2, 3], maxSide: 256 });
    await w.get('[data-testid=slice-rows]').setValue('1');
    await flushPromises();
    // Rows from axis 1 (3), columns still axis 3; axes 0 and 2 fixed.
    expect(lab.of('tensorHeatmap').at(-1)).toEqual({ ...src('x'), fixed: [1, 0], axes: [1, 3], maxSide: 256 });
    await w.get('[data-testid=slice-cols]').setValue('1');
    await flushPromises();
    // Columns onto the rows axis swaps the two.
    expect(lab.of('tensorHeatmap').at(-1)).toEqual({ ...src('x'), fixed: [1, 0], axes: [3, 1], maxSide: 256 });
    await w.get('[data-testid=slice-swap]').trigger('click');
    await flushPromises();
    expect(lab.of('tensorHeatmap').at(-1)).toMatchObject({ axes: [1, 3] });
    const legend = w.get('[data-testid=heatmap-legend]').text();
    expect(legend).toContain('0');
    expect(legend).toContain('59.5');
    expect(legend).toContain('min … max of this slice');
    await w.get('[data-testid=viewer-tab-table]').trigger('click');
    await flushPromises();
    expect((w.get('[data-testid=axis-0]').element as HTMLInputElement).value).toBe('1');
    expect(lab.of('tensorPage').at(-1)).toEqual({ ...src('x'), offset: 60, count: 20 });
  });

  it('keeps the proportions of the slice when rows and columns are averaged by different steps', async () => {
    lab = fakeLab({ det: { values: range(10, (i) => i / 10) } }, { heatmap: { rows: 256, cols: 214, step: [1, 3] } });
    setBackend(lab);
    const w = mount(HeatmapView, { props: { tensor: info('det', 'FP32', [1, 1, 256, 640]), source: src('det'), fixed: [0, 0], axes: [2, 3] } });
    await flushPromises();
    // 256 × 640 in 640 × 360: one pixel per element.
    // A narrow column shrinks the width; the aspect ratio keeps the height in proportion.
    expect(w.get('[data-testid=heatmap-stage]').attributes('style')).toContain('width: 640px; aspect-ratio: 640 / 256');
  });

  it('says when the slice holds a single value', async () => {
    lab = fakeLab({ flat: { values: range(64 * 3, () => 1) } });
    setBackend(lab);
    const w = mount(HeatmapView, { props: { tensor: info('flat', 'FP32', [8, 8, 3]), source: src('flat'), fixed: [0], axes: [0, 1] } });
    await flushPromises();
    expect(w.get('[data-testid=heatmap-flat]').text()).toContain('Every value in this slice is 1');
  });

  it('remembers the heatmap axes and the view for the tensor name, for the session', async () => {
    rank4();
    await flushPromises();
    const first = rank4();
    await first.get('[data-testid=viewer-tab-heatmap]').trigger('click');
    await first.get('[data-testid=slice-rows]').setValue('0');
    await flushPromises();
    const again = rank4();
    await flushPromises();
    expect(again.get('[data-testid=viewer-tab-heatmap]').attributes('aria-selected')).toBe('true');
    expect(again.findAll('[role=tab]')[0]!.text()).toBe('Heatmap');
    expect(lab.of('tensorHeatmap')).toEqual([{ ...src('x'), fixed: [0, 0], axes: [0, 3], maxSide: 256 }]);
  });

  it('reads the value of a hovered cell', async () => {
    lab = fakeLab({ h: { values: range(6, (i) => i * 10) } });
    setBackend(lab);
    const w = mount(NumberView, { props: { tensor: info('h', 'INT32', [2, 3]), source: src('h') } });
    await w.get('[data-testid=viewer-tab-heatmap]').trigger('click');
    await flushPromises();
    expect(lab.of('tensorHeatmap')).toEqual([{ ...src('h'), fixed: [], axes: [0, 1], maxSide: 256 }]);
    const stage = w.get('[data-testid=heatmap-stage]');
    // 2 × 3 cells fit in 640 × 360: 180 px a cell.
    await stage.trigger('mousemove', { clientX: 400, clientY: 200 });
    await new Promise((r) => setTimeout(r, 80));
    await flushPromises();
    expect(lab.of('tensorPage').at(-1)).toEqual({ ...src('h'), offset: 5, count: 1 });
    expect(w.get('[data-testid=heatmap-readout]').text()).toBe('row 1, column 2: 50');
  });

  it('names the block of elements a shrunk heatmap cell averages', async () => {
    lab = fakeLab({ big: { values: range(5 * 7) } }, { heatmap: { rows: 3, cols: 4, step: [2, 2] } });
    setBackend(lab);
    const w = mount(HeatmapView, { props: { tensor: info('big', 'INT32', [5, 7]), source: src('big'), fixed: [] } });
    await flushPromises();
    expect(w.text()).toContain('each cell averages 2 × 2 elements');
    // 3 × 4 cells in 640 × 360: 120 px a cell.
    await w.get('[data-testid=heatmap-stage]').trigger('mousemove', { clientX: 470, clientY: 250 });
    expect(w.get('[data-testid=heatmap-readout]').text()).toBe('rows 4–4, columns 6–6 (averaged)');
    expect(lab.of('tensorPage')).toHaveLength(0);
  });
});

describe('number viewer: histogram', () => {
  it('draws the bins as bars with min and max labels', async () => {
    const w = rank4();
    await w.get('[data-testid=viewer-tab-histogram]').trigger('click');
    await flushPromises();
    expect(lab.of('tensorHistogram')).toEqual([{ ...src('x'), bins: 64 }]);
    const svg = w.get('[data-testid=histogram-svg]');
    const bars = svg.findAll('rect');
    expect(bars).toHaveLength(64);
    expect(bars.every((b) => Number(b.attributes('height')) > 0)).toBe(true);
    expect(w.get('[data-testid=histogram-min]').text()).toBe('0');
    expect(w.get('[data-testid=histogram-max]').text()).toBe('59.5');
    expect(bars[0]!.get('title').text()).toMatch(/^\[0, 0\.9\d*\): 2$/);
    await w.get('[data-testid=histogram-bins]').setValue('16');
    await flushPromises();
    expect(lab.of('tensorHistogram').at(-1)).toEqual({ ...src('x'), bins: 16 });
    expect(w.get('[data-testid=histogram-svg]').findAll('rect')).toHaveLength(16);
    const tallest = Math.max(
      ...w
        .get('[data-testid=histogram-svg]')
        .findAll('rect')
        .map((b) => Number(b.attributes('height'))),
    );
    expect(tallest).toBe(160);
  });
});
