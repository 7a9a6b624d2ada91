/** The shape rules by operator: the default ONNX domain, and com.microsoft's fusions. */
import { CONTROL_RULES } from './rules-control';
import { ELEMENTWISE_RULES } from './rules-elementwise';
import { MISC_RULES, MS_RULES } from './rules-misc';
import { NN_RULES } from './rules-nn';
import { SHAPE_RULES } from './rules-shape';
import type { Rule } from './types';

const ONNX: ReadonlyMap<string, Rule> = new Map(Object.entries({ ...ELEMENTWISE_RULES, ...SHAPE_RULES, ...NN_RULES, ...MISC_RULES, ...CONTROL_RULES }));
const MICROSOFT: ReadonlyMap<string, Rule> = new Map(Object.entries(MS_RULES));

export function ruleFor(domain: string, opType: string): Rule | undefined {
  if (!domain || domain === 'ai.onnx') return ONNX.get(opType);
  // com.microsoft also runs the default domain's operators under its own name in fused graphs.
  if (domain === 'com.microsoft') return MICROSOFT.get(opType) ?? ONNX.get(opType);
  return undefined;
}

/** Operators with a rule, for tests and docs. */
export function ruledOperators(): { domain: string; opType: string }[] {
  return [...[...ONNX.keys()].map((opType) => ({ domain: '', opType })), ...[...MICROSOFT.keys()].map((opType) => ({ domain: 'com.microsoft', opType }))];
}
