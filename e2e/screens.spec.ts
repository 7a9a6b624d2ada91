/**
 * Screens: every view of the lab in English and 简体中文, light and dark, at 1440×900 and 1280×720,
 * kept as screenshots under the test's output folder (`<lang>-<theme>-<w>x<h>/<view>.png`), which
 * is how the product owner reviews the UI. Besides the pictures, each view is checked for the cheap
 * layout facts behind issue 14's complaints: the page never scrolls sideways, topbar controls never
 * overlap, tree headers never cut or wrap their text, and the primary controls (Run, Start
 * step-through) and a run's first output sit inside the window.
 *
 * Speed: one page is shared by all combinations, so runs and the paused step-through are made once
 * (the data pipeline, being quick, runs once per combination to check where its outputs land) and
 * each combination is a walk over views that are already loaded. Layout findings are gathered per
 * combination and asserted softly at its end, so one broken view never hides the others.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import path from 'node:path';

type Lang = 'en' | 'zh-CN';
type Theme = 'light' | 'dark';
interface Combo {
  lang: Lang;
  theme: Theme;
  w: number;
  h: number;
  id: string;
}
interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/*
 * The few DOM shapes the in-page measurements use: the Node tsconfig that checks e2e has no DOM
 * library, and these declarations stay inside this module.
 */
interface DomRect {
  x: number;
  y: number;
  width: number;
  height: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
}
interface DomEl {
  tagName: string;
  className: unknown;
  textContent: string | null;
  scrollWidth: number;
  clientWidth: number;
  childNodes: Iterable<{ nodeType: number; textContent: string | null }>;
  firstElementChild: DomEl | null;
  parentElement: DomEl | null;
  getBoundingClientRect(): DomRect;
  getAttribute(name: string): string | null;
  closest(selector: string): DomEl | null;
  contains(other: DomEl): boolean;
  querySelector(selector: string): DomEl | null;
  querySelectorAll(selector: string): Iterable<DomEl>;
}
declare const document: {
  documentElement: DomEl & { lang: string };
  scrollingElement: DomEl | null;
  querySelector(selector: string): DomEl | null;
  querySelectorAll(selector: string): Iterable<DomEl>;
};
declare const window: { innerWidth: number; innerHeight: number };
declare function getComputedStyle(el: DomEl): { visibility: string; color: string; backgroundColor: string };
declare const Node: { TEXT_NODE: number };

const SIZES = [
  { w: 1440, h: 900 },
  { w: 1280, h: 720 },
] as const;
const COMBOS: Combo[] = SIZES.flatMap(({ w, h }) =>
  (['light', 'dark'] as const).flatMap((theme) => (['en', 'zh-CN'] as const).map((lang) => ({ lang, theme, w, h, id: `${lang}-${theme}-${w}x${h}` }))),
);
const FIXTURES = path.resolve('e2e/fixtures/broken_configs');
const DP_OUTPUTS = ['ensemble_output_string', 'ensemble_output_UINT8_array', 'ensemble_output_INT8_array', 'ensemble_output_FP32_image', 'ensemble_output_bool'];

/** The page every combination walks (runs and the paused step-through live in its stores). */
let page: Page;
// The page outlives each test, so per-test traces and failure screenshots would only cost time.
test.use({ trace: 'off', screenshot: 'off' });
/** What has been done once and is reused by later combinations. */
const done = { ocrRun: false, stepPaused: false, imageTab: false };

