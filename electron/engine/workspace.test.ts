import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab } from './lab';
import { notARepository } from './repository/folder-kind';
import { SettingsStore } from './settings';
import { MAX_WORKSPACE_REPOSITORIES, checkWorkspace } from './settings-workspace';
import { openStartup, planStartup } from './workspace';

const dirs: string[] = [];
const labs: Lab[] = [];
function temp(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lab-workspace-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A repository with one identity model (no code, nothing to trust). */
function repository(root: string, name: string, model = 'm'): string {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, model, '1'), { recursive: true });
  writeFileSync(
    path.join(dir, model, 'config.pbtxt'),
    `name: "${model}"\nbackend: "identity"\ninput [{ name: "IN" data_type: TYPE_FP32 dims: [1] }]\noutput [{ name: "OUT" data_type: TYPE_FP32 dims: [1] }]\n`,
  );
  return dir;
}

function lab(settingsFile: string): Lab {
  const l = new Lab({ settingsFile });
  labs.push(l);
  return l;
}

const silent = (): void => undefined;

describe('what opens at start', () => {
  it('first start opens the samples; later starts reopen the saved workspace in tree order, samples included', async () => {
    const root = temp();
    const samples = path.join(root, 'samples');
    repository(samples, 'b_sample');
    repository(samples, 'a_sample');
    const mine = repository(root, 'mine');
    const settings = path.join(root, 'settings.json');

    const first = lab(settings);
    const r1 = await openStartup(first, { given: [], samplesDir: samples, log: silent });
    expect(r1.source).toBe('samples');
    expect(first.listRepositories().map((r) => [r.name, r.sample])).toEqual([
      ['a_sample', true],
      ['b_sample', true],
    ]);
    await first.openRepository(mine);
    first.closeRepository(first.listRepositories()[0]!.id); // a_sample
    first.setSettings({ workspace: { repositories: [], selection: { path: mine, model: 'm', version: 1, tab: 'run' } } });
    await first.close();

    const saved = JSON.parse(readFileSync(settings, 'utf8')) as { workspace: unknown };
    expect(saved.workspace).toEqual({ repositories: [{ path: path.join(samples, 'b_sample'), sample: true }, { path: mine }], selection: { path: mine, model: 'm', version: 1, tab: 'run' } });

    const second = lab(settings);
    const r2 = await openStartup(second, { given: [], samplesDir: samples, log: silent });
    expect(r2).toMatchObject({ source: 'workspace', skipped: [] });
    expect(second.listRepositories().map((r) => [r.name, r.sample])).toEqual([
      ['b_sample', true],
      ['mine', false],
    ]);
    expect(second.getSettings().workspace?.selection).toEqual({ path: mine, model: 'm', version: 1, tab: 'run' });
    // Offered to the window until a selection is saved in this run; the first start offered none.
    expect(first.startupSelection).toBeUndefined();
    expect(second.startupSelection).toEqual({ path: mine, model: 'm', version: 1, tab: 'run' });
    second.setSettings({ workspace: { repositories: [], selection: { path: mine, model: 'm' } } });
    expect(second.startupSelection).toBeUndefined();
  });

  it('keeps the tree order of the saved workspace however the folders finish opening', async () => {
    const root = temp();
    const names = ['z', 'c', 'm', 'a', 'q'];
    const paths = names.map((n) => repository(root, n));
    const settings = path.join(root, 'settings.json');
    writeFileSync(settings, JSON.stringify({ workspace: { repositories: paths.map((p) => ({ path: p })) } }));
    const l = lab(settings);
    await openStartup(l, { given: [], log: silent });
    expect(l.listRepositories().map((r) => r.name)).toEqual(names);
    expect(l.getSettings().workspace?.repositories.map((r) => r.path)).toEqual(paths);
  });

  it('skips and reports folders that vanished or are not repositories, and opens the rest', async () => {
    const root = temp();
    const ok = repository(root, 'ok');
    const gone = path.join(root, 'gone');
    const model = path.join(ok, 'm');
    const settings = path.join(root, 'settings.json');
    writeFileSync(settings, JSON.stringify({ workspace: { repositories: [{ path: gone }, { path: ok }, { path: model }] } }));
    const lines: string[] = [];
    const l = lab(settings);
    const r = await openStartup(l, { given: [], log: (line) => lines.push(line) });
    expect(r.opened.map((o) => o.name)).toEqual(['ok']);
    expect(r.skipped.map((s) => s.path)).toEqual([gone, model]);
    expect(r.skipped[0]!.reason).toMatch(/does not exist/);
    expect(r.skipped[1]!.reason).toMatch(/is a model folder/);
    expect(lines).toHaveLength(2);
    // What did not open is no longer part of the workspace; the recent list still has what opened.
    expect(l.getSettings().workspace?.repositories).toEqual([{ path: ok }]);
  });

  it('opens nothing when the user closed everything, and the command line wins over the workspace', async () => {
    const root = temp();
    const samples = path.join(root, 'samples');
    repository(samples, 's');
    const given = repository(root, 'given');
    const settings = path.join(root, 'settings.json');
    writeFileSync(settings, JSON.stringify({ workspace: { repositories: [] } }));
    const l = lab(settings);
    expect(await planStartup(l, { given: [], samplesDir: samples })).toEqual({ source: 'workspace', repositories: [] });
    const r = await openStartup(l, { given: [given], samplesDir: samples, log: silent });
    expect(r.source).toBe('command-line');
    expect(l.listRepositories().map((x) => [x.name, x.sample])).toEqual([['given', false]]);
  });

  it('honours a "sample" flag from the file only for folders really inside the samples folder', async () => {
    const root = temp();
    const samples = path.join(root, 'samples');
    const real = repository(samples, 's');
    const outside = repository(root, 'outside');
    const sneaky = path.join(samples, 'link-out');
    symlinkSync(outside, sneaky);
    const settings = path.join(root, 'settings.json');
    writeFileSync(
      settings,
      JSON.stringify({
        workspace: {
          repositories: [
            { path: real, sample: true },
            { path: outside, sample: true },
            { path: sneaky, sample: true },
          ],
        },
      }),
    );
    const plan = await planStartup(lab(settings), { given: [], samplesDir: samples });
    expect(plan.repositories).toEqual([
      { path: real, sample: true },
      { path: outside, sample: false },
      { path: sneaky, sample: false },
    ]);
  });

  it('does not forget the workspace when the lab closes at quit', async () => {
    const root = temp();
    const a = repository(root, 'a');
    const settings = path.join(root, 'settings.json');
    const l = lab(settings);
    await l.openRepository(a);
    await l.close();
    expect(new SettingsStore(settings).get().workspace?.repositories).toEqual([{ path: a }]);
  });
});

