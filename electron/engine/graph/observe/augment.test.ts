/** The augmented model: every node output becomes a name-only graph output, and nothing else changes. */
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { everythingModel } from '../testing/graph-models';
import { readOnnxSummary } from '../onnx-summary';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { observableModel, valuesToFetch } from './augment';

async function summaryOf(bytes: Uint8Array) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'augment-'));
  try {
    writeFileSync(path.join(dir, 'model.onnx'), bytes);
    return await readOnnxSummary(path.join(dir, 'model.onnx'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('observableModel', () => {
  it('adds every node output as a name-only graph output and leaves the rest of the model as it was', async () => {
    const { onnx } = everythingModel();
    const summary = await summaryOf(onnx);
    const m = observableModel(onnx, summary, 'test');
    expect(m.fetch).toEqual(['out', 'y', 'k', 'z', 'r', 'p', 'o']);
    expect(m.added).toBe(6);
    const before = fromBinary(ModelProtoSchema, onnx);
    const after = fromBinary(ModelProtoSchema, m.bytes);
    expect(after.graph!.output.map((o) => o.name)).toEqual(m.fetch);
    expect(after.graph!.output.slice(1).every((o) => o.type === undefined && o.docString === '')).toBe(true);
    // Everything else is byte for byte the same once the added outputs are taken away.
    after.graph!.output.splice(1);
    expect(toBinary(ModelProtoSchema, after)).toEqual(toBinary(ModelProtoSchema, before));
  });

  it('does not ask twice for a value, nor for inputs and initializers, and refuses a damaged file', () => {
    const summary = {
      inputs: [{ name: 'x', dtype: 'FP32' }],
      outputs: [{ name: 'y', dtype: 'FP32' }],
      initializers: [{ name: 'w', dtype: 'FP32', bytes: 4, elements: 1 }],
      nodes: [
        { name: 'a', opType: 'Add', domain: '', inputs: ['x', 'w'], outputs: ['s', ''], attributes: [] },
        { name: 'b', opType: 'Relu', domain: '', inputs: ['s'], outputs: ['y'], attributes: [] },
        { name: 'c', opType: 'Identity', domain: '', inputs: ['x'], outputs: ['s'], attributes: [] },
      ],
    };
    expect(valuesToFetch(summary, 't')).toEqual({ fetch: ['y', 's'], added: ['s'] });
    expect(() => observableModel(new Uint8Array([0x3a, 0x7f, 1]), summary, "'m.onnx'")).toThrow(
      expect.objectContaining({ code: 'INVALID_ARG', message: expect.stringContaining("'m.onnx' is not a readable ONNX model") }),
    );
    expect(() => observableModel(new Uint8Array([0x08, 0x07]), summary, "'m.onnx'")).toThrow(/it has no graph/);
  });
});