test.beforeAll(async ({ browser }, info) => {
  info.setTimeout(60_000);
  const use = info.project.use;
  const context = await browser.newContext({ baseURL: use.baseURL, storageState: use.storageState, viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
  page = await context.newPage();
  await page.goto('/');
  await expect(page.getByTestId('repo-ocr_ensemble')).toBeVisible({ timeout: 30_000 });
  // A repository with broken configs, for the diagnostics views.
  await page.getByTestId('open-path').fill(FIXTURES);
  await page.getByTestId('open-submit').click();
  await expect(page.getByTestId('repo-broken_configs')).toBeVisible();
});

test.afterAll(async () => {
  await page?.context().close();
});

// ---------------------------------------------------------------------------------------------
// Settings of a combination

async function applyCombo(p: Page, c: Combo): Promise<void> {
  await p.setViewportSize({ width: c.w, height: c.h });
  if ((await p.locator('html').getAttribute('lang')) !== c.lang) {
    await p.getByTestId('lang-switch').click();
    await expect(p.locator('html')).toHaveAttribute('lang', c.lang);
  }
  // The switch cycles system → light → dark; the browser's own scheme is light, so system reads light.
  // Each click waits for the setting to come back (the button's label changes) before looking again.
  const sw = p.getByTestId('theme-switch');
  for (let i = 0; i < 3 && (await p.locator('html').getAttribute('data-theme')) !== c.theme; i++) {
    const before = await sw.getAttribute('aria-label');
    await sw.click();
    await expect(sw).not.toHaveAttribute('aria-label', before ?? '');
  }
  await expect(p.locator('html')).toHaveAttribute('data-theme', c.theme);
}

// ---------------------------------------------------------------------------------------------
// Layout facts, measured in the page

/** What one look at the page finds, by kind. */
type Found = { overflow: string[]; topbar: string[]; tree: string[]; language: string[] };
const KINDS = ['overflow', 'topbar', 'tree', 'language'] as const;

/** Problems found on the page as it stands, as short sentences (empty when all is well). */
async function layoutProblems(p: Page): Promise<Found> {
  return p.evaluate(() => {
    const rect = (el: DomEl): Rect => {
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y, w: r.width, h: r.height };
    };
    const shown = (el: DomEl): boolean => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    const meet = (a: Rect, b: Rect): boolean => a.x + a.w > b.x + 0.5 && b.x + b.w > a.x + 0.5 && a.y + a.h > b.y + 0.5 && b.y + b.h > a.y + 0.5;
    const label = (el: DomEl): string => {
      const id = el.getAttribute('data-testid');
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 30);
      return id ? `[${id}] "${text}"` : `<${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''}> "${text}"`;
    };
    /** Text wider than its box: cut by overflow or an ellipsis (an element holding text directly). */
    const cut = (el: DomEl): boolean => {
      const hasText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '');
      return hasText && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0;
    };
    const overflow: string[] = [];
    const se = document.scrollingElement ?? document.documentElement;
    if (se.scrollWidth > window.innerWidth) overflow.push(`page is ${se.scrollWidth}px wide in a ${window.innerWidth}px window`);

    const topbar: string[] = [];
    const bar = document.querySelector('header.topbar') ?? document.querySelector('header');
    if (bar) {
      const controls = [...bar.querySelectorAll('button, input, select, a, [role=button]')].filter((el) => shown(el) && !el.closest('[role=dialog]'));
      for (let i = 0; i < controls.length; i++) {
        const a = controls[i]!;
        if (cut(a)) topbar.push(`${label(a)} text is wider than its box`);
        for (let j = i + 1; j < controls.length; j++) {
          const b = controls[j]!;
          if (a.contains(b) || b.contains(a)) continue;
          // A control drawn inside a text field's box (a combobox's ▾) is an adornment, not an overlap.
          const within = (x: Rect, y: Rect): boolean => x.x >= y.x - 0.5 && x.y >= y.y - 0.5 && x.x + x.w <= y.x + y.w + 0.5 && x.y + x.h <= y.y + y.h + 0.5;
          if ((a.tagName === 'INPUT' && within(rect(b), rect(a))) || (b.tagName === 'INPUT' && within(rect(a), rect(b)))) continue;
          if (meet(rect(a), rect(b))) topbar.push(`${label(a)} overlaps ${label(b)}`);
        }
      }
      const br = bar.getBoundingClientRect();
      for (const el of controls) {
        const r = el.getBoundingClientRect();
        if (r.right > window.innerWidth + 0.5 || r.left < -0.5) topbar.push(`${label(el)} is outside the window (x ${Math.round(r.left)}–${Math.round(r.right)})`);
        if (r.bottom > br.bottom + 0.5) topbar.push(`${label(el)} hangs below the topbar`);
      }
    }

    // In Chinese, the chrome (topbar, tabs, primary buttons) speaks Chinese; names and files stay as they are.
    const language: string[] = [];
    if (document.documentElement.lang === 'zh-CN') {
      const keep = /^(config\.pbtxt|English|Model Lab|\.npy|\.json|curl|HTTP|gRPC|Python|JSON|pbtxt)$|\.[a-z]{2,5}$|\/[a-z]/;
      for (const el of document.querySelectorAll('header.topbar button, [role=tab], button.primary')) {
        const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ');
        if (!shown(el) || !/[A-Za-z]{3}/.test(text) || /[\u4e00-\u9fff]/.test(text) || keep.test(text)) continue;
        language.push(`${label(el)} is English in Chinese mode`);
      }
    }

    const tree: string[] = [];
    for (const section of document.querySelectorAll('section[data-testid^="repo-"]')) {
      const head = section.querySelector('header') ?? section.firstElementChild;
      if (!head || !shown(head)) continue;
      const name = section.getAttribute('data-testid')!.slice(5);
      for (const el of [head, ...head.querySelectorAll('*')]) if (shown(el) && cut(el)) tree.push(`${name}: ${label(el)} text is wider than its box`);
      // The header reads on one line: the name and its badges share a row.
      const title = head.querySelector('.name');
      if (title && shown(title)) {
        const t = title.getBoundingClientRect();
        for (const chip of head.querySelectorAll('.chip, .meta, [class*=badge]')) {
          if (!shown(chip)) continue;
          const c = chip.getBoundingClientRect();
          const mid = c.top + c.height / 2;
          if (mid < t.top || mid > t.bottom) tree.push(`${name}: ${label(chip)} wraps onto its own line`);
        }
      }
    }
    return { overflow, topbar, tree, language };
  }) as Promise<Found>;
}

