/**
 * The graph view measured where users see it: Debian's Chromium, driven by
 * Playwright, against the lab in browser mode (`out/main/lab-server.js`, so
 * `npm run build` first) with the real engine behind it. Timings are taken in
 * the page (performance.now()), from the click on the Graph tab (or on a
 * scope) to the first frame painted after the boxes are in the DOM; memory is
 * the renderer's JS heap (CDP Performance.getMetrics, after a forced GC) and
 * the resident size of the renderer processes (/proc).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserServer, type Page, chromium } from 'playwright-core';
import { rssMiB, startChild, stopChildren } from './processes';

export interface BrowserCase {
  /** Key in the results. */
  key: string;
  /** The repository folder's name and the model in it. */
  repo: string;
  model: string;
  /** Expand one scope after the first paint and time it. */
  expand?: boolean;
}

export interface BrowserFigures {
  firstPaintMs: number;
  /** When the lab's answer (the graph summary) had arrived, from the same click: the rest is the renderer's. */
  summaryArrivedMs?: number;
  /** With BENCH_PROFILE: the renderer main thread's functions by self time during the first paint. */
  profile?: { fn: string; selfMs: number }[];
  /** The same for expanding the scope. */
  expandProfile?: { fn: string; selfMs: number }[];
  /** Boxes in the DOM at first paint (only those near the viewport are rendered). */
  boxesShown: number;
  expand?: { scope: string; ms: number; boxesShown: number };
  /** From first paint until a big graph's analysis (sent after its summary) was merged into the view. */
  analysisMergedMs?: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  rendererRssMiB: number;
  /** From the lab API's summary, once shape inference runs in the engine. */
  shapeInferenceMs?: number;
  parseMs?: number;
}

const CHROMIUM = [process.env['CHROMIUM_PATH'], '/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p): p is string => !!p && existsSync(p));
const LAB_SERVER = 'out/main/lab-server.js';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-precise-memory-info'];
const BOXES = '[data-testid="graph-canvas"] :is([data-testid="graph-node"], [data-testid="graph-scope"])';

/** Why the browser half cannot run here, or undefined when it can. */
export function browserUnavailable(): string | undefined {
  if (!CHROMIUM) return 'no Chromium found (set CHROMIUM_PATH)';
  if (!existsSync(LAB_SERVER) || !existsSync('out/renderer/index.html')) return `${LAB_SERVER} is missing: run npm run build`;
  return undefined;
}

/** Processes below `root` (by parent pid) whose command line has `--type=renderer`. */
function rendererPids(root: number): number[] {
  const parent = new Map<number, number>();
  const cmd = new Map<number, string>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      parent.set(Number(e), Number(readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]));
      cmd.set(Number(e), readFileSync(`/proc/${e}/cmdline`, 'utf8'));
    } catch {
      // Gone in between.
    }
  }
  const below = (pid: number): boolean => {
    for (let p = parent.get(pid), hops = 0; p !== undefined && hops < 16; p = parent.get(p), hops++) if (p === root) return true;
    return false;
  };
  return [...cmd.entries()].filter(([pid, c]) => c.includes('--type=renderer') && below(pid)).map(([pid]) => pid);
}

/**
 * Runs in the page (as text: bench code is typed for Node, not the DOM): clicks `selector`, then
 * resolves with the ms until the frame in which `done` first held has been painted, and when the
 * lab's modelGraph answer arrived (resource timing), to split engine + transfer from the renderer.
 */
const IN_PAGE = `async ({ selector, done, boxes, limitMs }) => {
  const el = document.querySelector(selector);
  if (!el) throw new Error('nothing matches ' + selector);
  const t0 = performance.now();
  el.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  const ready = () => done.boxes ? document.querySelector(boxes) !== null : document.querySelector('[data-testid="graph-scope"][data-scope="' + CSS.escape(done.scopeGone) + '"]') === null;
  const ms = await new Promise((resolve) => {
    const frame = () => {
      if (performance.now() - t0 > limitMs) return resolve(undefined);
      // rAF callbacks run before the frame is painted; the task queued from one runs after it.
      if (ready()) requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
      else requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  const answer = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/lab/modelGraph') && e.startTime >= t0);
  const panel = document.querySelector('[data-testid="graph-panel"]');
  return { ms, summaryMs: answer ? answer.responseEnd - t0 : undefined, shown: ms === undefined && panel ? panel.innerText.slice(0, 300) : undefined };
}`;

interface Timed {
  /** Absent when nothing was painted within the limit. */
  ms?: number;
  summaryMs?: number;
  /** On a timeout: what the graph panel showed. */
  shown?: string;
}

async function clickAndTime(page: Page, selector: string, done: { boxes: true } | { scopeGone: string }, limitMs = Number(process.env['BENCH_PAINT_LIMIT_MS'] ?? 60_000)): Promise<Timed> {
  return (await page.evaluate(`(${IN_PAGE})(${JSON.stringify({ selector, done, boxes: BOXES, limitMs })})`)) as Timed;
}

/** Starts the CDP sampling profiler; the returned function stops it and sums self time per function (top 15). */
async function startProfile(page: Page): Promise<() => Promise<{ fn: string; selfMs: number }[]>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = await cdp.send('Profiler.stop');
    await cdp.detach();
    const self = new Map<string, number>();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const deltas = profile.timeDeltas ?? [];
    (profile.samples ?? []).forEach((id, i) => {
      const f = byId.get(id)!.callFrame;
      const where = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
      self.set(where, (self.get(where) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
    });
    return [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([fn, ms]) => ({ fn, selfMs: Math.round(ms) }));
  };
}

