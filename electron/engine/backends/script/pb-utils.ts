/**
 * The `pb_utils` global inside a script model's worker: Triton's Python
 * backend API, in JavaScript. BLS requests leave the worker as messages and
 * come back through the lab's normal inference path.
 */
import { type ErrorCode, errorMessage } from '../../errors';
import type { ApiDType } from '../../tensor/dtype';
import { bf16ToFloat, halfToFloat } from '../../tensor/half';
import { type NumericArray, type TensorData, allocate, bytesFromStrings, elementCount, isApiDType, stringsFromBytes } from '../../tensor/tensor';
import { correlationIdFromWire, type WireSequence, wireFromRequest } from '../sequence-wire';
import type { LogLevel, WireError, WireResult, WireTensor } from './protocol';

const CODES = {
  UNKNOWN: 0,
  INTERNAL: 1,
  NOT_FOUND: 2,
  INVALID_ARG: 3,
  UNAVAILABLE: 4,
  UNSUPPORTED: 5,
  ALREADY_EXISTS: 6,
  CANCELLED: 7,
} as const;

const CODE_NAMES = Object.fromEntries(Object.entries(CODES).map(([k, v]) => [v, k])) as Record<number, ErrorCode>;

/**
 * Triton's Python API reads an error's message with a method (`error.message()`), JavaScript
 * with the property (`${err.message}`, `err.message.includes(…)`): the property is a function
 * returning the text that also behaves as that string (String.prototype methods, `length`,
 * conversion). Only strict equality with a string literal tells it apart.
 */
function callableText(text: string): string {
  const fn = Object.assign(() => text, {
    toString: () => text,
    valueOf: () => text,
    toJSON: () => text,
    [Symbol.toPrimitive]: () => text,
    [Symbol.for('nodejs.util.inspect.custom')]: () => text,
  });
  Object.setPrototypeOf(fn, String.prototype);
  Object.defineProperty(fn, 'length', { value: text.length });
  return fn as unknown as string;
}

export class TritonError extends Error {
  static readonly UNKNOWN = CODES.UNKNOWN;
  static readonly INTERNAL = CODES.INTERNAL;
  static readonly NOT_FOUND = CODES.NOT_FOUND;
  static readonly INVALID_ARG = CODES.INVALID_ARG;
  static readonly UNAVAILABLE = CODES.UNAVAILABLE;
  static readonly UNSUPPORTED = CODES.UNSUPPORTED;
  static readonly ALREADY_EXISTS = CODES.ALREADY_EXISTS;
  static readonly CANCELLED = CODES.CANCELLED;
  private readonly errorCode: number;
  private readonly text: string;

  constructor(message: string, code: number = CODES.INTERNAL) {
    super(message);
    this.text = String(message);
    Object.defineProperty(this, 'message', { value: callableText(this.text), writable: true, configurable: true, enumerable: false });
    this.name = 'TritonError';
    this.errorCode = CODE_NAMES[code] ? code : CODES.INTERNAL;
  }

  code(): number {
    return this.errorCode;
  }

  /** The message as a plain string (also `error.message()` and `${error.message}`). */
  messageText(): string {
    return this.text;
  }

  toWire(): WireError {
    return { code: CODE_NAMES[this.errorCode] ?? 'INTERNAL', message: this.text };
  }

  static fromWire(e: WireError): TritonError {
    const code = (CODES as Record<string, number>)[e.code] ?? CODES.INTERNAL;
    return new TritonError(e.message, code);
  }
}

const ARRAY_DTYPES: [new (n: number) => NumericArray, ApiDType][] = [
  [Float32Array, 'FP32'],
  [Float64Array, 'FP64'],
  [Int8Array, 'INT8'],
  [Uint8Array, 'UINT8'],
  [Int16Array, 'INT16'],
  [Uint16Array, 'UINT16'],
  [Int32Array, 'INT32'],
  [Uint32Array, 'UINT32'],
  [BigInt64Array, 'INT64'],
  [BigUint64Array, 'UINT64'],
];

const COMPATIBLE: Record<string, ApiDType[]> = { UINT8: ['UINT8', 'BOOL'], UINT16: ['UINT16', 'FP16', 'BF16'] };

type Source = NumericArray | Uint8Array[] | string[] | boolean[] | number[] | bigint[];

