/**
 * The operator-schema generator reads the layout that onnx's gen_doc.py and
 * onnxruntime's gen_contrib_doc.py write. These samples use that layout with
 * made-up operators, so a change in the parser that would corrupt
 * schemas.json shows here without the onnx and onnxruntime sources.
 */
import { describe, expect, it } from 'vitest';
import { callArgs, compact, contribDomain, cppLiteral, defaultDomain, formatDefault, onnxGroups, ortOnnxDomainSchemas, parseAttr, parseParam, statementEnd } from './gen-op-schemas-parse.mjs';

const entry = (name: string, v: number, sections: string) => `### <a name="${name}-${v}"></a>**${name}-${v}**</a>

  Text about ${name}.

#### Version

This version of the operator has been available since version ${v} of the default ONNX operator set.

${sections}
#### Type Constraints

<dl>
<dt><tt>T</tt> : tensor(float)</dt>
<dd>Float.</dd>
</dl>
`;

const CHANGELOG = `## Operator Changelog
## Version 1 of the default ONNX operator set
${entry(
  'Blend',
  1,
  `#### Attributes

<dl>
<dt><tt>alpha</tt> : float (default is 0.01)</dt>
<dd>a</dd>
<dt><tt>mode</tt> : string (default is linear)</dt>
<dd>m</dd>
<dt><tt>sizes</tt> : list of ints (required)</dt>
<dd>s</dd>
</dl>

#### Inputs (1 - 3)

<dl>
<dt><tt>X</tt> (differentiable) : T</dt>
<dd>x</dd>
<dt><tt>bias</tt> (optional, non-differentiable) : T</dt>
<dd>b</dd>
</dl>

#### Outputs (1 - &#8734;)

<dl>
<dt><tt>outputs</tt> (variadic, heterogeneous) : T</dt>
<dd>o</dd>
</dl>
`,
)}
## Version 7 of the default ONNX operator set
${entry('Blend', 7, '#### Inputs\n\n<dl>\n<dt><tt>X</tt> : T</dt>\n<dd>x</dd>\n<dt><tt>sizes</tt> : tensor(int64)</dt>\n<dd>s</dd>\n</dl>\n\n#### Outputs\n\n<dl>\n<dt><tt>Y</tt> : T</dt>\n<dd>y</dd>\n</dl>\n')}
## Version 9 of the default ONNX operator set
${entry('Blend', 9, '#### Inputs\n\n<dl>\n<dt><tt>X</tt> : T</dt>\n<dd>x</dd>\n<dt><tt>sizes</tt> : tensor(int64)</dt>\n<dd>s</dd>\n</dl>\n\n#### Outputs\n\n<dl>\n<dt><tt>Y</tt> : T</dt>\n<dd>y</dd>\n</dl>\n')}
### <a name="Blend-10"></a>**Blend-10** (deprecated)</a>

#### Version

This version of the operator has been deprecated since version 10 of the default ONNX operator set.

## Version 30 of the default ONNX operator set
${entry('Future', 30, '#### Outputs\n\n<dl>\n<dt><tt>Y</tt> : T</dt>\n<dd>y</dd>\n</dl>\n')}
## Version 1 of the 'ai.onnx.preview' operator set
${entry('Preview', 1, '')}
`;