/**
 * Text that barely stands out from what is behind it (contrast under 3:1, WCAG's floor for large
 * text), in the window: catches parts left unthemed in dark mode. Disabled controls and drawings
 * (SVG) are left out; backgrounds are composited through their transparent layers.
 */
async function contrastProblems(p: Page): Promise<string[]> {
  return p.evaluate(() => {
    type Rgba = [number, number, number, number];
    const parse = (c: string): Rgba => {
      const n = (c.match(/[\d.]+/g) ?? []).map(Number);
      return [n[0] ?? 0, n[1] ?? 0, n[2] ?? 0, n.length > 3 ? n[3]! : 1];
    };
    const over = (top: Rgba, base: Rgba): Rgba => [0, 1, 2].map((i) => top[i]! * top[3] + base[i]! * (1 - top[3])).concat(1) as Rgba;
    const behind = (el: DomEl): Rgba => {
      const layers: Rgba[] = [];
      for (let e: DomEl | null = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
      }
      let base: Rgba = layers.length && layers[layers.length - 1]![3] >= 1 ? layers.pop()! : [255, 255, 255, 1];
      while (layers.length) base = over(layers.pop()!, base);
      return base;
    };
    const lum = (c: Rgba): number => {
      const f = (v: number): number => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
    };
    const found: string[] = [];
    for (const el of document.querySelectorAll('body *')) {
      const text = [...el.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent ?? '')
        .join('')
        .trim();
      if (!text || el.closest('svg, [disabled], [aria-disabled=true]')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || r.bottom < 0 || r.top > window.innerHeight || r.right < 0 || r.left > window.innerWidth) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden') continue;
      const bg = behind(el);
      const fg = over(parse(style.color), bg);
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      const ratio = (a! + 0.05) / (b! + 0.05);
      if (ratio < 3) found.push(`"${text.slice(0, 30)}" <${el.tagName.toLowerCase()}> contrast ${ratio.toFixed(1)}:1`);
    }
    return found;
  });
}