function toData(name: string, source: Source, dtype: ApiDType | undefined): { dtype: ApiDType; data: TensorData } {
  if (ArrayBuffer.isView(source)) {
    const entry = ARRAY_DTYPES.find(([C]) => source instanceof C);
    if (!entry) throw new TritonError(`tensor '${name}': unsupported array type`, CODES.INVALID_ARG);
    const natural = entry[1];
    if (dtype && dtype !== natural && !(COMPATIBLE[natural] ?? []).includes(dtype)) {
      throw new TritonError(`tensor '${name}': a ${source.constructor.name} cannot hold ${dtype} data`, CODES.INVALID_ARG);
    }
    return { dtype: dtype ?? natural, data: source };
  }
  if (!Array.isArray(source)) throw new TritonError(`tensor '${name}': data must be a typed array or an array`, CODES.INVALID_ARG);
  const first: unknown = source[0];
  if (source.length === 0 && !dtype) throw new TritonError(`tensor '${name}': pass a dtype for an empty array`, CODES.INVALID_ARG);
  if (first instanceof Uint8Array || typeof first === 'string' || dtype === 'BYTES') {
    const items = (source as unknown[]).map((v) => (v instanceof Uint8Array ? v : typeof v === 'string' ? bytesFromStrings([v])[0]! : bytesFromStrings([String(v)])[0]!));
    return { dtype: 'BYTES', data: items };
  }
  if (typeof first === 'boolean' || dtype === 'BOOL') return { dtype: 'BOOL', data: Uint8Array.from(source as unknown[], (v) => (v ? 1 : 0)) };
  if (typeof first === 'bigint') {
    const t = dtype ?? 'INT64';
    const data = allocate(t, source.length) as NumericArray;
    (source as bigint[]).forEach((v, i) => ((data as BigInt64Array)[i] = v));
    return { dtype: t, data };
  }
  if (!dtype) throw new TritonError(`tensor '${name}': pass a dtype with plain number arrays (e.g. 'FP32')`, CODES.INVALID_ARG);
  const data = allocate(dtype, source.length) as NumericArray;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) (source as number[]).forEach((v, i) => (data[i] = BigInt(Math.trunc(v))));
  else (data as Float32Array).set(source as number[]);
  return { dtype, data };
}

export class Tensor {
  readonly name: string;
  readonly dtype: ApiDType;
  readonly shape: number[];
  readonly data: TensorData;

  constructor(name: string, source: Source, shape?: number[], dtype?: ApiDType) {
    if (typeof name !== 'string' || !name) throw new TritonError('a tensor needs a name', CODES.INVALID_ARG);
    if (dtype !== undefined && !isApiDType(dtype)) throw new TritonError(`tensor '${name}': unknown dtype '${String(dtype)}'`, CODES.INVALID_ARG);
    const { dtype: dt, data } = toData(name, source, dtype);
    const s = shape ? [...shape] : [data.length];
    if (s.some((d) => !Number.isInteger(d) || d < 0)) throw new TritonError(`tensor '${name}': invalid shape [${s.join(',')}]`, CODES.INVALID_ARG);
    if (elementCount(s) !== data.length) {
      throw new TritonError(`tensor '${name}': shape [${s.join(',')}] needs ${elementCount(s)} elements, the data has ${data.length}`, CODES.INVALID_ARG);
    }
    this.name = name;
    this.dtype = dt;
    this.shape = s;
    this.data = data;
  }

  static fromWire(t: WireTensor): Tensor {
    return new Tensor(t.name, t.data as Source, t.shape, t.dtype);
  }

  as_numpy(): TensorData {
    return this.data;
  }

  triton_dtype(): ApiDType {
    return this.dtype;
  }

  strings(): string[] {
    if (!Array.isArray(this.data)) throw new TritonError(`tensor '${this.name}' is ${this.dtype}, not BYTES`, CODES.INVALID_ARG);
    return stringsFromBytes(this.data);
  }

  numbers(): number[] {
    const d = this.data;
    if (Array.isArray(d)) throw new TritonError(`tensor '${this.name}' is BYTES; use strings()`, CODES.INVALID_ARG);
    if (this.dtype === 'FP16') return Array.from(d as Uint16Array, halfToFloat);
    if (this.dtype === 'BF16') return Array.from(d as Uint16Array, bf16ToFloat);
    return Array.from(d as ArrayLike<number | bigint>, Number);
  }

