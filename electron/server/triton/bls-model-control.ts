/**
 * Model control for models (python_backend's pb_utils.load_model,
 * unload_model, is_model_ready): while a server serves a repository, the
 * repository's `modelControl` is the core's own load / unload / readiness,
 * so a model gets exactly what a client of the load API gets — explicit
 * mode only ("explicit model load / unload is not allowed if polling is
 * enabled"), Triton's name checks, config and "file:" overrides confined as
 * for the network, Triton's failure wording. The versions a load or unload
 * retires drain in the background (Triton's AsyncUnload): the caller may be
 * one of their requests.
 */
import { type Repository, fromModel } from '../../engine/repository/repository';
import type { ModelControl } from '../../engine/runtime/types';
import type { LoadParameter, TritonCore } from './core';

/** Gives the repository's models the core's model control; the returned function takes it back. */
export function attachModelControl(repo: Repository, core: TritonCore): () => Promise<void> {
  const control: ModelControl = {
    load(model, config, files) {
      const parameters: Record<string, LoadParameter> = {};
      // As python_backend: an empty config is no config parameter at all.
      if (config !== '') parameters.config = { type: 'STRING', value: config };
      for (const [key, value] of Object.entries(files)) parameters[key] = { type: 'BYTES', value };
      return fromModel(() => core.load(model, parameters));
    },
    unload: (model, unloadDependents) => fromModel(() => core.unload(model, { unloadDependents })),
    isReady: (model, version) => core.modelReady(model, version === -1 ? undefined : String(version)),
  };
  repo.modelControl = control;
  return () => {
    if (repo.modelControl === control) repo.modelControl = undefined;
    return Promise.resolve();
  };
}
