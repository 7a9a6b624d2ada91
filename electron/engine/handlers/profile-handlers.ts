/**
 * Profiles from the lab (placeholder: helper 4 replaces it).
 */
import { LabError } from '../errors';
import type { LabHandlers } from '../lab-handlers';

const todo = (): Promise<never> => Promise.reject(new LabError('UNSUPPORTED', 'profiling is not available in this build yet'));

export function createProfileHandlers(): Pick<LabHandlers, 'startProfile' | 'stopProfile' | 'getProfile' | 'listProfiles' | 'deleteProfile'> {
  return { startProfile: todo, stopProfile: todo, getProfile: todo, listProfiles: () => Promise.resolve([]), deleteProfile: todo };
}