  toWire(): WireTensor {
    return { name: this.name, dtype: this.dtype, shape: this.shape, data: this.data };
  }
}

type ParameterValue = string | number | boolean;
type ScriptParameters = Record<string, ParameterValue>;

/** A value's type in the words of Triton's Python API (its messages name Python's classes). */
function pythonType(v: unknown): string {
  if (v === null || v === undefined) return "<class 'NoneType'>";
  if (Array.isArray(v)) return "<class 'list'>";
  if (typeof v === 'number') return Number.isInteger(v) ? "<class 'int'>" : "<class 'float'>";
  const names: Record<string, string> = { string: 'str', boolean: 'bool', bigint: 'int', object: 'dict', function: 'function', symbol: 'symbol' };
  return `<class '${names[typeof v] ?? typeof v}'>`;
}

/**
 * Request or response parameters checked as Triton's PyParametersToJSON checks them (its wording):
 * an object (absent: none) of bool, integer or string values. A bigint must fit a double exactly.
 */
function checkParameters(parameters: unknown): ScriptParameters {
  if (parameters === undefined || parameters === null) return {};
  if (typeof parameters !== 'object' || Array.isArray(parameters) || ArrayBuffer.isView(parameters)) throw new TritonError(`Expect dict, got ${pythonType(parameters)}`);
  // Built with fromEntries: a key such as "__proto__" (a client's, from JSON) stays a parameter.
  return Object.fromEntries(
    Object.entries(parameters as Record<string, unknown>).map(([key, value]): [string, ParameterValue] => {
      if (typeof value === 'bigint' && Number.isSafeInteger(Number(value))) return [key, Number(value)];
      if (typeof value === 'boolean' || typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value))) return [key, value];
      throw new TritonError(`Expect parameters values to have type bool/int/str, found type ${pythonType(value)}`);
    }),
  );
}

/**
 * A request's parameters as the model reads them: `request.parameters()` gives the JSON text, as
 * Triton's InferenceRequest.parameters() does, and `request.parameters.key` the value itself.
 */
function parametersAccessor(parameters: ScriptParameters): (() => string) & Readonly<ScriptParameters> {
  const text = JSON.stringify(parameters);
  const fn = () => text;
  for (const [key, value] of Object.entries(parameters)) Object.defineProperty(fn, key, { value, enumerable: true });
  return fn as (() => string) & Readonly<ScriptParameters>;
}

export class InferenceResponse {
  private readonly tensors: Tensor[];
  private readonly err: TritonError | null;
  private readonly params: ScriptParameters;

  constructor(opts: { output_tensors?: Tensor[]; error?: TritonError | string; parameters?: ScriptParameters } = {}) {
    this.tensors = opts.output_tensors ?? [];
    if (!Array.isArray(this.tensors) || this.tensors.some((t) => !(t instanceof Tensor))) {
      throw new TritonError('output_tensors must be an array of pb_utils.Tensor', CODES.INVALID_ARG);
    }
    this.err = typeof opts.error === 'string' ? new TritonError(opts.error) : (opts.error ?? null);
    this.params = checkParameters(opts.parameters);
  }

  /** The response parameters as JSON text (Triton's InferenceResponse.parameters()). */
  parameters(): string {
    return JSON.stringify(this.params);
  }

  output_tensors(): Tensor[] {
    return this.tensors;
  }

  has_error(): boolean {
    return this.err !== null;
  }

  error(): TritonError | null {
    return this.err;
  }

  /** Outputs nobody asked for are dropped, as Triton's stub prunes them. */
  toWire(requested?: string[]): WireResult {
    if (this.err) return { error: this.err.toWire() };
    const keep = requested ? this.tensors.filter((t) => requested.includes(t.name)) : this.tensors;
    return Object.keys(this.params).length > 0 ? { outputs: keep.map((t) => t.toWire()), parameters: this.params } : { outputs: keep.map((t) => t.toWire()) };
  }
}

export class ScriptRequest {
  /** `parameters()`: the request's parameters as JSON text (as Triton's); `parameters.key`: one value. */
  readonly parameters: (() => string) & Readonly<ScriptParameters>;

  constructor(
    readonly request_id: string,
    readonly model_name: string,
    private readonly tensors: Tensor[],
    private readonly requested: string[],
    parameters: ScriptParameters,
    private readonly cancelled: () => boolean = () => false,
    private readonly sequence: WireSequence = {},
  ) {
    this.parameters = parametersAccessor(parameters);
  }

