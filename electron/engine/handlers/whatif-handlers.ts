/**
 * What-if search over config knobs (whatif/): payloads checked here, runs kept by one
 * WhatIfService per lab (each variant's profile kept in the Profile tab's history); `applyWhatIf` writes the chosen variant's config.pbtxt (only if the
 * file is as the run found it) and reloads the model in the user's repository.
 */
import { payload, str } from './payload';
import type { Lab } from '../lab';
import type { LabHandlers } from '../lab-handlers';
import { writeConfigIfUnchanged } from '../whatif/apply';
import { whatIfRequest } from '../whatif/request';
import { WhatIfService } from '../whatif/service';
import { profileVariant } from '../whatif/variant-profile';
import { profileService } from './profile-handlers';

/** The lab's what-if service: each variant's profile lands in the Profile tab's history (`variant` set). */
export function whatIfService(lab: Lab): WhatIfService {
  return new WhatIfService(lab, profileVariant, { record: (run) => profileService(lab).record(run), log: (line) => console.warn(`[model-lab] ${line}`) });
}

export function createWhatIfHandlers(lab: Lab, service = whatIfService(lab)): Pick<LabHandlers, 'startWhatIf' | 'stopWhatIf' | 'getWhatIf' | 'applyWhatIf'> {
  lab.onClose(() => service.close());
  return {
    startWhatIf: async (req) => service.start(whatIfRequest(req)),
    stopWhatIf: async (req) => service.stop(str(payload(req), 'whatIfId', 64)),
    getWhatIf: async (req) => service.get(str(payload(req), 'whatIfId', 64)),
    applyWhatIf: async (req) => {
      const p = payload(req);
      const a = service.forApply(str(p, 'whatIfId', 64), str(p, 'variant', 1024));
      await writeConfigIfUnchanged(a.repo.root, a.configFile, a.originalText, a.text);
      await lab.loadModel(a.run.repoId, a.run.model);
      return lab.getModel(a.run.repoId, a.run.model);
    },
  };
}
