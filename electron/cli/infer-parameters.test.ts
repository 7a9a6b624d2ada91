/**
 * `model-lab infer --request-parameter name:value:type` (perf_analyzer's spelling): parsed and
 * checked, sent with the request, and the model's response parameters printed with its outputs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../engine/repository/testing/temp-repo';
import { scriptConfig } from '../engine/runtime/testing/models';
import { UsageError } from './args';
import { requestParameters } from './infer-parameters';
import { runCli } from './main';
import type { Output } from './output';

/** Answers with its request's parameters as response parameters. */
const ECHO = `export default class TritonPythonModel {
  execute(requests) {
    return requests.map((r) => new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', ['ok'], [1])], parameters: JSON.parse(r.parameters()) }));
  }
}
`;

function collect(): Output & { out: string[]; errs: string[] } {
  const out: string[] = [];
  const errs: string[] = [];
  return { out, errs, log: (l) => out.push(l), err: (l) => errs.push(l) };
}

let dir: TempDir;
beforeAll(async () => {
  dir = await makeTempDir({
    'echo/config.pbtxt': scriptConfig('echo', { inputs: [{ name: 'CMD', type: 'STRING', dims: [1] }], outputs: [{ name: 'OUT', type: 'STRING', dims: [1] }] }),
    'echo/1/model.js': ECHO,
  });
});
afterAll(() => dir?.cleanup());

describe('--request-parameter', () => {
  it('reads name:value:type with bool, int and string values (a string may hold colons)', () => {
    expect(requestParameters(['flag:true:bool', 'n:-42:int', 'url:http://x:8000/a:string'])).toEqual({ flag: true, n: -42, url: 'http://x:8000/a' });
    expect(requestParameters(undefined)).toBeUndefined();
  });

  it('refuses malformed specs, unknown types, bad values, repeats and reserved names', () => {
    const refused = (specs: string[]): string => {
      try {
        requestParameters(specs);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused(['novalue'])).toContain('expects name:value:type');
    expect(refused(['a:1:float'])).toContain("unknown type 'float'");
    expect(refused(['a:yes:bool'])).toContain('a bool is true or false');
    expect(refused(['a:1.5:int'])).toContain('is not an integer');
    expect(refused(['a:9007199254740993:int'])).toContain('is not an integer');
    expect(refused(['a:1:int', 'a:2:int'])).toContain('given twice');
    expect(refused(['sequence_id:1:int'])).toContain("parameter 'sequence_id' is reserved for Triton usage");
    expect(refused(['triton_x:1:int'])).toContain("parameter 'triton_x' is reserved for Triton usage");
  });

  it('sends them with the request and prints the response parameters, readable and as JSON', async () => {
    const io = collect();
    expect(await runCli(['infer', dir.root, 'echo', '-i', 'CMD=["x"]', '--request-parameter', 'k:v:string', '--request-parameter', 'n:7:int'], io)).toBe(0);
    expect(io.out).toContain('parameters  k="v"  n=7');
    const js = collect();
    expect(await runCli(['infer', dir.root, 'echo', '-i', 'CMD=["x"]', '--request-parameter', 'on:false:bool', '--json'], js)).toBe(0);
    expect(JSON.parse(js.out[0]!).parameters).toEqual({ on: false });
    const bad = collect();
    expect(await runCli(['infer', dir.root, 'echo', '-i', 'CMD=["x"]', '--request-parameter', 'k:v'], bad)).toBe(2);
    expect(bad.errs.join('\n')).toContain('expects name:value:type');
  });
});
