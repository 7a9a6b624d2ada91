/**
 * `stabilityPercentage` (perf_analyzer's -s) in a lab profile request: the Profile tab's form sends
 * it; it sets how close 3 windows must be, is shown in the run's settings, and is bounded.
 */
import { describe, expect, it } from 'vitest';
import { checkProfileRequest } from './request';

describe('stabilityPercentage in a profile request', () => {
  it('sets the threshold the sweep stabilizes on and is kept in the shown settings', () => {
    const r = checkProfileRequest({ repoId: 'r', model: 'm', stabilityPercentage: 25 });
    expect(r.settings.stabilityThreshold).toBe(0.25);
    expect(r.shown.stabilityPercentage).toBe(25);
  });

  it("keeps perf_analyzer's 10 % when absent", () => {
    const r = checkProfileRequest({ repoId: 'r', model: 'm' });
    expect(r.settings.stabilityThreshold).toBe(0.1);
    expect(r.shown).not.toHaveProperty('stabilityPercentage');
  });

  it.each([0, 101, 2.5, '10'])('refuses %s', (v) => {
    expect(() => checkProfileRequest({ repoId: 'r', model: 'm', stabilityPercentage: v })).toThrow('stabilityPercentage must be');
  });
});
