/** Small helpers to write config tests as config.pbtxt text. */
import type { ModelConfig } from '../gen/model_config_pb';
import type { ConfigIssue } from '../issues';
import { normalizeModelConfig } from '../normalize';
import { parseConfigText } from '../text/parse';

/** Parses config text; a parse error fails the test with its position. */
export function config(text: string): ModelConfig {
  const r = parseConfigText(text);
  if (!r.config) {
    const at = r.error?.span.start;
    throw new Error(`test config does not parse at ${at?.line}:${at?.column}: ${r.error?.message}`);
  }
  return r.config;
}

/** Parses and applies NormalizeModelConfig, as the loader does before validation. */
export function normalized(text: string): ModelConfig {
  const c = config(text);
  normalizeModelConfig(c, new Set());
  return c;
}

export function errorsOf(issues: readonly ConfigIssue[]): string[] {
  return issues.filter((i) => i.severity === 'error').map((i) => i.message);
}

export function warningsOf(issues: readonly ConfigIssue[]): string[] {
  return issues.filter((i) => i.severity === 'warning').map((i) => i.message);
}
