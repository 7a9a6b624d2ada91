/**
 * The checks Triton runs on an ensemble once its members are loaded
 * (ensemble_utils.cc ValidateEnsembleConfig): batch sizes, tensor mapping
 * against the members' final configs, dtype and shape agreement with -1 as a
 * wildcard, and decoupled-flow consistency. Also returns whether the ensemble
 * is decoupled, which Triton records in its config.
 */
import type { ModelConfig, ModelEnsembling_Step } from './gen/model_config_pb';
import { DataType } from './gen/model_config_pb';
import { type ConfigIssue, issue } from './issues';
import { compatibleDims, dimsToString, fullShape, toNumbers } from './shape';
import { configTypeName } from '../tensor/dtype';
import { ensembleSteps } from './ensemble-graph';

interface TensorNode {
  model: string;
  type: DataType;
  dims: number[];
  fullDims: number[];
  isDecoupled: boolean;
  label: number;
  visited: boolean;
  prev: TensorNode[];
  next: TensorNode[];
  sibling?: { label: number; visited: boolean };
}

function node(model: string, batching: boolean, type: DataType, dims: readonly bigint[]): TensorNode {
  const d = toNumbers(dims);
  return { model, type, dims: d, fullDims: fullShape(d, batching ? 1 : 0), isDecoupled: false, label: 0, visited: false, prev: [], next: [] };
}

function consistency(lhs: TensorNode, rhs: TensorNode, prefix: string): string | undefined {
  if (lhs.type !== rhs.type) {
    return `${prefix}inconsistent data type: ${configTypeName(lhs.type)} is inferred from model ${lhs.model} while ${configTypeName(rhs.type)} is inferred from model ${rhs.model}`;
  }
  if (!compatibleDims(lhs.dims, rhs.dims) && !compatibleDims(lhs.fullDims, rhs.fullDims)) {
    return `${prefix}inconsistent shape: ${dimsToString(lhs.fullDims)} is inferred from model ${lhs.model} while ${dimsToString(rhs.fullDims)} is inferred from model ${rhs.model}`;
  }
  return undefined;
}

function mapStep(ens: string, stepIndex: number, step: ModelEnsembling_Step, member: ModelConfig, tensors: Map<string, TensorNode>): ConfigIssue | undefined {
  const at = (...rest: (string | { key: string })[]): (string | number | { key: string })[] => ['ensemble_scheduling', 'step', stepIndex, ...rest];
  const stepModel = step.modelName;
  const batching = member.maxBatchSize > 0;
  const inputNames = new Set(member.input.map((i) => i.name));
  for (const [key, tensor] of Object.entries(step.inputMap)) {
    if (!inputNames.has(key)) {
      return issue('ensemble.map-unknown-input', `in ensemble ${ens}, ensemble tensor ${tensor} is mapping to non-existing input ${key} in model ${stepModel}`, at('input_map', { key }, 'key'));
    }
  }
  for (const input of member.input) {
    const mapped = Object.entries(step.inputMap).filter(([key]) => key === input.name);
    for (const [key, tensor] of mapped) {
      const mt = node(stepModel, batching, input.dataType, input.dims);
      const existing = tensors.get(tensor);
      if (existing) {
        const problem = consistency(existing, mt, `in ensemble ${ens}, ensemble tensor ${tensor}: `);
        if (problem) return issue('ensemble.tensor-inconsistent', problem, at('input_map', { key }));
      } else tensors.set(tensor, mt);
    }
    if (mapped.length === 0 && !input.optional) {
      return issue('ensemble.input-not-mapped', `in ensemble ${ens}, input ${input.name} in model ${stepModel} is not mapped to any ensemble tensors`, at('input_map'));
    }
  }
  const outputNames = new Set(member.output.map((o) => o.name));
  for (const [key, tensor] of Object.entries(step.outputMap)) {
    if (!outputNames.has(key)) {
      return issue('ensemble.map-unknown-output', `in ensemble ${ens}, ensemble tensor ${tensor} is mapped from non-existing output ${key} in model ${stepModel}`, at('output_map', { key }, 'key'));
    }
  }
  const sibling = { label: 0, visited: false };
  for (const [key, tensor] of Object.entries(step.outputMap)) {
    const output = member.output.find((o) => o.name === key)!;
    const mt = node(stepModel, batching, output.dataType, output.dims);
    let target = tensors.get(tensor);
    if (target) {
      const problem = consistency(target, mt, `in ensemble ${ens}, ensemble tensor ${tensor}: `);
      if (problem) return issue('ensemble.tensor-inconsistent', problem, at('output_map', { key }));
    } else {
      target = mt;
      tensors.set(tensor, mt);
    }
    target.sibling = sibling;
  }
  const decoupled = member.modelTransactionPolicy?.decoupled ?? false;
  for (const tensor of Object.values(step.outputMap)) {
    const n = tensors.get(tensor)!;
    n.isDecoupled = decoupled;
    for (const input of Object.values(step.inputMap)) {
      const p = tensors.get(input);
      if (!p) continue;
      n.prev.push(p);
      p.next.push(n);
    }
  }
  return undefined;
}

