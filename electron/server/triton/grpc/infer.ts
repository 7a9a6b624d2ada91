/**
 * A ModelInferRequest read as Triton's gRPC frontend reads it
 * (infer_handler.cc SetInferenceRequestMetadata, InferGRPCToInput,
 * InferAllocatorPayload): request parameters with their reserved keys,
 * inputs from raw_input_contents or typed contents (never both), requested
 * outputs with classification and shared-memory parameters; checks in
 * Triton's order and wording. Responses always carry raw_output_contents, as
 * Triton's gRPC server does.
 */
import { create } from '@bufbuild/protobuf';
import type { ModelConfig } from '../../../engine/config/gen/model_config_pb';
import { LabError } from '../../../engine/errors';
import { apiTypeName } from '../../../engine/tensor/dtype';
import { logRequest } from '../../../engine/triton-errors';
import { type NumericArray, type Tensor, isApiDType } from '../../../engine/tensor/tensor';
import type { SequenceFlags } from '../../../engine/runtime/types';
import { type CoreInferRequest, type CoreInferResponse, type RequestedOutput, sequenceFlagsOf } from '../core';
import { rawFromTensor, tensorFromRaw } from '../wire-tensor';
import {
  type InferParameter,
  InferParameterSchema,
  type InferTensorContents,
  type ModelInferRequest,
  type ModelInferResponse,
  ModelInferResponseSchema,
  ModelInferResponse_InferOutputTensorSchema,
} from './gen/grpc_service_pb';

/** Request parameter keys starting with "triton_" that clients may send. */
const TRITON_RESERVED_REQUEST_PARAMS = ['triton_enable_empty_final_response'];

const invalid = (message: string): LabError => new LabError('INVALID_ARG', message);

/** TRITONSERVER_DataTypeString of a datatype string as given ("<invalid>" when unknown). */
function typeString(datatype: string): string {
  return isApiDType(datatype) ? datatype : '<invalid>';
}

type ParamValue = string | number | boolean;

/**
 * Request-level parameters: Triton's reserved keys are checked for their kinds, the sequence flags
 * go to `seq` (an int64 sequence_id is taken as the uint64 Triton's SetCorrelationId stores), others pass through.
 */
function readParameters(params: Record<string, InferParameter>, seq: Partial<SequenceFlags>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [key, p] of Object.entries(params)) {
    const c = p.parameterChoice;
    switch (key) {
      case 'sequence_id':
        if (c.case === 'int64Param') seq.id = BigInt.asUintN(64, c.value);
        else if (c.case === 'stringParam') seq.id = c.value;
        else throw invalid("invalid value type for 'sequence_id' parameter, expected int64_param or string_param.");
        break;
      case 'sequence_start':
      case 'sequence_end':
        if (c.case !== 'boolParam') throw invalid(`invalid value type for '${key}' parameter, expected bool_param.`);
        if (key === 'sequence_start') seq.start = c.value;
        else seq.end = c.value;
        break;
      case 'priority':
        if (c.case === 'int64Param') {
          if (c.value < 0n) throw invalid("invalid value for 'priority', expected value >= 0.");
          out[key] = Number(c.value);
        } else if (c.case === 'uint64Param') out[key] = Number(c.value);
        else throw invalid("invalid value type for 'priority' parameter, expected int64_param or uint64_param.");
        break;
      case 'timeout':
        if (c.case !== 'int64Param') throw invalid("invalid value type for 'timeout' parameter, expected int64_param.");
        out[key] = Number(c.value);
        break;
      default:
        if (key.startsWith('triton_')) {
          if (!TRITON_RESERVED_REQUEST_PARAMS.includes(key)) {
            throw invalid(
              `parameter keys starting with 'triton_' are reserved for Triton usage. Only the following keys starting with 'triton_' are allowed: ${TRITON_RESERVED_REQUEST_PARAMS.join(' ')}`,
            );
          }
          // Only checked for its kind here; ModelStreamInfer reads triton_enable_empty_final_response itself.
          if (c.case !== 'boolParam') throw invalid(`invalid value type for '${key}' parameter, expected bool_param.`);
        } else if (c.case === 'int64Param') out[key] = Number(c.value);
        else if (c.case === 'boolParam' || c.case === 'stringParam' || c.case === 'doubleParam') out[key] = c.value;
        else throw invalid(`invalid value type for '${key}' parameter, expected int64_param, bool_param, or string_param.`);
    }
  }
  return out;
}

interface SharedMemoryParams {
  region?: string;
}

