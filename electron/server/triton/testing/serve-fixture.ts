/**
 * A repository for serving tests: identity models for every dtype, a
 * batching model, a classifier with labels, an ensemble, a raw-input model
 * and a slow script model, behind a TritonCore (and, on request, the HTTP
 * server) on an ephemeral port.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Repository, type RepositoryInit } from '../../../engine/repository/repository';
import { ensembleConfig, modelConfig, scriptConfig, scriptModel } from '../../../engine/runtime/testing/models';
import { TritonCore, type CoreOptions } from '../core';
import { type RunningHttpServer, startHttpServer, type HttpServerOptions } from '../http/server';

export const DTYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BF16', 'BYTES'] as const;

/** Config type name for an API dtype. */
export const configType = (d: string): string => (d === 'BYTES' ? 'STRING' : d);

export function writeServeRepo(dir: string): void {
  const put = (rel: string, text: string): void => {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  const identity = (name: string, type: string, mbs: number, dims: number[], extra = ''): void => {
    put(`${name}/config.pbtxt`, modelConfig(name, { backend: 'identity', mbs, inputs: [{ name: 'INPUT0', type, dims }], outputs: [{ name: 'OUTPUT0', type, dims, ...(extra ? { extra } : {}) }] }));
    mkdirSync(path.join(dir, name, '1'), { recursive: true });
  };
  for (const d of DTYPES) identity(`id_${d.toLowerCase()}`, configType(d), 0, [-1]);
  identity('batching', 'FP32', 8, [-1]);
  identity('classifier', 'FP32', 4, [5], 'label_filename: "labels.txt"');
  put('classifier/labels.txt', 'cat\ndog\nbird\nfish\nfrog\n');
  identity('raw_bytes', 'STRING', 0, [1]);
  put(
    'two_in/config.pbtxt',
    modelConfig('two_in', {
      backend: 'identity',
      mbs: 0,
      inputs: [
        { name: 'INPUT0', type: 'INT32', dims: [-1] },
        { name: 'INPUT1', type: 'INT32', dims: [-1] },
      ],
      outputs: [
        { name: 'OUTPUT0', type: 'INT32', dims: [-1] },
        { name: 'OUTPUT1', type: 'INT32', dims: [-1] },
      ],
    }),
  );
  mkdirSync(path.join(dir, 'two_in', '1'), { recursive: true });
  put(
    'pipeline/config.pbtxt',
    ensembleConfig('pipeline', {
      mbs: 8,
      inputs: [{ name: 'IN', type: 'FP32', dims: [-1] }],
      outputs: [{ name: 'OUT', type: 'FP32', dims: [-1] }],
      steps: [
        { model: 'batching', inputs: { INPUT0: 'IN' }, outputs: { OUTPUT0: 'mid' } },
        { model: 'batching', inputs: { INPUT0: 'mid' }, outputs: { OUTPUT0: 'OUT' } },
      ],
    }),
  );
  mkdirSync(path.join(dir, 'pipeline', '1'), { recursive: true });
  put('slow/config.pbtxt', scriptConfig('slow', { mbs: 0, inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }], count: 4 }));
  put(
    'slow/1/model.js',
    scriptModel(`    const t = pb_utils.get_input_tensor_by_name(request, 'IN');
    await new Promise((r) => setTimeout(r, Number(t.data[0])));
    return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', t.data, t.shape, t.dtype)] });`),
  );
}

export interface ServeFixture {
  dir: string;
  repo: Repository;
  core: TritonCore;
  http?: RunningHttpServer;
  url: string;
  close(): Promise<void>;
}

export async function startServeFixture(
  opts: { repo?: RepositoryInit; core?: Partial<CoreOptions>; http?: Partial<HttpServerOptions> | false; write?: (dir: string) => void } = {},
): Promise<ServeFixture> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'serve-'));
  (opts.write ?? writeServeRepo)(dir);
  const repo = new Repository(dir, opts.repo ?? {});
  await repo.loadAll();
  const core = new TritonCore(repo, { version: '0.0.0-test', scratchDir: path.join(dir, '..', `${path.basename(dir)}-scratch`), ...opts.core });
  const http = opts.http === false ? undefined : await startHttpServer(core, { host: '127.0.0.1', port: 0, ...opts.http });
  return {
    dir,
    repo,
    core,
    ...(http ? { http } : {}),
    url: http ? `http://127.0.0.1:${http.port}` : '',
    async close() {
      await http?.close();
      await repo.close();
      rmSync(dir, { recursive: true, force: true });
      rmSync(path.join(dir, '..', `${path.basename(dir)}-scratch`), { recursive: true, force: true });
    },
  };
}
