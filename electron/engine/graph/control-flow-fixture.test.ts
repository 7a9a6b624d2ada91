/**
 * The renderer's subgraph tests open the control-flow model's summary from a
 * committed JSON file (the renderer cannot parse ONNX); this keeps that file
 * equal to what the engine gives. Operator descriptions are left out (another
 * part of the lab owns them). `WRITE_FIXTURES=1` rewrites it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TempDirs } from '../repository/testing/temp-repo';
import { readOnnxSummary } from './onnx-summary';
import { controlFlowModel } from './testing/graph-models';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'renderer', 'src', 'graph', 'testing', 'control-flow.summary.json');
const temp = new TempDirs();
afterEach(() => temp.cleanup());

describe('control-flow summary fixture', () => {
  it('is what the engine reads from the control-flow model', async () => {
    const root = (await temp.make({ 'model.onnx': controlFlowModel() })).root;
    const s = await readOnnxSummary(path.join(root, 'model.onnx'));
    const summary = { graphId: 'g-control-flow', repoId: 'r1', model: 'control_flow', version: 1, file: 'control_flow/1/model.onnx', ...s, fileBytes: s.fileBytes, ops: [], parseMs: 0 };
    const text = `${JSON.stringify(summary, null, 1)}\n`;
    if (process.env.WRITE_FIXTURES === '1') writeFileSync(FIXTURE, text);
    expect(JSON.parse(readFileSync(FIXTURE, 'utf8'))).toEqual(JSON.parse(text));
  });
});