/** Triton's ParseSharedMemoryParams: the shared_memory_* parameters of a tensor and their kinds. */
function sharedMemoryParams(name: string, params: Record<string, InferParameter>): SharedMemoryParams {
  const region = params['shared_memory_region'];
  const offset = params['shared_memory_offset'];
  const size = params['shared_memory_byte_size'];
  const out: SharedMemoryParams = {};
  if (region) {
    if (region.parameterChoice.case !== 'stringParam') throw invalid(`invalid value type for 'shared_memory_region' parameter for tensor '${name}', expected string_param.`);
    out.region = region.parameterChoice.value;
  }
  if (offset) {
    if (out.region === undefined) throw invalid(`'shared_memory_offset' can not be specified without 'shared_memory_region' parameter for tensor '${name}'`);
    if (offset.parameterChoice.case !== 'int64Param') throw invalid(`invalid value type for 'shared_memory_offset' parameter for tensor '${name}', expected int64_param.`);
  }
  if (size) {
    if (out.region === undefined) throw invalid(`'shared_memory_byte_size' can not be specified without 'shared_memory_region' parameter for tensor '${name}'`);
    if (size.parameterChoice.case !== 'int64Param') throw invalid(`invalid value type for 'shared_memory_byte_size' parameter for tensor '${name}', expected int64_param.`);
  } else if (out.region !== undefined) {
    throw invalid(`'shared_memory_byte_size' must be specified along with 'shared_memory_region' parameter for tensor '${name}'`);
  }
  return out;
}

/** No region can ever be registered in the lab, so every lookup misses (SharedMemoryManager::GetMemoryInfo). */
function missingRegion(region: string): LabError {
  return new LabError('NOT_FOUND', `Unable to find shared memory region: '${region}'`);
}

/** Typed contents as a tensor of the declared datatype (InferGRPCToInput's explicit-data branch). */
function tensorFromContents(name: string, datatype: string, shape: number[], c: InferTensorContents, model: string, ctx: { model: string; requestId: string; expects?: string }): Tensor {
  let data: NumericArray | Uint8Array[] | undefined;
  const take = (listType: string, count: number, make: () => NumericArray | Uint8Array[]): void => {
    if (count === 0) return;
    if (data !== undefined) throw invalid(`unexpected explicit tensor data for input tensor '${name}' for model '${model}', binary data was already supplied.`);
    if (listType !== datatype) {
      throw invalid(`unexpected explicit tensor data for input tensor '${name}' for model '${model}' of type '${listType}', expected datatype '${typeString(datatype)}'`);
    }
    data = make();
  };
  take('BOOL', c.boolContents.length, () => Uint8Array.from(c.boolContents, (b) => (b ? 1 : 0)));
  // int_contents carries INT8 and INT16 widened; each keeps its low bytes.
  const intType = datatype === 'INT8' || datatype === 'INT16' ? datatype : 'INT32';
  take(intType, c.intContents.length, () => (intType === 'INT8' ? Int8Array.from(c.intContents) : intType === 'INT16' ? Int16Array.from(c.intContents) : Int32Array.from(c.intContents)));
  take('INT64', c.int64Contents.length, () => BigInt64Array.from(c.int64Contents));
  const uintType = datatype === 'UINT8' || datatype === 'UINT16' ? datatype : 'UINT32';
  take(uintType, c.uintContents.length, () => (uintType === 'UINT8' ? Uint8Array.from(c.uintContents) : uintType === 'UINT16' ? Uint16Array.from(c.uintContents) : Uint32Array.from(c.uintContents)));
  take('UINT64', c.uint64Contents.length, () => BigUint64Array.from(c.uint64Contents));
  take('FP32', c.fp32Contents.length, () => Float32Array.from(c.fp32Contents));
  take('FP64', c.fp64Contents.length, () => Float64Array.from(c.fp64Contents));
  take('BYTES', c.bytesContents.length, () => c.bytesContents);
  // Empty contents: a tensor with no data, which the request checks then measure against its shape.
  if (data === undefined) return tensorFromRaw(name, datatype, shape, new Uint8Array(0), ctx);
  return { name, dtype: datatype as Tensor['dtype'], shape, data };
}

export interface GrpcInferRequest {
  name: string;
  version: string;
  request: CoreInferRequest;
}

/**
 * Reads a ModelInferRequest against the model's configuration (already
 * resolved by the caller, so unknown models fail first, as in Triton).
 */
