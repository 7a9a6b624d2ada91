/**
 * Findings about an ensemble's members are placed where the user fixes them: the `model_name`
 * line of the step that names the member, not the `ensemble_scheduling {` line.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { diagnosticsOf } from '../repository/views';
import { identityConfig, loadRepository, TempDirs, type RepoFiles } from '../repository/testing/temp-repo';
import { memberPath } from './ensemble-graph';
import { config } from './testing/config';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

const ENSEMBLE = `name: "e" platform: "ensemble" max_batch_size: 8
input { name: "IN" data_type: TYPE_FP32 dims: [ -1 ] }
output { name: "OUT" data_type: TYPE_FP32 dims: [ -1 ] }
ensemble_scheduling {
  step {
    model_name: "a"
    model_version: -1
    input_map { key: "INPUT0" value: "IN" }
    output_map { key: "OUTPUT0" value: "mid" }
  }
  step {
    model_name: "MEMBER"
    model_version: -1
    input_map { key: "INPUT0" value: "mid" }
    output_map { key: "OUTPUT0" value: "OUT" }
  }
}
`;

async function diagnosticsFor(files: RepoFiles, member: string) {
  const d = await temp.make({ 'e/config.pbtxt': ENSEMBLE.replace('MEMBER', member), 'e/1': null, 'a/config.pbtxt': identityConfig('a'), 'a/1': null, ...files });
  const repo = await loadRepository(d.root);
  return diagnosticsOf(repo.models.get('e')!, repo.root).filter((x) => x.severity === 'error');
}

describe('ensemble member findings', () => {
  it('a missing member points at its model_name line (line 12)', async () => {
    const [diag] = await diagnosticsFor({}, 'ghost');
    expect(diag).toMatchObject({ line: 12, message: expect.stringContaining('not available or ambiguous: ghost') as unknown });
  });

  it('a member with no loaded version points at its model_name line', async () => {
    const broken = identityConfig('b').replace('output [', 'output [\n  { name: "EXTRA" data_type: TYPE_FP32 dims: [ -1 ] },');
    const [diag] = await diagnosticsFor({ 'b/config.pbtxt': broken, 'b/1': null }, 'b');
    expect(diag).toMatchObject({ line: 12, message: expect.stringContaining("depends on 'b' which has no loaded version") as unknown });
  });

  it('memberPath: the first step naming the model, else the scheduling block', () => {
    const c = config(ENSEMBLE.replace('MEMBER', 'a'));
    const steps = c.schedulingChoice.case === 'ensembleScheduling' ? c.schedulingChoice.value.step : [];
    expect(memberPath(steps, 'a')).toEqual(['ensemble_scheduling', 'step', 0, 'model_name']);
    expect(memberPath(steps, 'zzz')).toEqual(['ensemble_scheduling']);
  });
});
