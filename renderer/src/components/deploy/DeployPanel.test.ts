// @vitest-environment happy-dom
/**
 * The Deploy panel against a mocked lab: the report of the repository being
 * looked at (summary bar, verdict badges, packages, twins, reasons, filter),
 * its empty and error states, and the export form (checks in place, twins
 * ticked when there are twins, the request it sends, progress, the result,
 * the engine's error) in English and 简体中文.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeploymentExport, DeploymentExportRequest, HostInfo, LabClient, LabEvent, PortabilityReport, RepositoryInfo } from '@contract/lab-api';
import { LabCallError, setBackend } from '../../api/client';
import { setLocale } from '../../i18n';
import { useRepositoriesStore } from '../../stores/repositories';
import DeployPanel from './DeployPanel.vue';
import { useDeployStore } from './deploy-store';

const TWINS = '/samples/ocr_ensemble_python';
const SCRIPT_REASON = "uses backend 'script' (a JavaScript/TypeScript model), which is Model Lab's own: Triton has no such backend";
const twin = (model: string) => ({ repository: TWINS, repositoryName: 'ocr_ensemble_python', model });

const OCR: PortabilityReport = {
  repository: '/samples/ocr_ensemble',
  tritonImage: 'nvcr.io/nvidia/tritonserver:25.01-py3',
  twinsRepository: TWINS,
  models: [
    {
      model: 'detection_postprocessing',
      backend: 'script',
      verdict: 'lab-only',
      packages: [],
      optionalPackages: [],
      twin: twin('detection_postprocessing'),
      reasons: ['uses the lab-only script backend'],
    },
    { model: 'ocr_ensemble', backend: 'ensemble', verdict: 'lab-only', packages: [], optionalPackages: [], reasons: ['its step model detection_postprocessing is lab-only'] },
    { model: 'text_detection', backend: 'onnxruntime', verdict: 'as-is', packages: [], optionalPackages: [], reasons: [] },
    { model: 'text_recognition', backend: 'onnxruntime', verdict: 'as-is', packages: [], optionalPackages: [], reasons: [] },
    { model: 'resize', backend: 'python', verdict: 'needs-packages', packages: ['opencv-python-headless'], optionalPackages: ['pillow'], reasons: ['imports cv2'] },
    { model: 'legacy', backend: 'script', verdict: 'lab-only', packages: [], optionalPackages: [], reasons: [SCRIPT_REASON] },
  ],
};

const EXPORTED: DeploymentExport = {
  outDir: "/tmp/it's out",
  report: OCR,
  swapped: ['detection_postprocessing'],
  labOnly: ['legacy'],
  skipped: ['text_detection/1/escape.onnx: a link leading outside the model folder (not copied)'],
  files: [
    { path: 'model_repository/text_detection/1/model.onnx', bytes: 2_500_000 },
    { path: 'model_repository/text_detection/config.pbtxt', bytes: 100 },
    { path: 'Dockerfile', bytes: 312 },
    { path: 'k8s/deployment.yaml', bytes: 2048 },
    { path: 'README.md', bytes: 1500 },
  ],
};

interface Mock extends LabClient {
  calls: { method: string; req: unknown }[];
  emit(ev: LabEvent): void;
  /** Settles the pending export (ok with a result, or an error). */
  finishExport?: (result: DeploymentExport | Error) => void;
}

function client(reports: Record<string, PortabilityReport | Error>): Mock {
  const listeners: ((ev: LabEvent) => void)[] = [];
  const mock: Mock = {
    calls: [],
    emit: (ev) => listeners.forEach((l) => l(ev)),
    call: (async (method: string, req: unknown) => {
      mock.calls.push({ method, req });
      if (method === 'portability') {
        const r = reports[(req as { repoId: string }).repoId];
        if (r instanceof Error) throw r;
        return structuredClone(r);
      }
      if (method === 'getModel') return { ensembleSteps: ['detection_postprocessing', 'text_detection', 'text_recognition'].map((modelName) => ({ modelName })) };
      if (method === 'openRepository') return { id: 'exported', name: 'model_repository', path: (req as { path: string }).path, models: [] };
      if (method === 'pickRepositoryFolder') return { path: '/home/me/ocr-triton' };
      if (method === 'exportDeployment') {
        return new Promise((resolve, reject) => {
          mock.finishExport = (r) => (r instanceof Error ? reject(r) : resolve(r));
        });
      }
      throw new Error(`unexpected ${method}`);
    }) as LabClient['call'],
    onEvent: (l) => {
      listeners.push(l);
      return () => listeners.splice(listeners.indexOf(l), 1);
    },
  };
  return mock;
}

