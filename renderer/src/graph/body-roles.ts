/**
 * What a body's inputs and outputs stand for in the node that runs it, from
 * the ONNX semantics of If, Loop and Scan: which value of the owner a Loop's
 * carried input starts as, which output of the owner a branch output becomes,
 * which slice a Scan input is. Shown as the value's note in the subgraph view,
 * so a body read on its own still says where its edges come from and go.
 */
import type { GraphBody, GraphNode } from '@contract/inspect-api';
import { t } from '../i18n';

export interface BodyRoles {
  inputs: (string | undefined)[];
  outputs: (string | undefined)[];
}

const q = (v: string | undefined): string => (v ? `'${v}'` : '—');

function ifRoles(owner: GraphNode, b: GraphBody): BodyRoles {
  return { inputs: [], outputs: b.outputs.map((_, k) => t('graph.sub.role.ifOut', { value: q(owner.outputs[k]), node: owner.name })) };
}

/** Loop: inputs (iteration, condition, carried...), outputs (condition, carried..., scan outputs...). */
function loopRoles(owner: GraphNode, b: GraphBody): BodyRoles {
  const carried = Math.max(0, b.inputs.length - 2);
  const inputs = b.inputs.map((_, k) => {
    if (k === 0) return t('graph.sub.role.loopIter');
    if (k === 1) return owner.inputs[1] ? t('graph.sub.role.loopCond', { value: q(owner.inputs[1]) }) : t('graph.sub.role.loopCondTrue');
    return t('graph.sub.role.loopCarried', { value: q(owner.inputs[k]), next: q(b.outputs[k - 1]?.name) });
  });
  const outputs = b.outputs.map((_, k) => {
    if (k === 0) return t('graph.sub.role.loopCondOut');
    if (k <= carried) return t('graph.sub.role.loopCarriedOut', { next: q(b.inputs[k + 1]?.name), value: q(owner.outputs[k - 1]) });
    return t('graph.sub.role.stacked', { value: q(owner.outputs[k - 1]) });
  });
  return { inputs, outputs };
}

/** Scan: N state variables then the scan inputs (num_scan_inputs of them), in both the owner and the body. */
function scanRoles(owner: GraphNode, b: GraphBody): BodyRoles {
  const m = Number(owner.attributes.find((a) => a.name === 'num_scan_inputs')?.value);
  const scanned = Number.isInteger(m) && m >= 0 ? m : 0;
  const state = Math.max(0, owner.inputs.length - scanned);
  const inputs = b.inputs.map((_, k) => (k < state ? t('graph.sub.role.scanState', { value: q(owner.inputs[k]) }) : t('graph.sub.role.scanSlice', { value: q(owner.inputs[k]) })));
  const outputs = b.outputs.map((_, k) => (k < state ? t('graph.sub.role.scanStateOut', { value: q(owner.outputs[k]) }) : t('graph.sub.role.stacked', { value: q(owner.outputs[k]) })));
  return { inputs, outputs };
}

/** Notes for a body's declared inputs and outputs (by position); none for operators other than If, Loop and Scan. */
export function bodyRoles(owner: GraphNode | undefined, b: GraphBody): BodyRoles {
  const standard = owner && (owner.domain === '' || owner.domain === 'ai.onnx');
  if (!owner || !standard) return { inputs: [], outputs: [] };
  if (owner.opType === 'If') return ifRoles(owner, b);
  if (owner.opType === 'Loop' && b.attribute === 'body') return loopRoles(owner, b);
  if (owner.opType === 'Scan' && b.attribute === 'body') return scanRoles(owner, b);
  return { inputs: [], outputs: [] };
}

/** The model's own note and ours, both when there are both. */
export function withNote(doc: string | undefined, note: string | undefined): { doc?: string } {
  const text = [note, doc].filter((s) => !!s).join(' — ');
  return text ? { doc: text } : {};
}
