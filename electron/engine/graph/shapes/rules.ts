/** The shape rules by operator: the default ONNX domain, ai.onnx.ml, and com.microsoft's fusions. */
import { CONTROL_RULES } from './rules-control';
import { ELEMENTWISE_RULES } from './rules-elementwise';
import { EXTRA_RULES, ML_RULES, MS_EXTRA_RULES } from './rules-extra';
import { MISC_RULES, MS_RULES } from './rules-misc';
import { NN_RULES } from './rules-nn';
import { SHAPE_RULES } from './rules-shape';
import type { Rule } from './types';

const ONNX: ReadonlyMap<string, Rule> = new Map(Object.entries({ ...EXTRA_RULES, ...ELEMENTWISE_RULES, ...SHAPE_RULES, ...NN_RULES, ...MISC_RULES, ...CONTROL_RULES }));
const MICROSOFT: ReadonlyMap<string, Rule> = new Map(Object.entries({ ...MS_EXTRA_RULES, ...MS_RULES }));
const ML: ReadonlyMap<string, Rule> = new Map(Object.entries(ML_RULES));

export function ruleFor(domain: string, opType: string): Rule | undefined {
  if (!domain || domain === 'ai.onnx') return ONNX.get(opType);
  // com.microsoft also runs the default domain's operators under its own name in fused graphs.
  if (domain === 'com.microsoft') return MICROSOFT.get(opType) ?? ONNX.get(opType);
  if (domain === 'ai.onnx.ml') return ML.get(opType);
  return undefined;
}

/** Operators with a rule, for tests and docs. */
export function ruledOperators(): { domain: string; opType: string }[] {
  const of = (domain: string, m: ReadonlyMap<string, Rule>): { domain: string; opType: string }[] => [...m.keys()].map((opType) => ({ domain, opType }));
  return [...of('', ONNX), ...of('com.microsoft', MICROSOFT), ...of('ai.onnx.ml', ML)];
}
