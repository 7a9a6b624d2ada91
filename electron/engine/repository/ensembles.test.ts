/**
 * Triton's dependency step for ensembles (ConnectDependencyGraph,
 * CircularDependencyCheck, CheckNode, then ValidateEnsembleConfig) on real
 * repository folders, with members on the lab's identity backend.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { evaluateEnsembles } from './ensembles';
import { identityConfig, loadRepository, messagesOf, stateOf, TempDirs, type RepoFiles } from './testing/temp-repo';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

/** An ensemble IN → step(model) → OUT; `version` undefined leaves model_version out. */
function ensembleConfig(name: string, steps: { model: string; version?: number; in?: string; out?: string }[], mbs = 8): string {
  const stepText = steps
    .map((s, i) => {
      const from = i === 0 ? 'IN' : `t${i}`;
      const to = i === steps.length - 1 ? 'OUT' : `t${i + 1}`;
      const version = s.version === undefined ? '' : `model_version: ${s.version}`;
      return `step { model_name: "${s.model}" ${version} input_map { key: "${s.in ?? 'INPUT0'}" value: "${from}" } output_map { key: "${s.out ?? 'OUTPUT0'}" value: "${to}" } }`;
    })
    .join('\n');
  return `name: "${name}" platform: "ensemble" max_batch_size: ${mbs}
input { name: "IN" data_type: TYPE_FP32 dims: [ -1 ] }
output { name: "OUT" data_type: TYPE_FP32 dims: [ -1 ] }
ensemble_scheduling {
${stepText}
}`;
}

const member = (name: string, config = identityConfig(name)): RepoFiles => ({ [`${name}/config.pbtxt`]: config, [`${name}/1`]: null });
const ensemble = (name: string, steps: Parameters<typeof ensembleConfig>[1], mbs?: number): RepoFiles => ({ [`${name}/config.pbtxt`]: ensembleConfig(name, steps, mbs), [`${name}/1`]: null });

async function load(...parts: RepoFiles[]) {
  const d = await temp.make(Object.assign({}, ...parts) as RepoFiles);
  return loadRepository(d.root);
}

describe('ensemble members', () => {
  it('an ensemble over ready members is READY', async () => {
    const repo = await load(
      member('a'),
      member('b'),
      ensemble('e', [
        { model: 'a', version: -1 },
        { model: 'b', version: -1 },
      ]),
    );
    expect(stateOf(repo, 'e')).toEqual({ state: 'READY', reason: '' });
    expect(repo.index()).toContainEqual({ name: 'e', version: '1', state: 'READY' });
  });

  it('members that do not exist, or whose config failed, are "not available or ambiguous", sorted', async () => {
    const repo = await load(
      member('a'),
      { 'broken/config.pbtxt': 'name: "broken" max_batch_size: "x"', 'broken/1': null },
      ensemble('e', [
        { model: 'zeta', version: -1 },
        { model: 'broken', version: -1 },
        { model: 'a', version: -1 },
      ]),
    );
    expect(stateOf(repo, 'e')).toEqual({
      state: 'UNAVAILABLE',
      reason: 'Invalid argument: ensemble e contains models that are not available or ambiguous: broken, zeta',
    });
    expect(stateOf(repo, 'a')?.state).toBe('READY');
  });

  it('a member whose version failed to load: "loading failed with error" and the per-version reason', async () => {
    const twoOutputs = identityConfig('a', { io: [{ in: 'INPUT0', out: 'OUTPUT0' }] }).replace('output [', 'output [\n  { name: "EXTRA" data_type: TYPE_FP32 dims: [ -1 ] },');
    const repo = await load(member('a', twoOutputs), ensemble('e', [{ model: 'a', version: -1 }]));
    expect(stateOf(repo, 'a')?.state).toBe('UNAVAILABLE');
    expect(stateOf(repo, 'e')?.reason).toBe(
      "Invalid argument: ensemble 'e' depends on 'a' which has no loaded version. Model 'a' loading failed with error: version 1 is at UNAVAILABLE state: Invalid argument: model configuration must have equal input/output pairs;",
    );
  });

  it('a member without any version folder: the version policy error is the load failure', async () => {
    const repo = await load({ 'a/config.pbtxt': identityConfig('a') }, ensemble('e', [{ model: 'a', version: -1 }]));
    expect(stateOf(repo, 'e')?.reason).toBe(
      "Invalid argument: ensemble 'e' depends on 'a' which has no loaded version. Model 'a' loading failed with error: at least one version must be available under the version policy of model 'a'",
    );
  });

  it('a member with no ready version and no load error: the short message', async () => {
    const repo = await load(member('a'), ensemble('e', [{ model: 'a', version: -1 }]));
    const v = repo.models.get('a')!.versions[0]!;
    v.state = 'UNAVAILABLE';
    v.reason = '';
    evaluateEnsembles(repo.models);
    expect(repo.models.get('e')!.versions[0]!.reason).toBe("Invalid argument: ensemble 'e' depends on 'a' which has no loaded version.");
  });

  it('a pinned version must be loaded', async () => {
    const repo = await load(member('a'), ensemble('e', [{ model: 'a', version: 2 }]));
    expect(stateOf(repo, 'e')?.reason).toBe("Invalid argument: ensemble 'e' depends on 'a' whose required version 2 is not loaded.");
    const ok = await load(member('a'), ensemble('e', [{ model: 'a', version: 1 }]));
    expect(stateOf(ok, 'e')?.state).toBe('READY');
  });

  it('an omitted model_version means version 0, not the latest', async () => {
    const repo = await load(member('a'), ensemble('e', [{ model: 'a' }]));
    expect(stateOf(repo, 'e')?.reason).toBe("Invalid argument: ensemble 'e' depends on 'a' whose required version 0 is not loaded.");
  });
});

