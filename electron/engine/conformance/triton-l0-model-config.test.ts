/**
 * Conformance with Triton's own model-config test suite (server repository,
 * qa/L0_model_config): the lab loads each test repository the way
 * qa/L0_model_config/test.sh makes Triton load it, and must report the error
 * text the suite expects, or complete the config the suite expects.
 *
 * Needs a checkout of Triton's server repository, which is not part of this
 * project; run with
 *   TRITON_L0_MODEL_CONFIG=/path/to/server/qa/L0_model_config npx vitest run conformance
 * Cases that need model files the suite fetches from NVIDIA's data store
 * (TensorRT plans, TorchScript, OpenVINO) or a running Python interpreter are
 * listed as not applicable and counted separately.
 */
import { equals } from '@bufbuild/protobuf';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelConfigSchema } from '../config/gen/model_config_pb';
import { parseConfigText } from '../config/text/parse';
import { Repository, type RepositoryInit } from '../repository/repository';
import { displayConfig } from '../repository/views';

const L0 = process.env['TRITON_L0_MODEL_CONFIG'];
const TRIALS = ['tensorrt_plan', 'onnxruntime_onnx', 'pytorch_libtorch'];
/** The suite runs with CUDA_VISIBLE_DEVICES=0. */
const GPU0: RepositoryInit = { devices: { gpus: [0] } };
/** Backends whose cases need files from NVIDIA's data store or a Python interpreter. */
const NOT_APPLICABLE = new Set(['tensorrt', 'pytorch', 'openvino', 'python']);
/** ONNX cases whose model the suite copies from the data store. */
const NEEDS_DATA_STORE = new Set(['onnx/cpu_instance']);