/** Where a control sits against the window, or why it is not in it (empty when inside). */
async function outsideWindow(p: Page, loc: Locator, what: string): Promise<string> {
  const box = await loc.boundingBox();
  if (!box) return `${what} is not shown`;
  const vp = p.viewportSize()!;
  if (box.y < 0 || box.y + box.height > vp.height || box.x < 0 || box.x + box.width > vp.width) {
    return `${what} at x ${Math.round(box.x)}, y ${Math.round(box.y)}–${Math.round(box.y + box.height)} in a ${vp.width}×${vp.height} window`;
  }
  return '';
}

// ---------------------------------------------------------------------------------------------
// One combination's walk

class Walk {
  readonly problems = { overflow: [] as string[], topbar: [] as string[], tree: [] as string[], language: [] as string[], contrast: [] as string[], controls: [] as string[], views: [] as string[] };

  constructor(
    readonly p: Page,
    readonly c: Combo,
  ) {}

  /** Runs a view's steps, then measures and photographs it; a failing step is recorded, not thrown. */
  async view(name: string, steps: () => Promise<void>): Promise<void> {
    await test.step(name, async () => {
      try {
        await steps();
      } catch (err) {
        this.problems.views.push(`${name}: ${String(err instanceof Error ? err.message : err).split('\n')[0]}`);
      }
      await this.measure(name);
      await this.shot(name);
    });
  }

  async measure(name: string): Promise<void> {
    const found = await layoutProblems(this.p);
    for (const k of KINDS) for (const m of found[k]) this.problems[k].push(`${name}: ${m}`);
    for (const m of await contrastProblems(this.p)) this.problems.contrast.push(`${name}: ${m}`);
  }

  async shot(name: string): Promise<void> {
    await this.p.screenshot({ path: test.info().outputPath(this.c.id, `${name}.png`), animations: 'disabled', caret: 'hide' });
  }

  /** A primary control must be inside the window as the view opens, without scrolling. */
  async inWindow(loc: Locator, what: string): Promise<void> {
    await expect(loc).toBeVisible();
    const where = await outsideWindow(this.p, loc, what);
    if (where) this.problems.controls.push(where);
  }

  /** Asserts softly what was gathered, one assertion per kind of fact; a finding seen on several views is listed once with them. */
  report(): void {
    const c = this.c.id;
    const dedupe = (xs: string[]): string[] => {
      const views = new Map<string, string[]>();
      for (const x of xs) {
        const at = x.indexOf(': ');
        const [view, what] = at < 0 ? ['', x] : [x.slice(0, at), x.slice(at + 2)];
        views.set(what, [...(views.get(what) ?? []), view]);
      }
      return [...views].map(([what, all]) => {
        const vs = all.filter(Boolean);
        return vs.length === 0 ? what : vs.length > 3 ? `${what} (on ${vs.length} views)` : `${what} (on ${vs.join(', ')})`;
      });
    };
    expect.soft(dedupe(this.problems.views), `${c}: views that could not be reached`).toEqual([]);
    expect.soft(dedupe(this.problems.overflow), `${c}: horizontal page overflow`).toEqual([]);
    expect.soft(dedupe(this.problems.topbar), `${c}: topbar controls overlapping or cut`).toEqual([]);
    expect.soft(dedupe(this.problems.tree), `${c}: tree headers cut or wrapped`).toEqual([]);
    expect.soft(dedupe(this.problems.language), `${c}: English in the Chinese chrome`).toEqual([]);
    expect.soft(dedupe(this.problems.contrast), `${c}: text that does not stand out from its background`).toEqual([]);
    expect.soft(dedupe(this.problems.controls), `${c}: primary controls and results outside the window`).toEqual([]);
  }
}

async function selectModel(p: Page, repo: string, model: string): Promise<Locator> {
  const row = p.getByTestId(`repo-${repo}`).getByTestId(`model-${model}`);
  const main = row.locator('.model-main');
  await ((await main.count()) ? main : row).first().click();
  const view = p.getByTestId(`model-view-${model}`);
  await expect(view).toBeVisible();
  return view;
}

