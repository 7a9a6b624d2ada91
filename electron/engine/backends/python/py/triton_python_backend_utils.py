# Model Lab's own implementation of the module Triton's Python backend gives
# model.py files as `triton_python_backend_utils` (usually imported as pb_utils).
# The names, signatures and codes follow Triton's documented API; the lab's stub
# (model_lab_stub.py) connects the parts that need the server: BLS, logging and
# response senders.
import enum
import json
import struct
import threading

import numpy as np

# The stub sets this to its connection to the lab before model.py is imported.
_lab = None


def _getter(attr):
    """One of the API's accessor methods (request.inputs(), tensor.name(), ...): the stored attribute."""
    return lambda self: getattr(self, attr)


TRITONSERVER_REQUEST_FLAG_SEQUENCE_START = 1
TRITONSERVER_REQUEST_FLAG_SEQUENCE_END = 2
TRITONSERVER_RESPONSE_COMPLETE_FINAL = 1
TRITONSERVER_REQUEST_RELEASE_ALL = 1
TRITONSERVER_REQUEST_RELEASE_RESCHEDULE = 2

# TRITONSERVER_DataType values.
_TYPE_CODES = {
    "BOOL": 1, "UINT8": 2, "UINT16": 3, "UINT32": 4, "UINT64": 5,
    "INT8": 6, "INT16": 7, "INT32": 8, "INT64": 9,
    "FP16": 10, "FP32": 11, "FP64": 12, "BYTES": 13, "BF16": 14,
}
_CODE_TYPES = {v: k for k, v in _TYPE_CODES.items()}

_NUMPY_OF = {
    "BOOL": np.bool_, "UINT8": np.uint8, "UINT16": np.uint16, "UINT32": np.uint32, "UINT64": np.uint64,
    "INT8": np.int8, "INT16": np.int16, "INT32": np.int32, "INT64": np.int64,
    "FP16": np.float16, "FP32": np.float32, "FP64": np.float64, "BYTES": np.object_,
}

TRITON_STRING_TO_NUMPY = {("TYPE_STRING" if k == "BYTES" else "TYPE_" + k): v for k, v in _NUMPY_OF.items()}
TRITON_STRING_TO_NUMPY["TYPE_BOOL"] = bool


def triton_string_to_numpy(triton_type_string):
    return TRITON_STRING_TO_NUMPY[triton_type_string]


def triton_to_numpy_type(data_type):
    name = _CODE_TYPES.get(data_type)
    if name == "BOOL":
        return bool
    return _NUMPY_OF.get(name) if name else None


def _triton_name_of(dtype):
    """The Triton datatype name (e.g. 'FP32') of a numpy dtype, or None."""
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return "BOOL"
    if dt.kind in ("O", "S", "U"):
        return "BYTES"
    for name, np_type in _NUMPY_OF.items():
        if name not in ("BOOL", "BYTES") and dt == np.dtype(np_type):
            return name
    return None


def numpy_to_triton_type(data_type):
    try:
        name = _triton_name_of(data_type)
    except TypeError:
        return None
    return _TYPE_CODES.get(name) if name else None


def serialize_byte_tensor(input_tensor):
    """Triton's BYTES layout: each element as a little-endian uint32 length, then its bytes."""
    if input_tensor.size == 0:
        return np.empty([0], dtype=np.object_)
    kind = input_tensor.dtype.kind
    if kind not in ("O", "S", "U"):
        raise TritonModelException("cannot serialize bytes tensor: invalid datatype")
    parts = []
    for item in input_tensor.flat:
        raw = _element_bytes(item)
        parts.append(struct.pack("<I", len(raw)))
        parts.append(raw)
    return np.frombuffer(b"".join(parts), dtype=np.uint8)


def _element_bytes(item):
    if isinstance(item, (bytes, bytearray, np.bytes_)):
        return bytes(item)
    return str(item).encode("utf-8")


