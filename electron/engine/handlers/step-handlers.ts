/** Lab API handlers for ensemble step-through and trace export. */
import type { StepAction } from '../../contract/inspect-api';
import type { LabHandlers } from '../lab-handlers';
import type { Lab } from '../lab';
import { LabError } from '../errors';
import { list, payload, runRequest, str } from './payload';

type StepMethods = 'startStepRun' | 'stepRun' | 'stepRunState' | 'exportTrace';

const ACTIONS: readonly StepAction[] = ['step', 'continue', 'run-to-end', 'stop'];

function breakpoints(p: Record<string, unknown>): number[] | undefined {
  if (p['breakpoints'] === undefined) return undefined;
  const bps = list(p, 'breakpoints');
  if (bps.length > 10_000 || bps.some((b) => typeof b !== 'number' || !Number.isInteger(b) || b < 0)) throw new LabError('INVALID_ARG', "'breakpoints' must be a list of step indices");
  return bps as number[];
}

export function createStepHandlers(lab: Lab): Pick<LabHandlers, StepMethods> {
  return {
    startStepRun: async (req) => {
      const p = payload(req);
      const bps = breakpoints(p);
      return lab.startStepRun({ ...runRequest(p), ...(bps ? { breakpoints: bps } : {}) });
    },
    stepRun: async (req) => {
      const p = payload(req);
      const action = p['action'];
      if (!ACTIONS.includes(action as StepAction)) throw new LabError('INVALID_ARG', `'action' must be one of ${ACTIONS.join(', ')}`);
      return lab.stepRun(str(p, 'runId', 64), action as StepAction, breakpoints(p));
    },
    stepRunState: async (req) => lab.stepRunState(str(payload(req), 'runId', 64)),
    exportTrace: async (req) => lab.exportTrace(str(payload(req), 'runId', 64)),
  };
}
