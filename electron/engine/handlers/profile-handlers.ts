/**
 * Profiles from the lab: one ProfileService per Lab (its history persisted to `profiles.json`
 * beside the settings file when the lab has one), its progress announced as `profile-progress`
 * events. Payloads are checked by the service (`profile/request.ts`).
 */
import path from 'node:path';
import { ProfileHistoryFile } from '../profile/history';
import { labTargets } from '../profile/lab-targets';
import { ProfileService } from '../profile/service';
import type { Lab } from '../lab';
import type { LabHandlers } from '../lab-handlers';
import { payload } from './payload';

const services = new WeakMap<Lab, ProfileService>();

const log = (line: string): void => console.warn(`[model-lab] ${line}`);

/** The lab's profile service, made on first use. */
export function profileService(lab: Lab): ProfileService {
  let s = services.get(lab);
  if (!s) {
    const file = lab.settingsFile ? path.join(path.dirname(lab.settingsFile), 'profiles.json') : undefined;
    s = new ProfileService({
      open: labTargets(lab),
      emit: (profile) => lab.emitEvent({ type: 'profile-progress', profile }),
      ...(file ? { history: new ProfileHistoryFile(file, log) } : {}),
      log,
    });
    services.set(lab, s);
    const made = s;
    lab.onClose(() => made.close());
  }
  return s;
}

export function createProfileHandlers(lab: Lab): Pick<LabHandlers, 'startProfile' | 'stopProfile' | 'getProfile' | 'listProfiles' | 'deleteProfile'> {
  const svc = (): ProfileService => profileService(lab);
  return {
    startProfile: (req) => svc().start(req),
    stopProfile: async (req) => svc().stop(payload(req)['profileId']),
    getProfile: async (req) => svc().get(payload(req)['profileId']),
    listProfiles: async (req) => {
      const p = req === undefined ? {} : payload(req);
      return svc().list({ repoId: p['repoId'], model: p['model'] });
    },
    deleteProfile: async (req) => ({ deleted: await svc().delete(payload(req)['profileId']) }),
  };
}
