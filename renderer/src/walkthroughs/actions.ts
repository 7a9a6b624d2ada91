/** "Show me": what a tour step does for the user, through the stores' own actions. */
import { nextTick, watch } from 'vue';
import type { ModelDetail } from '@contract/lab-api';
import { applyPreset, buildRequestInputs } from '../components/playground/form-model';
import { t } from '../i18n';
import { useConvertStore } from '../stores/convert';
import { useModelStore, type Tab } from '../stores/model';
import { useRepositoriesStore } from '../stores/repositories';
import { useRunStore } from '../stores/run';
import { useServeStore } from '../stores/serve';
import { useStepStore } from '../stores/step';
import type { RunOptions, TourActions } from './types';

/** Long enough for a model's details over HTTP; a tour must never hang on a missing model. */
const WAIT_MS = 15_000;

/** Resolves once `cond` holds (or after `ms`), watching the stores instead of polling. */
export function until(cond: () => boolean, ms = WAIT_MS): Promise<boolean> {
  if (cond()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stop();
      resolve(false);
    }, ms);
    const stop = watch(cond, (ok) => {
      if (!ok) return;
      clearTimeout(timer);
      stop();
      resolve(true);
    });
  });
}

export class ShowMeError extends Error {}

export function createTourActions(): TourActions {
  const repos = useRepositoriesStore();
  const model = useModelStore();
  const runs = useRunStore();
  const serve = useServeStore();

  // Only the bundled samples: a user's folder that happens to share a sample's name is never run or served by a tour.
  const findRepo = (name: string) => repos.repos.find((r) => r.name === name && r.sample);

  async function repoId(name: string): Promise<string> {
    if (!findRepo(name)) await repos.openSamples();
    const r = findRepo(name);
    if (!r) throw new ShowMeError(repos.openError || t('walkthrough.err.sample', { name }));
    return r.id;
  }

  async function selectModel(repo: string, name: string): Promise<void> {
    const id = await repoId(repo);
    const sel = repos.selection;
    if (sel?.repoId !== id || sel.model !== name || sel.file) repos.select({ repoId: id, model: name });
    // App fetches the details when the selection changes; fetch here only when nothing else does.
    await nextTick();
    if (!model.loading && (model.detail?.repoId !== id || model.detail.summary.name !== name)) void model.fetch(id, name);
    const isShown = (): boolean => model.detail?.repoId === id && model.detail.summary.name === name;
    // A failed fetch ends the wait too: its error says more than a timeout would.
    await until(() => !model.loading && (isShown() || model.error !== ''));
    if (!isShown()) throw new ShowMeError(model.error || t('walkthrough.err.model', { name }));
    await nextTick();
  }

  return {
    openSamples: () => repos.openSamples(),
    selectModel,
    setTab(tab: Tab): void {
      model.tab = tab;
    },
    async openFile(repo, name, path) {
      repos.select({ repoId: await repoId(repo), model: name, file: path });
    },
    async runModel(repo, name, options = {}) {
      const detail = await prepareForm(repo, name, 'run', options);
      if (detail) await runs.run(detail);
    },
    async stepToEnd(repo, name, options = {}) {
      const detail = await prepareForm(repo, name, 'ensemble', options);
      if (!detail) return;
      const step = useStepStore();
      const check = buildRequestInputs(runs.ensure(detail).forms);
      await step.start(detail, undefined, check.inputs);
      if (step.error) throw new ShowMeError(step.error);
      if (step.open) await step.act('run-to-end');
      if (step.error) throw new ShowMeError(step.error);
    },
    async startServing(repo) {
      await serve.start(await repoId(repo), {});
    },
    async convertToOnnx(repo, name) {
      await selectModel(repo, name);
      model.tab = 'overview';
      // A failure (torch missing) shows in place on the model view and in the step's result line.
      await useConvertStore().convert(await repoId(repo), name);
    },
  };

  /** Selects the model, shows `tab` and sets its playground form up as `options` say. */
  async function prepareForm(repo: string, name: string, tab: Tab, options: RunOptions): Promise<ModelDetail | undefined> {
    await selectModel(repo, name);
    const detail = model.detail;
    if (!detail) return undefined;
    model.tab = tab;
    await runs.loadSamples();
    const m = runs.ensure(detail);
    const sample = options.sampleImage;
    for (const f of m.forms) {
      if (f.editor !== 'bytes' && f.editor !== 'image') continue;
      // A sample this installation lacks leaves the form's own choice.
      if (sample && runs.samples?.some((s) => s.file === sample)) Object.assign(f.source, { mode: 'sample', sample });
      const img = options.image;
      if (f.editor === 'image' && img) {
        Object.assign(f.image, { resize: true, width: String(img.width), height: String(img.height), order: img.order ?? f.image.order });
        applyPreset(f.image, img.preset);
      }
    }
    return detail;
  }
}
