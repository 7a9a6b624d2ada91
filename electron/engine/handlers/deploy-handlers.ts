/**
 * Taking a repository to Triton: the portability report and the deployment
 * export (engine/deploy/). Payloads are checked here, once: folders must be
 * absolute (the engine never resolves a path against its own working folder).
 */
import path from 'node:path';
import { LabError } from '../errors';
import type { Lab } from '../lab';
import type { LabHandlers } from '../lab-handlers';
import { exportDeployment, MAX_GPUS, portabilityReport } from '../deploy/export';
import { bool, int, payload, str, type Payload } from './payload';

function absoluteFolder(p: Payload, key: string): string {
  const v = str(p, key);
  if (!path.isAbsolute(v)) throw new LabError('INVALID_ARG', `'${key}' must be an absolute folder path`);
  return path.normalize(v);
}

function optionalFolder(p: Payload, key: string): string | undefined {
  return p[key] === undefined || p[key] === '' ? undefined : absoluteFolder(p, key);
}

export function createDeployHandlers(lab: Lab): Pick<LabHandlers, 'portability' | 'exportDeployment'> {
  return {
    portability: async (req) => {
      const p = payload(req);
      return portabilityReport(lab.repository(str(p, 'repoId')), optionalFolder(p, 'twins'));
    },
    exportDeployment: async (req) => {
      const p = payload(req);
      const repo = lab.repository(str(p, 'repoId'));
      const gpus = p['gpus'] === undefined ? undefined : int(p, 'gpus', 0);
      if (gpus !== undefined && gpus > MAX_GPUS) throw new LabError('INVALID_ARG', `'gpus' must be at most ${MAX_GPUS}`);
      const twins = optionalFolder(p, 'twins');
      const image = p['image'] === undefined || p['image'] === '' ? undefined : str(p, 'image', 255);
      return exportDeployment(repo, {
        outDir: absoluteFolder(p, 'outDir'),
        ...(p['useTwins'] !== undefined ? { useTwins: bool(p, 'useTwins') } : {}),
        ...(gpus !== undefined ? { gpus } : {}),
        ...(image !== undefined ? { image } : {}),
        ...(twins !== undefined ? { twins } : {}),
      });
    },
  };
}
