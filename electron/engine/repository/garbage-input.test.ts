/**
 * Broken input of every kind: each becomes a clear UNAVAILABLE reason, never
 * a crash or a hang, and one bad model never stops the others loading.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../lab';
import { buildOnnxModel } from '../onnx/testing/build-model';
import type { FileNode } from '../../contract/lab-api';
import { DEFAULT_LOAD_OPTIONS, pollModel } from './model-loader';
import type { Repository } from './repository';
import { modelConfig } from '../runtime/testing/models';
import { Fifos, within } from '../util/testing/fifo';
import { loadRepository, stateOf, TempDirs, type TempDir } from './testing/temp-repo';

const isRoot = process.getuid?.() === 0;
const isWindows = process.platform === 'win32';
const onnx = buildOnnxModel({ inputs: [{ name: 'x', type: 1, dims: [-1, 4] }], outputs: [{ name: 'y', type: 1, dims: [-1, 4] }] });
const junk = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256);

const temp = new TempDirs();
let d: TempDir;
let repo: Repository;

beforeAll(async () => {
  d = await temp.make({
    'good/1/model.onnx': onnx,
    'junk_config/config.pbtxt': junk,
    'junk_config/1/model.onnx': onnx,
    'empty_config/config.pbtxt': '',
    'empty_config/1/model.onnx': onnx,
    'huge_config/1/model.onnx': onnx,
    'dir_config/config.pbtxt/inner.txt': 'x',
    'dir_config/1/model.onnx': onnx,
    'corrupt_onnx/1/model.onnx': junk,
    'empty_onnx/1/model.onnx': new Uint8Array(0),
    'missing_file/config.pbtxt': 'backend: "onnxruntime"',
    'missing_file/1/readme.txt': 'no model here',
    'loops/1/model.onnx': onnx,
    'README.md': 'a file at the top of the repository is not a model',
  });
  // Sparse: over the limit without writing 16 MiB.
  await fs.writeFile(path.join(d.root, 'huge_config/config.pbtxt'), '');
  await fs.truncate(path.join(d.root, 'huge_config/config.pbtxt'), 4 * 1024 * 1024 + 1);
  if (!isWindows) {
    await fs.symlink('..', path.join(d.root, 'loops/1/up'));
    await fs.symlink('self', path.join(d.root, 'loops/1/self'));
    await fs.symlink('.', path.join(d.root, 'loops/here'));
    await fs.mkdir(path.join(d.root, 'fifo_config/1'), { recursive: true });
    await fs.writeFile(path.join(d.root, 'fifo_config/1/model.onnx'), onnx);
    execFileSync('mkfifo', [path.join(d.root, 'fifo_config/config.pbtxt')]);
    await fs.mkdir(path.join(d.root, 'fifo_in_version/1'), { recursive: true });
    await fs.writeFile(path.join(d.root, 'fifo_in_version/1/model.onnx'), onnx);
    execFileSync('mkfifo', [path.join(d.root, 'fifo_in_version/1/config.pbtxt')]);
    await fs.mkdir(path.join(d.root, 'device_config/1'), { recursive: true });
    await fs.writeFile(path.join(d.root, 'device_config/1/model.onnx'), onnx);
    await fs.symlink('/dev/zero', path.join(d.root, 'device_config/config.pbtxt'));
    await fs.mkdir(path.join(d.root, 'dangling_config/1'), { recursive: true });
    await fs.writeFile(path.join(d.root, 'dangling_config/1/model.onnx'), onnx);
    await fs.symlink('nowhere.pbtxt', path.join(d.root, 'dangling_config/config.pbtxt'));
  }
  repo = await loadRepository(d.root);
});
afterAll(() => temp.cleanup());

const configPath = (model: string): string => path.join(d.root, model, 'config.pbtxt');

describe('a repository full of broken models', () => {
  it('still serves the good ones', () => {
    expect(stateOf(repo, 'good')).toEqual({ state: 'READY', reason: '' });
    expect(stateOf(repo, 'empty_config')?.state).toBe('READY');
    expect(stateOf(repo, 'loops')?.state).toBe('READY');
  });

  it('does not take a top-level file for a model', () => {
    expect(repo.models.has('README.md')).toBe(false);
  });

  it('binary junk in config.pbtxt is a parse error with a position', () => {
    expect(stateOf(repo, 'junk_config')?.state).toBe('UNAVAILABLE');
    expect(stateOf(repo, 'junk_config')?.reason).toMatch(new RegExp(`^failed to read text proto from ${escape(configPath('junk_config'))}: \\d+:\\d+: .+`));
    expect(repo.models.get('junk_config')!.issues[0]!.span).toBeDefined();
  });

  it('an empty config.pbtxt is a valid empty config: everything is auto-completed', () => {
    const c = repo.models.get('empty_config')!.versions[0]!.config!;
    expect(c).toMatchObject({ name: 'empty_config', backend: 'onnxruntime', maxBatchSize: 4 });
  });

  it('a config over 16 MiB is refused before reading', () => {
    expect(stateOf(repo, 'huge_config')).toEqual({
      state: 'UNAVAILABLE',
      reason: `failed to read text proto from ${configPath('huge_config')}: the file is 4.0 MiB; configs over 4 MiB are refused`,
    });
  });

  it('a config.pbtxt that is a folder', () => {
    expect(stateOf(repo, 'dir_config')).toEqual({ state: 'UNAVAILABLE', reason: `failed to open text file for read ${configPath('dir_config')}: Is a directory` });
  });

  it.skipIf(isWindows)('a config.pbtxt that is a FIFO or a device is refused instead of blocking', () => {
    expect(stateOf(repo, 'fifo_config')).toEqual({ state: 'UNAVAILABLE', reason: `failed to open text file for read ${configPath('fifo_config')}: not a regular file (a FIFO)` });
    // A link to a device is outside the model folder, so it is not even opened.
    expect(stateOf(repo, 'device_config')).toEqual({
      state: 'UNAVAILABLE',
      reason: `config file path '${configPath('device_config')}' for model 'device_config' is outside model directory: it is a link to a file elsewhere`,
    });
    // A FIFO left in a version folder is only flagged by the layout check, never read.
    expect(stateOf(repo, 'fifo_in_version')?.state).toBe('READY');
    expect(repo.models.get('fifo_in_version')!.fileDiagnostics.map((x) => x.code)).toContain('layout.config-in-version');
  });

  it('a corrupt or empty model.onnx fails its version with the reason', () => {
    const file = path.join(d.root, 'corrupt_onnx', '1', 'model.onnx');
    expect(stateOf(repo, 'corrupt_onnx')?.reason).toMatch(new RegExp(`^Internal: unable to load model 'corrupt_onnx': failed to read '${escape(file)}': not a valid ONNX model`));
    expect(stateOf(repo, 'empty_onnx')?.reason).toMatch(/^Internal: unable to load model 'empty_onnx': failed to read .*not a valid ONNX model/);
  });

  it('a missing model file', () => {
    const file = path.join(d.root, 'missing_file', '1', 'model.onnx');
    expect(stateOf(repo, 'missing_file')?.reason).toBe(`Unavailable: unable to find '${file}' for model instance 'missing_file'`);
  });

  it.skipIf(isWindows)('symlink loops are marked in the file tree, not followed forever', () => {
    const rec = repo.models.get('loops')!;
    const v1 = rec.versions.find((v) => v.version === 1)!;
    expect(find(v1.files, 'up')).toMatchObject({ kind: 'symlink', truncated: 'symlink loop' });
    expect(find(v1.files, 'self')).toMatchObject({ kind: 'symlink', truncated: expect.stringMatching(/^broken link/) });
    expect(find(rec.files, 'here')).toMatchObject({ kind: 'symlink', truncated: 'symlink loop' });
    // A link to the model folder itself is a folder too, and not a number.
    expect(rec.issues.map((i) => i.message)).toContain("ignore version directory 'here' which fails to convert to integral number");
  });
});

describe('unreadable folders and files', () => {
  it('a model folder that cannot be listed', async () => {
    // Another way than chmod (which root ignores): the folder vanished between listing and loading.
    const rec = await pollModel(d.root, 'vanished', DEFAULT_LOAD_OPTIONS);
    expect(rec.state).toBe('UNAVAILABLE');
    expect(rec.reason).toMatch(new RegExp(`^failed to open directory ${escape(path.join(d.root, 'vanished'))}: .*ENOENT`));
  });

  it.skipIf(isWindows)('a config.pbtxt that cannot be opened (a dangling link, which stops root too)', () => {
    expect(stateOf(repo, 'dangling_config')).toEqual({
      state: 'UNAVAILABLE',
      reason: `failed to open text file for read ${configPath('dangling_config')}: No such file or directory`,
    });
  });

  it.skipIf(isRoot || isWindows)('a model folder without read permission', async () => {
    const t = await temp.make({ 'locked/1/model.onnx': onnx, 'good/1/model.onnx': onnx });
    await fs.chmod(path.join(t.root, 'locked'), 0o000);
    try {
      const r = await loadRepository(t.root);
      expect(stateOf(r, 'locked')?.state).toBe('UNAVAILABLE');
      expect(stateOf(r, 'locked')?.reason).toMatch(/^failed to open directory .*EACCES/);
      expect(stateOf(r, 'good')?.state).toBe('READY');
    } finally {
      await fs.chmod(path.join(t.root, 'locked'), 0o755);
    }
  });

  it.skipIf(isRoot || isWindows)('a config.pbtxt without read permission', async () => {
    const t = await temp.make({ 'm/config.pbtxt': 'backend: "onnxruntime"', 'm/1/model.onnx': onnx });
    await fs.chmod(path.join(t.root, 'm/config.pbtxt'), 0o000);
    const r = await loadRepository(t.root);
    expect(stateOf(r, 'm')).toEqual({ state: 'UNAVAILABLE', reason: `failed to open text file for read ${path.join(t.root, 'm/config.pbtxt')}: Permission denied` });
  });
});

describe('repository paths that are not repositories', () => {
  it('a file', async () => {
    const file = path.join(d.root, 'README.md');
    const r = await loadRepository(file);
    expect(r.problem).toBe('repository path is not a valid directory');
    expect(r.models.size).toBe(0);
    const lab = new Lab();
    await expect(lab.openRepository(file)).rejects.toMatchObject({ code: 'INVALID_ARG', message: expect.stringContaining('is not a folder') });
    lab.close();
  });

  it('a path that does not exist', async () => {
    const missing = path.join(d.root, 'no', 'such', 'repo');
    const r = await loadRepository(missing);
    expect(r.problem).toMatch(/^repository path is not a valid directory: .*ENOENT/);
    const lab = new Lab();
    await expect(lab.openRepository(missing)).rejects.toMatchObject({ code: 'NOT_FOUND', message: `'${missing}' does not exist` });
    await expect(lab.openRepository('  ')).rejects.toMatchObject({ code: 'INVALID_ARG' });
    lab.close();
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function find(nodes: FileNode[] | undefined, name: string): FileNode | undefined {
  for (const n of nodes ?? []) {
    if (n.name === name) return n;
    const inner = find(n.children, name);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * FIFOs where a model's files belong: open(2) of a FIFO blocks until a writer
 * appears, so every reader opens without blocking and refuses what is not a
 * regular file. The load settles, each model with its reason.
 */