  /** The request's correlation id, as Python's correlation_id(): a uint64 as a bigint (0n when none), or the string id. */
  correlation_id(): bigint | string {
    return correlationIdFromWire(this.sequence);
  }

  /** The request's sequence flags, as Python's flags(): START 1, END 2. */
  flags(): number {
    return this.sequence.flags ?? 0;
  }

  /** Whether the caller cancelled this request (a gRPC cancel, a closed connection, the lab's Cancel), as Python's is_cancelled(). */
  is_cancelled(): boolean {
    return this.cancelled();
  }

  inputs(): Tensor[] {
    return this.tensors;
  }

  requested_output_names(): string[] {
    return this.requested;
  }
}

export interface BlsTransport {
  call(
    req: { model: string; version: number; requestId: string; inputs: WireTensor[]; requested: string[]; parameters: Record<string, string | number | boolean> } & WireSequence,
  ): Promise<WireResult>;
  log(level: LogLevel, message: string): void;
}

export function createPbUtils(transport: BlsTransport) {
  class InferenceRequest {
    readonly _opts: {
      model_name: string;
      inputs: Tensor[];
      requested_output_names?: string[];
      model_version?: number;
      request_id?: string;
      parameters?: Record<string, string | number | boolean>;
      /** The sequence this BLS request belongs to (Python's correlation_id / flags arguments). */
      correlation_id?: bigint | number | string;
      flags?: number;
    };
    readonly _sequence: WireSequence;

    constructor(opts: InferenceRequest['_opts']) {
      if (!opts || typeof opts.model_name !== 'string' || !opts.model_name) throw new TritonError("InferenceRequest needs a 'model_name'", CODES.INVALID_ARG);
      if (!Array.isArray(opts.inputs) || opts.inputs.some((t) => !(t instanceof Tensor))) {
        throw new TritonError("InferenceRequest 'inputs' must be an array of pb_utils.Tensor", CODES.INVALID_ARG);
      }
      this._opts = { ...opts, parameters: checkParameters(opts.parameters) };
      try {
        this._sequence = wireFromRequest(opts.correlation_id, opts.flags);
      } catch (err) {
        throw new TritonError(errorMessage(err), CODES.INVALID_ARG);
      }
    }

    correlation_id(): bigint | string {
      return correlationIdFromWire(this._sequence);
    }

    flags(): number {
      return this._sequence.flags ?? 0;
    }

    /** The request's parameters as JSON text (Triton's InferenceRequest.parameters()). */
    parameters(): string {
      return JSON.stringify(this._opts.parameters ?? {});
    }

    async exec(): Promise<InferenceResponse> {
      try {
        const result = await transport.call({
          model: this._opts.model_name,
          version: this._opts.model_version ?? -1,
          requestId: this._opts.request_id ?? '',
          inputs: this._opts.inputs.map((t) => t.toWire()),
          requested: this._opts.requested_output_names ?? [],
          parameters: this._opts.parameters ?? {},
          ...this._sequence,
        });
        if ('error' in result) return new InferenceResponse({ error: TritonError.fromWire(result.error) });
        return new InferenceResponse({ output_tensors: result.outputs.map((t) => Tensor.fromWire(t)), ...(result.parameters ? { parameters: result.parameters } : {}) });
      } catch (err) {
        return new InferenceResponse({ error: new TritonError(errorMessage(err)) });
      }
    }

    async_exec(): Promise<InferenceResponse> {
      return this.exec();
    }

    execAsync(): Promise<InferenceResponse> {
      return this.exec();
    }
  }

  return {
    Tensor,
    InferenceResponse,
    InferenceRequest,
    TritonError,
    get_input_tensor_by_name(request: ScriptRequest, name: string): Tensor | null {
      return request.inputs().find((t) => t.name === name) ?? null;
    },
    get_output_tensor_by_name(response: InferenceResponse, name: string): Tensor | null {
      return response.output_tensors().find((t) => t.name === name) ?? null;
    },
    Logger: {
      log_info: (m: string) => transport.log('info', String(m)),
      log_warn: (m: string) => transport.log('warn', String(m)),
      log_error: (m: string) => transport.log('error', String(m)),
      log_verbose: (m: string) => transport.log('verbose', String(m)),
    },
  };
}

export type PbUtilsApi = ReturnType<typeof createPbUtils>;
