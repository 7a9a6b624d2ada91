/**
 * Model Lab's script backend: a model.js, model.mjs or model.ts written
 * against Triton's Python backend API (pb_utils), one worker thread per
 * instance (host.ts). It runs the folder's code, so workspace trust applies.
 * Detected after Python, from the file name or the first version folder.
 */
import { BACKEND, SCRIPT_FILENAMES } from '../../config/constants';
import { type Backend, filesDecide } from '../backend';
import { modelFileOf, startSupervised } from '../instances';
import { prepareScript } from './config';
import { ScriptInstance } from './host';

export const script: Backend = {
  name: BACKEND.script,
  runs: 'JavaScript and TypeScript models (model.js, model.mjs, model.ts), one worker thread per instance',
  runsUserCode: true,
  fields(c, folder) {
    if (!c.backend) {
      const named = SCRIPT_FILENAMES.find((f) => f === c.defaultModelFilename);
      const found = filesDecide(c, folder) ? SCRIPT_FILENAMES.find((f) => folder.has(f) && !folder.isDir(f)) : undefined;
      if (named ?? found) c.backend = BACKEND.script;
    }
    if (c.backend !== BACKEND.script) return false;
    c.defaultModelFilename ||= SCRIPT_FILENAMES.find((f) => folder.has(f) && !folder.isDir(f)) ?? SCRIPT_FILENAMES[0];
    return true;
  },
  complete: prepareScript,
  check: () => undefined,
  async instances(specs, ctx) {
    const file = modelFileOf(ctx);
    const instances = await startSupervised(specs, ctx, (s, opts) => ScriptInstance.start({ ...opts, setup: { file, versionDir: ctx.versionDir, modelDir: ctx.modelDir, instanceName: s.name } }));
    return { instances, device: 'CPU' };
  },
};
