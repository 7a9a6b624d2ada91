/** The Deploy panel's rules, without mounting: counting, twins, packages, and the checks on the form's values. */
import { describe, expect, it } from 'vitest';
import type { ModelPortability, PortabilityReport } from '@contract/lab-api';
import {
  countVerdicts,
  ensemblesFreedByTwins,
  exportCommand,
  exportedRepository,
  shellQuote,
  defaultImage,
  formatSize,
  imageProblem,
  isAbsolutePath,
  neededPackages,
  parseGpus,
  stranded,
  twinned,
} from './deploy-model';

const m = (model: string, verdict: ModelPortability['verdict'], extra: Partial<ModelPortability> = {}): ModelPortability => ({
  model,
  backend: 'python',
  verdict,
  packages: [],
  optionalPackages: [],
  reasons: [],
  ...extra,
});
const report = (models: ModelPortability[]): PortabilityReport => ({ repository: '/r', models, tritonImage: 'img' });
const twin = { repository: '/r_python', repositoryName: 'r_python', model: 'x' };

describe('deploy-model', () => {
  it('counts verdicts, twins and the models left lab-only with and without twins', () => {
    const r = report([
      m('a', 'as-is'),
      m('b', 'lab-only', { twin }),
      m('c', 'lab-only'),
      m('d', 'needs-packages', { packages: ['scikit-learn', 'pillow'] }),
      m('e', 'needs-packages', { packages: ['pillow'], optionalPackages: ['opencv-python-headless'] }),
    ]);
    expect(countVerdicts(r.models)).toEqual({ 'as-is': 1, 'needs-packages': 2, 'lab-only': 2 });
    expect(twinned(r).map((x) => x.model)).toEqual(['b']);
    expect(stranded(r, true).map((x) => x.model)).toEqual(['c']);
    expect(stranded(r, false).map((x) => x.model)).toEqual(['b', 'c']);
    expect(neededPackages(r)).toEqual(['pillow', 'scikit-learn']);
    expect(twinned(undefined)).toEqual([]);
    expect(neededPackages(undefined)).toEqual([]);
  });

  it('an ensemble is freed by twins only when every step is in the repository and portable after the swap', () => {
    const r = report([
      m('a', 'as-is', { backend: 'onnxruntime' }),
      m('b', 'lab-only', { backend: 'script', twin }),
      m('c', 'lab-only', { backend: 'script' }),
      m('e1', 'lab-only', { backend: 'ensemble' }),
      m('e2', 'lab-only', { backend: 'ensemble' }),
      m('e3', 'lab-only', { backend: 'ensemble' }),
      m('outer', 'lab-only', { backend: 'ensemble' }),
      m('loop', 'lab-only', { backend: 'ensemble' }),
      m('unknown', 'lab-only', { backend: 'ensemble' }),
    ]);
    const steps = { e1: ['a', 'b'], e2: ['b', 'c'], e3: ['a', 'gone'], outer: ['e1', 'a'], loop: ['loop', 'b'] };
    expect(stranded(r, true, steps).map((x) => x.model)).toEqual(['c', 'e2', 'e3', 'loop', 'unknown']);
    expect(stranded(r, false, steps).map((x) => x.model)).toEqual(['b', 'c', 'e1', 'e2', 'e3', 'outer', 'loop', 'unknown']);
    expect(ensemblesFreedByTwins(r, steps)).toEqual(['e1', 'outer']);
    expect(ensemblesFreedByTwins(r, {})).toEqual([]);
  });

  it('takes absolute paths of POSIX and Windows only', () => {
    for (const p of ['/tmp/x', 'C:\\out', 'd:/out', '\\\\server\\share\\x']) expect(isAbsolutePath(p), p).toBe(true);
    for (const p of ['out', './out', '~/out', 'C:out', '']) expect(isAbsolutePath(p), p).toBe(false);
  });

  it('takes whole GPU counts from 0 to 64', () => {
    expect([0, '1', ' 8 ', '64'].map(parseGpus)).toEqual([0, 1, 8, 64]);
    expect(['', '-1', '1.5', '1e2', '65', 'two', '0x2'].map(parseGpus)).toEqual(Array(7).fill(undefined));
  });

  it('names the default image as the engine does (a DNS label of the folder name) and refuses spaces in one', () => {
    expect(defaultImage('ocr_ensemble')).toBe('model-lab/ocr-ensemble:latest');
    expect(defaultImage('My  Models--v2')).toBe('model-lab/my-models-v2:latest');
    expect(defaultImage('__')).toBe('model-lab/triton:latest');
    expect(defaultImage('x'.repeat(62) + '_y')).toBe(`model-lab/${'x'.repeat(62)}:latest`);
    for (const ok of ['', 'nvcr.io/x/y:1', 'localhost:5000/a/b:V1.2', 'model-lab/ocr-ensemble:latest', `a@sha256:${'0'.repeat(64)}`]) expect(imageProblem(ok), ok).toBe(false);
    for (const bad of ['a b', 'a\tb', 'Upper/x', 'x:y\nRUN evil', 'x:-bad', 'a//b', `${'a'.repeat(256)}`]) expect(imageProblem(bad), bad).toBe(true);
  });

  it('checks the image name with the engine’s own expression (engine/deploy/manifests.ts), not a drifting copy', () => {
    const sources = import.meta.glob(['../../../../electron/engine/deploy/manifests.ts', './deploy-model.ts'], { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
    const expression = (file: string) => /const IMAGE_REF =\s*(\/.+\/);/.exec(Object.entries(sources).find(([f]) => f.endsWith(file))![1])?.[1];
    expect(expression('manifests.ts')).toMatch(/^\/\^/);
    expect(expression('deploy-model.ts')).toBe(expression('manifests.ts'));
  });

  it('quotes a folder for the shell, and finds the exported repository from the files written', () => {
    expect(shellQuote('/tmp/a b')).toBe("'/tmp/a b'");
    expect(shellQuote("/tmp/it's $(x)")).toBe("'/tmp/it'\\''s $(x)'");
    expect(shellQuote('C:\\out dir')).toBe('"C:\\out dir"');
    const files = [{ path: 'Dockerfile' }, { path: 'model_repository/a/1/model.onnx' }, { path: 'model_repository/a/config.pbtxt' }];
    expect(exportedRepository('/tmp/out/', files)).toBe('/tmp/out/model_repository');
    expect(exportedRepository('C:\\out', files)).toBe('C:\\out\\model_repository');
    expect(exportedRepository('/tmp/out', [{ path: 'Dockerfile' }])).toBeUndefined();
  });

  it('writes the export as a model-lab command line, values quoted, defaults left out', () => {
    expect(exportCommand({ repository: '/r/ocr', outDir: '', useTwins: false, gpus: 1 })).toBe("model-lab export '/r/ocr' <out-dir>");
    expect(exportCommand({ repository: '/r/ocr', outDir: '/o/x y', useTwins: true, gpus: 0, image: 'reg.io/a:1', twins: "/t/it's" })).toBe(
      "model-lab export '/r/ocr' '/o/x y' --python-twins --twins '/t/it'\\''s' --gpus 0 --image 'reg.io/a:1'",
    );
  });

  it('writes sizes in binary units, in the reader’s locale', () => {
    expect(formatSize(0, 'en')).toBe('0 B');
    expect(formatSize(1023, 'en')).toBe('1,023 B');
    expect(formatSize(1536, 'en')).toBe('1.5 KiB');
    expect(formatSize(150 * 1024 * 1024, 'en')).toBe('150 MiB');
    expect(formatSize(3 * 1024 ** 3, 'zh-CN')).toBe('3 GiB');
  });
});