describe('the workspace in the settings file is hostile input', () => {
  it('drops bad entries from the file, keeps the good ones in order, and reads garbage as no workspace', () => {
    const root = temp();
    const file = path.join(root, 'settings.json');
    const good = path.join(root, 'good');
    writeFileSync(
      file,
      JSON.stringify({
        workspace: {
          repositories: [
            { path: 'relative/path' },
            { path: good },
            { path: 42 },
            null,
            { path: `${root}/a\u0000b` },
            { path: '/x'.repeat(3000) },
            { path: good, sample: 'yes' },
            { path: good },
            { path: `${root}/other`, sample: true },
          ],
          selection: { path: good, model: '../../etc', file: 'x' },
        },
        recentRepositories: ['rel', good, 7, `${root}/\n`],
      }),
    );
    const s = new SettingsStore(file).get();
    expect(s.workspace).toEqual({ repositories: [{ path: good }, { path: `${root}/other`, sample: true }] });
    expect(s.recentRepositories).toEqual([good]);
    for (const junk of ['"x"', '[]', '{"workspace": {"repositories": "no"}}', '{"workspace": 3}']) {
      writeFileSync(file, junk);
      expect(new SettingsStore(file).get().workspace, junk).toBeUndefined();
    }
  });

  it('caps how many repositories are kept, and refuses an oversized file', () => {
    const root = temp();
    const file = path.join(root, 'settings.json');
    const many = Array.from({ length: 1000 }, (_, i) => ({ path: `${root}/r${i}` }));
    writeFileSync(file, JSON.stringify({ workspace: { repositories: many } }));
    expect(new SettingsStore(file).get().workspace?.repositories).toHaveLength(MAX_WORKSPACE_REPOSITORIES);
    writeFileSync(file, JSON.stringify({ theme: 'dark', pad: 'x'.repeat(2 * 1024 * 1024) }));
    const big = new SettingsStore(file);
    expect(big.get().theme).toBe('system');
    expect(big.loadProblem).toMatch(/more than settings ever need/);
  });

  it('refuses a bad workspace from a client with a reason', () => {
    const bad: [unknown, string][] = [
      [null, 'must be an object'],
      [{ repositories: 'x' }, 'must be a list'],
      [{ repositories: [], extra: 1 }, "unknown field 'extra'"],
      [{ repositories: [{ path: 'rel' }] }, 'must be an absolute path'],
      [{ repositories: [{ path: '/a', sample: 1 }] }, 'sample must be true or false'],
      [{ repositories: Array.from({ length: MAX_WORKSPACE_REPOSITORIES + 1 }, (_, i) => ({ path: `/r${i}` })) }, 'at most'],
      [{ repositories: [], selection: { path: '/a', model: 'a/b' } }, 'must be a model name'],
      [{ repositories: [], selection: { path: '/a', model: 'm', version: -1 } }, 'whole number'],
      [{ repositories: [], selection: { path: '/a', model: 'm', version: 1.5 } }, 'whole number'],
      [{ repositories: [], selection: { path: '/a', model: 'm', file: '../x' } }, 'inside the repository'],
      [{ repositories: [], selection: { path: '/a', model: 'm', file: '/etc/passwd' } }, 'inside the repository'],
      [{ repositories: [], selection: { path: '/a', version: 1 } }, 'needs its model'],
      [{ repositories: [], selection: { path: '/a', tab: 'run' } }, 'needs its model'],
      [{ repositories: [], selection: { path: '/a', model: 'm', tab: '<img onerror=x>' } }, 'tab name'],
      [{ repositories: [], selection: { path: '/a', model: 'm', tab: 'r'.repeat(21) } }, 'tab name'],
      [{ repositories: [], selection: { path: '/a', model: 'm', x: 1 } }, "unknown field 'x'"],
    ];
    const l = lab(path.join(temp(), 'settings.json'));
    for (const [value, message] of bad) {
      expect(() => checkWorkspace(value), JSON.stringify(value).slice(0, 80)).toThrow(message);
      expect(() => l.setSettings({ workspace: value as never })).toThrow(message);
    }
    expect(l.getSettings().workspace).toBeUndefined();
  });

  it('takes only the selection from a client: the lab records which repositories are open', async () => {
    const root = temp();
    const a = repository(root, 'a');
    const l = lab(path.join(root, 'settings.json'));
    await l.openRepository(a);
    const s = l.setSettings({ workspace: { repositories: [{ path: '/somewhere/else', sample: true }], selection: { path: a, model: 'm', file: 'm/config.pbtxt' } } });
    expect(s.workspace).toEqual({ repositories: [{ path: a }], selection: { path: a, model: 'm', file: 'm/config.pbtxt' } });
    // Closing the selected repository forgets the selection with it.
    l.closeRepository(l.listRepositories()[0]!.id);
    expect(l.getSettings().workspace).toEqual({ repositories: [] });
  });
});