def deserialize_bytes_tensor(encoded_tensor):
    """The inverse of serialize_byte_tensor: a 1-D object array of bytes."""
    data = memoryview(encoded_tensor).cast("B") if not isinstance(encoded_tensor, (bytes, bytearray)) else memoryview(encoded_tensor)
    items = []
    offset, end = 0, len(data)
    while offset < end:
        (length,) = struct.unpack_from("<I", data, offset)
        offset += 4
        items.append(bytes(data[offset:offset + length]))
        offset += length
    out = np.empty(len(items), dtype=np.object_)
    out[:] = items
    return out


class TritonError(Exception):
    UNKNOWN = 0
    INTERNAL = 1
    NOT_FOUND = 2
    INVALID_ARG = 3
    UNAVAILABLE = 4
    UNSUPPORTED = 5
    ALREADY_EXISTS = 6
    CANCELLED = 7

    _NAMES = ("UNKNOWN", "INTERNAL", "NOT_FOUND", "INVALID_ARG", "UNAVAILABLE", "UNSUPPORTED", "ALREADY_EXISTS", "CANCELLED")

    def __init__(self, message, code=1):
        super().__init__(message)
        self._message = str(message)
        self._code = code if isinstance(code, int) and 0 <= code < len(self._NAMES) else TritonError.INTERNAL

    message = _getter("_message")
    code = _getter("_code")

    def __str__(self):
        return self._message

    def _code_name(self):
        return self._NAMES[self._code]


class TritonModelException(Exception):
    def message(self):
        return str(self)


class Tensor:
    """A named tensor over a numpy array (CPU memory only)."""

    def __init__(self, name, tensor, dtype=None):
        # Argument types first, as the binding checks them (TypeError), then Triton's own checks.
        if not isinstance(name, str):
            raise TypeError("Tensor(): name must be a str, found type '%s'" % type(name).__name__)
        if not isinstance(tensor, np.ndarray):
            raise TypeError("Tensor(): expected a numpy.ndarray, found type '%s'" % type(tensor).__name__)
        if not name:
            raise TritonModelException("Tensor name cannot be an empty string.")
        triton_type = dtype or _triton_name_of(tensor.dtype)
        if triton_type is None:
            raise TritonModelException("Tensor '%s': unsupported numpy dtype '%s'" % (name, tensor.dtype))
        self._name = name
        self._array = tensor
        self._triton_type = triton_type

    name = _getter("_name")
    as_numpy = _getter("_array")

    def shape(self):
        return list(self._array.shape)

    def triton_dtype(self):
        return _TYPE_CODES[self._triton_type]

    def is_cpu(self):
        return True

    def to_dlpack(self):
        return self._array.__dlpack__()

    @staticmethod
    def from_dlpack(name, dlpack_tensor):
        # numpy reads any object with __dlpack__ (torch, cupy on host, numpy itself).
        if not isinstance(name, str) or not name:
            raise TritonModelException("Tensor name cannot be an empty string.")
        if not hasattr(dlpack_tensor, "__dlpack__") or not hasattr(dlpack_tensor, "__dlpack_device__"):
            raise TritonModelException(
                "Provided tensor is not supported. Tensor must be a DLPack capsule or have `__dlpack__` and `__dlpack_device__` attributes"
            )
        if not hasattr(np, "from_dlpack"):
            raise TritonModelException("Tensor.from_dlpack needs numpy 1.22 or newer")
        return Tensor(name, np.from_dlpack(dlpack_tensor))

    def __repr__(self):
        return "Tensor(%r, %s %s)" % (self._name, self._triton_type, list(self._array.shape))


def _type_repr(value):
    return str(type(value))


def _parameters_json(parameters):
    """Triton's PyParametersToJSON: a dict (None: empty) of str keys and bool/int/str values, as JSON text."""
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        raise TritonModelException("Expect dict, got %s" % _type_repr(parameters))
    for key, value in parameters.items():
        if not isinstance(key, str):
            raise TritonModelException("Expect parameters keys to have type str, found type %s" % _type_repr(key))
        if not isinstance(value, (bool, int, str)):
            raise TritonModelException(
                "Expect parameters values to have type bool/int/str, found type %s" % _type_repr(value)
            )
    return json.dumps(parameters)