describe('gen-op-schemas parser', () => {
  it('reads roles, attribute types, required flags and defaults', () => {
    expect(parseParam('<tt>B</tt> (optional) : T')).toBe('B?');
    expect(parseParam('<tt>inputs</tt> (variadic, heterogeneous) : T')).toBe('inputs*');
    expect(parseParam('<tt>X</tt> (differentiable) : T')).toBe('X');
    expect(parseAttr('<tt>alpha</tt> : float (default is 1.0)')).toBe('alpha:FLOAT=1');
    expect(parseAttr('<tt>max</tt> : float (default is (3.402823e+38))')).toBe('max:FLOAT=3.40282e+38');
    expect(parseAttr('<tt>then_branch</tt> : graph (required)')).toBe('then_branch:GRAPH!');
    expect(parseAttr('<tt>perm</tt> : list of ints')).toBe('perm:INTS');
    expect(parseAttr("<tt>activations</tt> : list of strings (default is ['Tanh', 'Tanh'])")).toBe('activations:STRINGS=["Tanh", "Tanh"]');
    expect(parseAttr("<tt>axes</tt> : list of ints (default is ['0', '2', '3'])")).toBe('axes:INTS=[0, 2, 3]');
    expect(() => parseAttr('<tt>x</tt> : mystery')).toThrow(/unknown attribute type/);
    expect(formatDefault('INT', '-1')).toBe('-1');
    expect(formatDefault('FLOAT', '1e-05')).toBe('0.00001');
  });

  it('keeps every version of the default domain up to the newest opset, compacted', () => {
    const ops = defaultDomain(CHANGELOG, new Map([['Blend', 'nn']]), 26);
    expect(Object.keys(ops)).toEqual(['Blend']);
    expect(ops.Blend!.s).toEqual([
      { v: 1, i: ['X', 'bias?'], o: ['outputs*'], a: ['alpha:FLOAT=0.01', 'mode:STRING=linear', 'sizes:INTS!'] },
      { v: 7, i: ['X', 'sizes'], o: ['Y'] },
      9,
      { v: 10, d: 1 },
    ]);
    expect(defaultDomain(CHANGELOG, new Map(), 30).Future!.s).toEqual([{ v: 30, o: ['Y'] }]);
  });

  it('compacts only versions whose signature repeats the previous one', () => {
    expect(
      compact([
        { v: 5, i: ['X'] },
        { v: 1, i: ['X'] },
        { v: 3, i: ['Y'] },
        { v: 7, i: ['X'] },
      ]),
    ).toEqual([{ v: 1, i: ['X'] }, { v: 3, i: ['Y'] }, { v: 5, i: ['X'] }, 7]);
  });

  it('reads contrib operators with defaults from the schema sources', () => {
    const doc = `## com.microsoft
### <a name="com.microsoft.FusedThing"></a><a name="com.microsoft.fusedthing">**com.microsoft.FusedThing**</a>

#### Version

This version of the operator has been available since version 1 of the 'com.microsoft' operator set.

#### Attributes

<dl>
<dt><tt>epsilon</tt> : float</dt>
<dd>e</dd>
<dt><tt>heads</tt> : int (required)</dt>
<dd>h</dd>
<dt><tt>mode</tt> : string</dt>
<dd>m</dd>
<dt><tt>scale</tt> : float</dt>
<dd>s</dd>
</dl>

#### Inputs

<dl>
<dt><tt>input</tt> : T</dt>
<dd>i</dd>
</dl>

#### Outputs

<dl>
<dt><tt>output</tt> : T</dt>
<dd>o</dd>
</dl>

### <sub>experimental</sub> <a name="com.microsoft.Trial"></a><a name="com.microsoft.trial">**com.microsoft.Trial**</a>

#### Version

No versioning maintained for experimental ops.
#### Inputs

<dl>
<dt><tt>x</tt> (variadic) : T</dt>
<dd>x</dd>
</dl>
`;
    const src = `constexpr const float kEps = 1e-12f;
// A comment with a quote ' and a paren ( in it.
ONNX_MS_OPERATOR_SET_SCHEMA(FusedThing, 1, OpSchema()
  .Attr("epsilon", "doc, with (commas)", AttributeProto::FLOAT, kEps)
  .Attr("mode", "m", AttributeProto::STRING, std::string("fast"))
  .Attr("scale", "s", AttributeProto::FLOAT, OPTIONAL_VALUE)
  .Attr("heads", "h", AttributeProto::INT)
  .TypeAndShapeInferenceFunction([](InferenceContext& ctx) { auto s = R"(a ) " ; b)"; (void)s; }));
ONNX_MS_OPERATOR_SET_SCHEMA(Other, 1, OpSchema().Attr("epsilon", "e", AttributeProto::FLOAT, 0.5f));
`;
    const ops = contribDomain(doc, 'com.microsoft', src);
    expect(ops.FusedThing!.s).toEqual([{ v: 1, i: ['input'], o: ['output'], a: ['epsilon:FLOAT=1e-12', 'heads:INT!', 'mode:STRING=fast', 'scale:FLOAT'] }]);
    expect(ops.FusedThing!.c).toBe('other');
    expect(ops.Trial!.s).toEqual([{ v: 1, x: 1, i: ['x*'] }]);
  });

  it('reads C++ calls and literals without being fooled by strings, comments or raw strings', () => {
    const src = 'f("a, (b", g(1, 2), \'c\') + 1;';
    expect(callArgs(src, 1)).toEqual(['"a, (b"', 'g(1, 2)', "'c'"]);
    const stmt = 'X(a, [](){ int y = 1; /* ; */ // ;\n auto s = R"DOC(;)DOC"; }); next;';
    expect(stmt.slice(0, statementEnd(stmt, 0) + 1)).toBe('X(a, [](){ int y = 1; /* ; */ // ;\n auto s = R"DOC(;)DOC"; });');
    const constants = new Map([['kA', 'static_cast<int64_t>(3)']]);
    expect(cppLiteral('kA', constants, 'INT')).toBe('3');
    expect(cppLiteral('static_cast<int64_t>(-1)', constants, 'INT')).toBe('-1');
    expect(cppLiteral('1.702f', constants, 'FLOAT')).toBe('1.702');
    expect(cppLiteral('-1e20f', constants, 'FLOAT')).toBe('-1e20');
    expect(cppLiteral('std::string("NOTSET")', constants, 'STRING')).toBe('NOTSET');
    // `false` as Attr's fourth argument is its required flag, not a value.
    expect(cppLiteral('false', constants, 'INT')).toBeUndefined();
    expect(cppLiteral('OPTIONAL_VALUE', constants, 'INT')).toBeUndefined();
    expect(cppLiteral('head_size / 2', constants, 'INT')).toBeUndefined();
  });

  it("reads the runtime's own default-domain registrations and merges them below the specification's versions", () => {
    const src = `ONNX_CONTRIB_OPERATOR_SCHEMA(Blend)
      .SetDomain(kOnnxDomain)
      .SinceVersion(1)
      .SetSupportLevel(OpSchema::SupportType::EXPERIMENTAL)
      .Attr("stash", "s", AttributeProto::INT, static_cast<int64_t>(ONNX_NAMESPACE::TensorProto_DataType_FLOAT))
      .Attr("axis", "a", AttributeProto::INT, false)
      .Attr("count", "c", AttributeProto::INT)
      .Input(1, "scale", "s", "T")
      .Input(0, "X", "x", "T")
      .Input(2, "B", "b", "T", OpSchema::Optional)
      .Output(0, "Y", "y", "T");
    ONNX_CONTRIB_OPERATOR_SCHEMA(Elsewhere).SetDomain(kMSNchwcDomain).SinceVersion(1).Input(0, "X", "x", "T");
    ONNX_CONTRIB_OPERATOR_SCHEMA(Fresh).SetDomain(kOnnxDomain).SinceVersion(1).Input(0, "X", "x", "T", OpSchema::Variadic);`;
    const extra = ortOnnxDomainSchemas(src);
    expect([...extra.keys()]).toEqual(['Blend', 'Fresh']);
    expect(extra.get('Blend')).toEqual({ v: 1, x: 1, i: ['X', 'scale', 'B?'], o: ['Y'], a: ['axis:INT', 'count:INT!', 'stash:INT=1'] });
    const ops = defaultDomain(CHANGELOG, new Map(), 26, extra);
    // The specification's Blend-1 wins over the runtime's at the same version; Fresh is added.
    expect(ops.Blend!.s[0]).toMatchObject({ v: 1, i: ['X', 'bias?'] });
    expect(ops.Fresh!.s).toEqual([{ v: 1, i: ['X*'] }]);
  });

  it('groups operators by the folder of onnx/defs that declares them', () => {
    const groups = onnxGroups([{ path: 'onnx/defs/nn/defs.cc', text: 'ONNX_OPERATOR_SET_SCHEMA(\n    Conv,\n    22,\n OpSchema())' }]);
    expect(groups.get('Conv')).toBe('nn');
  });
});