describe('folders that are clearly not model repositories', () => {
  it('says what a folder is instead and what to open, and opens nothing', async () => {
    const root = temp();
    const repo = repository(root, 'repo');
    const files = path.join(root, 'files');
    mkdirSync(files);
    writeFileSync(path.join(files, 'notes.txt'), 'x');
    writeFileSync(path.join(files, 'model.onnx'), 'x');
    const versionsOnly = path.join(root, 'auto', 'model');
    mkdirSync(path.join(versionsOnly, '1'), { recursive: true });
    writeFileSync(path.join(versionsOnly, '1', 'model.onnx'), 'x');

    expect(await notARepository(path.join(repo, 'm'))).toMatch(new RegExp(`is a model folder \\(it holds config.pbtxt\\).*Open the folder that holds it, '${repo}'`));
    expect(await notARepository(files)).toMatch(/holds files \(model.onnx, notes.txt\) but no sub-folders/);
    expect(await notARepository(versionsOnly)).toMatch(/looks like a model folder \(it holds the version folder 1\)/);
    expect(await notARepository(root)).toMatch(/holds model repositories \(auto, repo\), not models/);

    const l = lab(path.join(root, 'settings.json'));
    await expect(l.openRepository(path.join(repo, 'm'))).rejects.toMatchObject({ code: 'INVALID_ARG' });
    expect(l.listRepositories()).toEqual([]);
    expect(l.getSettings().recentRepositories).toEqual([]);
  });

  it('opens an empty folder and a folder of broken models, as Triton does', async () => {
    const root = temp();
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    const broken = path.join(root, 'broken');
    mkdirSync(path.join(broken, 'not_a_model_yet'), { recursive: true });
    writeFileSync(path.join(broken, 'README.md'), 'x');
    expect(await notARepository(empty)).toBeUndefined();
    expect(await notARepository(broken)).toBeUndefined();
    const l = lab(path.join(root, 'settings.json'));
    expect((await l.openRepository(empty)).models).toEqual([]);
    expect((await l.openRepository(broken)).models.map((m) => m.name)).toEqual(['not_a_model_yet']);
  });
});
