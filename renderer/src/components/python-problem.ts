/**
 * When the model view offers the "Python interpreter" setting in place of the
 * model's reason: the engine says so with a reason code, never through the
 * reason's text (which is for people, and names paths and interpreters).
 */
import type { ModelSummary } from '@contract/lab-api';

/** A model that found no Python with numpy (not one waiting for trust, nor one whose model.py failed). */
export function needsPythonSetting(s: Pick<ModelSummary, 'state' | 'reasonCode'>): boolean {
  return s.state === 'UNAVAILABLE' && s.reasonCode === 'PYTHON_ENV';
}
