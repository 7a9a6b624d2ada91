/**
 * The static dataflow check Triton runs on every ensemble config before any
 * member is loaded (ValidateEnsembleSchedulingConfig / BuildEnsembleGraph):
 * nodes are ensemble tensors, each step links its input tensors to its output
 * tensors, readiness flows from the ensemble inputs. Cycles surface as
 * "not written" outputs or "unused" tensors, exactly as in Triton.
 */
import type { ModelConfig, ModelEnsembling_Step } from './gen/model_config_pb';
import { PLATFORM } from './constants';
import { type ConfigIssue, issue } from './issues';
import type { FieldPath } from './text/source-map';

interface TensorNode {
  name: string;
  isOutput: boolean;
  ready: boolean;
  prev: TensorNode[];
  next: TensorNode[];
  /** Where it is written or first read, for diagnostics. */
  at: FieldPath;
}

const stepPath = (i: number, ...rest: (string | { key: string })[]): FieldPath => ['ensemble_scheduling', 'step', i, ...rest];

export function ensembleSteps(c: ModelConfig): ModelEnsembling_Step[] {
  return c.schedulingChoice.case === 'ensembleScheduling' ? c.schedulingChoice.value.step : [];
}

/**
 * Where a finding about member `model` belongs: the `model_name` of the first step that names it
 * (the line a user fixes), or the scheduling block when no step does.
 */
export function memberPath(steps: ModelEnsembling_Step[], model: string): FieldPath {
  const i = steps.findIndex((s) => s.modelName === model);
  return i < 0 ? ['ensemble_scheduling'] : stepPath(i, 'model_name');
}

function buildGraph(c: ModelConfig): { tensors: Map<string, TensorNode>; error?: ConfigIssue } {
  const tensors = new Map<string, TensorNode>();
  const name = c.name;
  const steps = ensembleSteps(c);
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (!step.modelName) return { tensors, error: issue('ensemble.step-model', `must specify 'model_name' in step ${i} of ensemble '${name}'`, stepPath(i)) };
    if (Object.keys(step.inputMap).length === 0) return { tensors, error: issue('ensemble.step-input-map', `must specify 'input_map' in step ${i} of ensemble '${name}'`, stepPath(i)) };
    if (Object.keys(step.outputMap).length === 0) return { tensors, error: issue('ensemble.step-output-map', `must specify 'output_map' in step ${i} of ensemble '${name}'`, stepPath(i)) };
    const asOutput: TensorNode[] = [];
    for (const [key, tensor] of Object.entries(step.outputMap)) {
      let node = tensors.get(tensor);
      if (node) {
        if (node.isOutput) {
          return {
            tensors,
            error: issue('ensemble.tensor-written-twice', `ensemble tensor '${tensor}' can appear in an output map only once for ensemble '${name}' step ${i}`, stepPath(i, 'output_map', { key })),
          };
        }
        node.isOutput = true;
        node.at = stepPath(i, 'output_map', { key });
      } else {
        node = { name: tensor, isOutput: true, ready: false, prev: [], next: [], at: stepPath(i, 'output_map', { key }) };
        tensors.set(tensor, node);
      }
      asOutput.push(node);
    }
    for (const [key, tensor] of Object.entries(step.inputMap)) {
      let node = tensors.get(tensor);
      if (!node) {
        node = { name: tensor, isOutput: false, ready: false, prev: [], next: [], at: stepPath(i, 'input_map', { key }) };
        tensors.set(tensor, node);
      }
      for (const out of asOutput) {
        out.prev.push(node);
        node.next.push(out);
      }
    }
  }
  return { tensors };
}

export function validateEnsembleScheduling(c: ModelConfig): ConfigIssue[] {
  const name = c.name;
  const out: ConfigIssue[] = [];
  if (c.platform !== PLATFORM.ensemble) {
    out.push(issue('ensemble.platform', `ensemble scheduling cannot be set for model '${name}' whose platform is not ${PLATFORM.ensemble}`, ['ensemble_scheduling']));
  }
  if (c.instanceGroup.length > 0) out.push(issue('ensemble.instance-group', `instance group should not be specified for ensemble '${name}'`, ['instance_group']));
  if (c.optimization) out.push(issue('ensemble.optimization', `optimization should not be specified for ensemble '${name}'`, ['optimization']));
  if (c.modelWarmup.length > 0) out.push(issue('ensemble.warmup', `model_warmup can not be specified for ensemble '${name}'`, ['model_warmup']));
  if (ensembleSteps(c).length === 0) {
    out.push(issue('ensemble.no-steps', `must specify 'step' for ensemble '${name}'`, ['ensemble_scheduling']));
    return out;
  }
  const { tensors, error } = buildGraph(c);
  if (error) return [...out, error];

  const queue: TensorNode[] = [];
  for (const [i, input] of c.input.entries()) {
    const node = tensors.get(input.name);
    if (!node) {
      out.push(issue('ensemble.input-unused', `ensemble input '${input.name}' for ensemble ${name}' is not used`, ['input', i]));
      continue;
    }
    node.ready = true;
    queue.push(node);
  }
  for (let head = 0; head < queue.length; head++) {
    for (const next of queue[head]!.next) {
      if (next.ready) continue;
      next.ready = next.prev.every((p) => p.ready);
      if (next.ready) queue.push(next);
    }
  }
  const outputs = new Set<string>();
  for (const [i, output] of c.output.entries()) {
    const node = tensors.get(output.name);
    if (!node) {
      out.push(issue('ensemble.output-unused', `ensemble output '${output.name}' for ensemble ${name}' is not used`, ['output', i]));
      continue;
    }
    if (!node.ready) {
      let message = `output '${output.name}' for ensemble '${name}' is not written`;
      let last = node;
      const seen = new Set<string>();
      let prev: TensorNode[] | undefined = node.prev;
      while (prev && prev.length > 0) {
        const nodes: TensorNode[] = prev;
        prev = undefined;
        for (const p of nodes) {
          if (!p.ready && !seen.has(p.name)) {
            seen.add(p.name);
            last = p;
            prev = p.prev;
            break;
          }
        }
      }
      if (last.name !== node.name) message += `: at least one of its depending tensors, '${last.name}', is not connected`;
      out.push(issue('ensemble.output-not-written', message, ['output', i]));
    } else outputs.add(output.name);
  }
  for (const node of tensors.values()) {
    if (outputs.has(node.name)) continue;
    if (c.output.some((o) => o.name === node.name)) continue;
    if (!node.ready || node.next.length === 0) {
      out.push(issue('ensemble.tensor-unused', `ensemble tensor '${node.name}' is unused in ensemble '${name}'`, node.at));
    }
  }
  return out;
}