async function openTab(view: Locator, tab: string): Promise<void> {
  await view.getByTestId(`tab-${tab}`).click();
  await expect(view.getByTestId(`tab-${tab}`)).toHaveAttribute('aria-selected', 'true');
}

/** Expands a model in the tree (its files and versions), unless it already is. */
async function expandModel(p: Page, repo: string, model: string): Promise<void> {
  const item = p
    .getByTestId(`repo-${repo}`)
    .locator('[role=treeitem]')
    .filter({ has: p.getByTestId(`model-${model}`) });
  if ((await item.getAttribute('aria-expanded')) !== 'true') await item.getByTestId(`model-${model}`).locator('button').first().click();
  await expect(item).toHaveAttribute('aria-expanded', 'true');
}

/** Picks a sample image by file name in whichever picker the form offers (a thumbnail, or a radio). */
async function pickSample(scope: Locator, file: string): Promise<void> {
  const thumb = scope.getByTestId(`sample-thumb-${file}`);
  // The sample list arrives after the form; wait for it, else the form's default image is sent.
  await expect(thumb.or(scope.getByTestId(`sample-${file}`)).first()).toBeAttached();
  if (await thumb.count()) return thumb.first().click();
  const radio = scope.getByTestId(`sample-${file}`);
  if (await radio.count()) await radio.first().check({ force: true });
}

async function walkModelViews(w: Walk): Promise<void> {
  const p = w.p;
  await w.view('tree', async () => {
    await expandModel(p, 'ocr_ensemble', 'text_detection');
    await expandModel(p, 'ocr_bls', 'text_detection');
    await selectModel(p, 'ocr_bls', 'text_detection');
  });
  await w.view('overview', async () => {
    const v = await selectModel(p, 'ocr_ensemble', 'text_detection');
    await openTab(v, 'overview');
  });
  await w.view('overview-ensemble', async () => {
    const v = await selectModel(p, 'ocr_ensemble', 'ensemble_model');
    await openTab(v, 'overview');
  });
  await w.view('overview-diagnostics', async () => {
    const v = await selectModel(p, 'broken_configs', 'bad_dims');
    await openTab(v, 'overview');
    await expect(v.getByTestId('diagnostics')).toBeVisible();
  });
  await w.view('config-diagnostics', async () => {
    const v = await selectModel(p, 'broken_configs', 'syntax_error');
    await expect(v.getByTestId('inline-diagnostic').first()).toBeVisible();
  });
  await w.view('config', async () => {
    const v = await selectModel(p, 'ocr_ensemble', 'ensemble_model');
    await openTab(v, 'config');
  });
  await w.view('completed', async () => {
    const v = await selectModel(p, 'quick_deploy_onnx', 'text_direction');
    await openTab(v, 'completed');
    await expect(v.getByTestId('completed-pbtxt')).toBeVisible();
  });
}