def _need(value, types, what):
    """The binding's argument check: a value of another type (None included) is a TypeError."""
    types = types if isinstance(types, tuple) else (types,)
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types and int in types and what != "flags"):
        names = " or ".join(t.__name__ for t in types)
        raise TypeError("incompatible function arguments: %s must be %s, found type '%s'" % (what, names, type(value).__name__))
    return value


class InferenceResponse:
    def __init__(self, output_tensors=(), error=None, parameters=None):
        tensors = list(_need(output_tensors, (list, tuple), "output_tensors"))
        for t in tensors:
            if not isinstance(t, Tensor):
                raise TritonModelException(
                    "output_tensors must be a list of pb_utils.Tensor, found type '%s'" % type(t).__name__
                )
        if error is not None and not isinstance(error, TritonError):
            error = TritonError(str(error))
        self._tensors = tensors
        self._error = error
        self._parameters = _parameters_json(parameters)

    output_tensors = _getter("_tensors")
    error = _getter("_error")
    parameters = _getter("_parameters")

    def has_error(self):
        return self._error is not None


class InferenceResponseSender:
    """Sends the responses of one request, with the rules and wording of Triton's ResponseSender
    (python_backend src/response_sender.cc): a model that is not decoupled sends exactly one
    response (the final flag may follow it, never come alone), and nothing goes out once the final
    flag has."""

    def __init__(self, execute_id, index, decoupled=False):
        self._execute_id = execute_id
        self._index = index
        self._decoupled = bool(decoupled)
        self._closed = False
        self._sent = 0
        self._lock = threading.Lock()

    def send(self, response=None, flags=0):
        if flags != TRITONSERVER_RESPONSE_COMPLETE_FINAL and flags != 0:
            raise TritonModelException("Unable to send response. Unsupported flag provided.")
        if flags == 0 and response is None:
            raise TritonModelException("Inference Response object must be provided when the response flags is set to zero.")
        if response is not None and not isinstance(response, InferenceResponse):
            raise TritonModelException(
                "Expected an 'InferenceResponse' object, found type '%s'." % type(response).__name__
            )
        final = flags == TRITONSERVER_RESPONSE_COMPLETE_FINAL
        with self._lock:
            self._count(response is not None, final)
            # Sent while the lock is held: a response and the final flag leave in the order they were counted.
            _lab.send_response(self._execute_id, self._index, response, final)

    def _count(self, has_response, final):
        """Triton's UpdateStateAndCounters; called with the lock held."""
        if not self._decoupled:
            if has_response and self._sent > 0:
                raise TritonModelException("Unable to send response. Non-decoupled model cannot send more than one response.")
            if not has_response and final and self._sent == 0:
                raise TritonModelException(
                    "Unable to send response. Non-decoupled model cannot send complete final before sending a response."
                )
        if self._closed:
            raise TritonModelException("Unable to send response. Response sender has been closed.")
        if final:
            self._closed = True
        self._sent += 1

    def is_cancelled(self):
        """Whether the request's caller cancelled it (a gRPC cancel, a closed stream or connection, the
        lab's Cancel, a BLS iterator's cancel()). Asks the lab, as Triton's stub asks its parent."""
        return _lab.is_cancelled(self._execute_id, self._index)

    def _returned(self, has_response=True):
        """execute() returned a response for this request: counted as a response with the final flag."""
        with self._lock:
            self._count(has_response, True)

    def _close(self):
        """execute() failed: the request is answered with the error, nothing more may be sent."""
        with self._lock:
            self._closed = True


