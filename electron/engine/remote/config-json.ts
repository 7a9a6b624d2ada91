/**
 * A remote model's config JSON as a ModelConfig (config/from-triton-json.ts), with a failure said
 * as the server's fault (REMOTE_PROTOCOL) and naming the model.
 */
import type { ModelConfig } from '../config/gen/model_config_pb';
import { configFromTritonJson as readTritonJson } from '../config/from-triton-json';
import { LabError, errorMessage } from '../errors';
import { clipLine } from '../backends/log-lines';

export function configFromTritonJson(json: unknown, model: string): { config: ModelConfig; ignored: string[] } {
  try {
    return readTritonJson(json);
  } catch (err) {
    throw new LabError('UNAVAILABLE', clipLine(`the server's configuration of '${model}' could not be read: ${errorMessage(err)}`), { reason: 'REMOTE_PROTOCOL' });
  }
}
