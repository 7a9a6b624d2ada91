import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelPortability } from '../../contract/deploy-api';
import { TempDirs, closeRepositories, loadRepository } from '../repository/testing/temp-repo';
import { portabilityReport } from './export';
import { tritonImage } from './facts';
import { pipName } from './python-deps';

const dirs = new TempDirs();
const extra: string[] = [];
afterEach(async () => {
  await closeRepositories();
  dirs.cleanup();
  for (const d of extra.splice(0)) rmSync(d, { recursive: true, force: true });
});

const py = (name: string, body = ''): string =>
  `name: "${name}"\nbackend: "python"\n${body}input [{ name: "IN" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "OUT" data_type: TYPE_FP32 dims: [ 4 ] }]\n`;
const script = (name: string, dims = '4'): string =>
  `name: "${name}"\nbackend: "script"\ninput [{ name: "IN" data_type: TYPE_FP32 dims: [ ${dims} ] }]\noutput [{ name: "OUT" data_type: TYPE_FP32 dims: [ 4 ] }]\n`;
const MODEL_PY = 'import triton_python_backend_utils as pb_utils\nimport numpy as np\n\nclass TritonPythonModel:\n    def execute(self, requests):\n        return []\n';

async function report(files: Record<string, string | null>, twins?: Record<string, string | null>): Promise<Map<string, ModelPortability>> {
  const d = await dirs.make(files);
  if (twins) {
    const t = `${d.root}_python`;
    extra.push(t);
    for (const [rel, content] of Object.entries(twins)) {
      mkdirSync(path.dirname(path.join(t, rel)), { recursive: true });
      if (content !== null) writeFileSync(path.join(t, rel), content);
    }
  }
  const repo = await loadRepository(d.root, { runtime: false, runCode: false });
  const r = await portabilityReport(repo);
  expect(r.tritonImage).toBe(tritonImage());
  return new Map(r.models.map((m) => [m.model, m]));
}