async function openPanel(c: Mock, opts: { repos?: RepositoryInfo[]; selected?: string; host?: Partial<HostInfo> } = {}) {
  setBackend(c);
  const repos = useRepositoriesStore();
  repos.repos = opts.repos ?? [
    { id: 'dp', name: 'data_pipeline', path: '/samples/data_pipeline' } as RepositoryInfo,
    { id: 'ocr', name: 'ocr_ensemble', path: '/samples/ocr_ensemble' } as RepositoryInfo,
  ];
  repos.selection = opts.selected ? { repoId: opts.selected } : undefined;
  repos.host = { mode: 'browser', appVersion: '0', platform: 'linux', canPickFolder: false, ...opts.host };
  const w = mount(DeployPanel, { attachTo: document.body });
  await w.get('[data-testid=deploy-toggle]').trigger('click');
  await flushPromises();
  return w;
}

const portabilityRequests = (c: Mock) => c.calls.filter((x) => x.method === 'portability').map((x) => x.req);
const portabilityCalls = (c: Mock) => c.calls.filter((x) => x.method === 'portability').map((x) => (x.req as { repoId: string }).repoId);

beforeEach(() => {
  setActivePinia(createPinia());
  setLocale('en');
});
afterEach(() => {
  setLocale('en');
  document.body.innerHTML = '';
});

