import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Lab } from '../lab';
import { applyRepairPlan } from './repair';

const PUBLISHED = path.join(__dirname, '__fixtures__', 'data_pipelines_published');
const CODE = 'layout.config-in-version';

describe('repairing the published Data Pipelines layout', () => {
  let dir: string;
  let lab: Lab;
  let repoId: string;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'repair-'));
    cpSync(PUBLISHED, dir, { recursive: true });
    lab = new Lab({ repository: { autoComplete: true } });
    repoId = (await lab.openRepository(dir)).id;
  });
  afterEach(async () => {
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const warning = (model = 'ensemble_model') => lab.getModel(repoId, model).diagnostics.find((d) => d.code === CODE);

  it('offers the complete config as a plan, then writes it and keeps the old file', async () => {
    const inner = readFileSync(path.join(dir, 'ensemble_model', '1', 'config.pbtxt'), 'utf8');
    const plan = warning()?.repair;
    expect(plan).toMatchObject({ write: 'ensemble_model/config.pbtxt', from: { file: 'ensemble_model/1/config.pbtxt', text: inner, keepAs: 'ensemble_model/config.pbtxt.orig' } });
    expect(plan!.text).toMatch(/platform: "ensemble"/);

    const detail = await lab.applyRepair(repoId, 'ensemble_model', CODE);
    expect(readFileSync(path.join(dir, 'ensemble_model', 'config.pbtxt'), 'utf8')).toBe(plan!.text);
    expect(readFileSync(path.join(dir, 'ensemble_model', 'config.pbtxt.orig'), 'utf8')).toBe(inner);
    expect(existsSync(path.join(dir, 'ensemble_model', '1', 'config.pbtxt'))).toBe(false);
    expect(detail.configText).toBe(plan!.text);
    expect(detail.diagnostics.some((d) => d.code === CODE)).toBe(false);
    // The backend is known now: what is left is that the Python members are not running (untrusted here).
    expect(detail.summary.reason).not.toMatch(/Could not determine backend/);
    await expect(lab.applyRepair(repoId, 'ensemble_model', CODE)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('changes nothing when the folder changed since the plan', async () => {
    writeFileSync(path.join(dir, 'ensemble_model', '1', 'config.pbtxt'), 'name: "ensemble_model"\n');
    await expect(lab.applyRepair(repoId, 'ensemble_model', CODE)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/changed since/) });
    expect(existsSync(path.join(dir, 'ensemble_model', 'config.pbtxt'))).toBe(false);
  });

  it('never overwrites a file', async () => {
    writeFileSync(path.join(dir, 'ensemble_model', 'config.pbtxt.orig'), 'mine');
    await expect(lab.applyRepair(repoId, 'ensemble_model', CODE)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(existsSync(path.join(dir, 'ensemble_model', 'config.pbtxt'))).toBe(false);
    expect(readFileSync(path.join(dir, 'ensemble_model', 'config.pbtxt.orig'), 'utf8')).toBe('mine');
    writeFileSync(path.join(dir, 'ensemble_model', 'config.pbtxt'), 'theirs');
    await expect(applyRepairPlan(dir, { write: 'ensemble_model/config.pbtxt', text: 'x' })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(readFileSync(path.join(dir, 'ensemble_model', 'config.pbtxt'), 'utf8')).toBe('theirs');
  });

  it('does not write through a model folder linked from outside the repository', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'repair-outside-'));
    try {
      symlinkSync(outside, path.join(dir, 'linked'));
      await expect(applyRepairPlan(dir, { write: 'linked/config.pbtxt', text: 'x' })).rejects.toMatchObject({
        code: 'INVALID_ARG',
        message: expect.stringMatching(/linked folder outside the repository/),
      });
      expect(existsSync(path.join(outside, 'config.pbtxt'))).toBe(false);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('refuses paths outside the repository and codes with no repair', async () => {
    await expect(applyRepairPlan(dir, { write: '../escape.pbtxt', text: 'x' })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    expect(existsSync(path.join(dir, '..', 'escape.pbtxt'))).toBe(false);
    await expect(lab.applyRepair(repoId, 'model1', CODE)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(lab.applyRepair(repoId, 'nope', CODE)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
