/** `model-lab inspect` as text: a header, the graph's inputs and outputs, every node by role, then every value in a table. */
import type { GraphDim } from '../contract/inspect-api';
import type { InspectGraph, InspectNode, InspectReport, InspectTensor, InspectValueRef } from './inspect-report';

/** `[1, 3, h, w]`; `?` for an unknown dim; `?` alone when even the rank is unknown; `[]` for a scalar. */
export function dimsText(dims: GraphDim[] | null): string {
  if (dims === null) return '?';
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

function typeText(dtype: string | null, dims: GraphDim[] | null): string {
  if (dtype === null && dims === null) return '?';
  return `${dtype ?? '?'} ${dimsText(dims)}`;
}

function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 2 ** 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 2 ** 30) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${(n / 2 ** 30).toFixed(2)} GiB`;
}

function refRows(label: string, refs: InspectValueRef[]): string[] {
  const roleW = Math.max(0, ...refs.map((r) => r.role.length));
  const nameW = Math.max(0, ...refs.map((r) => (r.name || '(omitted)').length));
  return refs.map((r, i) => {
    const name = r.name || '(omitted)';
    const type = r.name ? typeText(r.dtype, r.dims) : '';
    return `      ${(i === 0 ? label : '').padEnd(4)} ${r.role.padEnd(roleW)}  ${name.padEnd(nameW)}  ${type}`.trimEnd();
  });
}

function nodeLines(n: InspectNode): string[] {
  const op = n.domain ? `${n.domain}.${n.opType}` : n.opType;
  const lines = [`  [${n.index}] ${op}  ${n.name}`, ...refRows('in', n.inputs), ...refRows('out', n.outputs)];
  if (n.attributes.length) lines.push(`      attr ${n.attributes.map((a) => `${a.name}=${a.value}`).join('  ')}`);
  return lines;
}

function tensorExtra(t: InspectTensor): string {
  const parts: string[] = [];
  if (t.value !== undefined) parts.push(`= ${t.value}`);
  if (t.bytes !== undefined) parts.push(bytesText(t.bytes));
  if (t.external) parts.push(`in ${t.external}`);
  if (t.stored) parts.push(`(stored as ${t.stored})`);
  if (t.typeFrom === 'inferred') parts.push('(inferred)');
  return parts.join('  ');
}

function tensorLines(tensors: InspectTensor[]): string[] {
  const rows = tensors.map((t) => [t.kind, t.name, t.dtype ?? '?', dimsText(t.dims), tensorExtra(t)]);
  const head = ['KIND', 'NAME', 'DTYPE', 'DIMS', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => `  ${r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ')}`.trimEnd());
}

function graphLines(g: InspectGraph, title: string): string[] {
  return ['', `${title}: ${g.nodes.length} node${g.nodes.length === 1 ? '' : 's'}`, ...g.nodes.flatMap(nodeLines), '', `${title}: ${g.tensors.length} values`, ...tensorLines(g.tensors)];
}

function headerLines(r: InspectReport): string[] {
  const src = r.source.model ? `${r.source.model}${r.source.version !== undefined ? ` version ${r.source.version}` : ''} (${r.source.file})` : r.source.file;
  const m = r.model;
  const opsets = m.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ');
  const facts = [m.format, [m.producer, m.producerVersion].filter(Boolean).join(' ') || 'unknown producer', `opset ${opsets || '?'}`, bytesText(m.fileBytes)];
  const counts = `${r.counts.nodes} nodes · ${r.counts.initializers} initializers · ${r.counts.constants} constants · ${r.counts.typed} of ${r.counts.tensors} values with dims${r.counts.subgraphs ? ` · ${r.counts.subgraphs} subgraphs` : ''}`;
  const si = r.shapeInference;
  const timing = `parsed in ${m.parseMs} ms${si ? ` · shape inference ${si.ms} ms (${si.typed} typed, ${si.untyped} not${si.unknownOps.length ? `; no rule for ${si.unknownOps.join(', ')}` : ''})` : ''}`;
  const io = (label: string, refs: InspectValueRef[]): string[] => [label, ...refs.map((v) => `  ${v.name}  ${typeText(v.dtype, v.dims)}`)];
  return [src, facts.join(' · '), counts, timing, '', ...io('INPUTS', r.inputs), ...io('OUTPUTS', r.outputs)];
}

export function inspectText(r: InspectReport): string[] {
  const lines = [...headerLines(r), ...graphLines(r.graph, 'GRAPH')];
  for (const g of r.subgraphs) {
    const owner = g.parent < 0 ? `main graph node [${g.node}]` : `subgraph #${g.parent} node [${g.node}]`;
    lines.push('', `SUBGRAPH #${g.id} '${g.name}' (${owner}, ${g.attribute})${g.outerInputs.length ? `; from outer scope: ${g.outerInputs.join(', ')}` : ''}`);
    lines.push(...graphLines(g, `SUBGRAPH #${g.id}`));
  }
  return lines;
}
