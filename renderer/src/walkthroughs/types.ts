/**
 * What a guided tour is made of. A tour is data: text in both languages,
 * checks that are pure functions over a snapshot of the stores, and
 * "Show me" actions that go through the stores' own actions.
 */
import type { GraphSummary, ModelDetail, RepositoryInfo, ServeStatus, StepRunState, TensorPage } from '@contract/lab-api';
import type { NormPreset } from '../components/playground/form-model';
import type { GraphSelection } from '../stores/graph';
import type { Tab } from '../stores/model';
import type { ConversionEntry } from '../stores/convert';
import type { Selection } from '../stores/repositories';
import type { ModelRuns } from '../stores/run';
import { en } from '../i18n/en';
import { zhCN } from '../i18n/zh-CN';

/** Tour text in each language the app speaks. */
export interface Text {
  en: string;
  'zh-CN': string;
}

/** The parts of the stores a check or a result line may read. */
export interface TourState {
  repos: { repos: RepositoryInfo[]; selection?: Selection };
  model: { detail?: ModelDetail; loading: boolean; tab: Tab };
  run: { models: Record<string, ModelRuns> };
  step: { state?: StepRunState };
  graph: { summary?: GraphSummary; selection: GraphSelection; findQuery: string };
  serve: { status?: ServeStatus };
  /** Tensor values fetched for result lines, by `tensorKey(runId, name)`. */
  pages: Record<string, TensorPage>;
  /** "Convert to ONNX" of PyTorch models, by `conversionKey(repoId, model)` (stores/convert.ts). */
  convert?: { conversions: Record<string, ConversionEntry> };
}

/** A tensor a result line wants to read the values of. */
export interface TensorWanted {
  runId: string;
  name: string;
}

/** What a step shows once something happened: text, and tensors whose values it still waits for. */
export interface ResultLine {
  text?: Text;
  needs?: TensorWanted[];
}

/** How Show me fills the playground form before a run. */
export interface RunOptions {
  /** A bundled sample image for every file-bytes or image input. */
  sampleImage?: string;
  /** Image inputs: the size and normalization the model was trained with. */
  image?: { width: number; height: number; preset: Exclude<NormPreset, 'custom'>; order?: 'RGB' | 'BGR' };
}

/** What "Show me" may do, through the stores' own actions. */
export interface TourActions {
  openSamples(): Promise<void>;
  /** Opens the samples if needed, selects the model and waits until its details are shown. */
  selectModel(repo: string, model: string): Promise<void>;
  setTab(tab: Tab): void;
  /** Shows one of a model's files (path relative to the repository). */
  openFile(repo: string, model: string, path: string): Promise<void>;
  /** Runs the model from the playground form, as it is or set up as `options` say. */
  runModel(repo: string, model: string, options?: RunOptions): Promise<void>;
  startServing(repo: string): Promise<void>;
  /** Starts a step-through of the ensemble from its form (with the sample image, if given) and runs it to the end. */
  stepToEnd(repo: string, model: string, options?: RunOptions): Promise<void>;
  /** Selects the PyTorch model and converts it to ONNX (the model view's action), until it is done or failed. */
  convertToOnnx?(repo: string, model: string): Promise<void>;
}

export interface TourStep {
  title: Text;
  /** What to do, and why it matters. */
  body: Text;
  /** data-testids to highlight; more than one narrows: each inside the one before. */
  target?: string[];
  /** data-testids of what the text asks the user to look at (a result, a chart): the card keeps clear of them where it can. */
  regard?: string[];
  /** Next is enabled once this holds; a step without one only asks to read. */
  check?: (s: TourState) => boolean;
  showMe?: (a: TourActions) => Promise<void>;
  result?: (s: TourState) => ResultLine | undefined;
}

export interface Walkthrough {
  /** Stored in the settings: `[\w-]{1,40}`. */
  id: string;
  title: Text;
  summary: Text;
  /** The sample repository the tour works in (its folder name). */
  sample: string;
  steps: TourStep[];
}

const UI: Record<keyof Text, Partial<Record<string, string>>> = { en, 'zh-CN': zhCN };

/**
 * A tour names tabs and buttons by the UI's own strings: `{ui:model.tab.config}` in either language
 * is that key's text in the same language, read when the text is shown, so a renamed tab renames
 * it in every tour. An unknown key stays as written (walkthrough tests fail on it).
 */
export function withUiStrings(source: string, lang: keyof Text): string {
  return source.replace(/\{ui:([\w.-]+)\}/g, (whole, key: string) => UI[lang][key] ?? whole);
}

const sources = new WeakMap<Text, Text>();

/** The text as written, `{ui:…}` placeholders included (for tests). */
export function sourceOf(t: Text): Text {
  return sources.get(t) ?? t;
}

/** Both languages of one text; `{ui:key}` is the UI's label for `key` in that language. */
export function text(en: string, zh: string): Text {
  const t: Text = {
    get en() {
      return withUiStrings(en, 'en');
    },
    get 'zh-CN'() {
      return withUiStrings(zh, 'zh-CN');
    },
  };
  sources.set(t, { en, 'zh-CN': zh });
  return t;
}

/** "1 step", "3 steps": English counts through Intl.PluralRules (Chinese writes the count with a measure word instead). */
export function countEn(n: number, one: string, other: string): string {
  return `${n} ${new Intl.PluralRules('en').select(n) === 'one' ? one : other}`;
}

export function tensorKey(runId: string, name: string): string {
  return `${runId}\u0000${name}`;
}
