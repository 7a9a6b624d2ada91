/**
 * Converting a TorchScript model to ONNX with torch, then comparing both on
 * the same inputs (backends/pytorch/). Payloads are checked here, once.
 */
import { LabError } from '../errors';
import type { Lab } from '../lab';
import type { LabHandlers } from '../lab-handlers';

export function createConvertHandlers(_lab: Lab): Pick<LabHandlers, 'convertToOnnx'> {
  // In progress (issue 16): backends/pytorch/ lands this.
  return {
    convertToOnnx: async () => {
      throw new LabError('UNSUPPORTED', 'converting to ONNX is not built yet');
    },
  };
}
