/**
 * The quick_deploy_pytorch sample in the lab, as its playground runs it: the
 * digits_bls model reads each sample PNG as a file's bytes and answers its
 * digit, and the run shows the BLS call to digits among its steps. Skipped
 * (with the reason) without torch. (Over HTTP: cli/quick-deploy-pytorch.test.ts.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { torchMissing } from '../backends/pytorch/testing/torch-models';
import { Lab } from '../lab';

const SAMPLE = path.join(__dirname, '..', '..', '..', 'sample-repos', 'quick_deploy_pytorch');
const expected = JSON.parse(readFileSync(path.join(SAMPLE, 'samples.json'), 'utf8')) as { samples: { png: string; digit: number }[] };

describe.skipIf(torchMissing !== '')(`quick_deploy_pytorch in the lab${torchMissing ? ` — skipped: ${torchMissing}` : ''}`, () => {
  let lab: Lab;
  let repoId: string;

  beforeAll(async () => {
    lab = new Lab();
    repoId = (await lab.openRepository(SAMPLE, { sample: true })).id;
  }, 120_000);
  afterAll(() => lab.close());

  it('both models load READY', () => {
    expect(lab.info(repoId).models.map((m) => [m.name, m.state])).toEqual([
      ['digits', 'READY'],
      ['digits_bls', 'READY'],
    ]);
  });

  it('digits_bls answers the digit of every sample PNG, calling digits through BLS', async () => {
    for (const s of expected.samples) {
      const run = await lab.runModel({ repoId, model: 'digits_bls', inputs: [{ name: 'IMAGE', kind: 'bytes', dtype: 'UINT8', source: { path: path.join(SAMPLE, s.png) } }] });
      expect(run.state, run.error).toBe('ok');
      const digit = run.outputs.find((o) => o.name === 'DIGIT')!;
      expect([digit.dtype, digit.shape, digit.stats?.min], s.png).toEqual(['INT32', [1], s.digit]);
      expect(run.outputs.find((o) => o.name === 'SCORE')!.stats!.min).toBeGreaterThan(0.9);
      expect(run.steps.filter((st) => st.kind === 'bls').map((st) => st.model)).toEqual(['digits']);
    }
  }, 60_000);
});
