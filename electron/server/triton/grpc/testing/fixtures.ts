/** Shared pieces of the gRPC tests: a core over one identity model, and the error of a call expected to fail. */
import type { ServiceError } from '@grpc/grpc-js';
import { Repository } from '../../../../engine/repository/repository';
import { makeTempDir } from '../../../../engine/repository/testing/temp-repo';
import { modelConfig } from '../../../../engine/runtime/testing/models';
import { TritonCore } from '../../core';

/** A TritonCore over a repository holding `id_fp32` (identity, FP32 [-1]); close() removes it. */
export async function identityCore(): Promise<{ core: TritonCore; repo: Repository; close(): Promise<void> }> {
  const dir = await makeTempDir({
    'id_fp32/config.pbtxt': modelConfig('id_fp32', { backend: 'identity', mbs: 0, inputs: [{ name: 'INPUT0', type: 'FP32', dims: [-1] }], outputs: [{ name: 'OUTPUT0', type: 'FP32', dims: [-1] }] }),
    'id_fp32/1': null,
  });
  const repo = new Repository(dir.root);
  await repo.loadAll();
  return {
    core: new TritonCore(repo, { version: '1' }),
    repo,
    async close() {
      await repo.close();
      dir.cleanup();
    },
  };
}

/** A ServiceError from a rejected call (fails the test otherwise). */
export async function grpcError(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('expected the call to fail');
}