export function readInferRequest(req: ModelInferRequest, config: ModelConfig): GrpcInferRequest {
  const model = req.modelName;
  const seq: Partial<SequenceFlags> = {};
  const parameters = readParameters(req.parameters, seq);
  const sequence = sequenceFlagsOf(seq);
  const ctxBase = { model, requestId: req.id };
  const expects = new Map(config.input.map((i) => [i.name, apiTypeName(i.dataType)]));

  const inputs: Tensor[] = [];
  const seen = new Set<string>();
  let rawIndex = 0;
  for (const io of req.inputs) {
    // Triton's core refuses a name given twice (InferenceRequest::AddOriginalInput / AddRequestedOutput), whatever the protocol.
    if (seen.has(io.name)) throw invalid(`${logRequest(req.id)}input '${io.name}' already exists in request`);
    seen.add(io.name);
    const shape = io.shape.map(Number);
    const ctx = { ...ctxBase, ...(expects.has(io.name) ? { expects: expects.get(io.name)! } : {}) };
    const shm = sharedMemoryParams(io.name, io.parameters);
    if (shm.region !== undefined) {
      if (io.contents) throw invalid(`unexpected 'content' provided when using shared memory for input tensor '${io.name}' for model '${model}'`);
      throw missingRegion(shm.region);
    }
    if (io.contents && req.rawInputContents.length > 0) {
      throw invalid(`contents field must not be specified when using raw_input_contents for '${io.name}' for model '${model}'`);
    }
    if (io.contents) {
      inputs.push(tensorFromContents(io.name, io.datatype, shape, io.contents, model, ctx));
    } else if (rawIndex < req.rawInputContents.length) {
      inputs.push(tensorFromRaw(io.name, io.datatype, shape, req.rawInputContents[rawIndex++]!, ctx));
    } else {
      throw invalid(`unable to find data for input tensor '${io.name}' for model '${model}' in request.`);
    }
  }

  const outputs: RequestedOutput[] = [];
  const requested = new Set<string>();
  for (const o of req.outputs) {
    if (requested.has(o.name)) throw invalid(`${logRequest(req.id)}output '${o.name}' already exists in request`);
    requested.add(o.name);
    const shm = sharedMemoryParams(o.name, o.parameters);
    let classification: number | undefined;
    const cls = o.parameters['classification'];
    if (cls) {
      if (cls.parameterChoice.case !== 'int64Param') throw invalid("invalid value type for 'classification' parameter, expected int64_param");
      if (cls.parameterChoice.value <= 0n) throw invalid("invalid value for 'classification' parameter, expected >= 0");
      classification = Number(cls.parameterChoice.value);
    }
    if (shm.region !== undefined && classification !== undefined) throw invalid("output can't set both 'shared_memory_region' and 'classification'");
    if (shm.region !== undefined) throw missingRegion(shm.region);
    // binary_data is an HTTP-only parameter; gRPC outputs are always raw.
    outputs.push({ name: o.name, ...(classification !== undefined ? { classification } : {}) });
  }

  return {
    name: model,
    version: req.modelVersion,
    request: {
      id: req.id,
      inputs,
      ...(outputs.length > 0 ? { outputs } : {}),
      ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
      ...(sequence ? { sequence } : {}),
    },
  };
}

/** A response parameter as Triton's InferResponseCompleteCommon writes it: bool, int64 or string (a fraction as double). */
function responseParameter(v: string | number | boolean): InferParameter {
  if (typeof v === 'boolean') return create(InferParameterSchema, { parameterChoice: { case: 'boolParam', value: v } });
  if (typeof v === 'string') return create(InferParameterSchema, { parameterChoice: { case: 'stringParam', value: v } });
  if (Number.isInteger(v)) return create(InferParameterSchema, { parameterChoice: { case: 'int64Param', value: BigInt(v) } });
  return create(InferParameterSchema, { parameterChoice: { case: 'doubleParam', value: v } });
}

/** A core result as a ModelInferResponse: its response parameters, every output's data in raw_output_contents, in output order. */
export function inferResponse(res: CoreInferResponse): ModelInferResponse {
  return create(ModelInferResponseSchema, {
    modelName: res.modelName,
    modelVersion: res.modelVersion,
    id: res.id,
    parameters: Object.fromEntries(Object.entries(res.parameters ?? {}).map(([k, v]) => [k, responseParameter(v)])),
    outputs: res.outputs.map((t) => create(ModelInferResponse_InferOutputTensorSchema, { name: t.name, datatype: t.dtype, shape: t.shape.map(BigInt) })),
    rawOutputContents: res.outputs.map(rawFromTensor),
  });
}