async function walkDataPipeline(w: Walk): Promise<void> {
  const p = w.p;
  let view: Locator | undefined;
  await w.view('run-image-model-before', async () => {
    const v = await selectModel(p, 'quick_deploy_onnx', 'text_direction');
    await openTab(v, 'run');
    await w.inWindow(v.getByTestId('run-button'), 'Run (text_direction)');
  });
  await w.view('run-data-pipeline-before', async () => {
    view = await selectModel(p, 'data_pipeline', 'ensemble_model');
    await openTab(view, 'run');
    await expect(view.getByTestId('run-form').getByTestId('input-ensemble_input_string')).toBeVisible();
    await w.inWindow(view.getByTestId('run-button'), 'Run (data_pipeline)');
  });
  await w.view('run-data-pipeline-after', async () => {
    if (!view) throw new Error('the data pipeline did not open');
    const results = view.locator('[data-testid^="run-result-"]');
    const latest = async (): Promise<string | null> => ((await results.count()) ? results.first().getAttribute('data-testid') : null);
    const before = await latest();
    await view.getByTestId('run-button').click();
    await expect.poll(latest, { timeout: 30_000 }).not.toBe(before);
    await expect.poll(latest).not.toBeNull();
    for (const name of DP_OUTPUTS) await expect(view.getByTestId(`output-${name}`)).toBeAttached({ timeout: 30_000 });
    await p.waitForTimeout(300);
    // What pressing Run shows: the first output, in the window without the user scrolling.
    const where = await outsideWindow(p, view.getByTestId(`output-${DP_OUTPUTS[0]}`), 'first output after Run (data_pipeline)');
    if (where) w.problems.controls.push(where);
  });
  const image = (): Locator => view!.getByTestId('output-ensemble_output_FP32_image');
  // A fresh run's FP32 [1,264,620,3] output is a picture: it opens on its Image tab (issue 14, point 3).
  // Checked on the first run only: later runs may keep the tab the walk picked last.
  if (view && !done.imageTab) {
    done.imageTab = true;
    if ((await image().getByTestId('viewer-tab-image').getAttribute('aria-selected')) !== 'true') {
      w.problems.controls.push('run-data-pipeline-after: the FP32 HWC image output does not open on its Image tab');
    }
  }
  const painted = { image: 'image-img', heatmap: 'heatmap-stage', table: 'number-table' } as const;
  for (const tab of ['image', 'heatmap', 'table'] as const) {
    await w.view(`viewer-${tab}`, async () => {
      if (!view) throw new Error('the data pipeline did not open');
      await image().getByTestId(`viewer-tab-${tab}`).click();
      await expect(image().getByTestId(painted[tab]).first()).toBeVisible();
      await image().scrollIntoViewIfNeeded();
    });
  }
}

async function walkOcr(w: Walk): Promise<void> {
  const p = w.p;
  let view: Locator | undefined;
  await w.view('run-ocr-before', async () => {
    view = await selectModel(p, 'ocr_ensemble', 'ensemble_model');
    await openTab(view, 'run');
    const form = view.getByTestId('run-form');
    await expect(form.getByTestId('input-input_image')).toBeVisible();
    await pickSample(form, 'mixed-report.png');
    await w.inWindow(view.getByTestId('run-button'), 'Run (ocr_ensemble)');
  });
  await w.view('run-ocr-after', async () => {
    if (!view) throw new Error('the OCR ensemble did not open');
    const out = view.getByTestId('output-recognized_text');
    if (!done.ocrRun) {
      await view.getByTestId('run-button').click();
      await expect(out).toBeAttached({ timeout: 30_000 });
      done.ocrRun = true;
      await p.waitForTimeout(300);
      const where = await outsideWindow(p, out, 'recognized_text after Run (ocr_ensemble)');
      if (where) w.problems.controls.push(where);
    }
  });
  await w.view('timeline', async () => {
    if (!view) throw new Error('the OCR ensemble did not open');
    const chart = view.getByTestId('timeline').first();
    await chart.scrollIntoViewIfNeeded();
  });
}

async function walkStepThrough(w: Walk): Promise<void> {
  const p = w.p;
  await w.view('step-through', async () => {
    const v = await selectModel(p, 'ocr_ensemble', 'ensemble_model');
    await openTab(v, 'ensemble');
    const panel = v.getByTestId('ensemble-panel');
    await expect(panel.getByTestId('ensemble-dag')).toBeVisible();
    await w.inWindow(panel.getByTestId('step-start'), 'Start step-through');
  });
  await w.view('step-paused', async () => {
    const panel = p.getByTestId('ensemble-panel');
    const status = panel.getByTestId('step-status');
    if (!done.stepPaused) {
      await pickSample(panel, 'mixed-report.png');
      await panel.getByTestId('step-start').click();
      await expect(status).toHaveAttribute('data-state', 'paused', { timeout: 30_000 });
      await panel.getByTestId('step-next').click();
      await expect(status).toHaveAttribute('data-state', 'paused', { timeout: 30_000 });
      await panel.getByTestId('step-next').click();
      await expect(status).toHaveAttribute('data-state', 'paused', { timeout: 30_000 });
      done.stepPaused = true;
    }
    await expect(status).toHaveAttribute('data-state', 'paused');
  });
}

