// @vitest-environment happy-dom
/** The plot of a vector: one page read, NaN breaking the line, a readout under the pointer, the largest values listed. */
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setBackend } from '../api/client';
import { setLocale } from '../i18n';
import { fakeLab, info, range, type FakeLab } from './fake-lab';
import PlotView from './PlotView.vue';

const src = { runId: 'r1', side: 'output' as const, name: 'v' };
let lab: FakeLab;

function plot(values: ReturnType<typeof range>, shape = [1, values.length]) {
  lab = fakeLab({ v: { values } });
  setBackend(lab);
  return mount(PlotView, { props: { tensor: info('v', 'FP32', shape), source: src } });
}

beforeEach(() => setLocale('en'));
afterEach(() => setBackend(undefined));

describe('PlotView', () => {
  it('reads the vector in one page and lists the largest values', async () => {
    const w = plot(range(100, (i) => (i === 42 ? 9 : i === 7 ? 8 : i / 100)));
    await flushPromises();
    expect(lab.of('tensorPage')).toEqual([{ ...src, offset: 0, count: 100 }]);
    const top = w.findAll('[data-testid=plot-top] li').map((li) => li.text());
    expect(top.slice(0, 2)).toEqual(['index 42: 9', 'index 7: 8']);
    expect(top).toHaveLength(5);
    expect(w.get('[data-testid=plot-max]').text()).toBe('9');
    expect(w.get('[data-testid=plot-min]').text()).toBe('0');
  });

  it('breaks the line at values that are not finite, and says how many', async () => {
    const w = plot([1, 2, 'NaN', 4, 5, 'Inf', 7]);
    await flushPromises();
    expect(w.findAll('polyline')).toHaveLength(3);
    expect(w.get('[data-testid=plot-nonfinite]').text()).toBe('2 values are not finite and left out');
  });

  it('reads the value under the pointer', async () => {
    const w = plot(range(11, (i) => i * 10));
    await flushPromises();
    // No layout in happy-dom: the svg is taken as 600 px wide; x = 300 is index 5 of 0..10.
    await w.get('[data-testid=plot-svg]').trigger('mousemove', { clientX: 300 });
    expect(w.get('[data-testid=plot-readout]').text()).toBe('index 5: 50');
  });

  it('has an empty state when nothing is finite', async () => {
    const w = plot(['NaN', 'NaN']);
    await flushPromises();
    expect(w.text()).toContain('No finite values to plot.');
  });
});
