/**
 * What-if search over config knobs (placeholder: helper 6 replaces it).
 */
import { LabError } from '../errors';
import type { LabHandlers } from '../lab-handlers';

const todo = (): Promise<never> => Promise.reject(new LabError('UNSUPPORTED', 'what-if is not available in this build yet'));

export function createWhatIfHandlers(): Pick<LabHandlers, 'startWhatIf' | 'stopWhatIf' | 'getWhatIf' | 'applyWhatIf'> {
  return { startWhatIf: todo, stopWhatIf: todo, getWhatIf: todo, applyWhatIf: todo };
}
