/**
 * What loading a PyTorch model checks before any Python starts, as Triton's
 * PyTorch backend checks it when it creates an instance (pytorch_backend
 * src/pt/model_instance_state.cc ValidateInputs/ValidateOutputs): at least one
 * input and one output, datatypes LibTorch has (no UINT16/32/64, no BF16),
 * TYPE_STRING only one-dimensional (a List[str]). What needs the model itself
 * (forward()'s arguments, the output count, the output datatypes) is checked
 * by the runner in the instance (py/model_lab_pytorch.py).
 *
 * Triton's PyTorch backend does not auto-complete: a TorchScript archive
 * carries no IO metadata, so it only logs that it skipped (ModelState::
 * AutoCompleteConfig). The lab says the same, as information.
 */
import type { ModelConfig, ModelInput, ModelOutput } from '../../config/gen/model_config_pb';
import { DataType } from '../../config/gen/model_config_pb';
import { type ConfigIssue, issue } from '../../config/issues';
import { configTypeName } from '../../tensor/dtype';

/** The datatypes LibTorch tensors have (libtorch_utils.cc ModelConfigDataTypeToTorchType), and TYPE_STRING as a List[str]. */
const TORCH_TYPES = new Set([
  DataType.TYPE_BOOL,
  DataType.TYPE_UINT8,
  DataType.TYPE_INT8,
  DataType.TYPE_INT16,
  DataType.TYPE_INT32,
  DataType.TYPE_INT64,
  DataType.TYPE_FP16,
  DataType.TYPE_FP32,
  DataType.TYPE_FP64,
  DataType.TYPE_STRING,
]);

function ioProblem(ios: (ModelInput | ModelOutput)[], kind: 'input' | 'output', config: ModelConfig): ConfigIssue | undefined {
  for (const [i, io] of ios.entries()) {
    if (!TORCH_TYPES.has(io.dataType)) {
      const message = `unsupported datatype ${configTypeName(io.dataType)} for ${kind} '${io.name}' for model '${config.name}'`;
      return issue('pytorch.datatype', message, [kind, i, 'data_type'], 'INTERNAL');
    }
    const dims = io.reshape ? io.reshape.shape.length : io.dims.length;
    if (io.dataType === DataType.TYPE_STRING && dims + (config.maxBatchSize > 0 ? 1 : 0) > 1) {
      const message = `Triton only supports 1 dimensional List of String as ${kind} for '${io.name}' for model '${config.name}'`;
      return issue('pytorch.string-rank', message, [kind, i, 'dims'], 'INTERNAL');
    }
  }
  return undefined;
}

/** The first problem Triton's PyTorch backend would report about the config alone, in its order. */
export function checkPytorchConfig(config: ModelConfig): ConfigIssue | undefined {
  if (config.input.length === 0) return issue('pytorch.no-input', 'model configuration must contain at least one input, none were specified.', ['input'], 'INTERNAL');
  const inputs = ioProblem(config.input, 'input', config);
  if (inputs) return inputs;
  if (config.output.length === 0) return issue('pytorch.no-output', 'model configuration must contain at least one output, none were specified.', ['output'], 'INTERNAL');
  return ioProblem(config.output, 'output', config);
}

/** Triton's log line when auto-complete is on (not an error: the config must name the IO itself). */
export function skippedAutoComplete(model: string): ConfigIssue {
  return { severity: 'info', code: 'pytorch.no-auto-complete', message: `skipping model configuration auto-complete for '${model}': not supported for pytorch backend` };
}
