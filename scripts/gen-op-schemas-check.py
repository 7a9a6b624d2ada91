#!/usr/bin/env python3
# Cross-checks electron/engine/graph/op-schemas/schemas.json (generated from the
# operator documents by gen-op-schemas.mjs) against the schema registry of the
# `onnx` Python package: every default-domain and ai.onnx.ml schema version up
# to the data's newest opsets must be there, with the same input and output
# names and options, attribute names, types, required flags and defaults.
# Needs `pip install onnx` (not a dependency of the lab; run by hand after
# regenerating). Exits 1 on any difference.
#
#   python3 scripts/gen-op-schemas-check.py
import json
import os
import sys

from onnx import AttributeProto as AP
from onnx import defs

HERE = os.path.dirname(os.path.abspath(__file__))
data = json.load(open(os.path.join(HERE, '..', 'electron', 'engine', 'graph', 'op-schemas', 'schemas.json')))
TYPES = {AP.FLOAT:'FLOAT',AP.INT:'INT',AP.STRING:'STRING',AP.TENSOR:'TENSOR',AP.GRAPH:'GRAPH',AP.FLOATS:'FLOATS',AP.INTS:'INTS',AP.STRINGS:'STRINGS',AP.TENSORS:'TENSORS',AP.GRAPHS:'GRAPHS',AP.SPARSE_TENSOR:'SPARSE_TENSOR',AP.SPARSE_TENSORS:'SPARSE_TENSORS',AP.TYPE_PROTO:'TYPE_PROTO',AP.TYPE_PROTOS:'TYPE_PROTOS'}
def expand(op):
    out = {}; prev = None
    for s in op['s']:
        if isinstance(s, int): out[s] = dict(prev, v=s); continue
        prev = s; out[s['v']] = s
    return out
def param(p):
    o = p.option
    return p.name + ('?' if o == defs.OpSchema.FormalParameterOption.Optional else '*' if o == defs.OpSchema.FormalParameterOption.Variadic else '')
def default(a):
    d = a.default_value
    if d is None or not d.name and d.type == 0: return None
    t = a.type
    if t == AP.FLOAT: return ('f', d.f)
    if t == AP.INT: return ('i', d.i)
    if t == AP.STRING: return ('s', d.s.decode())
    if t == AP.INTS: return ('is', list(d.ints)) if d.ints else None
    if t == AP.FLOATS: return ('fs', list(d.floats)) if d.floats else None
    if t == AP.STRINGS: return ('ss', [x.decode() for x in d.strings]) if d.strings else None
    return ('other', str(d))
def ours_default(text, t):
    if t == 'FLOAT': return ('f', float(text))
    if t == 'INT': return ('i', int(text))
    if t == 'STRING': return ('s', text)
    if t == 'INTS': return ('is', json.loads(text))
    if t == 'FLOATS': return ('fs', json.loads(text))
    if t == 'STRINGS': return ('ss', json.loads(text))
def same(a, b):
    if a is None or b is None: return a is b
    if a[0] != b[0]: return False
    if a[0] == 'f': return abs(a[1]-b[1]) <= 1e-5*max(1,abs(a[1]))
    if a[0] == 'fs': return len(a[1]) == len(b[1]) and all(abs(x-y) <= 1e-5*max(1,abs(x)) for x,y in zip(a[1],b[1]))
    return a[1] == b[1]
maxv = {'': data['maxOpset'], 'ai.onnx.ml': data['maxMlOpset']}
problems = 0; checked = 0; missing = []
for s in defs.get_all_schemas_with_history():
    dom = '' if s.domain in ('', 'ai.onnx') else s.domain
    if dom not in maxv or s.since_version > maxv[dom]: continue
    op = data['domains'][dom].get(s.name)
    if not op: missing.append((dom, s.name, s.since_version)); continue
    ver = expand(op).get(s.since_version)
    if ver is None: missing.append((dom, s.name, s.since_version)); continue
    checked += 1
    if s.deprecated:
        if not ver.get('d'): print('not marked deprecated', s.name, s.since_version); problems += 1
        continue
    ins = [param(p) for p in s.inputs]; outs = [param(p) for p in s.outputs]
    if ins != ver.get('i', []): print(s.name, s.since_version, 'inputs', ins, ver.get('i')); problems += 1
    if outs != ver.get('o', []): print(s.name, s.since_version, 'outputs', outs, ver.get('o')); problems += 1
    ours = {}
    for a in ver.get('a', []):
        name, rest = a.split(':', 1)
        req = rest.endswith('!'); t = rest.rstrip('!').split('=', 1)[0]; dv = rest.split('=', 1)[1] if '=' in rest else None
        ours[name] = (t, req, dv)
    theirs = s.attributes
    if set(ours) != set(theirs): print(s.name, s.since_version, 'attr names', sorted(theirs), sorted(ours)); problems += 1; continue
    for n, a in theirs.items():
        t, req, dv = ours[n]
        if TYPES.get(a.type) != t: print(s.name, s.since_version, n, 'type', TYPES.get(a.type), t); problems += 1
        if a.required != req: print(s.name, s.since_version, n, 'required', a.required, req); problems += 1
        dd = default(a); od = ours_default(dv, t) if dv is not None else None
        if not same(dd, od): print(s.name, s.since_version, n, 'default', dd, od); problems += 1
print('checked', checked, 'problems', problems, 'missing', missing[:20], len(missing))
have = {(('' if s.domain in ('', 'ai.onnx') else s.domain), s.name, s.since_version) for s in defs.get_all_schemas_with_history()}
extra = [(d, n, v) for d in maxv for n, op in data['domains'][d].items() for v in expand(op) if (d, n, v) not in have]
print('in the data but not in onnx (onnxruntime registers these itself):', extra)
sys.exit(1 if problems or missing else 0)
