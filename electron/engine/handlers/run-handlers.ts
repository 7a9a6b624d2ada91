/** Lab API handlers for the playground: runs, their inputs (picked files, paths, sample images) and their code snippets. */
import { LabError } from '../errors';
import type { HostCapabilities, LabHandlers } from '../lab-handlers';
import type { Lab } from '../lab';
import { withThumbs } from '../runs/sample-thumbs';
import { runSnippets } from '../runs/snippets';
import { payload, runRequest, str } from './payload';

type RunMethods = 'runModel' | 'cancelRun' | 'listRuns' | 'runSnippets' | 'pickInputFile' | 'checkInputPath' | 'sampleImages';

export function createRunHandlers(lab: Lab, host: HostCapabilities): Pick<LabHandlers, RunMethods> {
  return {
    runModel: async (req) => lab.runModel(runRequest(payload(req))),
    cancelRun: async (req) => ({ cancelled: lab.runs.cancel(str(payload(req), 'runId', 64)) }),
    listRuns: async (req) => {
      const p = payload(req);
      return lab.runs.list({ ...(p['repoId'] !== undefined ? { repoId: str(p, 'repoId') } : {}), ...(p['model'] !== undefined ? { model: str(p, 'model') } : {}) });
    },
    runSnippets: async (req) => {
      const stored = lab.runs.stored(str(payload(req), 'runId', 64));
      const serve = host.serving?.status();
      const hostPort = serve?.http?.replace(/^http:\/\//, '') ?? `127.0.0.1:${serve?.settings.httpPort ?? 8000}`;
      return runSnippets({
        model: stored.result.model,
        version: stored.result.version,
        specs: stored.specs,
        inputs: stored.inputs,
        outputs: stored.outputs.map((o) => o.name),
        host: hostPort,
        ...(stored.result.sequence ? { sequence: stored.result.sequence } : {}),
        ...(stored.result.requestParameters ? { parameters: stored.result.requestParameters } : {}),
        ...(lab.sampleImagesDir ? { sampleImagesDir: lab.sampleImagesDir } : {}),
      });
    },
    pickInputFile: async () => {
      if (!host.pickFile) throw new LabError('UNSUPPORTED', 'this host has no file dialog; upload the file instead');
      const picked = await host.pickFile();
      return { path: picked === null ? null : await lab.rememberPickedInput(picked) };
    },
    checkInputPath: async (req) => lab.checkInputPath(str(payload(req), 'path')),
    sampleImages: async () => withThumbs(await lab.sampleImages(), lab.sampleImagesDir),
  };
}
