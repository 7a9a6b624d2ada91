/**
 * sample-repos/data_pipeline_python (model.py with numpy) against
 * sample-repos/data_pipeline (script models): the same five tensors through
 * the same ensemble come out bit-exact from both, and as they went in.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest';
import type { Repository } from '../../repository/repository';
import { closeRepositories, loadRepository } from '../../repository/testing/temp-repo';
import { tensor } from '../../runtime/testing/models';
import { bytesFromStrings, type Tensor, type TensorData } from '../../tensor/tensor';
import { pythonMissing, untilLogged } from './testing/repo';

/** Skipped, not failed, where no Python with numpy is installed (never on CI). */
const describe = describeAll.skipIf(pythonMissing);

const SAMPLES = path.join(__dirname, '..', '..', '..', '..', 'sample-repos');
let python: Repository;
let script: Repository;

beforeAll(async () => {
  if (pythonMissing) return;
  [python, script] = await Promise.all([loadRepository(path.join(SAMPLES, 'data_pipeline_python')), loadRepository(path.join(SAMPLES, 'data_pipeline'))]);
});
afterAll(() => closeRepositories());

function bytesOf(data: TensorData): number[] {
  if (Array.isArray(data)) return data.flatMap((b) => [b.byteLength, ...b]);
  return Array.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** The tutorial client's request, with edge values: a [1, 4, 5, 3] image with NaN/-0/inf bit patterns. */
function inputs(): Tensor[] {
  const image = new Float32Array(4 * 5 * 3).map((_, i) => i / 7 - 3);
  new Uint32Array(image.buffer).set([0x7fc00123, 0x80000000, 0x7f800000, 0xff800000, 0x00000001]);
  return [
    tensor('ensemble_input_string', 'BYTES', [1, 3], [...bytesFromStrings(['This is a string', 'ünïcode']), Uint8Array.from([0, 255, 1])]),
    tensor('ensemble_input_UINT8_array', 'UINT8', [1, 3], Uint8Array.from([1, 2, 255])),
    tensor('ensemble_input_INT8_array', 'INT8', [1, 3], Int8Array.from([-1, 2, -128])),
    tensor('ensemble_input_FP32_image', 'FP32', [1, 4, 5, 3], image),
    tensor('ensemble_input_bool', 'BOOL', [1, 2], Uint8Array.from([1, 0])),
  ];
}

describe('data_pipeline_python', () => {
  it('all three models load READY', () => {
    expect(python.index()).toEqual([
      { name: 'ensemble_model', version: '1', state: 'READY' },
      { name: 'model1', version: '1', state: 'READY' },
      { name: 'model2', version: '1', state: 'READY' },
    ]);
  });

  it('the five dtypes come out bit-exact, the same as from the script sample and as sent', async () => {
    const sent = inputs();
    const [py, js] = await Promise.all([python.infer('ensemble_model', -1, { inputs: inputs() }), script.infer('ensemble_model', -1, { inputs: inputs() })]);
    for (const t of sent) {
      const name = t.name.replace('input', 'output');
      const a = py.outputs.find((o) => o.name === name)!;
      const b = js.outputs.find((o) => o.name === name)!;
      expect([a.dtype, a.shape], name).toEqual([t.dtype, t.shape]);
      expect(bytesOf(a.data), name).toEqual(bytesOf(t.data));
      expect(bytesOf(a.data), name).toEqual(bytesOf(b.data));
    }
  });

  it("each model prints what it received into its log, as the tutorial's model.py does", async () => {
    const logsOf = (): string[] => python.models.get('model1')!.versions[0]!.logs.map((l) => l.message);
    const logs = await untilLogged(logsOf, (l) => l.some((x) => x.startsWith('model_1_input_bool')));
    expect(logs).toContain('Model 1 received');
    expect(logs).toContain("model_1_input_string object [1, 3]: [b'This is a string', b'\\xc3\\xbcn\\xc3\\xafcode', b'\\x00\\xff\\x01']");
    expect(logs).toContain('model_1_input_bool bool [1, 2]: [True, False]');
  });
});
