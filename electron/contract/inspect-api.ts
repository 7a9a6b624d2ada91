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

/** A value's type as static shape inference derives it (see GraphSummary.inferred). */
export interface InferredValueType extends GraphValueType {
  /** The values themselves, when inference could compute them (small INT64 shape tensors: `[1, 3, 'h', 'w']`). */
  values?: GraphDim[];
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
  /** For GRAPH/GRAPHS attributes: the bodies, as indices into GraphSummary.subgraphs. */
  subgraphs?: number[];
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
  /**
   * For If/Loop/Scan: values of this node's graph (or graphs enclosing it) that its
   * bodies read (their GraphBody.outerInputs, together), so the view can draw them
   * as edges into the node; absent when none. Not among `inputs` (which keep the
   * operator's own roles).
   */
  implicitInputs?: string[];
}

export interface GraphInitializer extends GraphValueType {
  name: string;
  /** Size of its data in bytes (as stored). */
  bytes: number;
  /** Element count. */
  elements: number;
  /** Where the values live when the model keeps them outside the .onnx file. */
  external?: { location: string; offset: number; length: number };
  /** Small numeric tensors (at most 16 elements): the values as display text, `3` or `[0, -1, 512]`. */
  preview?: string;
  /**
   * For an initializer of a subgraph body: the name the body's nodes use. `name`
   * is then unique across the model (`If_3/then_branch/w`), since names repeat
   * across scopes; GraphBody.initializers lists the body's entries.
   */
  localName?: string;
}

/**
 * The body of an If/Loop/Scan attribute, opened like the main graph. Node
 * indices are the body's own; initializers point into GraphSummary.initializers.
 */
export interface GraphBody {
  /** Index in GraphSummary.subgraphs. */
  id: number;
  /** The graph that owns it: -1 for the main graph, else a GraphBody id. */
  parent: number;
  /** Index of the owning node in its parent's node list, and the attribute ("then_branch", "body"). */
  node: number;
  attribute: string;
  /** For GRAPHS attributes: which of them. */
  position?: number;
  name: string;
  inputs: GraphIo[];
  outputs: GraphIo[];
  nodes: GraphNode[];
  /** Indices into GraphSummary.initializers of the body's own initializers. */
  initializers: number[];
  /** value_info inside the body. */
  valueTypes: Record<string, GraphValueType>;
  /** Values the body reads from enclosing graphs (implicit inputs), shown as its inputs. */
  outerInputs: string[];
  /** Inferred types inside the body (see GraphSummary.inferred). */
  inferred?: Record<string, InferredValueType>;
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
  /** Descriptions of the operators this graph uses (its subgraphs' included), at the model's opset. */
  ops: OpDoc[];
  /** How long parsing took, in ms. */
  parseMs: number;
  /** If/Loop/Scan bodies, nested ones included (GraphAttribute.subgraphs points here). */
  subgraphs?: GraphBody[];
  /**
   * Types of values (intermediates, and graph outputs the model leaves open)
   * derived by static shape inference; declared types (value_info, I/O) stay
   * in their own fields and win where both exist.
   */
  inferred?: Record<string, InferredValueType>;
  /**
   * Big graphs arrive before their analysis (constant previews, inferred
   * types), so the first paint does not wait for it: `graphAnalysis` brings
   * it, and the view merges it in (`GraphAnalysis`).
   */
  analysisPending?: boolean;
  /** What shape inference did: its time, how many values it typed, and the operators it had no rule for. */
  /** `skipped`: why inference did not run, or stopped early (time budget, graph size); what it did type is kept. */
  shapeInference?: { ms: number; typed: number; untyped: number; unknownOps: string[]; skipped?: string };
}

/** A big graph's analysis, sent after its summary (see GraphSummary.analysisPending). */
export interface GraphAnalysis {
  graphId: string;
  inferred?: GraphSummary['inferred'];
  shapeInference?: GraphSummary['shapeInference'];
  /** GraphInitializer.preview by index into GraphSummary.initializers. */
  previews: Record<number, string>;
  /** GraphBody.inferred by body id. */
  bodies: Record<number, Record<string, InferredValueType>>;
}

/** One input or output of an operator by its role in the ONNX specification. */
export interface OpParam {
  name: string;
  /** 'optional': may be left out (''); 'variadic': this and every later value share the role. */
  option?: 'optional' | 'variadic';
}

/** An attribute the operator accepts, with its default when the specification gives one. */
export interface OpAttributeSpec {
  name: string;
  /** ONNX attribute type: INT, FLOAT, STRING, INTS, FLOATS, STRINGS, TENSOR, GRAPH, ... */
  type: string;
  required?: boolean;
  /** The default as display text (formatted as GraphAttribute.value is), when there is one. */
  default?: string;
}

/** A short description of an ONNX operator, written for this lab. */
export interface OpDoc {
  opType: string;
  summary: string;
  /** Category for colouring node boxes, as Netron groups them. */
  category: 'layer' | 'activation' | 'pool' | 'normalization' | 'shape' | 'tensor' | 'logic' | 'data' | 'control' | 'quantization' | 'other';
  /** '' for the default domain. */
  domain?: string;
  /** The operator set version that introduced the schema used (the newest at or below the model's opset). */
  sinceVersion?: number;
  /** Roles of inputs, outputs and the attributes; absent when the lab has no schema for the operator. */
  inputs?: OpParam[];
  outputs?: OpParam[];
  attributes?: OpAttributeSpec[];
}

// ---------------------------------------------------------------------------
// "Run to see": the model run once with every intermediate value as an output.

export interface GraphObserveRequest {
  graphId: string;
  /** The input to run on, as the playground would send it (addBatchDim as runModel: true unless false); absent: generated from the config's dims. */
  run?: Pick<RunRequest, 'inputs' | 'addBatchDim'>;
  /** Names this observation so cancelRun can stop it (as a playground run's runId); a fresh one when absent. */
  runId?: string;
  /** Keep at most this many bytes of tensors for viewing (default 256 MiB); beyond it only shape and statistics. */
  budgetBytes?: number;
  /** A subgraph to observe (GraphBody id), when the runtime allows. */
  subgraph?: number;
}

export interface ObservedValue {
  name: string;
  dtype: string;
  dims: number[];
  stats?: TensorInfo['stats'];
  /** Whether the values were kept: viewable with TensorRef { runId: observation runId, side: 'edge', name }. */
  kept: boolean;
}

export interface GraphObservation {
  /** For TensorRef (side 'edge') and for replacing an older observation. */
  runId: string;
  graphId: string;
  /** Which input produced what is shown: "the playground's input (image.jpg, 1×3×640×640)" or "generated input: zeros, 1×3×640×640". */
  inputNote: string;
  inputs: TensorInfo[];
  values: Record<string, ObservedValue>;
  ms: number;
  keptBytes: number;
  /** Values whose tensors were dropped to keep within the budget. */
  dropped: number;
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