describe.skipIf(isWindows)('FIFOs named as the files a model loads from', () => {
  const fifos = new Fifos();
  afterAll(() => fifos.releaseAll());

  it('a FIFO model.onnx, model.js or label file makes its model UNAVAILABLE at once', async () => {
    const f = await temp.make({
      'fifo_onnx/1': null,
      'fifo_script/config.pbtxt': modelConfig('fifo_script', { backend: 'script', inputs: [{ name: 'IN', dims: [1] }], outputs: [{ name: 'OUT', dims: [1] }] }),
      'fifo_script/1': null,
      'fifo_labels/config.pbtxt': modelConfig('fifo_labels', {
        backend: 'identity',
        inputs: [{ name: 'INPUT0', dims: [2] }],
        outputs: [{ name: 'OUTPUT0', dims: [2], extra: 'label_filename: "labels.txt"' }],
      }),
      'fifo_labels/1': null,
    });
    fifos.make(path.join(f.root, 'fifo_onnx/1/model.onnx'));
    fifos.make(path.join(f.root, 'fifo_script/1/model.js'));
    fifos.make(path.join(f.root, 'fifo_labels/labels.txt'));
    const loading = loadRepository(f.root);
    expect(await within(loading, 10_000)).toBe('settled');
    const r = await loading;
    const onnxFile = path.join(f.root, 'fifo_onnx/1/model.onnx');
    expect(stateOf(r, 'fifo_onnx')).toEqual({
      state: 'UNAVAILABLE',
      reason: `Internal: unable to load model 'fifo_onnx': failed to read '${onnxFile}': '${onnxFile}' is not a file but a FIFO; only regular files are read`,
    });
    expect(stateOf(r, 'fifo_script')).toEqual({
      state: 'UNAVAILABLE',
      reason: `Invalid argument: '${path.join(f.root, 'fifo_script/1/model.js')}' for model instance 'fifo_script' is not a regular file (a FIFO or device is never read)`,
    });
    expect(stateOf(r, 'fifo_labels')).toEqual({
      state: 'UNAVAILABLE',
      reason: `Internal: failed to open text file for read ${path.join(f.root, 'fifo_labels/labels.txt')}: not a regular file (a FIFO)`,
    });
  }, 20_000);
});
