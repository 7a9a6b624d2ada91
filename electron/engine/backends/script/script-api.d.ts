/**
 * The API a script model (`<version>/model.js`, `model.mjs` or `model.ts`)
 * sees. It mirrors Triton's Python backend (`triton_python_backend_utils`,
 * imported there as `pb_utils`) so a model.py ports line by line, plus `lab`,
 * a small standard library so scripts need no node_modules.
 *
 *   export default class TritonPythonModel {
 *     async initialize(args) { this.config = JSON.parse(args.model_config); }
 *     async execute(requests) {
 *       return requests.map((request) => {
 *         const x = pb_utils.get_input_tensor_by_name(request, 'INPUT0');
 *         return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUTPUT0', x.data, x.shape)] });
 *       });
 *     }
 *     finalize() {}
 *   }
 *
 * Both globals are available at module load time. `execute` may be async and
 * must return exactly one response per request.
 */

type ApiDType = 'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64' | 'INT8' | 'INT16' | 'INT32' | 'INT64' | 'FP16' | 'FP32' | 'FP64' | 'BYTES' | 'BF16';

type NumericArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | BigUint64Array | BigInt64Array | Float32Array | Float64Array;

/** What a Tensor can be made from: a typed array, byte strings, text, booleans, bigints, or plain numbers (pass a dtype for those). */
type TensorSource = NumericArray | Uint8Array[] | string[] | boolean[] | number[] | bigint[];

interface ScriptTensor {
  readonly name: string;
  readonly dtype: ApiDType;
  readonly shape: number[];
  /** Row-major data: a typed array, or one Uint8Array per element for BYTES; FP16/BF16 as raw Uint16 patterns. */
  readonly data: NumericArray | Uint8Array[];
  /** Same as `data` (Triton's name). */
  as_numpy(): NumericArray | Uint8Array[];
  /** BYTES elements decoded as UTF-8. */
  strings(): string[];
  /** Element values as JS numbers (FP16/BF16 decoded, 64-bit ints as numbers). */
  numbers(): number[];
  triton_dtype(): ApiDType;
}

/** Request or response parameters: bool, integer or string values (Triton's InferParameter kinds). */
type Parameters = Record<string, string | number | boolean>;

interface ScriptRequest {
  readonly request_id: string;
  readonly model_name: string;
  /** `request.parameters()`: the parameters the client sent, as JSON text (as Triton's); `request.parameters.key`: one value. */
  readonly parameters: (() => string) & Readonly<Parameters>;
  /** Whether the caller cancelled this request (a gRPC cancel, a closed connection, the lab's Cancel); readable while execute() runs. */
  is_cancelled(): boolean;
  /** The correlation id (sequence_batching models, and any request sent with one): a uint64 as a bigint (0n when none), or the string id. */
  correlation_id(): bigint | string;
  /** The sequence flags: START 1, END 2. */
  flags(): number;
  inputs(): ScriptTensor[];
  requested_output_names(): string[];
}

interface TritonErrorClass {
  new (message: string, code?: number): TritonErrorInstance;
  readonly UNKNOWN: number;
  readonly INTERNAL: number;
  readonly NOT_FOUND: number;
  readonly INVALID_ARG: number;
  readonly UNAVAILABLE: number;
  readonly UNSUPPORTED: number;
  readonly ALREADY_EXISTS: number;
  readonly CANCELLED: number;
}

interface TritonErrorInstance extends Error {
  code(): number;
  message(): string;
}

interface ScriptResponse {
  output_tensors(): ScriptTensor[];
  has_error(): boolean;
  error(): TritonErrorInstance | null;
  /** The response parameters as JSON text ('{}' when none), as Triton's InferenceResponse.parameters(). */
  parameters(): string;
}

interface BlsRequest {
  /** The request's parameters as JSON text. */
  parameters(): string;
  /** The correlation id and flags it was made with (0n and 0 when none). */
  correlation_id(): bigint | string;
  flags(): number;
  /** Runs the request through the lab's normal inference path (validation, batching, traces). Errors come back in the response. */
  exec(): Promise<ScriptResponse>;
  /** Same as exec(); the name Triton uses for the awaitable form. */
  async_exec(): Promise<ScriptResponse>;
  execAsync(): Promise<ScriptResponse>;
}