describe('ensembles of ensembles', () => {
  it('nested ensembles load when the inner one is valid', async () => {
    const repo = await load(member('a'), ensemble('inner', [{ model: 'a', version: -1 }]), ensemble('outer', [{ model: 'inner', version: -1, in: 'IN', out: 'OUT' }]));
    expect(stateOf(repo, 'outer')?.state).toBe('READY');
  });

  it('an invalid inner ensemble makes the outer one "not valid" with the inner error', async () => {
    const repo = await load(ensemble('inner', [{ model: 'ghost', version: -1 }]), ensemble('outer', [{ model: 'inner', version: -1, in: 'IN', out: 'OUT' }]));
    expect(stateOf(repo, 'outer')?.reason).toBe(
      "Invalid argument: ensemble 'outer' depends on 'inner' which is not valid. Model 'inner' failed with error: ensemble inner contains models that are not available or ambiguous: ghost",
    );
  });

  it('a circular dependency is reported from each ensemble of the cycle', async () => {
    const repo = await load(
      member('a'),
      ensemble('e1', [
        { model: 'a', version: -1 },
        { model: 'e2', version: -1, in: 'IN', out: 'OUT' },
      ]),
      ensemble('e2', [{ model: 'e1', version: -1, in: 'IN', out: 'OUT' }]),
    );
    expect(stateOf(repo, 'e1')?.reason).toBe('Invalid argument: circular dependency between ensembles: e1 -> ... -> e2 -> e1');
    expect(stateOf(repo, 'e2')?.reason).toBe('Invalid argument: circular dependency between ensembles: e2 -> ... -> e1 -> e2');
    expect(stateOf(repo, 'a')?.state).toBe('READY');
  });

  it('an ensemble that contains itself', async () => {
    const repo = await load(ensemble('e', [{ model: 'e', version: -1, in: 'IN', out: 'OUT' }]));
    expect(stateOf(repo, 'e')?.reason).toBe('Invalid argument: circular dependency between ensembles: e -> ... -> e -> e');
  });
});

describe('wiring against loaded members', () => {
  it("a mapping problem is the ensemble's reason once the members are ready", async () => {
    const repo = await load(member('a'), ensemble('e', [{ model: 'a', version: -1, in: 'INPUT_X' }]));
    expect(stateOf(repo, 'e')?.reason).toBe('Invalid argument: in ensemble e, ensemble tensor IN is mapping to non-existing input INPUT_X in model a');
  });

  it("the ensemble's max_batch_size may not exceed a member's", async () => {
    const repo = await load(member('a', identityConfig('a', { mbs: 4 })), ensemble('e', [{ model: 'a', version: -1 }], 8));
    expect(stateOf(repo, 'e')?.reason).toBe('Invalid argument: ensemble e allows maximum batch size 8, but it contains model a which only allows maximum batch size to be 4');
  });

  it('with a dependency problem the lab still lints the wiring against the configs it has', async () => {
    const repo = await load({ 'a/config.pbtxt': identityConfig('a') }, ensemble('e', [{ model: 'a', version: -1, in: 'INPUT_X' }]));
    expect(messagesOf(repo, 'e')).toContain('in ensemble e, ensemble tensor IN is mapping to non-existing input INPUT_X in model a');
  });
});