export interface EnsembleMemberCheck {
  issues: ConfigIssue[];
  decoupled: boolean;
}

/**
 * `memberConfig` gives the final config of the latest ready version of a
 * step's model, or undefined when the lab has none to check against.
 */
export function validateEnsembleAgainstMembers(ensemble: ModelConfig, memberConfig: (model: string) => ModelConfig | undefined): EnsembleMemberCheck {
  const ens = ensemble.name;
  const batching = ensemble.maxBatchSize > 0;
  const tensors = new Map<string, TensorNode>();
  for (const input of ensemble.input) tensors.set(input.name, node(ens, batching, input.dataType, input.reshape ? input.reshape.shape : input.dims));
  const sink = node(ens, false, DataType.TYPE_INVALID, []);
  for (const output of ensemble.output) {
    const n = node(ens, batching, output.dataType, output.reshape ? output.reshape.shape : output.dims);
    tensors.set(output.name, n);
    sink.prev.push(n);
    n.next.push(sink);
  }
  const issues: ConfigIssue[] = [];
  ensembleSteps(ensemble).forEach((step, i) => {
    const member = memberConfig(step.modelName);
    if (!member) return;
    if (member.maxBatchSize !== 0 && member.maxBatchSize < ensemble.maxBatchSize) {
      issues.push(
        issue(
          'ensemble.max-batch-size',
          `ensemble ${ens} allows maximum batch size ${ensemble.maxBatchSize}, but it contains model ${step.modelName} which only allows maximum batch size to be ${member.maxBatchSize}`,
          ['ensemble_scheduling', 'step', i, 'model_name'],
        ),
      );
      return;
    }
    const problem = mapStep(ens, i, step, member, tensors);
    if (problem) issues.push(problem);
  });
  if (issues.length > 0) return { issues, decoupled: false };

  let label = 0;
  const queue: TensorNode[] = [];
  for (const input of ensemble.input) {
    const n = tensors.get(input.name)!;
    n.visited = true;
    queue.push(n);
  }
  for (let head = 0; head < queue.length; head++) {
    for (const next of queue[head]!.next) {
      if (next.visited || !next.prev.every((p) => p.visited)) continue;
      const prevLabel = next.prev[0]?.label ?? 0;
      if (next.prev.some((p) => p.label !== prevLabel)) {
        issues.push(issue('ensemble.decoupled-mix', `in ensemble ${ens}, step of model '${next.model}' receives inputs originated from different decoupled models`, ['ensemble_scheduling']));
        return { issues, decoupled: false };
      }
      if (next.sibling) {
        if (next.sibling.visited) next.label = next.sibling.label;
        else {
          next.label = next.isDecoupled ? ++label : prevLabel;
          next.sibling.label = next.label;
          next.sibling.visited = true;
        }
      } else next.label = next.isDecoupled ? ++label : prevLabel;
      next.visited = true;
      queue.push(next);
    }
  }
  return { issues, decoupled: label !== 0 };
}
