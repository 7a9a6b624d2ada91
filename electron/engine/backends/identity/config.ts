/**
 * The identity backend's own load-time checks (identity_backend
 * ModelState::ValidateModelConfig): inputs and outputs come in pairs named
 * INPUT<k> / OUTPUT<k>, paired by the suffix, with equal types and shapes.
 */
import type { ModelConfig } from '../../config/gen/model_config_pb';
import { type ConfigIssue, issue } from '../../config/issues';
import { dimsToString, toNumbers } from '../../config/shape';
import { configTypeName } from '../../tensor/dtype';

export function identitySuffix(name: string, prefix: 'INPUT' | 'OUTPUT'): string | undefined {
  return name.startsWith(prefix) ? name.slice(prefix.length) : undefined;
}

export function validateIdentityConfig(c: ModelConfig): ConfigIssue | undefined {
  if (c.input.length !== c.output.length) return issue('identity.pairs', 'model configuration must have equal input/output pairs', ['output']);
  for (const [i, input] of c.input.entries()) {
    if (identitySuffix(input.name, 'INPUT') === undefined) {
      return issue('identity.input-name', `expected input name to follow INPUT<index> pattern, got '${input.name}'`, ['input', i, 'name']);
    }
  }
  for (const [i, output] of c.output.entries()) {
    const suffix = identitySuffix(output.name, 'OUTPUT');
    if (suffix === undefined) return issue('identity.output-name', `expected output name to follow OUTPUT<index> pattern, got '${output.name}'`, ['output', i, 'name']);
    const input = c.input.find((x) => identitySuffix(x.name, 'INPUT') === suffix);
    if (!input) return issue('identity.indices', 'expected input and output indices to match', ['output', i, 'name']);
    if (input.dataType !== output.dataType) {
      return issue('identity.datatype', `expected input and output datatype to match, got ${configTypeName(input.dataType)} and ${configTypeName(output.dataType)}`, ['output', i, 'data_type']);
    }
    const inShape = toNumbers(input.reshape ? input.reshape.shape : input.dims);
    const outShape = toNumbers(output.reshape ? output.reshape.shape : output.dims);
    if (dimsToString(inShape) !== dimsToString(outShape)) {
      return issue('identity.shape', `expected input and output shape to match, got ${dimsToString(inShape)} and ${dimsToString(outShape)}`, ['output', i, 'dims']);
    }
  }
  return undefined;
}
