/**
 * Triton's Python backend: model.py in a stub process per instance
 * (instance.ts, process.ts), on the first Python with numpy (interpreter.ts;
 * the lab's interpreter setting is one of the places it looks, so a new
 * setting loads Python models again). It runs the folder's code, so
 * workspace trust applies.
 */
import { BACKEND, FILENAME } from '../../config/constants';
import { type Backend, filesDecide } from '../backend';
import { modelFileOf, startSupervised } from '../instances';
import { applyAutoCompleted } from '../update-config';
import { preparePython } from './config';
import { PythonInstance } from './instance';
import { findPython } from './interpreter';
import { checkStubName } from './stub-name';

export const python: Backend = {
  name: BACKEND.python,
  runs: 'Python models (model.py), one Python process per instance',
  runsUserCode: true,
  usesPythonSetting: true,
  fields(c, folder) {
    if (!c.backend) {
      if (c.defaultModelFilename === FILENAME.python) c.backend = BACKEND.python;
      else if (filesDecide(c, folder) && folder.has(FILENAME.python)) c.backend = BACKEND.python;
    }
    if (c.backend !== BACKEND.python) return false;
    c.defaultModelFilename ||= FILENAME.python;
    return true;
  },
  async complete(ctx) {
    const p = await preparePython(ctx);
    const changed = p.completed ? applyAutoCompleted(ctx.config, p.completed, ctx.filled) : false;
    return {
      issues: p.issues,
      changed,
      ...(p.modelFile ? { modelFile: p.modelFile } : {}),
      ...(p.ioFromUnrunnableCode ? { ioFromUnrunnableCode: true } : {}),
    };
  },
  check: () => undefined,
  async instances(specs, ctx) {
    const file = modelFileOf(ctx);
    // Each instance's stub is named after the instance (`<model>_0_0`), checked as Triton checks it.
    for (const s of specs) checkStubName(s.name);
    const env = await findPython(ctx.config, ctx.modelDir, ctx.python);
    const instances = await startSupervised(specs, ctx, (s, opts) =>
      PythonInstance.start({ ...opts, executable: env.executable, setup: { file, versionDir: ctx.versionDir, modelName: ctx.model, instanceName: s.name } }),
    );
    ctx.log('info', `${ctx.model}: Python ${env.python} with numpy ${env.numpy} (${env.executable})`);
    return { instances, device: 'CPU' };
  },
};
