/** Lab API handlers for ONNX graph inspection ("see inside"). */
import type { LabHandlers } from '../lab-handlers';
import type { Lab } from '../lab';
import type { GraphTarget } from '../graph/graph-service';
import { LabError } from '../errors';
import { int, payload, str } from './payload';

type GraphMethods = 'modelGraph' | 'observeGraph' | 'configFromModel' | 'netronStatus' | 'openInNetron';

function target(req: unknown): GraphTarget {
  const p = payload(req);
  const t: GraphTarget = { repoId: str(p, 'repoId'), model: str(p, 'model') };
  if (p['version'] !== undefined) t.version = int(p, 'version', 0);
  return t;
}

export function createGraphHandlers(lab: Lab): Pick<LabHandlers, GraphMethods> {
  return {
    modelGraph: async (req) => lab.graphs.modelGraph(target(req)),
    // Replaced by the observation service (issue 13, "Run to see").
    observeGraph: async () => {
      throw new LabError('UNSUPPORTED', 'running a graph to observe its values is not available yet');
    },
    configFromModel: async (req) => lab.graphs.configFromModel(target(req)),
    netronStatus: async () => lab.graphs.netronStatus(),
    openInNetron: async (req) => lab.graphs.openInNetron(target(req)),
  };
}