async function memory(page: Page, root: number): Promise<Pick<BrowserFigures, 'heapUsedMiB' | 'heapTotalMiB' | 'rendererRssMiB'>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const get = (name: string): number => metrics.find((m) => m.name === name)?.value ?? 0;
  await cdp.detach();
  const mib = (b: number): number => Math.round((b / 2 ** 20) * 10) / 10;
  const rss = rendererPids(root).reduce((a, pid) => a + rssMiB(pid), 0);
  return { heapUsedMiB: mib(get('JSHeapUsedSize')), heapTotalMiB: mib(get('JSHeapTotalSize')), rendererRssMiB: Math.round(rss * 10) / 10 };
}

export interface BrowserLab {
  base: string;
  token: string;
  server: BrowserServer;
  browser: Browser;
  api<T>(method: string, req: unknown): Promise<T>;
  close(): Promise<void>;
}

/** The lab in browser mode on `repositories`, and a Chromium to look at it with. */
export async function startBrowserLab(repositories: string[], settingsFile: string): Promise<BrowserLab> {
  const token = randomBytes(24).toString('hex');
  process.env['MODEL_LAB_TOKEN'] = token;
  const { lines } = await startChild('node', [LAB_SERVER, '--port', '0', '--no-open', '--settings', settingsFile, ...repositories], /^Opened \d+ repositor/);
  delete process.env['MODEL_LAB_TOKEN'];
  const url = lines.map((l) => /serving at (http:\/\/\S+)/.exec(l)?.[1]).find(Boolean);
  if (!url) throw new Error(`the lab did not say where it serves:\n${lines.join('\n')}`);
  const base = new URL(url).origin;
  const server = await chromium.launchServer({ executablePath: CHROMIUM!, args: ARGS });
  const browser = await chromium.connect(server.wsEndpoint());
  const api = async <T>(method: string, req: unknown): Promise<T> => {
    const res = await fetch(`${base}/api/lab/${method}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(req) });
    const body = (await res.json()) as T & { error?: { code: string; message: string } };
    if (!res.ok) throw new Error(`${method}: ${body.error?.code}: ${body.error?.message}`);
    return body;
  };
  const close = async (): Promise<void> => {
    await browser.close().catch(() => undefined);
    await server.close().catch(() => undefined);
    stopChildren();
  };
  return { base, token, server, browser, api, close };
}

/** Opens `c` in a fresh page: first paint of its graph, one scope expanded, memory. */
export async function measureCase(lab: BrowserLab, c: BrowserCase, profile = false): Promise<BrowserFigures> {
  const context = await lab.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  try {
    await page.goto(`${lab.base}/?token=${lab.token}`);
    await page.getByTestId(`repo-${c.repo}`).getByTestId(`model-${c.model}`).locator('.model-main').click({ timeout: 60_000 });
    await page.getByTestId(`model-view-${c.model}`).getByTestId('tab-graph').waitFor();
    const profiler = profile ? await startProfile(page) : undefined;
    const first = await clickAndTime(page, `[data-testid="model-view-${c.model}"] [data-testid="tab-graph"]`, { boxes: true });
    if (first.ms === undefined) {
      const profiled = profiler ? ` Profile: ${JSON.stringify(await profiler())}` : '';
      throw new Error(
        `no boxes painted within the limit; the summary arrived after ${first.summaryMs === undefined ? '(not yet)' : `${Math.round(first.summaryMs)} ms`}; the panel showed: ${JSON.stringify(first.shown)}.${profiled}`,
      );
    }
    const boxesShown = await page.locator(BOXES).count();
    const out: BrowserFigures = { firstPaintMs: Math.round(first.ms), boxesShown, heapUsedMiB: 0, heapTotalMiB: 0, rendererRssMiB: 0 };
    if (first.summaryMs !== undefined) out.summaryArrivedMs = Math.round(first.summaryMs);
    if (profiler) out.profile = await profiler();
    // A big graph paints before its analysis (inferred dims, constant values): time until that is merged too.
    const analyzing = page.locator('[data-testid="graph-status"][data-analyzing]');
    const painted = performance.now();
    if (await analyzing.count()) {
      await analyzing.waitFor({ state: 'detached', timeout: 120_000 });
      out.analysisMergedMs = Math.round(performance.now() - painted);
    }
    if (c.expand) {
      const scope = await page.locator('[data-testid="graph-canvas"] [data-testid="graph-scope"]').first().getAttribute('data-scope');
      if (scope) {
        const expandProfiler = profile ? await startProfile(page) : undefined;
        const { ms } = await clickAndTime(page, `[data-testid="graph-scope"][data-scope="${scope.replace(/"/g, '\\"')}"]`, { scopeGone: scope });
        if (ms !== undefined) out.expand = { scope, ms: Math.round(ms), boxesShown: await page.locator(BOXES).count() };
        if (expandProfiler) out.expandProfile = await expandProfiler();
      }
    }
    Object.assign(out, await memory(page, lab.server.process().pid!));
    return out;
  } finally {
    await context.close();
  }
}

export const browserPath = (): string => path.basename(CHROMIUM ?? 'none');
