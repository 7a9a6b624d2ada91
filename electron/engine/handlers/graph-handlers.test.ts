/** The graph methods of the lab API: payload checks, and a graph and its initializers through the handler table. */
import { chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab } from '../lab';
import { createLabHandlers, dispatch } from '../lab-handlers';
import { TempDirs } from '../repository/testing/temp-repo';
import { everythingModel } from '../graph/testing/graph-models';
import { browserHost } from '../testing/host';

const host = browserHost();
const temp = new TempDirs();
const labs: Lab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.close()));
  temp.cleanup();
});

async function setup(env: NodeJS.ProcessEnv = { PATH: '' }) {
  const { onnx, weights } = everythingModel();
  const d = await temp.make({ 'm/1/model.onnx': onnx, 'm/1/weights.bin': weights, 'm/config.pbtxt': 'backend: "onnxruntime"', bin: null });
  const lab = new Lab({ repository: { runtime: false }, graphs: { netron: { env } } });
  labs.push(lab);
  const h = createLabHandlers(lab, host);
  const info = await h.openRepository({ path: d.root });
  return { d, lab, h, repoId: info.id };
}

describe('graph handlers', () => {
  it('check their payloads', async () => {
    const { h, repoId } = await setup();
    await expect(dispatch(h, 'modelGraph', { model: 'm' })).rejects.toThrow("'repoId' must be a non-empty string");
    await expect(dispatch(h, 'modelGraph', { repoId })).rejects.toThrow("'model' must be a non-empty string");
    await expect(dispatch(h, 'configFromModel', { repoId, model: 'm', version: '1' })).rejects.toThrow("'version' must be an integer of at least 0");
    await expect(dispatch(h, 'openInNetron', { repoId, model: 'm', version: 1.5 })).rejects.toThrow("'version' must be an integer of at least 0");
    await expect(dispatch(h, 'modelGraph', 'm')).rejects.toThrow('the request must be a JSON object');
    await expect(dispatch(h, 'modelGraph', { repoId: 'nope', model: 'm' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('serve a graph, its initializers through the tensor methods, and config suggestions', async () => {
    const { h, repoId } = await setup();
    const g = await h.modelGraph({ repoId, model: 'm', version: 1 });
    expect(g.nodes.map((n) => n.opType)).toEqual(['Gemm', 'Constant', 'Mul', 'Reshape', 'Pad', 'If', 'MyOp']);
    const page = await h.tensorPage({ runId: g.graphId, side: 'initializer', name: 'b', offset: 1, count: 5 });
    expect(page).toEqual({ offset: 1, total: 3, values: [-2, '9007199254740993'] });
    const info = await h.tensorInfo({ runId: g.graphId, side: 'initializer', name: 'b' });
    expect(info).toMatchObject({ name: 'b', shape: [3], elements: 3, stats: { count: 3 } });
    await expect(dispatch(h, 'tensorInfo', { runId: g.graphId, side: 'initializer', name: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const npy = await h.exportTensor({ runId: g.graphId, side: 'initializer', name: 'w', format: 'npy' });
    expect(npy.fileName).toMatch(/\.npy$/);
    const c = await h.configFromModel({ repoId, model: 'm' });
    expect(c.text).toMatch(/^max_batch_size: 0\n/);
    expect(c.batchingNote).toMatch(/^'cond' is a scalar, so the model cannot batch/);
    expect(c.mismatches).toEqual([]);
  });

  it('tell whether netron is available and open it', async () => {
    const none = await setup();
    expect(await none.h.netronStatus({})).toEqual({ available: false });
    await expect(none.h.openInNetron({ repoId: none.repoId, model: 'm' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });

    const d = await temp.make({ bin: null });
    const exe = path.join(d.root, 'bin', 'netron');
    writeFileSync(
      exe,
      `#!${process.execPath}\nconst a = process.argv.slice(2);\nrequire('node:http').createServer((q, r) => r.end(a[0])).listen(Number(a[a.indexOf('-p') + 1]), a[a.indexOf('--host') + 1]);\n`,
    );
    chmodSync(exe, 0o755);
    const { h, repoId, lab } = await setup({ PATH: path.join(d.root, 'bin') });
    expect(await h.netronStatus({})).toEqual({ available: true, path: exe });
    const { url } = await h.openInNetron({ repoId, model: 'm' });
    expect(await (await fetch(url)).text()).toMatch(/m\/1\/model\.onnx$/);
    // Closing the repository stops the netron serving its files.
    await h.closeRepository({ repoId });
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++)
      gone = await fetch(url)
        .then(
          () => false,
          () => true,
        )
        .then((g) => g || new Promise<boolean>((r) => setTimeout(() => r(false), 20)));
    expect(gone).toBe(true);
    await lab.close();
  });

  it("find model files and external weights as loading does: a model file link is followed, external data must stay in the model's folder even through links (ONNX Runtime's rule)", async () => {
    const { onnx, weights } = everythingModel();
    // The same model with its external data named '../secr.bin' (same length as 'weights.bin'): one level out.
    const escaping = Buffer.from(onnx);
    escaping.set(Buffer.from('../secr.bin'), escaping.indexOf('weights.bin'));
    const elsewhere = await temp.make({ 'model.onnx': onnx, 'weights.bin': weights });
    const d = await temp.make({
      'linked/config.pbtxt': 'backend: "onnxruntime"',
      'linked/1/weights.bin': weights,
      'out/config.pbtxt': 'backend: "onnxruntime"',
      'out/1/model.onnx': onnx,
      'esc/config.pbtxt': 'backend: "onnxruntime"',
      'esc/1/model.onnx': escaping,
      'esc/secr.bin': weights,
      'far/config.pbtxt': 'backend: "onnxruntime"\ndefault_model_filename: "../../linked/1/model.onnx"',
      'far/1': null,
    });
    // A model file kept elsewhere, linked into the version folder by the repository's owner (followed, as loading follows it).
    symlinkSync(path.join(elsewhere.root, 'model.onnx'), path.join(d.root, 'linked/1/model.onnx'));
    // External data linked to a file elsewhere: ONNX Runtime refuses it ("External data path escapes model directory"), so does the viewer.
    symlinkSync(path.join(elsewhere.root, 'weights.bin'), path.join(d.root, 'out/1/weights.bin'));
    const lab = new Lab({ repository: { runtime: false }, graphs: { netron: { env: { PATH: '' } } } });
    labs.push(lab);
    const h = createLabHandlers(lab, host);
    const { id: repoId } = await h.openRepository({ path: d.root });
    const g = await h.modelGraph({ repoId, model: 'linked' });
    expect(await h.tensorPage({ runId: g.graphId, side: 'initializer', name: 'w', offset: 0, count: 6 })).toMatchObject({ total: 6 });
    const o = await h.modelGraph({ repoId, model: 'out' });
    await expect(dispatch(h, 'tensorPage', { runId: o.graphId, side: 'initializer', name: 'w', offset: 0, count: 6 })).rejects.toMatchObject({
      code: 'INVALID_ARG',
      message: expect.stringContaining("outside the model's folder"),
    });
    // A name inside the model file that leads out of its folder is refused, as ONNX Runtime refuses it.
    const e = await h.modelGraph({ repoId, model: 'esc' });
    await expect(dispatch(h, 'tensorPage', { runId: e.graphId, side: 'initializer', name: 'w', offset: 0, count: 6 })).rejects.toMatchObject({
      code: 'INVALID_ARG',
      message: expect.stringContaining("outside the model's folder"),
    });
    expect(await h.tensorPage({ runId: e.graphId, side: 'initializer', name: 'b', offset: 0, count: 3 })).toMatchObject({ total: 3 });
    // So is a config's model file name that leads out of the model folder.
    const out = { code: 'INVALID_ARG', message: expect.stringContaining('leads outside its model folder') };
    await expect(dispatch(h, 'modelGraph', { repoId, model: 'far' })).rejects.toMatchObject(out);
    await expect(dispatch(h, 'configFromModel', { repoId, model: 'far' })).rejects.toMatchObject(out);
    await expect(dispatch(h, 'openInNetron', { repoId, model: 'far' })).rejects.toMatchObject(out);
  });
});