async function walkOthers(w: Walk): Promise<void> {
  const p = w.p;
  await w.view('graph', async () => {
    const v = await selectModel(p, 'ocr_ensemble', 'text_detection');
    await openTab(v, 'graph');
    await expect(v.getByTestId('graph-canvas')).toBeVisible({ timeout: 15_000 });
    await expect(v.getByTestId('graph-node').first()).toBeVisible({ timeout: 15_000 });
  });
  // A node's sidebar: its operator's description, in the reader's language.
  await w.view('graph-node', async () => {
    await p.getByTestId('graph-node').first().click();
    await expect(p.getByTestId('graph-sidebar-node')).toBeVisible();
  });
  await w.view('log', async () => {
    const v = await selectModel(p, 'data_pipeline', 'model1');
    await openTab(v, 'log');
    await expect(v.getByTestId('model-log')).toBeVisible();
  });
  await w.view('file-js', async () => {
    await expandModel(p, 'data_pipeline', 'model1');
    await p.getByTestId('repo-data_pipeline').locator('[data-testid$="model.js"]').first().click();
    await expect(p.getByTestId('file-view')).toBeVisible();
  });
  await w.view('file-python', async () => {
    await expandModel(p, 'data_pipeline_python', 'model1');
    await p.getByTestId('repo-data_pipeline_python').locator('[data-testid$="model.py"]').first().click();
    await expect(p.getByTestId('file-view')).toBeVisible();
  });
  await w.view('serve-panel', async () => {
    await selectModel(p, 'ocr_ensemble', 'ensemble_model');
    await p.getByTestId('serve-toggle').click();
    await expect(p.getByTestId('serve-panel')).toBeVisible();
  });
  // Esc closes the panel (issue 14, point 9); the walk goes on either way.
  await p.keyboard.press('Escape');
  if (await p.getByTestId('serve-panel').isVisible()) {
    w.problems.controls.push('serve-panel: Esc does not close the Serve panel');
    await p.getByTestId('serve-toggle').click();
  }
  await expect(p.getByTestId('serve-panel')).toBeHidden();
  await walkWalkthrough(w);
}

/** The Model Ensembles tour on "Run it with a sample image": the card must not cover the Run button it points at. */
async function walkWalkthrough(w: Walk): Promise<void> {
  const p = w.p;
  await w.view('walkthrough-card', async () => {
    await p.getByTestId('walkthrough-open').click();
    const item = p.getByTestId('walkthrough-item-model-ensembles');
    await expect(item).toBeVisible();
    const start = item.getByTestId('walkthrough-start');
    await ((await start.count()) ? start : item.getByTestId('walkthrough-restart')).click();
    const card = p.getByTestId('walkthrough-card');
    await expect(card).toBeVisible();
    for (let i = 0; i < 3; i++) {
      const next = card.getByTestId('walkthrough-next');
      if (!(await next.isEnabled())) await card.getByTestId('walkthrough-showme').click();
      await expect(next).toBeEnabled({ timeout: 15_000 });
      await next.click();
    }
    await expect(card.getByTestId('walkthrough-step-count')).toContainText('4');
    await p.getByTestId('model-view-ensemble_model').getByTestId('tab-run').click();
    // The Run button appears only now (the tab was Config): once the tour points at it, the card
    // has until it settles (two equal places 300 ms apart, at most 3 s) to move off it.
    const view = p.getByTestId('model-view-ensemble_model');
    await expect(view.getByTestId('run-button')).toHaveClass(/wt-highlight/, { timeout: 3_000 });
    const hl = view.getByTestId('run-button');
    const covers = async (): Promise<boolean> => {
      const a = await hl.boundingBox();
      const b = await card.boundingBox();
      return !!a && !!b && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    };
    let last = JSON.stringify(await card.boundingBox());
    for (let t = 0; t < 10; t++) {
      await p.waitForTimeout(300);
      const now = JSON.stringify(await card.boundingBox());
      if (now === last) break;
      last = now;
    }
    const moved = !(await covers());
    if (!moved) w.problems.controls.push('walkthrough-card: the card covers the control it points at (Run), shown after the step opened');
    // Nor does it hide the app's own controls (language, theme, Serve, the path field).
    const box = await card.boundingBox();
    const hidden = box
      ? await p
          .locator('header.topbar')
          .locator('button, input')
          .evaluateAll(
            (els, b) =>
              els
                .filter((e) => {
                  const r = e.getBoundingClientRect();
                  return r.width > 0 && r.x < b.x + b.width && b.x < r.x + r.width && r.y < b.y + b.height && b.y < r.y + r.height;
                })
                .map((e) => (e.getAttribute('data-testid') ?? e.textContent ?? '').trim()),
            box,
          )
      : [];
    if (hidden.length) w.problems.controls.push(`walkthrough-card: the card hides topbar controls (${hidden.join(', ')})`);
  });
  const close = p.getByTestId('walkthrough-close');
  if (await close.isVisible()) await close.click();
}

