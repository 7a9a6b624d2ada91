// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunStep } from '@contract/lab-api';
import { LabCallError, setBackend } from '../../api/client';
import { setLocale } from '../../i18n';
import StepChart from './StepChart.vue';
import { fakeClient } from './test-support';
import { ticks, timelineRows, treeOrder, withoutGaps } from './timeline-rows';

const step = (id: number, parentId: number | undefined, kind: RunStep['kind'], model: string, startMs: number, totalMs: number, extra: Partial<RunStep> = {}): RunStep => ({
  id,
  ...(parentId !== undefined ? { parentId } : {}),
  kind,
  model,
  version: 1,
  startMs,
  queueMs: 0,
  computeMs: totalMs,
  totalMs,
  ...extra,
});

// Two steps run together (1 and 2), the first of them makes a BLS call; step 3 runs after both.
const SPANS: RunStep[] = [
  step(1, undefined, 'request', 'ens', 0, 100),
  step(4, 1, 'step', 'late', 60, 30, { step: 2 }),
  step(2, 1, 'step', 'left', 5, 50, { step: 0, queueMs: 10, queueStartMs: 5, computeStartMs: 15, computeMs: 40, instance: 'left_0', batchedWith: 2 }),
  step(3, 1, 'step', 'right', 8, 40, { step: 1 }),
  step(5, 2, 'bls', 'helper', 20, 10),
];

beforeEach(() => setLocale('en'));
afterEach(() => setBackend(undefined));

describe('timeline geometry', () => {
  it('puts children right under their parent, siblings by start time, one lane each', () => {
    expect(treeOrder(SPANS).map((r) => [r.step.model, r.depth])).toEqual([
      ['ens', 0],
      ['left', 1],
      ['helper', 2],
      ['right', 1],
      ['late', 1],
    ]);
    const rows = timelineRows(SPANS, 100, 400, 170);
    const left = rows.find((r) => r.step.model === 'left')!;
    const right = rows.find((r) => r.step.model === 'right')!;
    // Concurrent: their bars overlap in x, so they must not share a lane.
    expect(left.x < right.x + right.w && right.x < left.x + left.w).toBe(true);
    expect(new Set(rows.map((r) => r.lane)).size).toBe(rows.length);
    // Queue and compute sit at their own times.
    expect(left).toMatchObject({ x: 170 + 20, qx: 170 + 20, q: 40, cx: 170 + 60, c: 160 });
  });

  it('without span ids keeps the given order, nesting by kind', () => {
    const old = SPANS.map(({ id: _id, parentId: _p, ...rest }) => rest);
    expect(treeOrder(old).map((r) => r.depth)).toEqual([0, 1, 1, 1, 2]);
  });

  it('ticks the axis at round milliseconds', () => {
    expect(ticks(100, 400, 170).map((t) => t.ms)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(ticks(7.3, 400, 0).map((t) => t.ms)).toEqual([0, 2, 4, 6]);
  });
});

describe('StepChart', () => {
  it('draws a bar per span with durations, nesting and hover details', () => {
    const w = mount(StepChart, { props: { steps: SPANS, totalMs: 100 } });
    const rows = w.findAll('[data-testid=step-row]');
    expect(rows.map((r) => r.find('.label').text())).toEqual(['ens', '0. left', 'BLS helper', '1. right', '2. late']);
    expect(rows.map((r) => r.attributes('data-depth'))).toEqual(['0', '1', '2', '1', '1']);
    // The ensemble's bar frames its steps; a step with BLS calls is still a step.
    expect(rows.map((r) => r.classes().includes('envelope'))).toEqual([true, false, false, false, false]);
    expect(w.findAll('[data-testid=timeline-bar]')).toHaveLength(5);
    expect(rows[1]!.find('.value').text()).toBe('50.0 ms');
    const tip = rows[1]!.find('title').text();
    expect(tip).toContain('instance left_0');
    expect(tip).toContain('batched with 2 requests');
    expect(rows[1]!.find('.queue').attributes('width')).toBe('40');
    expect(w.findAll('.tick').map((t) => t.text())).toEqual(['0', '20.0 ms', '40.0 ms', '60.0 ms', '80.0 ms', '100.0 ms']);
    // No run id: nothing to export.
    expect(w.find('[data-testid=trace-export]').exists()).toBe(false);
  });

  it('exports the trace as a JSON download, and says why when it cannot', async () => {
    let fail = false;
    const client = fakeClient({
      exportTrace: () => {
        if (fail) throw new LabCallError('NOT_FOUND', "run 'r' is not in the history (it may have been dropped to make room)");
        return { fileName: 'ens-r.trace.json', json: '[{"id":1}]' };
      },
    });
    setBackend(client);
    const saved: string[] = [];
    URL.createObjectURL = () => 'blob:trace';
    URL.revokeObjectURL = () => undefined;
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      saved.push(this.download);
    };
    try {
      const w = mount(StepChart, { props: { steps: SPANS, totalMs: 100, runId: 'r' } });
      await w.get('[data-testid=trace-export]').trigger('click');
      await flushPromises();
      expect(client.of('exportTrace')).toEqual([{ runId: 'r' }]);
      expect(saved).toEqual(['ens-r.trace.json']);
      fail = true;
      await w.get('[data-testid=trace-export]').trigger('click');
      await flushPromises();
      expect(w.get('[data-testid=trace-export-error]').text()).toContain("run 'r' is not in the history");
    } finally {
      HTMLAnchorElement.prototype.click = click;
    }
  });
});