class InferenceRequest:
    """A request: as execute() receives it, or one to send to another model (BLS)."""

    def __init__(self, model_name, inputs=None, requested_output_names=None, model_version=-1,
                 correlation_id=0, request_id="", flags=0, timeout=0, preferred_memory=None,
                 trace=None, parameters=None):
        # Names read from a STRING tensor arrive as bytes; Triton takes them as they are.
        if isinstance(model_name, (bytes, np.bytes_)):
            model_name = model_name.decode("utf-8")
        _need(model_name, str, "model_name")
        inputs = list(_need(inputs, (list, tuple), "inputs"))
        for t in inputs:
            if not isinstance(t, Tensor):
                raise TritonModelException("InferenceRequest inputs must be pb_utils.Tensor objects")
        requested = list(_need(requested_output_names, (list, tuple), "requested_output_names"))
        for n in requested:
            _need(n, str, "requested_output_names entries")
        _need(request_id, str, "request_id")
        _need(model_version, int, "model_version")
        _need(flags, int, "flags")
        _need(timeout, int, "timeout")
        if correlation_id is None:
            raise TypeError("incompatible function arguments: correlation_id must be int or str, found type 'NoneType'")
        if not isinstance(correlation_id, (int, str)) or isinstance(correlation_id, bool):
            raise TritonModelException("Correlation ID must be integer or string")
        self._model_name = model_name
        self._inputs = inputs
        self._requested = requested
        self._model_version = int(model_version)
        self._correlation_id = correlation_id
        self._request_id = request_id
        self._flags = flags
        self._timeout = timeout
        self._parameters = _parameters_json(parameters)
        self._sender = None

    inputs = _getter("_inputs")
    requested_output_names = _getter("_requested")
    request_id = _getter("_request_id")
    correlation_id = _getter("_correlation_id")
    flags = _getter("_flags")
    timeout = _getter("_timeout")
    model_name = _getter("_model_name")
    model_version = _getter("_model_version")
    parameters = _getter("_parameters")

    def is_cancelled(self):
        """Whether the caller cancelled this request (see InferenceResponseSender.is_cancelled); a
        request made for BLS is never cancelled."""
        return self._sender.is_cancelled() if self._sender is not None else False

    def get_response_sender(self):
        if self._sender is None:
            raise TritonModelException("get_response_sender() is only available on requests passed to execute()")
        return self._sender

    def exec(self, decoupled=False):
        """decoupled=True: an iterator over the responses as they arrive; the last may be empty (the final flag alone)."""
        return _lab.bls(self, decoupled)

    async def async_exec(self, decoupled=False):
        return await _lab.bls_async(self, decoupled)


def get_input_tensor_by_name(inference_request, name):
    for t in inference_request.inputs():
        if t.name() == name:
            return t
    return None


def get_output_tensor_by_name(inference_response, name):
    for t in inference_response.output_tensors():
        if t.name() == name:
            return t
    return None


def _config_entry(model_config, key, name):
    config = json.loads(model_config) if isinstance(model_config, str) else model_config
    for entry in config.get(key, []):
        if entry.get("name") == name:
            return entry
    return None


def get_input_config_by_name(model_config, name):
    return _config_entry(model_config, "input", name)


def get_output_config_by_name(model_config, name):
    return _config_entry(model_config, "output", name)


def using_decoupled_model_transaction_policy(model_config):
    config = json.loads(model_config) if isinstance(model_config, str) else model_config
    return bool(config.get("model_transaction_policy", {}).get("decoupled", False))


