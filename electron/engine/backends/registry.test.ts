/**
 * The backend registry is a list of descriptors, one module per backend: what
 * the lab runs, what runs the folder's code, and the detection order follow
 * from it alone.
 */
import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { ModelConfigSchema } from '../config/gen/model_config_pb';
import { isRunnable } from './backend';
import { BACKENDS, backendFor } from './registry';

describe('backend registry', () => {
  it("lists Triton's backends in AutoCompleteBackendFields order, the lab's script backend after Python", () => {
    expect(BACKENDS.map((b) => b.name)).toEqual(['tensorflow', 'tensorrt', 'onnxruntime', 'openvino', 'pytorch', 'python', 'script', 'identity']);
  });

  it('runs five of them; PyTorch (a TorchScript archive is code), script and Python run the folder’s code and need trust', () => {
    expect(BACKENDS.filter(isRunnable).map((b) => b.name)).toEqual(['onnxruntime', 'pytorch', 'python', 'script', 'identity']);
    expect(BACKENDS.filter((b) => b.runsUserCode).map((b) => b.name)).toEqual(['pytorch', 'python', 'script']);
    expect(BACKENDS.filter((b) => b.usesPythonSetting).map((b) => b.name)).toEqual(['pytorch', 'python']);
    for (const b of BACKENDS) expect(b.runs).not.toBe('');
  });

  it('describes a backend it does not know without running it', async () => {
    const custom = backendFor('my_backend');
    expect([custom.name, isRunnable(custom), custom.runsUserCode, custom.fields]).toEqual(['my_backend', false, false, undefined]);
    expect(backendFor('')).toMatchObject({ name: '', runsUserCode: false });
    const prepared = await custom.complete({ model: 'm', versionDir: '/nowhere/1', config: create(ModelConfigSchema), filled: new Set(), autoComplete: true, defaultMaxBatchSize: 4 });
    expect(prepared.issues.map((i) => i.code)).toEqual(['backend.unknown']);
  });
});
