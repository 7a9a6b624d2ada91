/**
 * "Run to see" asks ONNX Runtime for every intermediate value. ORT returns
 * only graph outputs, but it accepts graph outputs that carry just a name
 * (it infers their types), so each node output that is not already a graph
 * output is added as a name-only `ValueInfoProto` (built with onnx-buf).
 *
 * The model is not decoded for this: protobuf concatenates repeated fields
 * wherever they appear, so the new outputs are appended to the end of the
 * graph message and the graph field is written again, with its new length,
 * after the model's other fields. Weights are copied once, never parsed, so
 * a 2 GiB model costs one copy instead of a decode and an encode. The file
 * itself is never written.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { ValueInfoProtoSchema } from 'onnx-buf';
import type { GraphSummary } from '../../../contract/inspect-api';
import { LabError, errorMessage } from '../../errors';

export interface ObservableModel {
  /** The model with every intermediate value as a graph output. */
  bytes: Uint8Array;
  /** Every value to fetch, in graph order: the declared outputs first, then node outputs as nodes produce them. */
  fetch: string[];
  /** How many outputs were added. */
  added: number;
}

/** Most values one observation asks for (a crafted model with millions of outputs is refused, not run). */
export const MAX_OBSERVED_VALUES = 200_000;

/** ModelProto.graph and GraphProto.output field numbers (onnx.proto). */
const MODEL_GRAPH = 7;
const GRAPH_OUTPUT = 12;

/** The values to fetch: declared outputs, then each node output that is not an input, initializer or output. */
export function valuesToFetch(summary: Pick<GraphSummary, 'inputs' | 'outputs' | 'initializers' | 'nodes'>, what: string): { fetch: string[]; added: string[] } {
  const fetch = summary.outputs.map((o) => o.name).filter((n) => n !== '');
  const seen = new Set([...fetch, ...summary.inputs.map((i) => i.name), ...summary.initializers.map((t) => t.name)]);
  const added: string[] = [];
  for (const node of summary.nodes) {
    for (const out of node.outputs) {
      if (out === '' || seen.has(out)) continue;
      if (fetch.length >= MAX_OBSERVED_VALUES) throw new LabError('UNSUPPORTED', `${what} has more than ${MAX_OBSERVED_VALUES} values; "Run to see" observes models up to that size`);
      seen.add(out);
      fetch.push(out);
      added.push(out);
    }
  }
  return { fetch, added };
}

/** Where the (last) graph field of a ModelProto is: its tag's offset, and its payload. */
function findGraph(file: Uint8Array): { tagAt: number; start: number; end: number } {
  const r = new BinaryReader(file);
  let graph: { tagAt: number; start: number; end: number } | undefined;
  while (r.pos < r.len) {
    const tagAt = r.pos;
    const [no, wire] = r.tag();
    if (no === MODEL_GRAPH && wire === WireType.LengthDelimited) {
      const length = r.uint32();
      if (r.pos + length > r.len) throw new Error(`the graph needs ${length} bytes but the file ends first`);
      graph = { tagAt, start: r.pos, end: r.pos + length };
      r.pos += length;
    } else r.skip(wire, no);
  }
  if (!graph) throw new Error('it has no graph');
  return graph;
}

export function observableModel(file: Uint8Array, summary: Pick<GraphSummary, 'inputs' | 'outputs' | 'initializers' | 'nodes'>, what: string): ObservableModel {
  const { fetch, added } = valuesToFetch(summary, what);
  let graph;
  try {
    graph = findGraph(file);
  } catch (err) {
    throw new LabError('INVALID_ARG', `${what} is not a readable ONNX model (damaged or truncated?): ${errorMessage(err)}`, { cause: err });
  }
  const extra = new BinaryWriter();
  for (const name of added) extra.tag(GRAPH_OUTPUT, WireType.LengthDelimited).bytes(toBinary(ValueInfoProtoSchema, create(ValueInfoProtoSchema, { name })));
  const tail = extra.finish();
  const head = new BinaryWriter()
    .tag(MODEL_GRAPH, WireType.LengthDelimited)
    .uint32(graph.end - graph.start + tail.length)
    .finish();
  const parts = [file.subarray(0, graph.tagAt), file.subarray(graph.end), head, file.subarray(graph.start, graph.end), tail];
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, fetch, added: added.length };
}