describe('portability report', () => {
  it('maps import names to pip names', () => {
    expect([pipName('cv2'), pipName('PIL.Image'), pipName('sklearn.linear_model'), pipName('google.protobuf.json_format'), pipName('torch.nn'), pipName('requests')]).toEqual([
      'opencv-python-headless',
      'pillow',
      'scikit-learn',
      'protobuf',
      'torch',
      'requests',
    ]);
  });

  it('reads Python models: image modules, packages, optional packages, local modules, lab-only modules and settings', async () => {
    const r = await report({
      'plain/config.pbtxt': py('plain'),
      'plain/1/model.py': MODEL_PY + 'import json, os, asyncio\nfrom . import helpers\n',
      'plain/1/helpers.py': 'import math\n',
      'deps/config.pbtxt': py('deps'),
      'deps/1/model.py': MODEL_PY + 'from PIL import Image\nimport tokenize_utils\ntry:\n    import cv2\nexcept ImportError:\n    cv2 = None\n',
      'deps/1/tokenize_utils.py': 'import sklearn.preprocessing\nimport yaml\n"""import torch"""\n',
      'deps/common/__init__.py': '',
      'labmod/config.pbtxt': py('labmod'),
      'labmod/1/model.py': MODEL_PY + 'import model_lab_services\n',
      'exe/config.pbtxt': py('exe', 'parameters { key: "PYTHON_EXECUTABLE" value: { string_value: "/opt/venv/bin/python3" } }\n'),
      'exe/1/model.py': MODEL_PY,
    });
    expect(r.get('plain')).toMatchObject({ backend: 'python', verdict: 'as-is', packages: [], optionalPackages: [] });
    expect(r.get('deps')).toMatchObject({ verdict: 'needs-packages', packages: ['PyYAML', 'pillow', 'scikit-learn'], optionalPackages: ['opencv-python-headless'] });
    expect(r.get('deps')!.reasons.join(' ')).toContain('only when present');
    expect(r.get('labmod')!.verdict).toBe('lab-only');
    expect(r.get('labmod')!.reasons.join(' ')).toMatch(/model_lab_services \(1\/model\.py:7\)/);
    expect(r.get('exe')!.verdict).toBe('lab-only');
    expect(r.get('exe')!.reasons[0]).toContain('PYTHON_EXECUTABLE');
  });

  it("judges backends against Triton's image: script, TensorFlow and unknown backends cannot load there", async () => {
    const r = await report({
      'ident/config.pbtxt':
        'name: "ident"\nbackend: "identity"\nmax_batch_size: 0\ninput [{ name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] }]\n',
      'ident/1/.keep': '',
      'js/config.pbtxt': script('js'),
      'js/1/model.js': 'export default class {}',
      'tf/config.pbtxt':
        'name: "tf"\nplatform: "tensorflow_savedmodel"\nmax_batch_size: 0\ninput [{ name: "x" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "y" data_type: TYPE_FP32 dims: [ 4 ] }]\n',
      'tf/1/model.savedmodel/saved_model.pb': '',
      'trt/config.pbtxt':
        'name: "trt"\nplatform: "tensorrt_plan"\nmax_batch_size: 0\ninput [{ name: "x" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "y" data_type: TYPE_FP32 dims: [ 4 ] }]\n',
      'trt/1/model.plan': '',
      'pt/config.pbtxt':
        'name: "pt"\nplatform: "pytorch_libtorch"\nmax_batch_size: 0\ninput [{ name: "INPUT__0" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "OUTPUT__0" data_type: TYPE_FP32 dims: [ 4 ] }]\n',
      'pt/1/model.pt': '',
      'custom/config.pbtxt':
        'name: "custom"\nbackend: "my_backend"\nmax_batch_size: 0\ninput [{ name: "x" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "y" data_type: TYPE_FP32 dims: [ 4 ] }]\n',
      'custom/1/.keep': '',
    });
    expect([...r.values()].map((m) => [m.model, m.backend, m.verdict])).toEqual([
      ['custom', 'my_backend', 'lab-only'],
      ['ident', 'identity', 'as-is'],
      ['js', 'script', 'lab-only'],
      ['pt', 'pytorch', 'as-is'],
      ['tf', 'tensorflow', 'lab-only'],
      ['trt', 'tensorrt', 'as-is'],
    ]);
    expect(r.get('js')!.reasons[0]).toContain("backend 'script'");
    expect(r.get('tf')!.reasons[0]).toContain('no TensorFlow backend since 25.03');
    expect(r.get('trt')!.reasons.join(' ')).toContain('TensorRT version');
    expect(r.get('custom')!.reasons[0]).toContain('/opt/tritonserver/backends/my_backend');
  });

  it('names the Python twin of a lab-only model from the sibling <repository>_python, only when its tensors match', async () => {
    const ens =
      'name: "ens"\nplatform: "ensemble"\ninput [{ name: "IN" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "OUT" data_type: TYPE_FP32 dims: [ 4 ] }]\nensemble_scheduling { step [ { model_name: "a" model_version: -1 input_map { key: "IN" value: "IN" } output_map { key: "OUT" value: "mid" } }, { model_name: "b" model_version: -1 input_map { key: "IN" value: "mid" } output_map { key: "OUT" value: "OUT" } } ] }\n';
    const r = await report(
      {
        'a/config.pbtxt': script('a'),
        'a/1/model.js': 'export default class {}',
        'b/config.pbtxt': script('b'),
        'b/1/model.js': 'export default class {}',
        'c/config.pbtxt': script('c'),
        'c/1/model.js': 'export default class {}',
        'd/config.pbtxt': script('d'),
        'd/1/model.js': 'export default class {}',
        'ens/config.pbtxt': ens,
        'ens/1/.keep': '',
      },
      {
        'a/config.pbtxt': py('a'),
        'a/1/model.py': MODEL_PY + 'import cv2\n',
        'b/config.pbtxt': py('b').replace('dims: [ 4 ] }]\noutput', 'dims: [ 8 ] }]\noutput'),
        'b/1/model.py': MODEL_PY,
        'd/config.pbtxt': 'name: "d"\nbackend: "python"\n',
        'd/1/model.py': MODEL_PY,
      },
    );
    expect(r.get('a')!.twin?.model).toBe('a');
    expect(r.get('a')!.twin?.repositoryName).toMatch(/_python$/);
    expect(r.get('a')!.reasons.join(' ')).toContain('(it needs opencv-python-headless)');
    expect(r.get('b')!.twin).toBeUndefined();
    expect(r.get('b')!.reasons.join(' ')).toContain("input 'IN' is TYPE_FP32 [8], not TYPE_FP32 [4]");
    expect(r.get('c')!.twin).toBeUndefined();
    expect(r.get('c')!.reasons.join(' ')).toContain("no model 'c' in");
    expect(r.get('d')!.twin).toBeUndefined();
    expect(r.get('d')!.reasons.join(' ')).toContain('its config.pbtxt lists no tensors');
    expect(r.get('ens')).toMatchObject({ backend: 'ensemble', verdict: 'lab-only' });
    expect(r.get('ens')!.reasons[0]).toContain('a, b are lab-only');
    expect(r.get('a')!.reasons).not.toContainEqual(expect.stringContaining('lists no tensors'));
  });

  it('an ensemble of portable members is as-is; a missing member makes it lab-only', async () => {
    const ens = (member: string): string =>
      `name: "e_${member}"\nplatform: "ensemble"\ninput [{ name: "IN" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "OUT" data_type: TYPE_FP32 dims: [ 4 ] }]\nensemble_scheduling { step [ { model_name: "${member}" model_version: -1 input_map { key: "IN" value: "IN" } output_map { key: "OUT" value: "OUT" } } ] }\n`;
    const r = await report({
      'p/config.pbtxt': py('p'),
      'p/1/model.py': MODEL_PY + 'import scipy\n',
      'e_p/config.pbtxt': ens('p'),
      'e_p/1/.keep': '',
      'e_q/config.pbtxt': ens('q'),
      'e_q/1/.keep': '',
    });
    expect(r.get('e_p')!.verdict).toBe('as-is');
    expect(r.get('e_p')!.reasons[0]).toContain('p needs Python packages');
    expect(r.get('e_q')!.verdict).toBe('lab-only');
    expect(r.get('e_q')!.reasons[0]).toContain('q is not in the repository');
  });

  it('a Python model that calls a lab-only model through BLS is lab-only; other calls and mentions are flagged', async () => {
    const r = await report({
      'js/config.pbtxt': script('js'),
      'js/1/model.js': 'export default class {}',
      'caller/config.pbtxt': py('caller'),
      'caller/1/model.py': MODEL_PY + 'def go(t):\n    return pb_utils.InferenceRequest(model_name="js", inputs=[t], requested_output_names=["OUT"]).exec()\n',
      'other/config.pbtxt': py('other'),
      'other/1/model.py': MODEL_PY + 'TARGETS = ["js"]\ndef go(t):\n    return pb_utils.InferenceRequest(model_name = "ghost", inputs=[t], requested_output_names=["OUT"]).exec()\n',
    });
    expect(r.get('caller')!.verdict).toBe('lab-only');
    expect(r.get('caller')!.reasons).toContain('calls js through BLS (model_name), which is lab-only: swap it for a Python twin to deploy it');
    expect(r.get('other')!.verdict).toBe('as-is');
    expect(r.get('other')!.reasons.join(' ')).toContain('calls ghost through BLS (model_name), which is not in this repository');
    expect(r.get('other')!.reasons.join(' ')).toContain('names js in its code, a lab-only model of this repository');
    expect(JSON.stringify([...r.values()])).not.toContain('"bls"');
  });
});
