/** Reading a model's inputs and outputs from ONNX bytes, and refusing what is not ONNX. */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TempDirs } from '../repository/testing/temp-repo';
import { buildOnnxModel } from './testing/build-model';
import { ortShape, readOnnxModelIO, readOnnxModelIOFile } from './model-io';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

describe('readOnnxModelIO', () => {
  it('reads names, element types and dims (numbers, symbols, unknown), IR version, opsets and producer', () => {
    const io = readOnnxModelIO(
      buildOnnxModel({
        inputs: [
          { name: 'images', type: 1, dims: ['batch', 3, null, 224] },
          { name: 'any', type: 7 },
        ],
        outputs: [
          { name: 'scores', type: 1, dims: [-1, 10] },
          { name: 'label', type: 8, dims: [] },
        ],
        irVersion: 9,
        opset: 17,
        producer: 'tests',
      }),
    );
    expect(io.irVersion).toBe(9);
    expect(io.opsets).toEqual([{ domain: '', version: 17 }]);
    expect(io.producer).toBe('tests');
    expect(io.inputs).toEqual([
      { name: 'images', kind: 'tensor', elemType: 1, dims: ['batch', 3, null, 224] },
      { name: 'any', kind: 'tensor', elemType: 7, dims: undefined },
    ]);
    expect(ortShape(io.inputs[0]!)).toEqual([-1, 3, -1, 224]);
    expect(ortShape(io.outputs[1]!)).toEqual([]);
  });

  it('keeps initializers listed as inputs apart, as overridable', () => {
    const io = readOnnxModelIO(
      buildOnnxModel({
        inputs: [
          { name: 'x', type: 1, dims: [2] },
          { name: 'w', type: 1, dims: [2] },
        ],
        outputs: [{ name: 'y', type: 1, dims: [2] }],
        nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }],
        initializers: [{ name: 'w', dims: [2], values: [1, 2] }],
      }),
    );
    expect(io.inputs.map((i) => i.name)).toEqual(['x']);
    expect(io.overridableInitializers.map((i) => i.name)).toEqual(['w']);
  });

  it('refuses bytes that are not an ONNX model', () => {
    expect(() => readOnnxModelIO(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]))).toThrow(/^not a valid ONNX model/);
    expect(() => readOnnxModelIO(new Uint8Array(0))).toThrow('not a valid ONNX model: no graph or IR version found');
    expect(() => readOnnxModelIO(new TextEncoder().encode('name: "not onnx"'))).toThrow(/^not a valid ONNX model/);
  });

  it('reads from a file, and refuses a folder', async () => {
    const d = await temp.make({ 'model.onnx': buildOnnxModel({ inputs: [{ name: 'x', type: 1, dims: [1] }], outputs: [{ name: 'y', type: 1, dims: [1] }] }), dir: null });
    expect((await readOnnxModelIOFile(path.join(d.root, 'model.onnx'))).outputs[0]!.name).toBe('y');
    await expect(readOnnxModelIOFile(path.join(d.root, 'dir'))).rejects.toMatchObject({ code: 'INVALID_ARG', message: expect.stringContaining('is not a file') });
  });
});
