/** Lab API handlers for ensemble step-through and trace export. Owned by the step-through work. */
import type { LabHandlers } from '../lab-handlers';
import type { Lab } from '../lab';
import { LabError } from '../errors';

type StepMethods = 'startStepRun' | 'stepRun' | 'stepRunState' | 'exportTrace';

export function createStepHandlers(_lab: Lab): Pick<LabHandlers, StepMethods> {
  const todo = (): never => {
    throw new LabError('UNSUPPORTED', 'not built yet');
  };
  return { startStepRun: async () => todo(), stepRun: async () => todo(), stepRunState: async () => todo(), exportTrace: async () => todo() };
}