const work = mkdtempSync(path.join(os.tmpdir(), 'lab-l0-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function dirs(p: string): string[] {
  return existsSync(p)
    ? readdirSync(p)
        .filter((n) => statSync(path.join(p, n)).isDirectory())
        .sort()
    : [];
}

/** grep's basic regular expressions: only . * [ ] ^ $ and \ are special. */
function breToRegExp(pattern: string): RegExp {
  const js = pattern.replace(/[+?(){}|]/g, (c) => `\\${c}`);
  try {
    return new RegExp(js);
  } catch {
    return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
}

function expectedPatterns(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('expected') && statSync(path.join(dir, f)).isFile())
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n'))
    .map((l) => l.trim())
    .filter(Boolean);
}

/** What Triton would log as errors: every reason and every error-level finding. */
async function errorsOf(repoDir: string, options: RepositoryInit): Promise<string[]> {
  const repo = new Repository(repoDir, { ...GPU0, ...options });
  await repo.loadAll();
  const out: string[] = [];
  for (const rec of repo.models.values()) {
    if (rec.reason) out.push(rec.reason);
    for (const i of [...rec.issues, ...rec.dependencyIssues]) if (i.severity === 'error') out.push(i.message);
    for (const v of rec.versions) {
      if (v.reason) out.push(v.reason);
      for (const i of v.issues) if (i.severity === 'error') out.push(i.message);
    }
  }
  return out;
}

function matches(errors: string[], patterns: string[]): boolean {
  return patterns.some((p) => {
    const re = breToRegExp(p);
    return errors.some((e) => re.test(e));
  });
}

/** test.sh creates an empty `1/` for the models of these cases. */
function addVersionDirs(repoDir: string): void {
  for (const m of dirs(repoDir)) if (dirs(path.join(repoDir, m)).length === 0) mkdirSync(path.join(repoDir, m, '1'));
}

function fresh(name: string): string {
  const d = path.join(work, `${name}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(d);
  return d;
}

describe.skipIf(!L0)('Triton qa/L0_model_config', () => {
  const root = L0 ?? '';

  describe('noautofill_platform (every platform, auto-complete off)', () => {
    for (const target of dirs(path.join(root, 'noautofill_platform'))) {
      for (const trial of TRIALS) {
        it(`${target} as ${trial}`, async () => {
          const repoDir = fresh('noautofill');
          cpSync(path.join(root, 'noautofill_platform', target), path.join(repoDir, target), { recursive: true });
          if (['invalid_cpu', 'invalid_gpu', 'negative_gpu'].includes(target)) mkdirSync(path.join(repoDir, target, '1'));
          const config = path.join(repoDir, target, 'config.pbtxt');
          if (existsSync(config)) {
            const text = readFileSync(config, 'utf8')
              .split('\n')
              .filter((l) => !l.includes('platform:'))
              .join('\n');
            writeFileSync(config, `${text}\nplatform: "${trial}"\n`);
          }
          const errors = await errorsOf(repoDir, { autoComplete: false });
          const patterns = expectedPatterns(path.join(root, 'noautofill_platform', target));
          expect(matches(errors, patterns), `expected one of\n  ${patterns.join('\n  ')}\ngot\n  ${errors.join('\n  ')}`).toBe(true);
        });
      }
    }
  });

  describe('special_cases', () => {
    for (const target of dirs(path.join(root, 'special_cases'))) {
      it(target, async () => {
        const repoDir = fresh('special');
        cpSync(path.join(root, 'special_cases', target), path.join(repoDir, target), { recursive: true });
        addVersionDirs(repoDir);
        if (target === 'runtime_escape') {
          mkdirSync(path.join(repoDir, target, 'dummy_runtime'));
          writeFileSync(path.join(repoDir, target, 'dummy_runtime', 'libtriton_identity.so'), '');
        }
        const errors = await errorsOf(repoDir, { autoComplete: target !== 'invalid_platform' });
        const patterns = expectedPatterns(path.join(root, 'special_cases', target));
        expect(matches(errors, patterns), `expected one of\n  ${patterns.join('\n  ')}\ngot\n  ${errors.join('\n  ')}`).toBe(true);
      });
    }
  });

  describe('autofill_noplatform (must fail with the expected error)', () => {
    for (const backend of dirs(path.join(root, 'autofill_noplatform'))) {
      for (const target of dirs(path.join(root, 'autofill_noplatform', backend))) {
        const caseDir = path.join(root, 'autofill_noplatform', backend, target);
        it.skipIf(NOT_APPLICABLE.has(backend))(`${backend}/${target}`, async () => {
          const repoDir = fresh('autofill');
          const single = existsSync(path.join(caseDir, 'config.pbtxt'));
          if (single) cpSync(caseDir, path.join(repoDir, target), { recursive: true });
          else for (const m of dirs(caseDir)) cpSync(path.join(caseDir, m), path.join(repoDir, m), { recursive: true });
          addVersionDirs(repoDir);
          const errors = await errorsOf(repoDir, {});
          const patterns = expectedPatterns(single ? path.join(repoDir, target) : caseDir);
          expect(matches(errors, patterns), `expected one of\n  ${patterns.join('\n  ')}\ngot\n  ${errors.join('\n  ')}`).toBe(true);
        });
      }
    }
  });

  describe('autofill_noplatform_success (must load, with the expected completed config)', () => {
    for (const backend of dirs(path.join(root, 'autofill_noplatform_success'))) {
      for (const target of dirs(path.join(root, 'autofill_noplatform_success', backend))) {
        const caseDir = path.join(root, 'autofill_noplatform_success', backend, target);
        it.skipIf(NOT_APPLICABLE.has(backend) || NEEDS_DATA_STORE.has(`${backend}/${target}`))(`${backend}/${target}`, async () => {
          const repoDir = fresh('success');
          // test.sh treats these config-less folders as single models too.
          const single = existsSync(path.join(caseDir, 'config.pbtxt')) || /^no_config(_variable|_shape_tensor|_non_linear_format_io)?$/.test(target);
          if (single) cpSync(caseDir, path.join(repoDir, target), { recursive: true });
          else for (const m of dirs(caseDir)) cpSync(path.join(caseDir, m), path.join(repoDir, m), { recursive: true });
          addVersionDirs(repoDir);
          const repo = new Repository(repoDir, GPU0);
          await repo.loadAll();
          const rec = repo.models.get(target)!;
          expect(rec.state, rec.reason).toBe('READY');
          const expectedDir = path.join(repoDir, target);
          const expected = readdirSync(expectedDir)
            .filter((f) => f.startsWith('expected'))
            .map((f) => parseConfigText(readFileSync(path.join(expectedDir, f), 'utf8')).config!);
          const actual = displayConfig(rec)!;
          expect(
            expected.some((e) => equals(ModelConfigSchema, e, actual)),
            `completed config differs from every expected one`,
          ).toBe(true);
        });
      }
    }
  });
});
