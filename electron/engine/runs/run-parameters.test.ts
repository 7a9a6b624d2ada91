/**
 * Request and response parameters in playground runs: the run's parameters
 * reach the model (request.parameters()), the parameters the model set come
 * back with the result beside the ones sent, and bad parameters are refused
 * before anything runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Lab } from '../lab';
import { makeTempDir, type TempDir } from '../repository/testing/temp-repo';
import { scriptConfig, scriptModel } from '../runtime/testing/models';
import { runRequest } from '../handlers/payload';
import { runParameters } from './runs';

const dirs: TempDir[] = [];
const labs: Lab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.close()));
  for (const d of dirs.splice(0)) d.cleanup();
});

/** Answers with its request's parameters as response parameters, plus one of its own. */
const ECHO = scriptModel(`    const params = JSON.parse(requests[0].parameters());
    return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', [1], [1], 'FP32')], parameters: { ...params, seen: Object.keys(params).length } });`);

async function lab(): Promise<{ lab: Lab; repoId: string }> {
  const dir = await makeTempDir({ 'echo/config.pbtxt': scriptConfig('echo', { inputs: [{ name: 'IN', dims: [1] }], outputs: [{ name: 'OUT', dims: [1] }] }), 'echo/1/model.js': ECHO });
  dirs.push(dir);
  const l = new Lab({});
  labs.push(l);
  const info = await l.openRepository(dir.root, { sample: true });
  return { lab: l, repoId: info.id };
}

const inputs = [{ name: 'IN', kind: 'values' as const, dtype: 'FP32' as const, shape: [1], values: [1] }];

describe('run parameters', () => {
  it('are sent to the model and come back with the response parameters it set', async () => {
    const { lab: l, repoId } = await lab();
    const r = await l.runModel({ repoId, model: 'echo', inputs, parameters: { custom: 'yes', n: 3, flag: false } });
    expect(r.state).toBe('ok');
    expect(r.requestParameters).toEqual({ custom: 'yes', n: 3, flag: false });
    expect(r.responseParameters).toEqual({ custom: 'yes', n: 3, flag: false, seen: 3 });
    const none = await l.runModel({ repoId, model: 'echo', inputs });
    expect(none.requestParameters).toBeUndefined();
    expect(none.responseParameters).toEqual({ seen: 0 });
  }, 20_000);

  it('are refused when malformed, reserved or of another type', () => {
    expect(runParameters(undefined)).toBeUndefined();
    expect(runParameters({})).toBeUndefined();
    expect(() => runParameters([1])).toThrow('parameters must be an object');
    expect(() => runParameters({ triton_x: true })).toThrow("parameter 'triton_x' is reserved for Triton usage");
    expect(() => runParameters({ sequence_id: 3 })).toThrow("use the run's sequence controls");
    expect(() => runParameters({ f: 0.5 })).toThrow("parameter 'f' must be a bool, an integer or a string");
    expect(() => runParameters({ o: {} })).toThrow("parameter 'o' must be");
    expect(() => runParameters({ '': 1 })).toThrow('parameter names must be');
  });

  it('priority and timeout are unsigned integers, as Triton reads them', () => {
    expect(runParameters({ priority: 2, timeout: 0 })).toEqual({ priority: 2, timeout: 0 });
    expect(() => runParameters({ priority: -1 })).toThrow("Unable to parse 'priority': an unsigned integer is expected");
    expect(() => runParameters({ timeout: '5' })).toThrow("Unable to parse 'timeout'");
  });
});

describe('the runModel payload', () => {
  it('keeps the parameters (checked) and drops an empty set', () => {
    const base = { repoId: 'r', model: 'm', inputs: [] };
    expect(runRequest({ ...base, parameters: { a: 'x', n: 2, b: true } }).parameters).toEqual({ a: 'x', n: 2, b: true });
    expect(runRequest({ ...base, parameters: {} })).not.toHaveProperty('parameters');
    expect(() => runRequest({ ...base, parameters: { f: 0.5 } })).toThrow("parameter 'f' must be");
  });
});
