/**
 * The "see inside" part of the lab API: ONNX graph summaries, "use in
 * config", ensemble step-through and run traces. Types only.
 */
import type { RunRequest, RunResult, RunStep, TensorInfo } from './lab-api';

/** A dimension as the model declares it: a size, a symbolic name (dim_param), or null when left open. */
export type GraphDim = number | string | null;

/** The type of a value (graph input/output, node input/output, value_info). */
export interface GraphValueType {
  /** Triton's wire spelling (FP32, INT64, BYTES, ...) when it maps, else ONNX's name (e.g. 'COMPLEX64'), or 'sequence', 'map', ... */
  dtype: string;
  /** Absent when the rank is unknown. */
  dims?: GraphDim[];
}

export interface GraphIo extends GraphValueType {
  name: string;
  doc?: string;
}

export interface GraphAttribute {
  name: string;
  /** ONNX attribute type: INT, FLOAT, STRING, INTS, FLOATS, STRINGS, TENSOR, GRAPH, ... */
  type: string;
  /** Short display text (long lists cut with …). */
  value: string;
  /** For TENSOR attributes: an initializer-like entry that can be viewed (index into GraphSummary.initializers). */
  tensor?: number;
  /** For GRAPH attributes (If/Loop/Scan bodies): node count of the subgraph. */
  subgraphNodes?: number;
}

export interface GraphNode {
  /** ONNX node name; when the model leaves it empty the summary makes one up (`<op_type>_<index>`) and sets `unnamed`. */
  name: string;
  unnamed?: boolean;
  opType: string;
  /** Empty for the default ai.onnx domain. */
  domain: string;
  /** Value names, in order; '' for an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attributes: GraphAttribute[];
  doc?: string;
}

export interface GraphInitializer extends GraphValueType {
  name: string;
  /** Size of its data in bytes (as stored). */
  bytes: number;
  /** Element count. */
  elements: number;
  /** Where the values live when the model keeps them outside the .onnx file. */
  external?: { location: string; offset: number; length: number };
}

export interface GraphSummary {
  /** Handle for tensor references (TensorRef.runId with side 'initializer'); valid while the repository is open. */
  graphId: string;
  repoId: string;
  model: string;
  version: number;
  /** Path of the model file, relative to the repository root. */
  file: string;
  fileBytes: number;
  /** e.g. "ONNX v8". */
  format: string;
  irVersion: number;
  producer: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  doc: string;
  graphName: string;
  opsets: { domain: string; version: number }[];
  metadata: { key: string; value: string }[];
  /** Graph inputs that are not initializers. */
  inputs: GraphIo[];
  outputs: GraphIo[];
  nodes: GraphNode[];
  initializers: GraphInitializer[];
  /** Known types of intermediate values (value_info), by value name. */
  valueTypes: Record<string, GraphValueType>;
  /** Descriptions of the operators this graph uses. */
  ops: OpDoc[];
  /** How long parsing took, in ms. */
  parseMs: number;
}

/** A short description of an ONNX operator, written for this lab. */
export interface OpDoc {
  opType: string;
  summary: string;
  /** Category for colouring node boxes, as Netron groups them. */
  category: 'layer' | 'activation' | 'pool' | 'normalization' | 'shape' | 'tensor' | 'logic' | 'data' | 'control' | 'quantization' | 'other';
}

/** Where a model's declared inputs/outputs and its config disagree. */
export interface ConfigMismatch {
  side: 'input' | 'output';
  name: string;
  kind: 'missing-in-config' | 'missing-in-model' | 'dtype' | 'dims';
  model?: string;
  config?: string;
  message: string;
}

export interface ConfigFromModel {
  /** `max_batch_size`, `input [...]` and `output [...]` as config.pbtxt text. */
  text: string;
  maxBatchSize: number;
  /** Why that max_batch_size (e.g. "every input and output has a variable first dimension"). */
  batchingNote: string;
  mismatches: ConfigMismatch[];
}

// ---------------------------------------------------------------------------
// Ensemble step-through.

export interface StepRunRequest extends RunRequest {
  /** Steps (by index) to pause before when continuing; Step always pauses at the next one. */
  breakpoints?: number[];
}

export type StepAction = 'step' | 'continue' | 'run-to-end' | 'stop';

/** A tensor flowing through the ensemble (an edge of its DAG), once it exists. */
export interface StepEdge {
  /** Ensemble tensor name (from input_map/output_map). */
  name: string;
  /** Step index that produced it; absent for the ensemble's own inputs. */
  producer?: number;
  info: TensorInfo;
}

export interface StepRunState {
  runId: string;
  state: 'paused' | 'running' | 'finished' | 'error' | 'stopped';
  /** The step the run waits before, with its inputs (member-model input names) mapped to edges. */
  paused?: { step: number; model: string; inputs: { name: string; edge: string; info: TensorInfo }[] };
  /** Steps that have finished, in finishing order. */
  done: number[];
  /** Steps pruned because nothing requested needs them. */
  skipped: number[];
  edges: StepEdge[];
  breakpoints: number[];
  /** The trace so far: the ensemble request, its steps and their BLS calls (parentId), tensors viewable by spanId. */
  spans?: RunStep[];
  /** Each span's own tensors by span id (RunStep.id), viewable with TensorRef.spanId. */
  spanTensors?: Record<number, { inputs: TensorInfo[]; outputs: TensorInfo[] }>;
  error?: string;
  /** Once finished, stopped or failed: the run as the playground history keeps it (steps, outputs). */
  result?: RunResult;
}

/** A run's trace in Triton's trace-file JSON shape (an array of trace objects), ready to save. */
export interface ExportedTrace {
  fileName: string;
  json: string;
}
