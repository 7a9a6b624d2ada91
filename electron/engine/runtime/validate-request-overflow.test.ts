/**
 * Element counts and byte sizes beyond a double, checked as Triton's core checks them for every
 * protocol (model_config_utils.h GetByteSize / GetElementCount over int64): a byte size past
 * INT64_MAX is "byte size for tensor '<n>' exceeds maximum size of 9223372036854775807", a BYTES
 * element count past it "element count for tensor ...", and the mismatch message prints the
 * exact expected size.
 */
import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../config/gen/model_config_pb';
import { parseConfigText } from '../config/text/parse';
import { LabError } from '../errors';
import { modelConfig } from './testing/models';
import type { InferRequest } from './types';
import { prepareRequest } from './validate-request';

function config(type: string): ModelConfig {
  const parsed = parseConfigText(modelConfig('m', { backend: 'identity', mbs: 0, inputs: [{ name: 'X', type, dims: [-1, -1] }], outputs: [{ name: 'Y', type, dims: [-1, -1] }] }));
  if (!parsed.config) throw new Error(parsed.error?.message);
  return parsed.config;
}

function refusal(c: ModelConfig, req: InferRequest): string {
  try {
    prepareRequest(c, req);
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('INVALID_ARG');
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('element counts beyond a double', () => {
  it('a byte size past INT64_MAX is refused in the core words', () => {
    const r = refusal(config('FP32'), { inputs: [{ name: 'X', dtype: 'FP32', shape: [2147483648, 2147483648], data: new Float32Array(1) }] });
    expect(r).toBe("byte size for tensor 'X' exceeds maximum size of 9223372036854775807");
    const overflow = refusal(config('INT8'), { inputs: [{ name: 'X', dtype: 'INT8', shape: [4294967296, 4294967296], data: new Int8Array(1) }] });
    expect(overflow).toBe("byte size for tensor 'X' exceeds maximum size of 9223372036854775807");
  });

  it('a BYTES element count past INT64_MAX too', () => {
    const r = refusal(config('STRING'), { inputs: [{ name: 'X', dtype: 'BYTES', shape: [4294967296, 4294967296], data: [new Uint8Array(1)] }] });
    expect(r).toBe("element count for tensor 'X' exceeds maximum size of 9223372036854775807");
  });

  it('within int64 the mismatch prints the exact expected size', () => {
    const r = refusal(config('INT8'), { id: 'q', inputs: [{ name: 'X', dtype: 'INT8', shape: [3, 2 ** 61], data: new Int8Array(1) }] });
    expect(r).toBe("[request id: q] input byte size mismatch for input 'X' for model 'm'. Expected 6917529027641081856, got 1");
  });
});
