/**
 * What loading a script model does before its instances start: find the
 * model file (model.js, model.mjs or model.ts), and run the script's
 * autoCompleteConfig in a throwaway worker when it defines one and the
 * folder's code may run.
 */
import path from 'node:path';
import { issue } from '../../config/issues';
import { configToTritonJson } from '../../config/serialize';
import { errorMessage } from '../../errors';
import { modelFileMissing } from '../../triton-errors';
import { readModelSource } from '../../util/regular-file';
import { type PrepareContext, type PrepareResult, pathKind } from '../backend';
import { applyAutoCompleted } from '../update-config';
import { scriptAutoComplete } from './host';

export async function prepareScript(ctx: PrepareContext): Promise<PrepareResult> {
  const file = path.join(ctx.versionDir, ctx.config.defaultModelFilename);
  const kind = await pathKind(file);
  if (kind === 'special') {
    return { issues: [issue('model-file.invalid', `'${file}' for model instance '${ctx.model}' is not a regular file (a FIFO or device is never read)`, undefined, 'INVALID_ARG')], changed: false };
  }
  if (kind !== 'file') {
    return { issues: [modelFileMissing(file, ctx.model)], changed: false };
  }
  if (!ctx.autoComplete) return { issues: [], changed: false, modelFile: file };
  if (ctx.runCode === false) return { issues: [], changed: false, modelFile: file };
  // Only scripts that define it pay for a worker at load time.
  const text = await readModelSource(file);
  if (!/autoCompleteConfig|auto_complete_config/.test(text)) return { issues: [], changed: false, modelFile: file };
  try {
    const json = await scriptAutoComplete(
      { file, versionDir: ctx.versionDir, modelDir: path.dirname(ctx.versionDir), instanceName: `${ctx.model}_autocomplete` },
      configToTritonJson(ctx.config),
      () => undefined,
      30_000,
      ctx.signal,
    );
    const changed = json ? applyAutoCompleted(ctx.config, json, ctx.filled) : false;
    return { issues: [], changed, modelFile: file };
  } catch (err) {
    return { issues: [issue('script.auto-complete', errorMessage(err), undefined, 'INTERNAL')], changed: false, modelFile: file };
  }
}