describe('DeployPanel report', () => {
  it('reads the report of the repository being looked at, with a card and a verdict badge per model', async () => {
    const c = client({ ocr: OCR, dp: { ...OCR, models: [] } });
    const w = await openPanel(c, { selected: 'ocr' });
    expect(portabilityCalls(c)).toEqual(['ocr']);
    expect((w.get('[data-testid=deploy-repo]').element as HTMLSelectElement).value).toBe('ocr');
    const card = (m: string) => w.get(`[data-testid=deploy-model-${m}]`);
    expect(card('text_detection').get('.verdict').text()).toContain('Runs as is');
    expect(card('resize').get('.verdict').text()).toContain('Needs packages');
    expect(card('resize').get('[data-testid=deploy-packages]').text()).toMatch(/opencv-python-headless.*pillow · optional/);
    expect(card('ocr_ensemble').get('.verdict').text()).toContain('Lab only');
    expect(card('detection_postprocessing').get('[data-testid=deploy-twin] code').text()).toBe('ocr_ensemble_python/detection_postprocessing');
    expect(card('ocr_ensemble').text()).toContain('its step model detection_postprocessing is lab-only');
    // An ensemble has no twin of its own: the twins of its steps make it portable.
    expect(card('ocr_ensemble').find('[data-testid=deploy-twin]').exists()).toBe(false);
    expect(card('ocr_ensemble').get('[data-testid=deploy-freed]').text()).toBe('Runs on Triton once its lab-only step models come from their Python twins');
    expect(c.calls.filter((x) => x.method === 'getModel').map((x) => x.req)).toEqual([{ repoId: 'ocr', model: 'ocr_ensemble' }]);
    expect(card('legacy').get('[data-testid=deploy-twin]').text()).toContain('No Python twin found');
    expect(card('text_detection').find('[data-testid=deploy-twin]').exists()).toBe(false);
    expect(w.get('[data-testid=deploy-triton-image]').text()).toBe('Exports build on nvcr.io/nvidia/tritonserver:25.01-py3.');
    expect(w.get('[data-testid=deploy-packages-all]').text()).toBe('The image installs with pip: opencv-python-headless');
    expect(w.get('[data-testid=deploy-twins-in]').text()).toContain(TWINS);
  });

  it('sums it up in a line and a bar, and the legend filters the cards', async () => {
    const w = await openPanel(client({ ocr: OCR }), { selected: 'ocr' });
    expect(w.get('[data-testid=deploy-headline]').text()).toBe('2 of 6 models run on Triton unchanged');
    // Twins free detection_postprocessing and the ensemble; legacy has none; resize runs once its packages are in.
    expect(w.get('[data-testid=deploy-headline-twins]').text()).toBe('With the Python twins swapped in, 5 of 6 run on Triton.');
    expect(w.get('[data-testid=deploy-chart]').attributes('aria-label')).toBe('2 run as is, 1 need packages, 3 lab only');
    expect(w.get('[data-testid=deploy-chart-lab-only]').text()).toBe('3');
    expect((w.get('[data-testid=deploy-chart-lab-only]').element as HTMLElement).style.flexGrow).toBe('3');
    await w.get('[data-testid=deploy-legend-lab-only]').trigger('click');
    expect(w.findAll('[data-testid^=deploy-model-]').map((x) => x.attributes('data-verdict'))).toEqual(['lab-only', 'lab-only', 'lab-only']);
    expect(w.get('[data-testid=deploy-legend-lab-only]').attributes('aria-pressed')).toBe('true');
    await w.get('[data-testid=deploy-legend-lab-only]').trigger('click');
    expect(w.findAll('[data-testid^=deploy-model-]')).toHaveLength(6);
  });

  it('says so when every model runs unchanged, with no segment for empty verdicts', async () => {
    const onnx: PortabilityReport = { ...OCR, twinsRepository: undefined, models: OCR.models.filter((m) => m.verdict === 'as-is') };
    const w = await openPanel(client({ ocr: onnx }), { selected: 'ocr' });
    expect(w.get('[data-testid=deploy-headline]').text()).toBe('All 2 models run on Triton unchanged');
    expect(w.find('[data-testid=deploy-chart-lab-only]').exists()).toBe(false);
    expect(w.get('[data-testid=deploy-legend-lab-only]').attributes('disabled')).toBeDefined();
    expect(w.find('[data-testid=deploy-twins-none]').exists()).toBe(false);
    expect(w.find('[data-testid=deploy-headline-twins]').exists()).toBe(false);
    expect(w.get('[data-testid=deploy-use-twins]').attributes('disabled')).toBeDefined();
  });

  it('Esc closes it from anywhere and gives focus back to the button; a closed repository takes its report along', async () => {
    const c = client({ ocr: OCR, dp: { ...OCR, models: [] } });
    const w = await openPanel(c, { selected: 'ocr' });
    (w.get('[data-testid=deploy-outdir]').element as HTMLInputElement).focus();
    document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await flushPromises();
    expect(w.find('[data-testid=deploy-panel]').exists()).toBe(false);
    expect(document.activeElement).toBe(w.get('[data-testid=deploy-toggle]').element);
    const later = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });
    document.body.dispatchEvent(later);
    expect(later.defaultPrevented).toBe(false);
    await w.get('[data-testid=deploy-toggle]').trigger('click');
    await flushPromises();
    expect(portabilityCalls(c)).toEqual(['ocr', 'ocr']);
    const repos = useRepositoriesStore();
    repos.repos = repos.repos.filter((r) => r.id !== 'ocr');
    await flushPromises();
    expect((w.get('[data-testid=deploy-repo]').element as HTMLSelectElement).value).toBe('dp');
    expect(Object.keys(useDeployStore().reports)).toEqual(['dp']);
    // The form shown for it when it closed is not kept either.
    expect(Object.keys(useDeployStore().forms)).not.toContain('ocr');
  });

  it('a closed repository whose report failed takes its error, form and twins folder along too', async () => {
    const c = client({ ocr: new LabCallError('UNAVAILABLE', 'cannot read'), dp: { ...OCR, models: [] } });
    const w = await openPanel(c, { selected: 'ocr' });
    expect(w.find('[data-testid=deploy-report-error]').exists()).toBe(true);
    const deploy = useDeployStore();
    deploy.twinsDir['ocr'] = '/elsewhere/ocr_python';
    deploy.forms['ocr'] = { outDir: '/tmp/o', useTwins: false, twinsTouched: false, gpus: '1', image: '' };
    const repos = useRepositoriesStore();
    repos.repos = repos.repos.filter((r) => r.id !== 'ocr');
    await flushPromises();
    expect([deploy.reportErrors, deploy.twinsDir, deploy.forms['ocr']]).toEqual([{}, {}, undefined]);
  });

  it('takes up the first repository listed after it opened with none', async () => {
    const c = client({ ocr: OCR });
    const w = await openPanel(c, { repos: [] });
    expect(w.find('[data-testid=deploy-no-repo]').exists()).toBe(true);
    useRepositoriesStore().repos = [{ id: 'ocr', name: 'ocr_ensemble', path: '/samples/ocr_ensemble' } as RepositoryInfo];
    await flushPromises();
    expect(portabilityCalls(c)).toEqual(['ocr']);
    expect(w.findAll('[data-testid^=deploy-model-]')).toHaveLength(6);
  });

  it('has empty states: no repository open, and a repository without models', async () => {
    const none = await openPanel(client({}), { repos: [] });
    expect(none.get('[data-testid=deploy-no-repo]').text()).toContain('No repository open');
    none.unmount();
    const w = await openPanel(client({ dp: { ...OCR, models: [] } }), { selected: 'dp' });
    expect(w.get('[data-testid=deploy-no-models]').text()).toContain('No models to deploy');
    expect(w.find('[data-testid=deploy-export]').exists()).toBe(false);
  });

  it('shows a failed report in place, and Retry reads it again', async () => {
    const reports: Record<string, PortabilityReport | Error> = { ocr: new LabCallError('UNSUPPORTED', 'the portability report is not built yet') };
    const c = client(reports);
    const w = await openPanel(c, { selected: 'ocr' });
    expect(w.get('[data-testid=deploy-report-error]').text()).toContain('The portability report could not be made: the portability report is not built yet');
    reports['ocr'] = OCR;
    await w.get('[data-testid=deploy-report-error]').findAll('button')[0]!.trigger('click');
    await flushPromises();
    expect(w.find('[data-testid=deploy-report-error]').exists()).toBe(false);
    expect(w.findAll('[data-testid^=deploy-model-]')).toHaveLength(6);
  });

  it('follows the repository picked, reads again when its models change, and a model opens from its card', async () => {
    const c = client({ ocr: OCR, dp: { ...OCR, twinsRepository: undefined, models: [OCR.models[5]!] } });
    const w = await openPanel(c, { selected: 'ocr' });
    await w.get('[data-testid=deploy-repo]').setValue('dp');
    await flushPromises();
    expect(w.findAll('[data-testid^=deploy-model-]').map((x) => x.attributes('data-testid'))).toEqual(['deploy-model-legacy']);
    expect(w.get('[data-testid=deploy-twins-none]').text()).toContain('data_pipeline_python');
    vi.useFakeTimers();
    try {
      // A burst of changes reads the report once, after it settles; another repository's changes do not.
      c.emit({ type: 'models-changed', repoId: 'dp', models: ['legacy'] } as LabEvent);
      c.emit({ type: 'models-changed', repoId: 'dp', models: ['legacy'] } as LabEvent);
      c.emit({ type: 'models-changed', repoId: 'ocr', models: ['x'] } as LabEvent);
      expect(portabilityCalls(c)).toEqual(['ocr', 'dp']);
      await vi.advanceTimersByTimeAsync(400);
    } finally {
      vi.useRealTimers();
    }
    await flushPromises();
    expect(portabilityCalls(c)).toEqual(['ocr', 'dp', 'dp']);
    await w.get('[data-testid=deploy-model-legacy] button.member').trigger('click');
    expect(useRepositoriesStore().selection).toEqual({ repoId: 'dp', model: 'legacy' });
    expect(w.find('[data-testid=deploy-panel]').exists()).toBe(false);
  });
});