// A step-through: paused 0-100, step 0 at 100-110 (a BLS call inside), paused, step 1 at 400-420, then the end at 430.
const STEPPED: RunStep[] = [
  step(1, undefined, 'request', 'ens', 0, 430),
  step(2, 1, 'step', 'pre', 100, 10, { step: 0, queueStartMs: 100, queueMs: 2, computeStartMs: 102, computeMs: 8 }),
  step(3, 2, 'bls', 'helper', 103, 4),
  step(4, 1, 'step', 'rec', 400, 20, { step: 1 }),
];

describe('compute-only timelines of step-throughs', () => {
  it('cut the stretches where no step ran and move the rest left', () => {
    const v = withoutGaps(STEPPED, 430);
    expect(v.removedMs).toBe(400);
    expect(v.totalMs).toBe(30);
    const by = Object.fromEntries(v.steps.map((x) => [x.model, x]));
    expect(by['ens']).toMatchObject({ startMs: 0, totalMs: 30 });
    expect(by['pre']).toMatchObject({ startMs: 0, totalMs: 10, queueStartMs: 0, computeStartMs: 2, computeMs: 8 });
    expect(by['helper']).toMatchObject({ startMs: 3, totalMs: 4 });
    expect(by['rec']).toMatchObject({ startMs: 10, totalMs: 20 });
    // A plain model's run has nothing under its request: nothing to cut.
    expect(withoutGaps([step(1, undefined, 'request', 'm', 0, 5)], 5).removedMs).toBe(0);
  });

  it('open compute-only for a step-through, with the wall clock one click away; plain runs offer no switch', async () => {
    const w = mount(StepChart, { props: { steps: STEPPED, totalMs: 430, mode: 'step' } });
    expect(w.get('[data-testid=timeline-compute-only]').attributes('aria-checked')).toBe('true');
    expect(w.get('[data-testid=timeline-gaps-removed]').text()).toBe('400.0 ms of pauses left out');
    const bar = () => Number(w.findAll('[data-testid=timeline-bar]')[3]!.attributes('width'));
    const compact = bar();
    await w.get('[data-testid=timeline-wall-clock]').trigger('click');
    expect(w.find('[data-testid=timeline-gaps-removed]').exists()).toBe(false);
    expect(bar()).toBeLessThan(compact / 10);
    const plain = mount(StepChart, { props: { steps: STEPPED, totalMs: 430 } });
    expect(plain.find('[data-testid=timeline-mode]').exists()).toBe(false);
  });

  it('draw nested rows with a tree guide, not a dash before the label, and give BLS bars and the ensemble frame a legend entry', () => {
    const w = mount(StepChart, { props: { steps: STEPPED, totalMs: 430 } });
    const guides = w.findAll('[data-testid=timeline-nest]');
    expect(guides).toHaveLength(3);
    // Each guide goes down first (V) and then across (H): an elbow, never a lone horizontal stroke.
    for (const g of guides) expect(g.attributes('d')).toMatch(/^M[\d.]+,[\d.]+ V[\d.]+ H[\d.]+$/);
    expect(w.findAll('text.label').map((x) => x.text())).toEqual(['ens', '0. pre', 'BLS helper', '1. rec']);
    expect(w.get('[data-testid=legend-bls]').text()).toBe('compute (BLS call)');
    expect(w.get('[data-testid=legend-envelope]').text()).toBe('ensemble request (frames its steps)');
    const single = mount(StepChart, { props: { steps: [step(1, undefined, 'request', 'm', 0, 5)], totalMs: 5 } });
    expect(single.find('[data-testid=legend-bls]').exists()).toBe(false);
    expect(single.find('[data-testid=legend-envelope]').exists()).toBe(false);
  });
});
