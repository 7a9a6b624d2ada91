/** Lab API handlers for ONNX graph inspection ("see inside"). */
import type { LabHandlers } from '../lab-handlers';
import type { Lab } from '../lab';
import type { GraphObserveRequest } from '../../contract/inspect-api';
import type { InputSpec } from '../../contract/lab-api';
import type { GraphTarget } from '../graph/graph-service';
import { bool, int, list, optNumber, payload, str } from './payload';

type GraphMethods = 'modelGraph' | 'graphAnalysis' | 'observeGraph' | 'configFromModel' | 'netronStatus' | 'openInNetron';

function target(req: unknown): GraphTarget {
  const p = payload(req);
  const t: GraphTarget = { repoId: str(p, 'repoId'), model: str(p, 'model') };
  if (p['version'] !== undefined) t.version = int(p, 'version', 0);
  return t;
}

/** An observeGraph payload; each InputSpec is checked when its tensor is built, as for runModel. */
function observeRequest(req: unknown): GraphObserveRequest {
  const p = payload(req);
  const out: GraphObserveRequest = { graphId: str(p, 'graphId', 64) };
  if (p['run'] !== undefined) {
    const r = payload(p['run']);
    out.run = { inputs: list(r, 'inputs').map((i) => payload(i) as unknown as InputSpec), ...(r['addBatchDim'] !== undefined ? { addBatchDim: bool(r, 'addBatchDim') } : {}) };
  }
  const budget = optNumber(p, 'budgetBytes');
  if (budget !== undefined) out.budgetBytes = budget;
  if (p['subgraph'] !== undefined) out.subgraph = int(p, 'subgraph');
  if (p['runId'] !== undefined) out.runId = str(p, 'runId', 64);
  return out;
}

export function createGraphHandlers(lab: Lab): Pick<LabHandlers, GraphMethods> {
  return {
    modelGraph: async (req) => lab.graphs.modelGraph(target(req)),
    graphAnalysis: async (req) => lab.graphs.graphAnalysis(str(payload(req), 'graphId', 64)),
    observeGraph: async (req) => lab.observations.observe(observeRequest(req)),
    configFromModel: async (req) => lab.graphs.configFromModel(target(req)),
    netronStatus: async () => lab.graphs.netronStatus(),
    openInNetron: async (req) => lab.graphs.openInNetron(target(req)),
  };
}
