/**
 * Remote Triton servers in the lab (placeholder: helper 2 replaces it with the registry in engine/remote/).
 */
import { LabError } from '../errors';
import type { LabHandlers } from '../lab-handlers';

const todo = (): Promise<never> => Promise.reject(new LabError('UNSUPPORTED', 'remote servers are not available in this build yet'));

export function createRemoteHandlers(): Pick<LabHandlers, 'addRemoteServer' | 'removeRemoteServer' | 'listRemoteServers'> {
  return { addRemoteServer: todo, removeRemoteServer: todo, listRemoteServers: () => Promise.resolve([]) };
}
