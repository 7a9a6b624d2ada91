/**
 * Python models whose stub name Triton's Python backend refuses (the
 * model's for auto-complete, the instance's otherwise) fail to load with its
 * wording and never run model.py; other characters load.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeRepositories, loadRepository, makeTempDir, stateOf, type TempDir } from '../../repository/testing/temp-repo';
import { isValidStubName } from './stub-name';
import { pythonConfig, pythonMissing } from './testing/repo';

const dirs: TempDir[] = [];
afterAll(async () => {
  await closeRepositories();
  for (const d of dirs) d.cleanup();
});

const io = { inputs: [{ name: 'IN', type: 'FP32', dims: [1] }], outputs: [{ name: 'OUT', type: 'FP32', dims: [1] }] };
/** A model.py that leaves a mark when it is imported. */
const marking = (mark: string) => `open(${JSON.stringify(mark)}, "w").write("ran")\nclass TritonPythonModel:\n    def execute(self, requests):\n        return []\n`;

describe('stub names', () => {
  it("python_backend's INVALID_CHARS, and the empty name", () => {
    for (const c of ';|&$`<>()[]{}\\"\'*?~#!') expect(isValidStubName(`model${c}test`), c).toBe(false);
    expect(isValidStubName('')).toBe(false);
    for (const ok of ['TestModel123', 'model-with-hyphens', 'model_with_underscores', 'a.b', 'a b', 'modèle']) expect(isValidStubName(ok), ok).toBe(true);
  });

  it.skipIf(pythonMissing)(
    "a model named 'model;test' fails to load with Triton's message and runs nothing; an instance group name decides for instances",
    async () => {
      const dir = await makeTempDir({});
      dirs.push(dir);
      const mark = path.join(dir.root, 'ran');
      await dir.write('model;test/config.pbtxt', pythonConfig('model;test', io));
      await dir.write('model;test/1/model.py', marking(mark));
      // Auto-complete off: only instance names count, and this group's are fine.
      await dir.write('odd(name)/config.pbtxt', pythonConfig('odd(name)', { ...io, extra: 'instance_group [{ name: "plain", kind: KIND_CPU }]' }));
      await dir.write('odd(name)/1/model.py', 'class TritonPythonModel:\n    def execute(self, requests):\n        return []\n');
      const repo = await loadRepository(dir.root, { autoComplete: false });
      expect(stateOf(repo, 'model;test')).toMatchObject({ state: 'UNAVAILABLE', reason: expect.stringContaining('Invalid stub name: contains invalid characters') });
      expect(existsSync(mark)).toBe(false);
      expect(stateOf(repo, 'odd(name)')).toEqual({ state: 'READY', reason: '' });
    },
    60_000,
  );
});
