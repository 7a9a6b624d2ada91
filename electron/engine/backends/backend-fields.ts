/**
 * Fills platform, backend and default_model_filename from the files in a
 * model folder, in the order and with the quirks of Triton's
 * AutoCompleteBackendFields: each backend's step in turn (the registry's
 * order, Triton's, with the lab's script backend after Python), looking in
 * the lexicographically first sub-folder (not the newest version); then a
 * name like `foo.bar` selects a custom backend `bar`.
 */
import type { ModelConfig } from '../config/gen/model_config_pb';
import type { ConfigIssue } from '../config/issues';
import type { FolderView } from './backend';
import { BACKENDS } from './registry';

/** What the model folder holds, as far as backend detection needs. */
export interface FolderFacts {
  /** Every sub-folder name of the model folder. */
  subdirs: string[];
  /** Entries of the first sub-folder (byte order): name → is a directory. */
  firstDirEntries: Map<string, boolean>;
}

function byteOrder(a: string, b: string): number {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return Buffer.compare(ba, bb);
}

export function firstSubdir(subdirs: string[]): string | undefined {
  return [...subdirs].sort(byteOrder)[0];
}

/**
 * Mutates `config` like Triton does. Returns an issue only for the custom
 * backend naming error; anything else left unresolved is caught by validation.
 */
export function autoCompleteBackendFields(modelName: string, config: ModelConfig, facts: FolderFacts): ConfigIssue | undefined {
  if (!config.name) config.name = modelName;
  const folder: FolderView = {
    hasVersion: facts.subdirs.length > 0,
    has: (name) => facts.firstDirEntries.has(name),
    isDir: (name) => facts.firstDirEntries.get(name) === true,
  };
  for (const backend of BACKENDS) if (backend.fields?.(config, folder)) return undefined;
  return customBackend(modelName, config);
}

/** A custom backend is named by the model folder: `<anything>.<backend>`. */
function customBackend(modelName: string, config: ModelConfig): ConfigIssue | undefined {
  if (config.backend || config.platform || config.defaultModelFilename) return undefined;
  const dot = modelName.indexOf('.');
  if (dot < 0) {
    return {
      severity: 'error',
      code: 'backend.undetermined',
      status: 'INVALID_ARG',
      message: `Invalid model name: Could not determine backend for model '${modelName}' with no backend in model configuration. Expected model name of the form 'model.<backend_name>'.`,
      path: ['backend'],
    };
  }
  config.backend = modelName.substring(dot + 1);
  config.defaultModelFilename = `model.${config.backend}`;
  return undefined;
}