/** The start page of a window that has selected nothing yet (a second page, so the walk's stores stay). */
async function walkEmpty(w: Walk): Promise<void> {
  const second = await w.p.context().newPage();
  try {
    await second.setViewportSize({ width: w.c.w, height: w.c.h });
    await second.goto('/');
    await expect(second.getByTestId('repo-ocr_ensemble')).toBeVisible({ timeout: 15_000 });
    await expect(second.locator('html')).toHaveAttribute('lang', w.c.lang);
    await expect(second.locator('html')).toHaveAttribute('data-theme', w.c.theme);
    await second.waitForTimeout(200);
    const found = await layoutProblems(second);
    for (const k of KINDS) for (const m of found[k]) w.problems[k].push(`start: ${m}`);
    await second.screenshot({ path: test.info().outputPath(w.c.id, 'start.png'), animations: 'disabled', caret: 'hide' });
  } catch (err) {
    w.problems.views.push(`start: ${String(err instanceof Error ? err.message : err).split('\n')[0]}`);
  } finally {
    await second.close();
  }
}

/** The tree's empty state (every repository closed), photographed in each combination. */
async function walkEmptyTree(p: Page): Promise<string[]> {
  const problems: string[] = [];
  const sections = p.locator('section[data-testid^="repo-"]');
  for (let i = 0; i < 12 && (await sections.count()) > 0; i++) {
    const id = (await sections.first().getAttribute('data-testid'))!.slice(5);
    await p.getByTestId(`close-${id}`).click();
    await expect(p.getByTestId(`repo-${id}`)).toHaveCount(0);
  }
  await expect(sections).toHaveCount(0);
  for (const c of COMBOS) {
    await applyCombo(p, c);
    const found = await layoutProblems(p);
    problems.push(...KINDS.flatMap((k) => found[k].map((m) => `${c.id}: ${m}`)));
    await p.screenshot({ path: test.info().outputPath(c.id, 'empty-tree.png'), animations: 'disabled', caret: 'hide' });
  }
  return problems;
}

/**
 * One test walks every combination on the shared page: a failed test would restart the worker and
 * lose the runs the later combinations reuse, so findings are soft and each combination is a step.
 */
test('every view in both languages, both themes, at 1440×900 and 1280×720', async () => {
  test.setTimeout(170_000);
  for (const c of COMBOS) {
    await test.step(c.id, async () => {
      const w = new Walk(page, c);
      await applyCombo(page, c);
      await walkEmpty(w);
      await walkModelViews(w);
      await walkOcr(w);
      await walkStepThrough(w);
      await walkDataPipeline(w);
      await walkOthers(w);
      w.report();
    });
  }
  // Last, since it closes every repository.
  await test.step('empty tree', async () => {
    expect.soft(await walkEmptyTree(page), 'empty tree: overflow, topbar and language').toEqual([]);
  });
});
