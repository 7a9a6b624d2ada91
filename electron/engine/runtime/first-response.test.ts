/**
 * Triton's first-response histogram observes a request when its first response goes out
 * (core infer_response.cc UpdateResponseMetrics): for a decoupled model that answers at once and
 * sends its final flag later, that is the first response, not the end of the request.
 */
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest';
import { pythonConfig, pythonMissing } from '../backends/python/testing/repo';
import { Repository } from '../repository/repository';
import { makeTempDir, type TempDir } from '../repository/testing/temp-repo';
import type { Tensor } from '../tensor/tensor';

const describe = describeAll.skipIf(pythonMissing);

const MODEL = `import time
import numpy as np
import triton_python_backend_utils as pb_utils

class TritonPythonModel:
    def execute(self, requests):
        for request in requests:
            sender = request.get_response_sender()
            x = pb_utils.get_input_tensor_by_name(request, "IN").as_numpy()
            sender.send(pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("OUT", x)]))
            time.sleep(2.0)
            sender.send(flags=pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL)
        return None
`;

let dir: TempDir;
let repo: Repository;

beforeAll(async () => {
  if (pythonMissing) return;
  dir = await makeTempDir({
    'late_final/config.pbtxt': pythonConfig('late_final', {
      inputs: [{ name: 'IN', type: 'INT32', dims: [1] }],
      outputs: [{ name: 'OUT', type: 'INT32', dims: [1] }],
      extra: 'model_transaction_policy { decoupled: true }',
    }),
    'late_final/1/model.py': MODEL,
  });
  repo = new Repository(dir.root);
  await repo.loadAll();
}, 60_000);

afterAll(async () => {
  await repo?.close();
  dir?.cleanup();
});

describe('the first-response histogram of a decoupled model', () => {
  it('takes the time of the first response, not of the final flag', async () => {
    const input: Tensor = { name: 'IN', dtype: 'INT32', shape: [1], data: Int32Array.from([7]) };
    const seen: number[] = [];
    await repo.infer('late_final', -1, { inputs: [input], onResponse: (r) => void seen.push(r ? 1 : 0) });
    const s = repo.resolve('late_final', -1).statistics;
    expect(s.success.count).toBe(1);
    expect(s.success.ns).toBeGreaterThan(1900e6);
    expect(s.firstResponse.count).toBe(1);
    // Whole milliseconds; generous for a loaded machine, still far from the final flag at 2 s.
    expect(s.firstResponse.sum).toBeLessThan(1500);
  }, 30_000);
});
