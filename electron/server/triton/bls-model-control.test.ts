/**
 * What a Python model reaches through pb_utils besides inference, behind a
 * serving core: BLS model control (load_model, unload_model, is_model_ready
 * with Triton's errors, explicit mode only) and custom metrics
 * (MetricFamily / Metric with Triton's rules), exported with the core's
 * metrics and gone when the model that made them unloads.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest';
import { pyModel, pythonConfig, pythonMissing } from '../../engine/backends/python/testing/repo';
import { Repository } from '../../engine/repository/repository';
import { modelConfig, text } from '../../engine/runtime/testing/models';
import { stringsFromBytes } from '../../engine/tensor/tensor';
import { attachModelControl } from './bls-model-control';
import { TritonCore } from './core';
import { customMetricsText } from './metrics/custom-families';
import { parseExposition } from './metrics/prometheus';

const describe = describeAll.skipIf(pythonMissing);

const CTL = pythonConfig('ctl', { inputs: [{ name: 'CMD', type: 'STRING', dims: [1] }], outputs: [{ name: 'RESULT', type: 'STRING', dims: [1] }] });
const IDENTITY = modelConfig('m', { backend: 'identity', mbs: 0, inputs: [{ name: 'INPUT0', dims: [-1] }], outputs: [{ name: 'OUTPUT0', dims: [-1] }] });

// initialize() loads, checks and unloads 'm' while its own load is in progress.
const INIT_COMMANDS = [
  { op: 'load', model: 'm' },
  { op: 'ready', model: 'm' },
  { op: 'unload', model: 'm' },
  { op: 'ready', model: 'm' },
];
const INIT_LOADER = CTL.replace('name: "ctl"', 'name: "initloader"') + `parameters { key: "INIT_COMMANDS" value: { string_value: ${JSON.stringify(JSON.stringify(INIT_COMMANDS))} } }\n`;

const ACM = `import triton_python_backend_utils as pb_utils

FAMILY = pb_utils.MetricFamily(name="bc_imports", description="made at import", kind=pb_utils.MetricFamily.GAUGE)
READY = pb_utils.is_model_ready("ctl")


class TritonPythonModel:
    @staticmethod
    def auto_complete_config(config):
        config.add_input({"name": "IN", "data_type": "TYPE_FP32", "dims": [1]})
        config.add_output({"name": "OUT", "data_type": "TYPE_FP32", "dims": [1]})
        return config

    def execute(self, requests):
        return [pb_utils.InferenceResponse([pb_utils.Tensor("OUT", pb_utils.get_input_tensor_by_name(r, "IN").as_numpy())]) for r in requests]
`;

// initialize() tries to load and unload its own model while that load runs.
const SELF_LOADER =
  CTL.replace('name: "ctl"', 'name: "selfloader"') +
  `parameters { key: "INIT_COMMANDS" value: { string_value: ${JSON.stringify(
    JSON.stringify([
      { op: 'load', model: 'selfloader' },
      { op: 'unload', model: 'selfloader' },
    ]),
  )} } }\n`;

let dir: string;
let repo: Repository;
let detach: () => Promise<void>;
let polled: Repository;

function write(root: string, files: Record<string, string>): void {
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), body);
  }
}

beforeAll(async () => {
  if (pythonMissing) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'bls-control-'));
  write(dir, {
    'ctl/config.pbtxt': CTL,
    'ctl/1/model.py': pyModel('services'),
    'm/config.pbtxt': IDENTITY,
    'other/config.pbtxt': CTL.replace('name: "ctl"', 'name: "other"'),
    'other/1/model.py': pyModel('services'),
    'initloader/config.pbtxt': INIT_LOADER,
    'initloader/1/model.py': pyModel('services'),
    'selfloader/config.pbtxt': SELF_LOADER,
    'selfloader/1/model.py': pyModel('services'),
    // A model that takes a while to load, and a caller whose execute may take only 400 ms of its own.
    'slowload/config.pbtxt': CTL.replace('name: "ctl"', 'name: "slowload"'),
    'slowload/1/model.py': `import time\n${pyModel('services').replace('    def initialize(self, args):\n', '    def initialize(self, args):\n        time.sleep(1.2)\n')}`,
    'hasty/config.pbtxt': CTL.replace('name: "ctl"', 'name: "hasty"') + 'parameters { key: "EXECUTE_TIMEOUT_MS" value: { string_value: "400" } }\n',
    'hasty/1/model.py': pyModel('services'),
    // Reloads and unloads itself from execute().
    'selfctl/config.pbtxt': CTL.replace('name: "ctl"', 'name: "selfctl"'),
    'selfctl/1/model.py': pyModel('services'),
    // Creates a family as it is imported, in the auto-complete process too.
    'acm/config.pbtxt': 'name: "acm"\nbackend: "python"\n',
    'acm/1/model.py': ACM,
  });
  mkdirSync(path.join(dir, 'm', '1'));
  repo = new Repository(dir, { controlMode: 'explicit', startupModels: ['ctl', 'other', 'hasty', 'acm'] });
  await repo.loadAll();
  detach = attachModelControl(repo, new TritonCore(repo, { version: 'test' }));
  // The same folder in the default mode, with no server: no model control.
  polled = new Repository(dir, { startupModels: [] });
  await polled.loadAll();
}, 60_000);
afterAll(async () => {
  if (pythonMissing) return;
  await detach();
  await Promise.all([repo.close(), polled.close()]);
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  ok?: unknown;
  error?: string;
}

async function run(cmd: Record<string, unknown>, model = 'ctl', on: Repository = repo): Promise<Outcome> {
  const r = await on.infer(model, -1, { inputs: [text('CMD', [1], [JSON.stringify(cmd)])] });
  return JSON.parse(stringsFromBytes(r.outputs[0]!.data as Uint8Array[])[0]!) as Outcome;
}

const failure = (message: string): Outcome => ({ error: `TritonModelException: ${message}` });

describe('BLS model control (pb_utils.load_model, unload_model, is_model_ready)', () => {
  it('loads, checks and unloads a model through the server, version by version', async () => {
    expect(await run({ op: 'ready', model: 'm' })).toEqual({ ok: false });
    expect(await run({ op: 'load', model: 'm' })).toEqual({ ok: null });
    expect(await run({ op: 'ready', model: 'm' })).toEqual({ ok: true });
    expect(await run({ op: 'ready', model: 'm', version: '1' })).toEqual({ ok: true });
    expect(await run({ op: 'ready', model: 'm', version: '2' })).toEqual({ ok: false });
    expect(await run({ op: 'unload', model: 'm' })).toEqual({ ok: null });
    expect(await run({ op: 'ready', model: 'm' })).toEqual({ ok: false });
    expect(await run({ op: 'ready', model: 'nothing_here' })).toEqual({ ok: false });
  }, 30_000);

  it("answers with Triton's errors", async () => {
    expect(await run({ op: 'ready', model: 'm', version: 'abc' })).toEqual(
      failure("Failed to check model readiness: failed to get model version from specified version string 'abc' (details: stol), version should be an integral value > 0"),
    );
    expect(await run({ op: 'ready', model: 'm', version: '-2' })).toEqual(
      failure("Failed to check model readiness: failed to get model version from specified version string '-2', version should be an integral value > 0"),
    );
    expect(await run({ op: 'load', model: 'a/b' })).toEqual(failure("Failed to load model: invalid model name 'a/b', model name must not contain path traversal characters"));
    expect(await run({ op: 'load', model: '  ' })).toEqual(failure('Failed to load model: Model name cannot be empty. Please enter a valid name to deploy.'));
    // Files without a config: Triton's poll failure (the reason goes to the log).
    expect(await run({ op: 'load', model: 'm', files: { 'file:1/model.py': 'x' } })).toEqual(failure("Failed to load model: failed to load 'm', failed to poll from model repository"));
    expect(await run({ op: 'load', model: 'nothing_here' })).toEqual(failure("Failed to load model: failed to load 'nothing_here', failed to poll from model repository"));
    expect(await run({ op: 'unload', model: 'nothing_here' })).toEqual(failure("Failed to unload model: failed to unload 'nothing_here', model not found"));
  }, 30_000);

  it('loads under a new name from a config and files sent by the model', async () => {
    const config = JSON.stringify({ backend: 'identity', input: [{ name: 'INPUT0', data_type: 'TYPE_FP32', dims: [-1] }], output: [{ name: 'OUTPUT0', data_type: 'TYPE_FP32', dims: [-1] }] });
    expect(await run({ op: 'load', model: 'sent', config, files: { 'file:1/notes.txt': 'hello' } })).toEqual({ ok: null });
    expect(await run({ op: 'ready', model: 'sent', version: '1' })).toEqual({ ok: true });
    expect(await run({ op: 'unload', model: 'sent' })).toEqual({ ok: null });
  }, 30_000);

  it("a model's initialize() may load other models while its own load runs (Triton loads them side by side)", async () => {
    const core = new TritonCore(repo, { version: 'test' });
    await core.load('initloader');
    expect(await run({ op: 'init_results' }, 'initloader')).toEqual({ ok: [{ ok: null }, { ok: true }, { ok: null }, { ok: false }] });
    await core.unload('initloader');
  }, 30_000);

  it('a model may not load or unload itself from its initialize() (it would load itself again, without end)', async () => {
    const core = new TritonCore(repo, { version: 'test' });
    await core.load('selfloader');
    const busy = "model 'selfloader' is being loaded; a model may not load or unload it while that load runs";
    expect(await run({ op: 'init_results' }, 'selfloader')).toEqual({ ok: [failure(`Failed to load model: ${busy}`), failure(`Failed to unload model: ${busy}`)] });
    await core.unload('selfloader');
  }, 30_000);

  it('is refused while the repository loads all its models (that pass would overwrite what the model loaded)', async () => {
    const starting = new Repository(dir, { controlMode: 'explicit', startupModels: ['initloader'] });
    const stop = attachModelControl(starting, new TritonCore(starting, { version: 'test' }));
    try {
      await starting.loadAll();
      const refused = failure('Failed to load model: models cannot be loaded or unloaded by a model while the repository loads all its models');
      expect(await run({ op: 'init_results' }, 'initloader', starting)).toEqual({
        ok: [refused, { ok: false }, failure(refused.error!.slice('TritonModelException: '.length).replace('load model', 'unload model')), { ok: false }],
      });
    } finally {
      await stop();
      await starting.close();
    }
  }, 30_000);

  it('a model may reload and unload itself from execute(): the call returns, the versions it retires drain after (Triton unloads asynchronously)', async () => {
    expect(await run({ op: 'load', model: 'selfctl' })).toEqual({ ok: null });
    // Waiting for its own request to drain, these hung the request and every later load or unload.
    expect(await run({ op: 'load', model: 'selfctl' }, 'selfctl')).toEqual({ ok: null });
    expect(await run({ op: 'ready', model: 'selfctl' })).toEqual({ ok: true });
    expect(await run({ op: 'unload', model: 'selfctl' }, 'selfctl')).toEqual({ ok: null });
    expect(await run({ op: 'ready', model: 'selfctl' })).toEqual({ ok: false });
    expect(await run({ op: 'load', model: 'm' })).toEqual({ ok: null });
    expect(await run({ op: 'unload', model: 'm' })).toEqual({ ok: null });
  }, 30_000);

  it('the execute timeout pauses while a model waits on a load, as it does for BLS calls', async () => {
    expect(await run({ op: 'load', model: 'slowload' }, 'hasty')).toEqual({ ok: null });
    expect(await run({ op: 'ready', model: 'slowload' }, 'hasty')).toEqual({ ok: true });
    expect(await run({ op: 'unload', model: 'slowload' }, 'hasty')).toEqual({ ok: null });
  }, 30_000);

  it('a model that creates metrics and asks for readiness as it is imported loads (the auto-complete process is answered too)', () => {
    expect(repo.models.get('acm')?.state).toBe('READY');
  });

  it('without a server in explicit mode, load and unload are refused; readiness still answers', async () => {
    expect(await run({ op: 'load', model: 'm' }, 'ctl', polled)).toEqual(failure('Failed to load model: explicit model load / unload is not allowed if polling is enabled'));
    expect(await run({ op: 'unload', model: 'other' }, 'ctl', polled)).toEqual(failure('Failed to unload model: explicit model load / unload is not allowed if polling is enabled'));
    expect(await run({ op: 'ready', model: 'other' }, 'ctl', polled)).toEqual({ ok: true });
  }, 30_000);
});

const scrape = () => parseExposition(customMetricsText());
const valueOf = (name: string, labels: Record<string, string> = {}) => scrape().samples.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels))?.value;

describe('custom metrics (pb_utils.MetricFamily / Metric)', () => {
  it('counter, gauge and histogram, exported with sorted labels; one family across models', async () => {
    expect(await run({ op: 'family', name: 'bc_counter', kind: 'COUNTER', description: 'first' })).toEqual({ ok: null });
    expect(await run({ op: 'family', name: 'bc_counter', kind: 'COUNTER', description: 'second' }, 'other')).toEqual({ ok: null });
    expect(await run({ op: 'metric', family: 'bc_counter', key: 'c', labels: { z: '1', a: '2' } })).toEqual({ ok: null });
    expect(await run({ op: 'metric', family: 'bc_counter', key: 'c', labels: { a: '2', z: '1' } }, 'other')).toEqual({ ok: null });
    await run({ op: 'increment', key: 'c', value: 2.5 });
    // The same family and labels in another model is the same metric.
    expect(await run({ op: 'value', key: 'c' }, 'other')).toEqual({ ok: 2.5 });
    expect(customMetricsText()).toContain('# HELP bc_counter first\n# TYPE bc_counter counter\nbc_counter{a="2",z="1"} 2.5\n');
    expect(await run({ op: 'increment', key: 'c', value: -1 })).toEqual(
      failure('Failed to increment metric value: TRITONSERVER_METRIC_KIND_COUNTER can only be incremented monotonically by non-negative values.'),
    );
    expect(await run({ op: 'set', key: 'c', value: 1 })).toEqual(failure('Failed to set metric value: TRITONSERVER_METRIC_KIND_COUNTER does not support Set'));
    expect(await run({ op: 'observe', key: 'c', value: 1 })).toEqual(failure('Failed to observe metric value: TRITONSERVER_METRIC_KIND_COUNTER does not support Observe'));

    await run({ op: 'family', name: 'bc_gauge', kind: 'GAUGE' });
    await run({ op: 'metric', family: 'bc_gauge', key: 'g' });
    await run({ op: 'increment', key: 'g', value: -3 });
    expect(await run({ op: 'value', key: 'g' })).toEqual({ ok: -3 });
    await run({ op: 'set', key: 'g', value: 7.25 });
    expect(valueOf('bc_gauge')).toBe(7.25);

    await run({ op: 'family', name: 'bc_hist', kind: 'HISTOGRAM' });
    await run({ op: 'metric', family: 'bc_hist', key: 'h', labels: { m: 'x' }, buckets: [0.1, 1, 2.5] });
    for (const v of [0.05, 1.5, 6]) await run({ op: 'observe', key: 'h', value: v });
    const text = customMetricsText();
    for (const line of [
      'bc_hist_count{m="x"} 3',
      'bc_hist_sum{m="x"} 7.55',
      'bc_hist_bucket{m="x",le="0.1"} 1',
      'bc_hist_bucket{m="x",le="1"} 1',
      'bc_hist_bucket{m="x",le="2.5"} 2',
      'bc_hist_bucket{m="x",le="+Inf"} 3',
    ]) {
      expect(text).toContain(`${line}\n`);
    }
    expect(await run({ op: 'value', key: 'h' })).toEqual(failure('Failed to get metric value: TRITONSERVER_METRIC_KIND_HISTOGRAM does not support Value'));
  }, 30_000);

  it("refuses what Triton refuses, in Triton's words", async () => {
    await run({ op: 'family', name: 'bc_rules', kind: 'HISTOGRAM' });
    expect(await run({ op: 'family', name: 'bc_rules', kind: 'GAUGE' })).toEqual(failure('Error when creating MetricFamily: Family name already exists with different type'));
    expect(await run({ op: 'family', name: 'bad name', kind: 'GAUGE' })).toEqual(failure('Error when creating MetricFamily: Invalid metric name'));
    expect(await run({ op: 'family', name: 'nv_inference_count', kind: 'COUNTER' })).toMatchObject({ error: expect.stringContaining("is one of Triton's own metrics") });
    expect(await run({ op: 'metric', family: 'bc_rules', key: 'x' })).toEqual(failure('Failed to create metric. Missing required buckets.'));
    expect(await run({ op: 'metric', family: 'bc_rules', key: 'x', buckets: [2.5, 0.1] })).toEqual(failure('Error when creating Metric: Bucket Boundaries must be strictly sorted'));
    expect(await run({ op: 'metric', family: 'bc_rules', key: 'x', buckets: [1, 1, 2] })).toEqual(failure('Error when creating Metric: Bucket Boundaries must be strictly sorted'));
    expect(await run({ op: 'metric', family: 'bc_rules', key: 'x', labels: { le: '1' }, buckets: [1] })).toEqual(failure('Error when creating Metric: Invalid label name'));
    expect(await run({ op: 'metric', family: 'bc_rules', key: 'x', labels: ['a'], buckets: [1] })).toEqual(failure('Failed to create metric. Labels must be a dictionary.'));
    expect(await run({ op: 'metric', family: 'bc_rules', key: 'x', labels: { a: 1 }, buckets: [1] })).toEqual(failure('Error when creating Metric: attempt to access JSON non-string as string'));
    await run({ op: 'family', name: 'bc_rules_gauge', kind: 'GAUGE' });
    expect(await run({ op: 'metric', family: 'bc_rules_gauge', key: 'x', buckets: [1] })).toEqual(failure('Failed to create metric. Unexpected buckets found.'));
  }, 30_000);

  it("a metric whose family was deleted fails; a metric goes with its last reference and with the model's process", async () => {
    await run({ op: 'family', name: 'bc_life', kind: 'GAUGE' });
    await run({ op: 'metric', family: 'bc_life', key: 'l' });
    await run({ op: 'set', key: 'l', value: 4 });
    expect(valueOf('bc_life')).toBe(4);
    await run({ op: 'drop_family', name: 'bc_life' });
    expect(await run({ op: 'set', key: 'l', value: 1 })).toEqual(
      failure(
        "Failed to set metric value: Invalid metric operation as the corresponding 'MetricFamily' has been deleted. The 'MetricFamily' object should be deleted AFTER its corresponding 'Metric' objects have been deleted.",
      ),
    );
    // The deletion reaches the lab with the model's next call.
    await run({ op: 'ready', model: 'm' });
    expect(valueOf('bc_life')).toBeUndefined();

    await run({ op: 'family', name: 'bc_gone', kind: 'GAUGE' }, 'other');
    await run({ op: 'metric', family: 'bc_gone', key: 'g' }, 'other');
    expect(valueOf('bc_gone')).toBe(0);
    expect(await run({ op: 'unload', model: 'other' })).toEqual({ ok: null });
    for (let i = 0; i < 100 && valueOf('bc_gone') !== undefined; i++) await new Promise((r) => setTimeout(r, 20));
    expect(valueOf('bc_gone')).toBeUndefined();
    expect(customMetricsText()).not.toContain('bc_gone');
  }, 30_000);
});