class ModelConfig:
    """What auto_complete_config(auto_complete_model_config) receives: the config, and the changes a model may make."""

    _INPUT_KEYS = ("name", "data_type", "dims", "optional")
    _OUTPUT_KEYS = ("name", "data_type", "dims")

    def __init__(self, model_config):
        self._model_config = json.loads(model_config) if isinstance(model_config, str) else model_config
        self._model_config.setdefault("input", [])
        self._model_config.setdefault("output", [])

    def as_dict(self):
        return self._model_config

    def _name(self):
        return self._model_config.get("name", "")

    def set_max_batch_size(self, max_batch_size):
        current = self._model_config.get("max_batch_size", 0)
        if current > max_batch_size:
            raise ValueError(
                "configuration specified max_batch_size %s, but in auto-complete-config function for model '%s' specified max_batch_size %s"
                % (current, self._name(), max_batch_size)
            )
        self._model_config["max_batch_size"] = max_batch_size

    def set_dynamic_batching(self):
        for other in ("sequence_batching", "ensemble_scheduling"):
            if other in self._model_config:
                raise ValueError(
                    "Configuration specified scheduling_choice as '%s', but auto-complete-config function for model '%s' tries to set scheduling_choice as 'dynamic_batching'"
                    % (other, self._name())
                )
        self._model_config.setdefault("dynamic_batching", {})

    def _add(self, kind, io, allowed):
        label = "%s '%s'" % (kind, io.get("name")) if "name" in io else kind
        extra = [k for k in io if k not in allowed]
        if extra:
            raise ValueError(
                "%s in auto-complete-config function for model '%s' contains property other than %s."
                % (label, self._name(), ", ".join("'%s'" % k for k in allowed[:-1]) + " and '%s'" % allowed[-1])
            )
        for key in ("name", "data_type", "dims"):
            if key not in io:
                raise ValueError(
                    "%s in auto-complete-config function for model '%s' is missing '%s' property." % (label, self._name(), key)
                )
        for current in self._model_config[kind]:
            if current.get("name") != io["name"]:
                continue
            have = current.get("data_type", "TYPE_INVALID")
            if have != "TYPE_INVALID" and have != io["data_type"]:
                raise ValueError(
                    "unable to load model '%s', configuration expects datatype %s for %s '%s', model provides %s"
                    % (self._name(), have, kind, io["name"], io["data_type"])
                )
            if current.get("dims") and list(current["dims"]) != list(io["dims"]):
                raise ValueError(
                    "model '%s', tensor '%s': the model expects dims %s but the model configuration specifies dims %s"
                    % (self._name(), io["name"], list(io["dims"]), list(current["dims"]))
                )
            if "optional" in current and "optional" in io and current["optional"] != io["optional"]:
                raise ValueError(
                    "model '%s', tensor '%s': the model expects optional %s but the model configuration specifies optional %s"
                    % (self._name(), io["name"], io["optional"], current["optional"])
                )
            current.update(io)
            return
        self._model_config[kind].append(dict(io))

    def add_input(self, input):
        self._add("input", input, self._INPUT_KEYS)

    def add_output(self, output):
        self._add("output", output, self._OUTPUT_KEYS)

    def set_model_transaction_policy(self, transaction_policy_dict):
        for key in transaction_policy_dict:
            if key != "decoupled":
                raise ValueError(
                    "model transaction property in auto-complete-config function for model '%s' contains property other than 'decoupled'."
                    % self._name()
                )
        policy = self._model_config.setdefault("model_transaction_policy", {})
        if "decoupled" in transaction_policy_dict:
            wanted = transaction_policy_dict["decoupled"]
            if "decoupled" in policy and policy["decoupled"] != wanted:
                raise ValueError(
                    "trying to change decoupled property in auto-complete-config for model '%s', which is already set to '%s'."
                    % (self._name(), policy["decoupled"])
                )
            policy["decoupled"] = wanted


class Logger:
    class LogLevel(enum.Enum):
        """Triton's Logger.LogLevel: an enum, not an int (log("x", 1) is a TypeError there too)."""

        INFO = 0
        WARNING = 1
        ERROR = 2
        VERBOSE = 3

    _LEVEL_NAMES = {0: "info", 1: "warn", 2: "error", 3: "verbose"}

    @staticmethod
    def log(message, level=LogLevel.INFO):
        _need(message, str, "message")
        if not isinstance(level, Logger.LogLevel):
            raise TypeError("incompatible function arguments: level must be a pb_utils.Logger.LogLevel, found type '%s'" % type(level).__name__)
        _lab.log(Logger._LEVEL_NAMES[level.value], message)

    log_info = staticmethod(lambda message: Logger.log(message, Logger.LogLevel.INFO))
    log_warn = staticmethod(lambda message: Logger.log(message, Logger.LogLevel.WARNING))
    log_error = staticmethod(lambda message: Logger.log(message, Logger.LogLevel.ERROR))
    log_verbose = staticmethod(lambda message: Logger.log(message, Logger.LogLevel.VERBOSE))


LogLevel = Logger.LogLevel


# Custom metrics and BLS model control live in their own module (model_lab_services.py); it
# imports this one, so it comes last, once everything it uses here is defined.
from model_lab_services import Metric, MetricFamily, MetricKind, is_model_ready, load_model, unload_model  # noqa: E402,F401
