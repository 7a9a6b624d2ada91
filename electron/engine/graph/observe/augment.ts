/**
 * "Run to see" asks ONNX Runtime for every intermediate value. ORT returns
 * only graph outputs, but it accepts graph outputs that carry just a name
 * (it infers their types), so the model is decoded with onnx-buf, each node
 * output that is not already a graph output is appended as a name-only
 * output, and the model is serialized again in memory. The file itself is
 * never written.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, ValueInfoProtoSchema } from 'onnx-buf';
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

export function observableModel(file: Uint8Array, what: string): ObservableModel {
  let model;
  try {
    model = fromBinary(ModelProtoSchema, file, { readUnknownFields: true });
  } catch (err) {
    throw new LabError('INVALID_ARG', `${what} is not a readable ONNX model (damaged or truncated?): ${errorMessage(err)}`, { cause: err });
  }
  const graph = model.graph;
  if (!graph) throw new LabError('INVALID_ARG', `${what} has no graph to run`);
  const fetch = graph.output.map((o) => o.name).filter((n) => n !== '');
  const seen = new Set(fetch);
  // Graph inputs and initializers are known already; only values computed by nodes are asked for.
  for (const v of graph.input) seen.add(v.name);
  for (const t of graph.initializer) seen.add(t.name);
  let added = 0;
  for (const node of graph.node) {
    for (const out of node.output) {
      if (out === '' || seen.has(out)) continue;
      if (fetch.length >= MAX_OBSERVED_VALUES) throw new LabError('UNSUPPORTED', `${what} has more than ${MAX_OBSERVED_VALUES} values; "Run to see" observes models up to that size`);
      seen.add(out);
      fetch.push(out);
      graph.output.push(create(ValueInfoProtoSchema, { name: out }));
      added++;
    }
  }
  return { bytes: toBinary(ModelProtoSchema, model), fetch, added };
}
