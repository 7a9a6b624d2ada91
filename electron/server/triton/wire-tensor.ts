/**
 * Tensors on the wire, shared by the HTTP binary extension and gRPC
 * raw_input_contents / raw_output_contents: little-endian element bytes,
 * BOOL as one byte, BYTES as a uint32 length before each element.
 */
import { LabError } from '../../engine/errors';
import type { ApiDType } from '../../engine/tensor/dtype';
import { type Tensor, deserializeBytes, elementCount, elementSize, isApiDType, tensorBytes, viewAs } from '../../engine/tensor/tensor';
import { logRequest } from '../../engine/runtime/validate-request';

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
