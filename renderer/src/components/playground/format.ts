/** Small formatters shared by the playground views. */
import { locale as currentLocale, t, type MessageKey } from '../../i18n';

const locale = (): string => currentLocale.value;

/** The engine's fixed words in `RunResult.inputLabel` (electron/engine/runs/input-label.ts), in the reader's language. */
const INPUT_WORDS: Record<string, MessageKey> = { values: 'runs.input.values', 'uploaded file': 'runs.input.uploaded', file: 'runs.input.file', 'no inputs': 'runs.input.none' };

/** A run's input label with the engine's fixed words translated; file and sample names stay as they are. */
export function inputLabelText(label: string): string {
  return label
    .split(', ')
    .map((part) => (INPUT_WORDS[part] ? t(INPUT_WORDS[part]) : part))
    .join(locale() === 'zh-CN' ? '、' : ', ');
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatTime(epochMs: number, locale: string): string {
  try {
    return new Date(epochMs).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  } catch {
    return new Date(epochMs).toISOString().slice(11, 19);
  }
}

/**
 * When a run started, in full for the run history: the time with seconds, and the date in front when
 * it was not today (a history outlives midnight and lists runs of other days).
 */
export function formatWhen(epochMs: number, locale: string, now = Date.now()): string {
  const d = new Date(epochMs);
  const time = formatTime(epochMs, locale);
  if (d.toDateString() === new Date(now).toDateString()) return time;
  try {
    const sameYear = d.getFullYear() === new Date(now).getFullYear();
    return `${d.toLocaleDateString(locale, { ...(sameYear ? {} : { year: 'numeric' }), month: 'short', day: 'numeric' })} ${time}`;
  } catch {
    return `${d.toISOString().slice(0, 10)} ${time}`;
  }
}

/** A run's compute time: a step-through's time less the time it stood paused between steps. */
export function computeMs(run: { ms: number; mode?: 'run' | 'step'; pausedMs?: number }): number {
  return run.mode === 'step' ? Math.max(0, run.ms - (run.pausedMs ?? 0)) : run.ms;
}

/** A statistic as a short number: integers as they are, others with 4 significant digits. */
export function formatStat(n: number | undefined): string {
  if (n === undefined || n === null) return '—';
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '−∞';
  if (Number.isInteger(n)) return String(n);
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return n.toExponential(3);
  return String(Number(n.toPrecision(4)));
}

export function shapeText(shape: number[]): string {
  return `[${shape.join(', ')}]`;
}