interface PbUtils {
  Tensor: new (name: string, data: TensorSource, shape?: number[], dtype?: ApiDType) => ScriptTensor;
  /**
   * `parameters`: response parameters for the caller (HTTP `parameters`, gRPC ModelInferResponse.parameters,
   * a BLS caller's `parameters()`); values must be bool, integer or string, or it throws with Triton's wording
   * (`Expect parameters values to have type bool/int/str, found type <class 'float'>`).
   */
  InferenceResponse: new (opts?: { output_tensors?: ScriptTensor[]; error?: TritonErrorInstance | string; parameters?: Parameters }) => ScriptResponse;
  InferenceRequest: new (opts: {
    model_name: string;
    inputs: ScriptTensor[];
    requested_output_names?: string[];
    model_version?: number;
    request_id?: string;
    parameters?: Parameters;
    correlation_id?: bigint | number | string;
    flags?: number;
  }) => BlsRequest;
  TritonError: TritonErrorClass;
  get_input_tensor_by_name(request: ScriptRequest, name: string): ScriptTensor | null;
  get_output_tensor_by_name(response: ScriptResponse, name: string): ScriptTensor | null;
  Logger: {
    log_info(message: string): void;
    log_warn(message: string): void;
    log_error(message: string): void;
    log_verbose(message: string): void;
  };
}

/** An image in memory: interleaved (HWC) 8-bit pixels. */
interface LabImage {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

/** A rotated rectangle: centre, size and angle in degrees (counter-clockwise, image y pointing down). */
interface RotatedRect {
  cx: number;
  cy: number;
  width: number;
  height: number;
  angle: number;
}

interface Point {
  x: number;
  y: number;
}

interface LabStdlib {
  image: {
    /**
     * Decodes PNG, JPEG, WebP, GIF, TIFF, AVIF or SVG bytes (EXIF orientation applied). Without
     * `channels` the stored gray, RGB or RGBA is kept; dropping alpha composites onto white.
     * Bytes that are not an image throw `lab.image.decode: …`.
     */
    decode(bytes: Uint8Array, opts?: { channels?: 1 | 3 | 4 }): Promise<LabImage>;
    encode(img: LabImage, format?: 'png' | 'jpeg' | 'webp', opts?: { quality?: number }): Promise<Uint8Array>;
    resize(img: LabImage, width: number, height: number, opts?: { fit?: 'fill' | 'contain' | 'cover'; background?: number[] }): Promise<LabImage>;
    /** Clipped to the image. */
    crop(img: LabImage, x: number, y: number, width: number, height: number): LabImage;
    /** Rotates counter-clockwise (as RotatedRect angles; sharp itself turns clockwise) by any angle; the canvas grows, filled with `background`. */
    rotate(img: LabImage, degrees: number, opts?: { background?: number[] }): Promise<LabImage>;
    /**
     * Samples a rotated rectangle (or any 4-point quad, clockwise from top-left) into an upright
     * width×height image. A quad's points are the outer corners of the output's corner pixels; a
     * rectangle is read along its own axes, so angle 180 gives an upside-down copy.
     */
    warp(img: LabImage, region: RotatedRect | [Point, Point, Point, Point], width: number, height: number): LabImage;
    toGray(img: LabImage): LabImage;
    /** Pixels as floats: (v * scale - mean[c]) / std[c], in CHW (default) or HWC order. */
    toTensor(img: LabImage, opts?: { layout?: 'CHW' | 'HWC'; scale?: number; mean?: number[]; std?: number[] }): Float32Array;
    /** An image from float pixels (scaled back to 0..255). */
    fromTensor(data: ArrayLike<number>, width: number, height: number, channels: 1 | 3 | 4, opts?: { layout?: 'CHW' | 'HWC'; scale?: number; mean?: number[]; std?: number[] }): LabImage;
  };
  geometry: {
    /** 4-connected (or 8-) components of a binary mask (nonzero = set), each as its pixel coordinates. */
    components(
      mask: ArrayLike<number>,
      width: number,
      height: number,
      opts?: { connectivity?: 4 | 8; minPixels?: number },
    ): { points: Point[]; box: { x: number; y: number; width: number; height: number } }[];
    convexHull(points: Point[]): Point[];
    /** The smallest-area rotated rectangle around the points: angle in (-45, 45], width along the near-horizontal side. */
    minAreaRect(points: Point[]): RotatedRect;
    /** The rectangle's corners, clockwise from the top-left (the angle is normalized first). */
    corners(rect: RotatedRect): [Point, Point, Point, Point];
    polygonArea(points: Point[]): number;
    polygonPerimeter(points: Point[]): number;
  };
  array: {
    /** Index of the largest value in data[start, start + length), relative to `start`. */
    argmax(data: ArrayLike<number>, start?: number, length?: number): number;
    max(data: ArrayLike<number>): number;
    min(data: ArrayLike<number>): number;
    mean(data: ArrayLike<number>): number;
    softmax(data: ArrayLike<number>): Float32Array;
    /** Row-major index helpers for an N-d shape. */
    strides(shape: number[]): number[];
  };
  /** Reads a file next to the model (path relative to the model's version folder), e.g. a vocabulary. */
  readFile(relativePath: string): Promise<Uint8Array>;
  readText(relativePath: string): Promise<string>;
}

declare const pb_utils: PbUtils;
declare const lab: LabStdlib;