describe('DeployPanel export', () => {
  it('checks the form in place before anything is sent', async () => {
    const c = client({ ocr: OCR });
    const w = await openPanel(c, { selected: 'ocr' });
    await w.get('[data-testid=deploy-export]').trigger('submit');
    expect(w.get('[data-testid=deploy-outdir-error]').text()).toBe('Choose or type the folder to export into.');
    await w.get('[data-testid=deploy-outdir]').setValue('out/here');
    expect(w.get('[data-testid=deploy-outdir-error]').text()).toBe('Give the full (absolute) path of the folder.');
    await w.get('[data-testid=deploy-outdir]').setValue('C:\\exports\\ocr');
    expect(w.find('[data-testid=deploy-outdir-error]').exists()).toBe(false);
    await w.get('[data-testid=deploy-gpus]').setValue('1.5');
    expect(w.get('[data-testid=deploy-gpus-error]').text()).toBe('A whole number from 0 to 64.');
    await w.get('[data-testid=deploy-gpus]').setValue('65');
    expect(w.find('[data-testid=deploy-gpus-error]').exists()).toBe(true);
    await w.get('[data-testid=deploy-gpus]').setValue('0');
    await w.get('[data-testid=deploy-image]').setValue('my image');
    expect(w.get('[data-testid=deploy-image-error]').text()).toMatch(/^Not an image name Docker takes/);
    await w.get('[data-testid=deploy-export]').trigger('submit');
    expect(c.calls.some((x) => x.method === 'exportDeployment')).toBe(false);
  });

  it('ticks "use Python twins" when there are twins, names what stays lab-only, and sends the request', async () => {
    const c = client({ ocr: OCR });
    const w = await openPanel(c, { selected: 'ocr' });
    const box = w.get('[data-testid=deploy-use-twins]').element as HTMLInputElement;
    expect(box.checked).toBe(true);
    expect(w.get('[data-testid=deploy-twins-hint]').text()).toBe(
      '1 lab-only model is written from ocr_ensemble_python instead: detection_postprocessing. With them, the ensemble ocr_ensemble runs on Triton too.',
    );
    expect(w.get('[data-testid=deploy-stranded]').text()).toMatch(/^1 model stays lab-only \(legacy\): Triton will not load it\./);
    await w.get('[data-testid=deploy-use-twins]').setValue(false);
    expect(w.get('[data-testid=deploy-stranded]').text()).toMatch(/^3 models stay lab-only \(detection_postprocessing, ocr_ensemble, legacy\)/);
    await w.get('[data-testid=deploy-use-twins]').setValue(true);
    expect(w.get('[data-testid=deploy-image]').attributes('placeholder')).toBe('model-lab/ocr-ensemble:latest');
    await w.get('[data-testid=deploy-outdir]').setValue('  /tmp/out ');
    await w.get('[data-testid=deploy-gpus]').setValue('2');
    await w.get('[data-testid=deploy-export]').trigger('submit');
    expect(w.get('[data-testid=deploy-cli]').text()).toBe("model-lab export '/samples/ocr_ensemble' '/tmp/out' --python-twins --gpus 2");
    const sent = c.calls.find((x) => x.method === 'exportDeployment')!.req as DeploymentExportRequest;
    expect(sent).toEqual({ repoId: 'ocr', outDir: '/tmp/out', useTwins: true, gpus: 2 });
  });

  it('shows progress while exporting, then the files with sizes, the swapped and the lab-only models', async () => {
    const c = client({ ocr: OCR });
    const w = await openPanel(c, { selected: 'ocr' });
    await w.get('[data-testid=deploy-outdir]').setValue('/tmp/out');
    await w.get('[data-testid=deploy-image]').setValue('registry.example.com/ocr:1');
    await w.get('[data-testid=deploy-export]').trigger('submit');
    await flushPromises();
    expect((c.calls.at(-1)!.req as DeploymentExportRequest).image).toBe('registry.example.com/ocr:1');
    const submit = w.get('[data-testid=deploy-submit]');
    expect(submit.text()).toMatch(/^Exporting… \d+ s$/);
    expect(submit.attributes('disabled')).toBeDefined();
    expect(w.get('[data-testid=deploy-outdir]').attributes('disabled')).toBeDefined();
    c.finishExport!(EXPORTED);
    await flushPromises();
    expect(submit.text()).toBe('Export');
    expect(w.get('[data-testid=deploy-result-dir]').text()).toBe("/tmp/it's out");
    expect(w.get('[data-testid=deploy-result-totals]').text()).toBe('5 files, 2.4 MiB');
    expect(w.get('[data-testid=deploy-result-swapped]').text()).toBe('Written from their Python twin: detection_postprocessing');
    expect(w.get('[data-testid=deploy-result-lab-only]').text()).toBe('Left lab-only (Triton will not load them): legacy');
    expect(w.get('[data-testid=deploy-result-skipped]').text()).toMatch(/^1 file was not copied .*text_detection\/1\/escape\.onnx: a link leading outside the model folder \(not copied\)$/s);
    const rows = w.findAll('[data-testid=deploy-result-files] tbody tr').map((r) => r.findAll('td').map((d) => d.text()));
    expect(rows).toEqual([
      ['Dockerfile', '312 B'],
      ['k8s/deployment.yaml', '2 KiB'],
      ['README.md', '1.5 KiB'],
      ['model_repository/text_detection/1/model.onnx', '2.4 MiB'],
      ['model_repository/text_detection/config.pbtxt', '100 B'],
    ]);
    // How to run it (the folder quoted for the shell), and the exported repository to open in the lab.
    expect(w.get('[data-testid=deploy-result-run]').text()).toBe("cd '/tmp/it'\\''s out'\ndocker compose up --build\ncurl -fsS localhost:8000/v2/health/ready && echo ready");
    await w.get('[data-testid=deploy-open-export]').trigger('click');
    await flushPromises();
    expect(c.calls.at(-1)).toEqual({ method: 'openRepository', req: { path: "/tmp/it's out/model_repository" } });
    expect(useRepositoriesStore().selection).toEqual({ repoId: 'exported' });
    expect(w.find('[data-testid=deploy-panel]').exists()).toBe(false);
  });

  it("shows the engine's refusal in place and keeps what was typed", async () => {
    const c = client({ ocr: OCR });
    const w = await openPanel(c, { selected: 'ocr' });
    await w.get('[data-testid=deploy-outdir]').setValue('/home/me/full');
    await w.get('[data-testid=deploy-export]').trigger('submit');
    c.finishExport!(new LabCallError('ALREADY_EXISTS', "'/home/me/full' is not empty: nothing is overwritten"));
    await flushPromises();
    expect(w.get('[data-testid=deploy-export-error]').text()).toContain("Export failed: '/home/me/full' is not empty: nothing is overwritten");
    expect((w.get('[data-testid=deploy-outdir]').element as HTMLInputElement).value).toBe('/home/me/full');
    expect(w.find('[data-testid=deploy-result]').exists()).toBe(false);
  });

  it('reads the report and exports with a twins repository the user names, and back to the sibling when emptied', async () => {
    const c = client({ ocr: OCR });
    const w = await openPanel(c, { selected: 'ocr' });
    await w.get('[data-testid=deploy-twins-dir]').setValue(' /work/my_twins ');
    await w.get('[data-testid=deploy-twins-form]').trigger('submit');
    await flushPromises();
    expect(portabilityRequests(c)).toEqual([{ repoId: 'ocr' }, { repoId: 'ocr', twins: '/work/my_twins' }]);
    await w.get('[data-testid=deploy-outdir]').setValue('/tmp/out');
    await w.get('[data-testid=deploy-export]').trigger('submit');
    expect(c.calls.find((x) => x.method === 'exportDeployment')).toEqual({ method: 'exportDeployment', req: { repoId: 'ocr', outDir: '/tmp/out', useTwins: true, gpus: 1, twins: '/work/my_twins' } });
    await w.get('[data-testid=deploy-twins-dir]').setValue('');
    await w.get('[data-testid=deploy-twins-form]').trigger('submit');
    await flushPromises();
    expect(portabilityRequests(c).at(-1)).toEqual({ repoId: 'ocr' });
  });

  it('keeps what was typed per repository, and a twins box the user unticked stays so when the report is read again', async () => {
    const c = client({ ocr: OCR, dp: { ...OCR, models: [OCR.models[2]!] } });
    const w = await openPanel(c, { selected: 'ocr' });
    await w.get('[data-testid=deploy-outdir]').setValue('/exports/ocr');
    await w.get('[data-testid=deploy-use-twins]').setValue(false);
    await w.get('[data-testid=deploy-refresh]').trigger('click');
    await flushPromises();
    expect((w.get('[data-testid=deploy-use-twins]').element as HTMLInputElement).checked).toBe(false);
    await w.get('[data-testid=deploy-repo]').setValue('dp');
    await flushPromises();
    expect((w.get('[data-testid=deploy-outdir]').element as HTMLInputElement).value).toBe('');
    await w.get('[data-testid=deploy-outdir]').setValue('/exports/dp');
    await w.get('[data-testid=deploy-repo]').setValue('ocr');
    await flushPromises();
    expect((w.get('[data-testid=deploy-outdir]').element as HTMLInputElement).value).toBe('/exports/ocr');
    expect((w.get('[data-testid=deploy-use-twins]').element as HTMLInputElement).checked).toBe(false);
  });

  it('offers "Choose…" only where the host has a folder dialog, and fills the field from it', async () => {
    const browser = await openPanel(client({ ocr: OCR }), { selected: 'ocr' });
    expect(browser.find('[data-testid=deploy-choose]').exists()).toBe(false);
    browser.unmount();
    const c = client({ ocr: OCR });
    const w = await openPanel(c, { selected: 'ocr', host: { mode: 'electron', canPickFolder: true } });
    await w.get('[data-testid=deploy-choose]').trigger('click');
    await flushPromises();
    expect((w.get('[data-testid=deploy-outdir]').element as HTMLInputElement).value).toBe('/home/me/ocr-triton');
    // The host's dialog is asked for an export folder (titled so, one may be created there), not a repository to open.
    expect(c.calls.find((x) => x.method === 'pickRepositoryFolder')!.req).toEqual({ purpose: 'export' });
  });

  it('reads in 简体中文', async () => {
    setLocale('zh-CN');
    const c = client({ ocr: OCR });
    const w = await openPanel(c, { selected: 'ocr' });
    expect(w.get('[data-testid=deploy-toggle]').text()).toBe('部署');
    expect(w.get('[data-testid=deploy-headline]').text()).toBe('6 个模型中有 2 个可在 Triton 上原样运行');
    expect(w.get('[data-testid=deploy-model-legacy] .verdict').text()).toContain('仅限 Model Lab');
    // The engine's reason in Chinese, its English beside it; one the translation does not know stays English.
    const reason = w.get('[data-testid=deploy-model-legacy] [data-testid=deploy-reason]');
    expect(reason.text()).toMatch(/^使用 script 后端（JavaScript\/TypeScript 模型）/);
    expect(reason.get('.english').text()).toBe(SCRIPT_REASON);
    expect(reason.get('.english').attributes('lang')).toBe('en');
    expect(w.get('[data-testid=deploy-model-resize] [data-testid=deploy-reason]').text()).toBe('imports cv2');
    expect(w.get('[data-testid=deploy-stranded]').text()).toContain('1 个模型仍仅限 Model Lab（legacy）');
    expect(w.get('[data-testid=deploy-twins-hint]').text()).toBe(
      '1 个仅限 Model Lab 的模型将改为从 ocr_ensemble_python 写出：detection_postprocessing。替换后，集成模型 ocr_ensemble 也能在 Triton 上运行。',
    );
    await w.get('[data-testid=deploy-outdir]').setValue('/tmp/out');
    await w.get('[data-testid=deploy-export]').trigger('submit');
    await flushPromises();
    expect(w.get('[data-testid=deploy-submit]').text()).toMatch(/^正在导出… \d+ 秒$/);
    c.finishExport!(EXPORTED);
    await flushPromises();
    expect(w.get('[data-testid=deploy-result-totals]').text()).toBe('5 个文件，共 2.4 MiB');
    const skipped = w.get('[data-testid=deploy-result-skipped] li');
    expect(skipped.text()).toMatch(/^text_detection\/1\/escape\.onnx：指向模型文件夹之外的链接（未复制）。\s+text_detection\/1\/escape\.onnx: a link leading outside/);
    expect(skipped.get('.english').attributes('lang')).toBe('en');
    // A refusal reads in Chinese, with the engine's English under it.
    await w.get('[data-testid=deploy-export]').trigger('submit');
    const refusal = "the output folder '/tmp/out' is not empty (4 entries); choose a new or empty folder: nothing is overwritten";
    c.finishExport!(new LabCallError('ALREADY_EXISTS', refusal));
    await flushPromises();
    expect(w.get('[data-testid=deploy-export-error]').text()).toContain(`导出失败：输出文件夹“/tmp/out”不为空（4 项）：请选择一个新的或空的文件夹，任何已有文件都不会被覆盖。\n${refusal}`);
  });
});
