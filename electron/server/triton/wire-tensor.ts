/**
 * Tensors on the wire, shared by the HTTP binary extension and gRPC
 * raw_input_contents / raw_output_contents: little-endian element bytes,
 * BOOL as one byte, BYTES as a uint32 length before each element.
 */
import type { ModelConfig } from '../../engine/config/gen/model_config_pb';
import { toNumbers } from '../../engine/config/shape';
import { LabError } from '../../engine/errors';
import { apiTypeName } from '../../engine/tensor/dtype';
import type { ApiDType } from '../../engine/tensor/dtype';
import { type Tensor, deserializeBytes, elementCount, elementSize, isApiDType, tensorBytes, viewAs } from '../../engine/tensor/tensor';
import { logRequest } from '../../engine/triton-errors';

/**
 * A request input from its raw bytes. The bytes are viewed, not copied, when
 * aligned. A size that is not a whole number of elements gets Triton's
 * byte-size message here, since no typed view can carry it further.
 */
export function tensorFromRaw(name: string, datatype: string, shape: number[], raw: Uint8Array, ctx: { model: string; requestId?: string; expects?: string }): Tensor {
  if (!isApiDType(datatype)) {
    throw new LabError('INVALID_ARG', `${logRequest(ctx.requestId)}inference input '${name}' data-type is '<invalid>', but model '${ctx.model}' expects '${ctx.expects ?? 'a known data type'}'`);
  }
  const dtype: ApiDType = datatype;
  if (dtype === 'BYTES') {
    // Element count errors come later from the request checks, with the model's view of the shape.
    return { name, dtype, shape, data: deserializeBytes(raw) };
  }
  const size = elementSize(dtype);
  if (raw.byteLength % size !== 0) {
    const expected = elementCount(shape) * size;
    throw new LabError('INVALID_ARG', `${logRequest(ctx.requestId)}input byte size mismatch for input '${name}' for model '${ctx.model}'. Expected ${expected}, got ${raw.byteLength}`);
  }
  return { name, dtype, shape, data: viewAs(dtype, raw) };
}

/** An output's bytes as they go on the wire (a view of numeric data; BYTES serialized). */
export function rawFromTensor(t: Tensor): Uint8Array {
  return tensorBytes(t);
}

/**
 * A raw binary request (HTTP with Inference-Header-Content-Length: 0): the
 * body is the model's only input, its shape deduced from the config as
 * Triton's InferenceRequest::Normalize does.
 */
export function rawInputTensor(config: ModelConfig, raw: Uint8Array, requestId?: string): Tensor {
  const prefix = logRequest(requestId);
  if (config.input.length !== 1) {
    throw new LabError('INVALID_ARG', `${prefix}Raw request must only have 1 input (found 1) to be deduced but got ${config.input.length} inputs in '${config.name}' model configuration`);
  }
  const cfg = config.input[0]!;
  const dtype = apiTypeName(cfg.dataType) as ApiDType;
  const shape: number[] = config.maxBatchSize !== 0 ? [1] : [];
  let dynamicAxis = -1;
  let known = 1;
  for (const d of toNumbers(cfg.dims)) {
    if (d === -1) {
      if (dynamicAxis !== -1) {
        throw new LabError('INVALID_ARG', `${prefix}The shape of the raw input '${cfg.name}' can not be deduced because there are more than one variable-sized dimension`);
      }
      dynamicAxis = shape.length;
    } else known *= d;
    shape.push(d);
  }
  if (dtype === 'BYTES') {
    if (dynamicAxis !== -1 || known !== 1) throw new LabError('INVALID_ARG', `${prefix}For BYTE datatype raw input '${cfg.name}', the model must have input shape [1]`);
    // The whole body is the one element.
    return { name: cfg.name, dtype, shape, data: [raw] };
  }
  if (dynamicAxis !== -1) shape[dynamicAxis] = Math.floor(raw.byteLength / known / elementSize(dtype));
  return tensorFromRaw(cfg.name, dtype, shape, raw, { model: config.name, ...(requestId !== undefined ? { requestId } : {}) });
}
