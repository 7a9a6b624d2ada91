import { describe, expect, it } from 'vitest';
import { modelNames, pythonImports } from './python-imports';

const mods = (src: string): string[] => pythonImports(src).map((i) => `${i.module}${i.optional ? '?' : ''}`);

describe('pythonImports', () => {
  it('reads import and from-import statements, aliases and lists', () => {
    expect(mods('import os, sys as system\nimport numpy as np\nfrom PIL import Image, ImageOps\nfrom a.b.c import (\n  d,\n  e,\n)\n')).toEqual(['os', 'sys', 'numpy', 'PIL', 'a.b.c']);
  });

  it('keeps relative imports relative', () => {
    expect(mods('from . import helpers\nfrom ..pkg.mod import x\nfrom .util import y\n')).toEqual(['.', '..pkg.mod', '.util']);
  });

  it('ignores imports in strings, docstrings and comments', () => {
    const src = '"""Usage:\nimport torch\n"""\n# import cv2\nx = "import yaml"\ns = \'\'\'from sklearn import x\'\'\'\nimport json\n';
    expect(mods(src)).toEqual(['json']);
  });

  it('marks imports under try/except ImportError optional, and only those', () => {
    const src = [
      'try:',
      '    import cv2',
      '    from scipy import ndimage',
      'except ImportError:',
      '    cv2 = None',
      '    import math',
      'try:',
      '    import yaml',
      'except ValueError:',
      '    pass',
      'try:',
      '    import PIL',
      'except (OSError, ModuleNotFoundError) as e:',
      '    pass',
      'try: import ujson as json',
      'except: import json',
      'import torch',
    ].join('\n');
    expect(mods(src)).toEqual(['cv2?', 'scipy?', 'math', 'yaml', 'PIL?', 'ujson?', 'json', 'torch']);
  });

  it('follows nested blocks and functions', () => {
    const src = [
      'def load():',
      '    try:',
      '        if True:',
      '            import onnxruntime',
      '    except Exception:',
      '        return None',
      '    import pandas',
      'class M:',
      '    def initialize(self, args):',
      '        import sklearn.linear_model',
    ].join('\n');
    expect(mods(src)).toEqual(['onnxruntime?', 'pandas', 'sklearn.linear_model']);
  });

  it('reads import_module and __import__ with a literal name, with line numbers', () => {
    const imports = pythonImports('import importlib\nm = importlib.import_module("transformers")\nn = __import__(\'yaml\')\nk = importlib.import_module(name)\n');
    expect(imports.map((i) => [i.module, i.line])).toEqual([
      ['importlib', 1],
      ['transformers', 2],
      ['yaml', 3],
    ]);
  });

  it('survives continuations, semicolons, f-strings and unterminated strings', () => {
    expect(mods('import os; import re\nx = f"{a!r} import z"\nfrom numpy \\\n  import array\ny = "unterminated\nimport glob\n')).toEqual(['os', 're', 'numpy', 'glob']);
  });

  it('finds BLS targets given as model_name literals, and other name-like literals', () => {
    const src =
      'r = pb_utils.InferenceRequest(model_name="text_detection", inputs=[])\nq = InferenceRequest(model_name = \'rec-v2\')\nNAMES = ("ocr.pipeline", "a b", f"x")\n# model_name="commented"\n';
    expect(modelNames(src)).toEqual({ called: ['text_detection', 'rec-v2'], mentioned: ['ocr.pipeline'] });
  });
});
