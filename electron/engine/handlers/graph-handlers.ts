/** Lab API handlers for ONNX graph inspection ("see inside"). Owned by the graph work. */
import type { LabHandlers } from '../lab-handlers';
import type { Lab } from '../lab';
import { LabError } from '../errors';

type GraphMethods = 'modelGraph' | 'configFromModel' | 'netronStatus' | 'openInNetron';

export function createGraphHandlers(_lab: Lab): Pick<LabHandlers, GraphMethods> {
  const todo = (): never => {
    throw new LabError('UNSUPPORTED', 'not built yet');
  };
  return { modelGraph: async () => todo(), configFromModel: async () => todo(), netronStatus: async () => todo(), openInNetron: async () => todo() };
}
