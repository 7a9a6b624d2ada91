/**
 * What a profile request targets in the lab: a model of an open repository (the in-process
 * engine, on the version's device: CPU or CUDA) or of a remote server (its connection from the
 * registry, the inputs from the server's config JSON). The request data is built here, once,
 * before the sweep starts, so a bad shape or an unloaded model is refused by `startProfile` itself.
 */
import { LabError } from '../errors';
import type { Lab } from '../lab';
import { isRemoteId } from '../remote/registry';
import { buildRequests } from './inputs';
import { LocalTarget, inputSpecs } from './local';
import { RemoteTarget } from './remote';
import type { CheckedProfileRequest } from './request';
import type { OpenedTarget } from './service';

async function openLocal(lab: Lab, req: CheckedProfileRequest): Promise<OpenedTarget> {
  const repo = lab.repository(req.repoId);
  const version = req.version ?? -1;
  const runner = repo.resolve(req.model, version);
  const requests = buildRequests(inputSpecs(runner.config), { kind: req.inputData }, new Map(Object.entries(req.shapes)), req.settings.batchSize);
  const device = repo.models.get(req.model)?.versions.find((v) => v.version === runner.version)?.device;
  return { target: new LocalTarget(repo, req.model, version, requests), provider: device ?? 'CPU', close: () => undefined };
}

async function openRemote(lab: Lab, req: CheckedProfileRequest): Promise<OpenedTarget> {
  const info = lab.remotes.info(req.repoId);
  if (req.protocol && req.protocol !== info.protocol) {
    throw new LabError('UNSUPPORTED', `${info.name} was added over ${info.protocol}; to profile over ${req.protocol}, add the server by its ${req.protocol} URL`);
  }
  const conn = await lab.remotes.connection(req.repoId);
  const version = req.version === undefined ? undefined : String(req.version);
  const specs = await RemoteTarget.inputs(conn, req.model, version);
  const requests = buildRequests(specs, { kind: req.inputData }, new Map(Object.entries(req.shapes)), req.settings.batchSize);
  // The registry's connection is shared with the rest of the lab: it stays open.
  return { target: new RemoteTarget(conn, info.url, req.model, version ?? '', requests), close: () => undefined };
}

export function labTargets(lab: Lab): (req: CheckedProfileRequest) => Promise<OpenedTarget> {
  return (req) => (isRemoteId(req.repoId) ? openRemote(lab, req) : openLocal(lab, req));
}
