/** Version folders and version policy as Triton's VersionsToLoad applies them. */
import { afterEach, describe, expect, it } from 'vitest';
import { config, errorsOf, warningsOf } from '../config/testing/config';
import { buildOnnxModel } from '../onnx/testing/build-model';
import { loadRepository, TempDirs } from './testing/temp-repo';
import { applyVersionPolicy, parseVersionName, scanVersionDirs } from './versions';

const policyOf = (text: string) => config(text).versionPolicy;
const pick = (policyText: string, dirs: string[]) => {
  const r = applyVersionPolicy('m', policyOf(policyText), scanVersionDirs(dirs).versions);
  return { served: r.served.map((v) => v.version), errors: errorsOf(r.issues), warnings: warningsOf(r.issues), description: r.description };
};

describe('version folder names', () => {
  it('reads names like std::stoll: leading digits count', () => {
    expect(parseVersionName('3')).toBe(3);
    expect(parseVersionName('3abc')).toBe(3);
    expect(parseVersionName('1.5')).toBe(1);
    expect(parseVersionName('+4')).toBe(4);
    expect(parseVersionName('-1')).toBe(-1);
    expect(parseVersionName('abc')).toBeUndefined();
  });

  it("skips leading zeros and non-numbers with Triton's warnings, and special folders silently", () => {
    const scan = scanVersionDirs(['0', '01', 'abc', '3abc', '2', 'warmup', 'configs', 'initial_state']);
    expect(scan.versions.map((v) => [v.version, v.name])).toEqual([
      [0, '0'],
      [2, '2'],
      [3, '3abc'],
    ]);
    expect(scan.skipped.map((i) => i.message).sort()).toEqual([
      "ignore version directory '01' which contains leading zeros in its directory name",
      "ignore version directory 'abc' which fails to convert to integral number",
    ]);
  });

  it('two folders with the same number count once', () => {
    expect(scanVersionDirs(['3', '3abc']).versions.map((v) => v.name)).toEqual(['3']);
  });
});

describe('version policy', () => {
  const dirs = ['1', '2', '3'];

  it('defaults to latest 1', () => {
    expect(pick('', dirs)).toMatchObject({ served: [3], errors: [], description: 'latest 1' });
  });

  it('latest n serves the n highest', () => {
    expect(pick('version_policy { latest { num_versions: 2 } }', dirs).served).toEqual([2, 3]);
    expect(pick('version_policy { latest { num_versions: 9 } }', ['2', '10']).served).toEqual([2, 10]);
  });

  it('all serves everything', () => {
    expect(pick('version_policy { all { } }', dirs)).toMatchObject({ served: [1, 2, 3], description: 'all' });
  });

  it('specific serves the listed versions present and warns about the missing ones', () => {
    expect(pick('version_policy { specific { versions: [1, 5] } }', dirs)).toEqual({
      served: [1],
      errors: [],
      warnings: ["version 5 is specified for model 'm', but the version directory is not present"],
      description: 'specific [1, 5]',
    });
  });

  it('nothing to serve is an error', () => {
    const message = "at least one version must be available under the version policy of model 'm'";
    expect(pick('version_policy { specific { versions: [7] } }', dirs).errors).toEqual([message]);
    expect(pick('version_policy { latest { num_versions: 0 } }', dirs).errors).toEqual([message]);
    expect(pick('', []).errors).toEqual([message]);
    expect(pick('', ['01', 'abc']).errors).toEqual([message]);
  });
});

describe('in a repository', () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());
  const onnx = buildOnnxModel({ inputs: [{ name: 'x', type: 1, dims: [-1, 2] }], outputs: [{ name: 'y', type: 1, dims: [-1, 2] }] });

  it('serves the version read from "3abc", reports skipped folders and lists served versions in the index', async () => {
    const d = await temp.make({ 'm/1/model.onnx': onnx, 'm/01/model.onnx': onnx, 'm/3abc/model.onnx': onnx, 'm/notes/readme.txt': 'x' });
    const repo = await loadRepository(d.root);
    const rec = repo.models.get('m')!;
    expect(rec.versions.map((v) => [v.version, v.dirName, v.served, v.state])).toEqual([
      [1, '1', false, 'UNAVAILABLE'],
      [3, '3abc', true, 'READY'],
    ]);
    expect(rec.versions[0]!.reason).toBe('not selected by the version policy');
    expect(warningsOf(rec.issues).sort()).toEqual([
      "ignore version directory '01' which contains leading zeros in its directory name",
      "ignore version directory 'notes' which fails to convert to integral number",
    ]);
    expect(repo.index()).toEqual([{ name: 'm', version: '3', state: 'READY' }]);
  });

  it('a model without any version folder is unavailable, with a fix that says what to create', async () => {
    const d = await temp.make({ 'm/config.pbtxt': 'backend: "onnxruntime"' });
    const repo = await loadRepository(d.root);
    const rec = repo.models.get('m')!;
    expect(rec.state).toBe('UNAVAILABLE');
    expect(rec.reason).toBe("at least one version must be available under the version policy of model 'm'");
    expect(rec.issues.find((i) => i.code === 'version.none')?.fix).toContain("'m/1/'");
  });

  it('a specific policy with one missing version still serves the others', async () => {
    const d = await temp.make({ 'm/config.pbtxt': 'version_policy { specific { versions: [1, 2] } }', 'm/1/model.onnx': onnx });
    const repo = await loadRepository(d.root);
    expect(repo.models.get('m')!.state).toBe('READY');
    expect(warningsOf(repo.models.get('m')!.issues)).toEqual(["version 2 is specified for model 'm', but the version directory is not present"]);
  });
});
