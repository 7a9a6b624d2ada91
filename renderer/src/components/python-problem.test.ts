import { describe, expect, it } from 'vitest';
import { needsPythonSetting } from './python-problem';

describe('needsPythonSetting', () => {
  it('follows the reason code, not the words of the reason', () => {
    expect(needsPythonSetting({ state: 'UNAVAILABLE', reasonCode: 'PYTHON_ENV' })).toBe(true);
    // An untrusted Python model, or one whose model.py failed, mentions Python but needs no interpreter.
    expect(needsPythonSetting({ state: 'UNAVAILABLE', reasonCode: 'UNTRUSTED' })).toBe(false);
    expect(needsPythonSetting({ state: 'UNAVAILABLE' })).toBe(false);
    expect(needsPythonSetting({ state: 'READY' })).toBe(false);
  });
});
