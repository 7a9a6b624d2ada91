/**
 * Loading script models: autoCompleteConfig fills the config, a broken
 * script or a failing initialize() leaves only that model UNAVAILABLE with
 * a reason that says why, and what a script prints lands in its version's logs.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repository } from '../../repository/repository';
import { loadRepository, makeTempDir, type TempDir } from '../../repository/testing/temp-repo';
import { f32, scriptConfig, values } from '../../runtime/testing/models';

let dir: TempDir;
let repo: Repository;

const AUTO = `export default class TritonPythonModel {
  static autoCompleteConfig(config) {
    config.set_max_batch_size(4);
    config.add_input({ name: 'IN', data_type: 'TYPE_FP32', dims: [-1] });
    config.add_output({ name: 'OUT', data_type: 'FP32', dims: [-1] });
    config.set_dynamic_batching();
    return config;
  }
  execute(requests) {
    return requests.map((r) => new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', r.inputs()[0].data.map((v) => v + 1), r.inputs()[0].shape)] }));
  }
}
`;

const LOGS = `export default class TritonPythonModel {
  initialize() {
    console.log('initialized');
  }
  execute(requests) {
    console.log('execute with', requests.length);
    console.error('to stderr');
    pb_utils.Logger.log_info('info line');
    pb_utils.Logger.log_warn('warn line');
    pb_utils.Logger.log_error('error line');
    pb_utils.Logger.log_verbose('verbose line');
    return requests.map((r) => new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', r.inputs()[0].data, r.inputs()[0].shape)] }));
  }
}
`;

const io = { inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] };

beforeAll(async () => {
  dir = await makeTempDir({
    'auto/config.pbtxt': 'name: "auto"\nbackend: "script"\n',
    'auto/1/model.js': AUTO,
    'syntax/config.pbtxt': scriptConfig('syntax', io),
    'syntax/1/model.js': 'export default class TritonPythonModel {\n  execute(requests) {\n    return requests.map((r) => {;\n  }\n}\n',
    'badhelper/config.pbtxt': scriptConfig('badhelper', io),
    'badhelper/1/model.js': "import { f } from './lib/helper.js';\nexport default class TritonPythonModel {\n  execute(r) {\n    return f(r);\n  }\n}\n",
    'badhelper/1/lib/helper.js': 'export function f(r) {\n  return r.map((x) => x +);\n}\n',
    'noclass/config.pbtxt': scriptConfig('noclass', io),
    'noclass/1/model.js': 'export const x = 1;\n',
    'initfails/config.pbtxt': scriptConfig('initfails', io),
    'initfails/1/model.js': 'export default class TritonPythonModel {\n  initialize(args) {\n    throw new Error(`cannot start ${args.model_name}`);\n  }\n  execute() {\n    return [];\n  }\n}\n',
    'logs/config.pbtxt': scriptConfig('logs', io),
    'logs/1/model.js': LOGS,
  });
  repo = await loadRepository(dir.root);
});
afterAll(() => dir.cleanup());

describe('autoCompleteConfig', () => {
  it('adds inputs, outputs, max_batch_size and dynamic batching; the model then serves', async () => {
    const rec = repo.models.get('auto')!;
    expect(rec.state).toBe('READY');
    const c = rec.versions[0]!.config!;
    expect(c.maxBatchSize).toBe(4);
    expect(c.input.map((i) => i.name)).toEqual(['IN']);
    expect(c.output.map((o) => o.name)).toEqual(['OUT']);
    expect(c.schedulingChoice.case).toBe('dynamicBatching');
    for (const f of ['max_batch_size', 'input', 'output', 'dynamic_batching']) expect(rec.versions[0]!.filled.has(f)).toBe(true);
    const r = await repo.infer('auto', -1, { inputs: [f32('IN', [2, 1], [1, 2])] });
    expect(values(r.outputs[0])).toEqual([2, 3]);
  });
});

describe('load failures stay with their model', () => {
  it('a syntax error: UNAVAILABLE, and the reason names the error and the file', () => {
    const rec = repo.models.get('syntax')!;
    expect(rec.state).toBe('UNAVAILABLE');
    const reason = rec.versions[0]!.reason;
    expect(reason).toMatch(/^Internal: failed to start instance syntax_0: failed to load the script: SyntaxError: /);
    expect(reason.split('\n\nAt:\n')[1]).toBe(`  ${path.join(dir.root, 'syntax/1/model.js')}(5): <module>\n`);
  });

  it('a syntax error in an imported file names that file', () => {
    const reason = repo.models.get('badhelper')!.versions[0]!.reason;
    expect(reason).toMatch(/^Internal: failed to start instance badhelper_0: failed to load the script: SyntaxError: /);
    expect(reason.split('\n\nAt:\n')[1]).toBe(`  ${path.join(dir.root, 'badhelper/1/lib/helper.js')}(2): <module>\n`);
  });

  it('no TritonPythonModel export: UNAVAILABLE with what to export', () => {
    expect(repo.models.get('noclass')!.versions[0]!.reason).toContain('must export a class TritonPythonModel');
  });

  it('initialize() throwing: UNAVAILABLE with its message', () => {
    const rec = repo.models.get('initfails')!;
    expect(rec.state).toBe('UNAVAILABLE');
    expect(rec.versions[0]!.reason).toMatch(/^Internal: failed to start instance initfails_0: initialize\(\) failed: Error: cannot start initfails\n\nAt:\n {2}.*model\.js\(3\): initialize\n/);
    expect(() => repo.resolve('initfails', -1)).toThrow("Request for unknown model: 'initfails' has no available versions");
  });

  it('the other models load and serve', async () => {
    expect(repo.models.get('logs')!.state).toBe('READY');
    expect(values((await repo.infer('logs', -1, { inputs: [f32('IN', [1], [9])] })).outputs[0])).toEqual([9]);
  });
});

describe('logs', () => {
  it('console output and pb_utils.Logger lines land in the version logs with their level', async () => {
    await repo.infer('logs', -1, { inputs: [f32('IN', [1], [1])] });
    // stdout and stderr arrive through streams: wait for them.
    const lines = (): string[] => repo.models.get('logs')!.versions[0]!.logs.map((l) => `${l.level}: ${l.message}`);
    for (let i = 0; i < 50 && !lines().includes('error: to stderr'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(lines()).toEqual(
      expect.arrayContaining(['info: initialized', 'info: execute with 1', 'error: to stderr', 'info: info line', 'warn: warn line', 'error: error line', 'verbose: verbose line']),
    );
  });
});
