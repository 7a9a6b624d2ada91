/**
 * Taking a repository to Triton: the portability report and the deployment
 * export (engine/deploy/). Payloads are checked here, once.
 */
import { LabError } from '../errors';
import type { Lab } from '../lab';
import type { LabHandlers } from '../lab-handlers';

export function createDeployHandlers(_lab: Lab): Pick<LabHandlers, 'portability' | 'exportDeployment'> {
  // In progress (issue 16): engine/deploy/ lands these.
  return {
    portability: async () => {
      throw new LabError('UNSUPPORTED', 'the portability report is not built yet');
    },
    exportDeployment: async () => {
      throw new LabError('UNSUPPORTED', 'the deployment export is not built yet');
    },
  };
}
