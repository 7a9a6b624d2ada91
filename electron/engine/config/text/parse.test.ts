import { describe, expect, it } from 'vitest';
import { parseConfigText } from './parse';
import { spanAt } from './source-map';

function at(text: string): { line: number; column: number; message: string } {
  const r = parseConfigText(text);
  expect(r.error, 'expected a parse error').toBeDefined();
  return { line: r.error!.span.start.line, column: r.error!.span.start.column, message: r.error!.message };
}

describe('parseConfigText accepts what real configs use', () => {
  it('reads comments, optional colons, list syntax, repeated blocks, commas and maps', () => {
    const text = `# a comment
name: "ens"   # trailing comment
platform: "ensemble"
max_batch_size: 8
input [ { name: "a", data_type: TYPE_FP32, dims: [ -1 ] }, { name: "b" data_type: TYPE_INT8 dims: 3 dims: 4 } ]
input { name: "c" data_type: TYPE_STRING dims: [ 1 ] }
output: [ { name: "o" data_type: TYPE_FP32 dims: [-1] } ];
parameters { key: "p" value: { string_value: "0" } }
parameters: { key: "q", value { string_value: 'x' } }
ensemble_scheduling {
  step [
    {
      model_name: "m"
      model_version: -1
      input_map { key: "x" value: "a" },
      input_map { key: "y" value: "b" }
      output_map { key: "z" value: "o" }
    }
  ]
}
`;
    const r = parseConfigText(text);
    expect(r.error).toBeUndefined();
    const c = r.config!;
    expect(c.name).toBe('ens');
    expect(c.input.map((i) => i.name)).toEqual(['a', 'b', 'c']);
    expect(c.input[1]!.dims).toEqual([3n, 4n]);
    expect(c.input[0]!.dims).toEqual([-1n]);
    expect(c.parameters['p']!.stringValue).toBe('0');
    expect(c.parameters['q']!.stringValue).toBe('x');
    expect(c.schedulingChoice.case).toBe('ensembleScheduling');
    const step = c.schedulingChoice.case === 'ensembleScheduling' ? c.schedulingChoice.value.step[0]! : undefined;
    expect(step?.inputMap).toEqual({ x: 'a', y: 'b' });
    expect(step?.modelVersion).toBe(-1n);
  });

  it('accepts an empty file as an empty config', () => {
    expect(parseConfigText('').config).toBeDefined();
    expect(parseConfigText('   # only a comment\n').error).toBeUndefined();
  });
});

describe('parse errors carry the line and column of the offending token', () => {
  it('unknown field', () => {
    expect(at('name: "x"\n  inptu { name: "a" }\n')).toMatchObject({ line: 2, column: 3, message: expect.stringContaining('unknown field "inptu"') });
  });
  it('unknown enum value', () => {
    expect(at('input {\n  name: "a"\n  data_type: TYPE_FP33\n}\n')).toMatchObject({ line: 3, column: 14, message: expect.stringContaining('TYPE_FP33') });
  });
  it('JSON-style trailing comma in a list', () => {
    expect(at('output: [\n  { name: "o" },\n]\n')).toMatchObject({ line: 3, column: 1 });
  });
  it('missing closing brace', () => {
    expect(at('input {\n  name: "a"\n')).toMatchObject({ line: 3, column: 1, message: expect.stringContaining('end of input') });
  });
  it('unterminated string', () => {
    expect(at('name: "abc\nplatform: "x"\n')).toMatchObject({ line: 1, column: 7 });
  });
  it('missing colon before a scalar', () => {
    expect(at('name "a"\n')).toMatchObject({ line: 1, column: 6, message: expect.stringContaining('expected ":"') });
  });
  it('a string where a number belongs', () => {
    expect(at('max_batch_size: "8"\n')).toMatchObject({ line: 1, column: 17 });
  });
  it('a singular field given twice', () => {
    expect(at('name: "a"\nname: "b"\n')).toMatchObject({ line: 2, column: 1, message: expect.stringContaining('repeated') });
  });
  it('two members of a oneof', () => {
    expect(at('dynamic_batching {}\nsequence_batching {}\n')).toMatchObject({ line: 2, column: 1 });
  });
  it('an unknown field inside a map entry', () => {
    expect(at('parameters {\n  key: "a"\n  vlaue: { string_value: "b" }\n}\n')).toMatchObject({ line: 3, column: 3 });
  });
  it('a negative unsigned value', () => {
    expect(at('version_policy { latest { num_versions: -1 } }')).toMatchObject({ line: 1, column: 41 });
  });
  it('an earlier schema error wins over a later syntax error', () => {
    expect(at('bogus: 1\ninput { name: "a"\n')).toMatchObject({ line: 1, column: 1 });
  });
  it('deep nesting is refused, not a stack overflow', () => {
    const deep = 'optimization ' + '{ '.repeat(5000);
    const r = parseConfigText(deep);
    expect(r.error).toBeDefined();
  });
  it('binary junk is a clear error', () => {
    const junk = String.fromCharCode(...Array.from({ length: 200 }, (_, i) => (i * 37) % 256));
    const r = parseConfigText(junk);
    expect(r.error?.message).toBeTruthy();
    expect(r.error?.span.start.line).toBeGreaterThanOrEqual(1);
  });
});

describe('source map', () => {
  it('finds list elements, repeated blocks and map entries', () => {
    const text = `input [\n  { name: "a" },\n  { name: "b" }\n]\ninput { name: "c" }\nensemble_scheduling {\n  step {\n    model_name: "m"\n    input_map { key: "k1" value: "v1" }\n    input_map { key: "k2" value: "v2" }\n  }\n}\n`;
    const r = parseConfigText(text);
    expect(r.error).toBeUndefined();
    const root = r.outline.root;
    expect(spanAt(root, ['input', 1])?.start.line).toBe(3);
    expect(spanAt(root, ['input', 2, 'name'])?.start.line).toBe(5);
    expect(spanAt(root, ['ensemble_scheduling', 'step', 0, 'input_map', { key: 'k2' }])?.start.line).toBe(10);
    expect(spanAt(root, ['ensemble_scheduling', 'step', 0, 'input_map', { key: 'k2' }, 'value'])?.start.column).toBe(27);
    expect(spanAt(root, ['ensemble_scheduling', 'step', 0, 'output_map'])?.start.line).toBe(7);
  });
});
