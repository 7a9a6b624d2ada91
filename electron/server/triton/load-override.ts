/**
 * What a network load request's `config` override may name. The request
 * comes from whoever can reach the endpoint, not from the repository's owner,
 * so every file the override names must be inside the model's own folder
 * after normalization and real-path resolution (the uploaded folder for
 * "file:" loads, the repository's folder otherwise), and it may not choose an
 * executable: PYTHON_EXECUTABLE and EXECUTION_ENV_PATH are accepted only
 * when they repeat the value of the model's own config.pbtxt (a client that
 * sends back the config it fetched). Triton checks none of this for model
 * files (only file parameters, labels and the batching library); the lab is
 * stricter (docs/TRITON-PARITY.md).
 */
import path from 'node:path';
import type { ModelConfig } from '../../engine/config/gen/model_config_pb';
import { parseConfigText } from '../../engine/config/text/parse';
import { CONFIG_FILENAME } from '../../engine/config/constants';
import { LabError } from '../../engine/errors';
import { EXECUTION_ENV_PATH, PYTHON_EXECUTABLE } from '../../engine/backends/python/interpreter';
import { escapesReally, readContained } from '../../engine/repository/containment';
import { readFiles } from '../../engine/repository/file-fields';
import { MAX_CONFIG_BYTES } from '../../engine/repository/model-loader';
import { readDirSafe } from '../../engine/util/fs-tree';

/** Config parameters that choose a program to run. */
export const EXECUTABLE_PARAMETERS = [PYTHON_EXECUTABLE, EXECUTION_ENV_PATH] as const;

function refuse(message: string): LabError {
  return new LabError('INVALID_ARG', message);
}

/** The model folder's config.pbtxt parameters, when it has a readable one inside the folder. */
async function ownParameters(modelDir: string): Promise<ModelConfig['parameters']> {
  try {
    const text = (await readContained(modelDir, path.join(modelDir, CONFIG_FILENAME), MAX_CONFIG_BYTES)).toString('utf8');
    return parseConfigText(text).config?.parameters ?? {};
  } catch {
    return {};
  }
}

async function checkExecutables(name: string, config: ModelConfig, ownDir: string | undefined): Promise<void> {
  const asked = EXECUTABLE_PARAMETERS.filter((k) => config.parameters[k] !== undefined);
  if (asked.length === 0) return;
  const own = ownDir ? await ownParameters(ownDir) : {};
  for (const key of asked) {
    const value = config.parameters[key]?.stringValue ?? '';
    if (own[key]?.stringValue === value) continue;
    throw refuse(`Invalid config override for model '${name}': parameter '${key}' chooses a program to run; it can only be set in the model's own ${CONFIG_FILENAME}, not in a load request`);
  }
}

/** Version folders of the model (numbered), or '1' when there is none yet. */
async function versionDirs(modelDir: string): Promise<string[]> {
  const { entries } = await readDirSafe(modelDir);
  const numbered = entries.filter((e) => /^\d+$/.test(e.name)).map((e) => path.join(modelDir, e.name));
  return numbered.length > 0 ? numbered : [path.join(modelDir, '1')];
}

async function checkModelFiles(config: ModelConfig, modelDir: string): Promise<void> {
  const named: [string, string][] = [];
  if (config.defaultModelFilename) named.push(['default_model_filename', config.defaultModelFilename]);
  for (const [k, v] of Object.entries(config.ccModelFilenames)) named.push([`cc_model_filenames '${k}'`, v]);
  for (const [field, value] of named) {
    // Triton would join an absolute name to the folder; from the network it is refused outright.
    if (path.isAbsolute(value)) throw refuse(`Invalid ${field} '${value}' with normalized path '${path.resolve(value)}' must stay within model directory.`);
  }
  for (const dir of named.length > 0 ? await versionDirs(modelDir) : []) {
    for (const [field, value] of named) {
      const { escapes, canonical } = await escapesReally(path.join(dir, value), modelDir);
      if (escapes) throw refuse(`Invalid ${field} '${value}' with normalized path '${canonical}' must stay within model directory.`);
    }
  }
}

/**
 * Refuses a config override that names a file outside `modelDir` (real paths) or chooses an
 * executable. `ownDir`: the repository's folder of the model, whose config.pbtxt may already name
 * an interpreter (undefined for a load from uploaded files).
 */
export async function checkConfigOverride(name: string, config: ModelConfig, modelDir: string, ownDir: string | undefined): Promise<void> {
  await checkExecutables(name, config, ownDir);
  await checkModelFiles(config, modelDir);
  for (const f of readFiles(name, modelDir, config)) {
    const file = f.name && path.isAbsolute(f.name) ? path.resolve(f.name) : f.file;
    if (file !== f.file || (await escapesReally(f.file, modelDir)).escapes) throw new LabError(f.status ?? 'INVALID_ARG', f.message(file));
  }
  const lib = config.runtime;
  if (lib && (path.basename(lib) !== lib || lib === '..' || lib.includes('\\'))) {
    throw refuse(`backend library name '${lib}' escapes backend directory '${modelDir}', for model '${name}', check model config runtime field`);
  }
}
