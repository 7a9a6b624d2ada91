/**
 * The control-flow test model is a model onnxruntime accepts and runs (both
 * branches, the Loop and the Scan inside it), so "Run to see" and the graph
 * tests work on the same file; the committed copy (for trying in the app) is
 * what the builder writes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { controlFlowModel } from './testing/graph-models';

const FIXTURE = path.join(__dirname, 'testing', 'control-flow.onnx');

describe('control-flow test model', () => {
  it('is committed as built', () => {
    expect(Buffer.from(readFileSync(FIXTURE)).equals(Buffer.from(controlFlowModel()))).toBe(true);
  });

  it('runs in onnxruntime through both If branches, the Loop and the Scan', async () => {
    const session = await ort.InferenceSession.create(controlFlowModel());
    try {
      const x = new ort.Tensor('float32', Float32Array.from([1, 0, -1, 2, 0.5, 0.5, 0.5, 0.5]), [2, 4]);
      const run = async (cond: boolean): Promise<number[]> => {
        const out = await session.run({ x, cond: new ort.Tensor('bool', [cond], []) });
        return Array.from(out.out!.data as Float32Array);
      };
      // Reference in plain arithmetic: xr = x + [0,1,2,3]; then: v = xr·I + b, twice v = relu(2v) + xr, sigmoid; else: tanh(-xr·[1,-1,1,-1]·0.5); softmax per row.
      const xr = [
        [1, 1, 1, 5],
        [0.5, 1.5, 2.5, 3.5],
      ];
      const b = [0.1, 0.2, 0.3, 0.4];
      const softmax = (row: number[]): number[] => {
        const e = row.map((v) => Math.exp(v - Math.max(...row)));
        const sum = e.reduce((a, c) => a + c, 0);
        return e.map((v) => v / sum);
      };
      const thenRows = xr.map((r) => {
        let v = r.map((c, j) => c + b[j]!);
        for (let k = 0; k < 2; k++) v = v.map((c, j) => Math.max(0, 2 * c) + r[j]!);
        return softmax(v.map((c) => 1 / (1 + Math.exp(-c))));
      });
      const elseRows = xr.map((r) => softmax(r.map((c, j) => Math.tanh(-c * [1, -1, 1, -1][j]! * 0.5))));
      for (const [cond, rows] of [
        [true, thenRows],
        [false, elseRows],
      ] as const) {
        const got = await run(cond);
        rows.flat().forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
      }
    } finally {
      await session.release();
    }
  });
});
