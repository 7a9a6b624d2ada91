/**
 * Remote Triton servers in the lab API: adding, removing and listing them, and the one place where
 * the repository and model methods are routed for `remote:` ids (`withRemoteRouting`), so no other
 * handler checks for them. Methods a remote server can answer (its index, a model's config,
 * metadata and statistics, load/unload, runs) go to the registry; methods that need the model's
 * files (they stay on the server) answer UNSUPPORTED saying so. Methods whose owners handle remote
 * ids themselves (metrics, profiles) pass through.
 */
import type { LabMethod, RemoteServerRequest } from '../../contract/lab-api';
import { LabError } from '../errors';
import type { HostCapabilities, LabHandlers } from '../lab-handlers';
import type { Lab } from '../lab';
import { isRemoteId } from '../remote/registry';
import { runSnippets } from '../runs/snippets';
import { parseServerUrl } from '../remote/url';
import { payload, str } from './payload';

export function createRemoteHandlers(lab: Lab, host: HostCapabilities): Pick<LabHandlers, 'addRemoteServer' | 'removeRemoteServer' | 'listRemoteServers'> {
  if (host.remote) lab.remotes.attach(host.remote);
  return {
    addRemoteServer: async (req) => lab.remotes.add(payload(req) as unknown as RemoteServerRequest),
    removeRemoteServer: async (req) => ({ removed: await lab.remotes.remove(str(payload(req), 'id', 64)) }),
    listRemoteServers: async () => lab.remotes.list(),
  };
}

/** Methods whose handlers take remote ids themselves. */
const PASS_THROUGH: ReadonlySet<LabMethod> = new Set<LabMethod>(['scrapeMetrics', 'startProfile', 'listProfiles', 'listRuns']);

/** What a refused method does, in words (others: its name). */
const WHAT: Partial<Record<LabMethod, string>> = {
  readFile: 'reading model files',
  setWatch: 'watching for changes',
  setTrust: 'trusting a folder',
  startServing: 'serving (it is a server already)',
  modelGraph: 'the graph view',
  configFromModel: 'a config from the model file',
  openInNetron: 'opening in Netron',
  startStepRun: 'step-through runs',
  observeGraph: 'run-to-see on the graph',
  applyRepair: 'repairs',
  portability: 'the portability report',
  exportDeployment: 'exporting a deployment',
  convertToOnnx: 'conversion to ONNX',
  startWhatIf: 'what-if (it writes the model folder’s config.pbtxt)',
};

function remoteIdOf(req: unknown): string | undefined {
  if (!req || typeof req !== 'object') return undefined;
  const id = (req as Record<string, unknown>)['repoId'];
  return isRemoteId(id) ? id : undefined;
}

type Routed = { [M in LabMethod]?: LabHandlers[M] };

function routed(lab: Lab, handlers: LabHandlers): Routed {
  const model = (req: unknown): [string, string] => {
    const p = payload(req);
    return [str(p, 'repoId', 64), str(p, 'model', 1024)];
  };
  return {
    listRepositories: async (req) => [...(await handlers.listRepositories(req)), ...lab.remotes.repositories()],
    closeRepository: async (req) => ({ closed: await lab.remotes.remove(str(payload(req), 'repoId', 64)) }),
    reloadRepository: async (req) => lab.remotes.refresh(str(payload(req), 'repoId', 64)),
    getModel: async (req) => lab.remotes.model(...model(req)),
    loadModel: async (req) => lab.remotes.load(...model(req)),
    unloadModel: async (req) => lab.remotes.unload(...model(req)),
    cancelLoad: async () => ({ cancelled: false }),
    modelStats: async (req) => lab.remotes.stats(...model(req)),
    modelSequences: async () => [],
    modelLog: async () => [],
    runModel: (req) => handlers.runModel(req),
    runSnippets: async (req) => {
      const stored = lab.runs.stored(str(payload(req), 'runId', 64));
      if (!isRemoteId(stored.result.repoId)) return handlers.runSnippets(req);
      return remoteSnippets(lab, stored);
    },
  };
}

function remoteSnippets(lab: Lab, stored: ReturnType<Lab['runs']['stored']>): ReturnType<typeof runSnippets> {
  const info = lab.remotes.info(stored.result.repoId);
  const url = parseServerUrl(info.url);
  // The snippets speak HTTP; a gRPC server's HTTP endpoint is Triton's port 8000 on the same host.
  const hostPort = url.protocol === 'grpc' ? `${url.host}:8000` : `${url.host}:${url.port}`;
  const snippets = runSnippets({
    model: stored.result.model,
    version: stored.result.version,
    specs: stored.specs,
    inputs: stored.inputs,
    outputs: stored.outputs.map((o) => o.name),
    host: hostPort,
    scheme: url.tls ? 'https' : 'http',
    headerNames: info.headerNames,
    ...(stored.result.sequence ? { sequence: stored.result.sequence } : {}),
    ...(stored.result.requestParameters ? { parameters: stored.result.requestParameters } : {}),
    ...(lab.sampleImagesDir ? { sampleImagesDir: lab.sampleImagesDir } : {}),
  });
  if (url.protocol !== 'grpc') return snippets;
  const note = `# ${info.url} speaks gRPC; these requests go to Triton's HTTP endpoint on the same host (port 8000 by default)\n`;
  return { curl: note + snippets.curl, python: note + snippets.python };
}

/**
 * The handlers with `remote:` ids routed to the registry: listRepositories adds the servers, the
 * methods a server answers go to it, the rest refuse; everything else is left as it was.
 */
export function withRemoteRouting(lab: Lab, handlers: LabHandlers): LabHandlers {
  const table = routed(lab, handlers);
  const out = { ...handlers } as Record<LabMethod, (req: unknown) => Promise<unknown>>;
  for (const method of Object.keys(handlers) as LabMethod[]) {
    if (PASS_THROUGH.has(method)) continue;
    const local = handlers[method] as (req: unknown) => Promise<unknown>;
    const remote = table[method] as ((req: unknown) => Promise<unknown>) | undefined;
    if (method === 'listRepositories' || method === 'runSnippets') {
      out[method] = remote!;
      continue;
    }
    out[method] = (req: unknown) => {
      if (remoteIdOf(req) === undefined) return local(req);
      if (remote) return remote(req);
      return Promise.reject(new LabError('UNSUPPORTED', `${WHAT[method] ?? method} is not available for a remote server: the model files stay on the server`));
    };
  }
  return out as LabHandlers;
}
