"""Model Lab's PyTorch backend: a TorchScript model.pt run as Triton's PyTorch (LibTorch) backend
runs it (pytorch_backend src/pt/model_state.cc, model_instance_state.cc), from inside the Python
backend's stub. The stub imports this file in place of a model.py, so PyTorch models get the child
supervisor's batching, instance groups, restarts, BLS-callability and cancellation for free; Triton
itself runs its PyTorch 2 models the same way (pytorch_backend src/model.py).

What is Triton's here: the `<name>__<index>` / forward-argument / config-order naming rules, the
single Dict[str, Tensor] input, Tensor and List[str] (TYPE_STRING) inputs and outputs, the
datatypes, one forward() per batch with the requests' inputs joined along the first dimension and
the outputs split back, the `parameters` switches, and the wording of the errors.
"""

import json
import os

import numpy as np
import triton_python_backend_utils as pb_utils

try:
    import torch
except ImportError as exc:  # the lab probes for torch before it starts this; the message says what to do anyway
    raise pb_utils.TritonError(
        "PyTorch backend: torch cannot be imported (%s). Install it: `sudo apt-get install python3-torch` "
        "(Debian/Ubuntu) or `python3 -m pip install torch`" % exc,
        pb_utils.TritonError.UNAVAILABLE,
    )

# Config datatype -> torch dtype (libtorch_utils.cc ModelConfigDataTypeToTorchType). TYPE_STRING is a List[str].
TORCH_OF = {
    "TYPE_BOOL": torch.bool,
    "TYPE_UINT8": torch.uint8,
    "TYPE_INT8": torch.int8,
    "TYPE_INT16": torch.int16,
    "TYPE_INT32": torch.int32,
    "TYPE_INT64": torch.int64,
    "TYPE_FP16": torch.float16,
    "TYPE_FP32": torch.float32,
    "TYPE_FP64": torch.float64,
}
# torch dtype -> Triton's datatype name (ConvertTorchTypeToDataType); others are "<invalid>".
TRITON_OF = {v: k[len("TYPE_"):] for k, v in TORCH_OF.items()}

INTERNAL = pb_utils.TritonError.INTERNAL
INVALID_ARG = pb_utils.TritonError.INVALID_ARG
UNAVAILABLE = pb_utils.TritonError.UNAVAILABLE
UNSUPPORTED = pb_utils.TritonError.UNSUPPORTED

BOOL_PARAMETERS = (
    "DISABLE_OPTIMIZED_EXECUTION",
    "ENABLE_CACHE_CLEANING",
    "INFERENCE_MODE",
    "DISABLE_CUDNN",
    "ENABLE_TENSOR_FUSER",
    "ENABLE_WEIGHT_SHARING",
    "ENABLE_JIT_PROFILING",
    "ENABLE_JIT_EXECUTOR",
)
# INTRA_OP/INTER_OP_THREAD_COUNT are the LibTorch backend's; NUM_THREADS/NUM_INTEROP_THREADS its Python runtime's (src/model.py).
INT_PARAMETERS = ("INTRA_OP_THREAD_COUNT", "INTER_OP_THREAD_COUNT", "NUM_THREADS", "NUM_INTEROP_THREADS")
# Read by Triton before 23.12, ignored since: accepted, and the log says so.
RETIRED_PARAMETERS = ("ENABLE_NVFUSER",)


def fail(message, code=INTERNAL):
    return pb_utils.TritonError(message, code)


def parse_bool(value):
    """backend_common.cc ParseBoolValue."""
    low = value.lower()
    if low in ("true", "on", "1"):
        return True
    if low in ("false", "off", "0"):
        return False
    raise fail("failed to convert '%s' to boolean" % value, INVALID_ARG)


def parse_int(value):
    """backend_common.cc ParseIntValue (std::stoi: leading blanks, a sign, then digits; the rest is ignored)."""
    text = value.lstrip(" \t\n\r\f\v")
    end = 1 if text[:1] in ("+", "-") else 0
    while end < len(text) and text[end].isdigit():
        end += 1
    digits = text[:end]
    if digits in ("", "+", "-"):
        raise fail("failed to convert '%s' to integral number" % value, INVALID_ARG)
    number = int(digits)
    if not -(2**31) <= number < 2**31:
        raise fail("failed to convert '%s' to integral number (out of range)" % value, INVALID_ARG)
    return number


def read_parameters(config):
    """ModelState::ParseParameters: the switches that are present, parsed as Triton parses them."""
    params = config.get("parameters") or {}
    out = {}
    for key in BOOL_PARAMETERS + INT_PARAMETERS:
        if key not in params:
            continue
        value = params[key].get("string_value", "") if isinstance(params[key], dict) else str(params[key])
        out[key] = parse_bool(value) if key in BOOL_PARAMETERS else parse_int(value)
    return out


def parameter_log(params, model):
    """The lines ModelState::ParseParameters logs, in its words: four always, the others only when set."""
    def state(on):
        return "enabled" if on else "disabled"

    lines = [
        "Optimized execution is " + state(not params.get("DISABLE_OPTIMIZED_EXECUTION", False)),
        "Cache Cleaning is " + state(params.get("ENABLE_CACHE_CLEANING", False)),
        "Inference Mode is " + state(params.get("INFERENCE_MODE", True)),
        "cuDNN is " + state(not params.get("DISABLE_CUDNN", False)),
    ]
    for key, label in (
        ("ENABLE_TENSOR_FUSER", "Tensor fuser"),
        ("ENABLE_WEIGHT_SHARING", "Weight sharing"),
        ("ENABLE_JIT_PROFILING", "Jit profiling"),
        ("ENABLE_JIT_EXECUTOR", "Jit executor"),
    ):
        if key in params:
            lines.append("%s is %s" % (label, state(params[key])))
    return ["%s for model instance '%s'" % (line, model) for line in lines]


def named_index(name):
    """The index of a `<name>__<index>` name (from the first `__`, ASCII digits only: Triton's
    std::isdigit; str.isdigit would take '١' or '²'), else None."""
    pos = name.find("__")
    if pos == -1:
        return None
    digits = name[pos + 2:]
    if not all(c in "0123456789" for c in digits):
        return None
    return int(digits) if digits else 0


def naming_convention(names, allowed, kind, model, log):
    """ModelInstanceState::GetNamingConvention: forward() argument names (inputs only), else
    `<name>__<index>`, else the order of the config."""
    convention = "FORWARD_ARGUMENT" if kind == "input" else "NAMED_INDEX"
    if kind == "input" and any(n not in allowed for n in names):
        convention = "NAMED_INDEX"
    if convention != "NAMED_INDEX":
        return convention
    for n in names:
        if n.find("__") == -1:
            return "STRICT_CONFIG_ORDERING"
        if named_index(n) is None:
            if kind == "input":
                log.log_warn(
                    "input '%s' or previous input(s) are neither an input argument to the model '%s' nor do they follow "
                    "the <name>__<index> naming convention. Falling back to enforcing strict ordering from model configuration." % (n, model)
                )
            else:
                log.log_warn(
                    "output '%s' or previous output(s) of the model '%s' do not follow the <name>__<index> naming convention. "
                    "Falling back to enforcing strict ordering from model configuration." % (n, model)
                )
            return "STRICT_CONFIG_ORDERING"
    return "NAMED_INDEX"


def index_of(convention, allowed, name, position):
    if convention == "FORWARD_ARGUMENT":
        return allowed.index(name)
    if convention == "NAMED_INDEX":
        return named_index(name)
    return position


def dims_of(io):
    reshape = io.get("reshape")
    return [int(d) for d in (reshape.get("shape", []) if isinstance(reshape, dict) else io.get("dims", []))]


def check_io_types(ios, kind, model, batching):
    """The datatype and TYPE_STRING rank checks of ValidateInputs / ValidateOutputs."""
    for io in ios:
        dtype = io.get("data_type", "")
        if dtype not in TORCH_OF and dtype != "TYPE_STRING":
            raise fail("unsupported datatype %s for %s '%s' for model '%s'" % (dtype, kind, io["name"], model))
        if dtype == "TYPE_STRING" and len(dims_of(io)) + (1 if batching else 0) > 1:
            raise fail("Triton only supports 1 dimensional List of String as %s for '%s' for model '%s'" % (kind, io["name"], model))


def control_inputs(config, model):
    """Sequence control tensors are inputs of the model too, named `<name>__<index>` (ValidateBooleanSequenceControl)."""
    seq = config.get("sequence_batching")
    if not isinstance(seq, dict):
        return []
    if seq.get("state"):
        raise fail("Model Lab's PyTorch backend does not run models with implicit state (sequence_batching.state) yet", UNSUPPORTED)
    names = []
    for control in seq.get("control_input") or []:
        name = control.get("name", "")
        if named_index(name) is None:
            raise fail("input '%s' does not follow <name>__<index> naming convention." % name)
        names.append(name)
    return names


class TritonPythonModel:
    """One instance of a TorchScript model."""

    def initialize(self, args):
        config = json.loads(args["model_config"])
        self.model_name = config.get("name") or args["model_name"]
        self.instance_name = args.get("model_instance_name", self.model_name)
        self.max_batch_size = int(config.get("max_batch_size") or 0)
        self.log = pb_utils.Logger
        self.params = read_parameters(config)
        self.inference_mode = self.params.get("INFERENCE_MODE", True)
        self.device = self.pick_device(args)
        self.apply_threads()
        if config.get("batch_input"):
            raise fail("Model Lab's PyTorch backend does not support batch_input yet", UNSUPPORTED)
        path = os.path.join(args["model_repository"], args["model_version"], config.get("default_model_filename") or "model.pt")
        if not os.path.isfile(path):
            raise fail("unable to find '%s' for model instance '%s'" % (path, self.model_name), UNAVAILABLE)
        try:
            with torch.inference_mode(self.inference_mode):
                self.module = torch.jit.load(path, map_location=self.device)
        except Exception as exc:  # noqa: BLE001 - any failure to read the archive fails the load, with torch's words
            raise fail("failed to load model '%s': %s" % (self.model_name, exc))
        if self.module.training:
            # Triton runs the archive as it was saved (torch::jit::load, no eval()); so does the lab, and says so.
            self.log.log_warn(
                "model '%s': %s was saved in training mode (dropout and batch norm act as in training); "
                "Triton runs it as saved. Call model.eval() before torch.jit.script/trace and save it again." % (self.model_name, os.path.basename(path))
            )
        self.validate_inputs(config)
        self.validate_outputs(config)
        if "parameters" in config:
            for line in parameter_log(self.params, self.model_name):
                self.log.log_info(line)
        for key in RETIRED_PARAMETERS:
            if key in (config.get("parameters") or {}):
                self.log.log_warn("%s is no longer read by Triton's PyTorch backend (removed in 23.12); ignored for model instance '%s'" % (key, self.instance_name))

    def pick_device(self, args):
        """KIND_GPU runs on that GPU when this torch has CUDA; otherwise on the CPU (the lab says why)."""
        if args.get("model_instance_kind") == "GPU" and torch.cuda.is_available():
            gpu = int(args.get("model_instance_device_id") or 0)
            if gpu < torch.cuda.device_count():
                return torch.device("cuda", gpu)
        return torch.device("cpu")

    def apply_threads(self):
        """INTRA_OP/NUM_THREADS: torch.set_num_threads; INTER_OP/NUM_INTEROP_THREADS: torch.set_num_interop_threads,
        which torch allows only before any inter-op work (as in Triton, a refusal is ignored)."""
        intra = self.params.get("INTRA_OP_THREAD_COUNT", self.params.get("NUM_THREADS", 0))
        inter = self.params.get("INTER_OP_THREAD_COUNT", self.params.get("NUM_INTEROP_THREADS", 0))
        if intra > 0:
            torch.set_num_threads(intra)
            self.log.log_info("Intra op thread count is set to %d for model instance '%s'" % (torch.get_num_threads(), self.model_name))
        if inter > 0:
            try:
                torch.set_num_interop_threads(inter)
            except RuntimeError:
                pass
            self.log.log_info("Inter op thread count is set to %d for model instance '%s'" % (torch.get_num_interop_threads(), self.model_name))

    def validate_inputs(self, config):
        """ValidateInputs: forward()'s arguments against the config's inputs, and how each input is passed."""
        inputs = config.get("input") or []
        controls = control_inputs(config, self.model_name)
        arguments = list(self.module.forward.schema.arguments)
        if arguments and arguments[0].type.kind() == "ClassType":
            arguments = arguments[1:]
        self.dict_input = len(arguments) == 1 and arguments[0].type.kind() == "DictType"
        allowed = []
        if not self.dict_input and arguments:
            if any(a.type.kind() == "DictType" for a in arguments[1:]):
                raise fail("Multiple inputs of kind DictType were detected. Only a single input of type Dict(str, Tensor) is supported.")
            for a in arguments:
                if a.type.kind() not in ("TensorType", "ListType"):
                    raise fail(
                        "An input of type '%s' was detected in the model. Only a single input of type Dict(str, Tensor) "
                        "or input(s) of type Tensor are supported." % a.type
                    )
                allowed.append(a.name)
            expected = len(inputs) + len(controls)
            if len(arguments) != expected:
                raise fail("unable to load model '%s', configuration expects %d inputs, model provides %d" % (self.model_name, expected, len(arguments)), INVALID_ARG)
        if not inputs:
            raise fail("model configuration must contain at least one input, none were specified.")
        convention = naming_convention([i["name"] for i in inputs], allowed, "input", self.model_name, self.log)
        self.input_index = {}
        for position, io in enumerate(inputs):
            self.input_index[io["name"]] = position if self.dict_input else index_of(convention, allowed, io["name"], position)
        for name in controls:
            self.input_index[name] = named_index(name)
        check_io_types(inputs, "input", self.model_name, self.max_batch_size > 0)
        self.input_count = len(inputs) + len(controls)
        self.log.log_verbose("model '%s': inputs passed by %s" % (self.model_name, "Dict[str, Tensor]" if self.dict_input else convention))

    def validate_outputs(self, config):
        outputs = config.get("output") or []
        if not outputs:
            raise fail("model configuration must contain at least one output, none were specified.")
        convention = naming_convention([o["name"] for o in outputs], [], "output", self.model_name, self.log)
        check_io_types(outputs, "output", self.model_name, self.max_batch_size > 0)
        self.outputs = [(o["name"], index_of(convention, [], o["name"], i), o["data_type"]) for i, o in enumerate(outputs)]

    def execute(self, requests):
        """One forward() for the whole batch; an error answers every request of it, as in Triton."""
        try:
            per_request = self.run(requests)
        except pb_utils.TritonError as err:
            return [pb_utils.InferenceResponse(error=err) for _ in requests]
        except Exception as exc:  # noqa: BLE001 - e.g. inputs that cannot be joined: every request of the batch hears why
            return [pb_utils.InferenceResponse(error=fail("PyTorch backend: %s: %s" % (type(exc).__name__, exc))) for _ in requests]
        return [r if isinstance(r, pb_utils.InferenceResponse) else pb_utils.InferenceResponse(output_tensors=r) for r in per_request]

    def run(self, requests):
        sizes = self.batch_sizes(requests)
        total = sum(sizes)
        if total != 1 and total > self.max_batch_size:
            raise fail("batch size %d for '%s', max allowed is %d" % (total, self.instance_name, self.max_batch_size))
        args = self.gather(requests)
        produced = self.forward(args)
        if self.params.get("ENABLE_CACHE_CLEANING") and self.device.type == "cuda":
            torch.cuda.empty_cache()
        for name, index, _ in self.outputs:
            if index < 0 or index >= len(produced):
                raise fail(
                    "The output %s in the model configuration refers to an output index which doesn't exist. This model has %d outputs" % (name, len(produced)),
                    INVALID_ARG,
                )
        return self.scatter(requests, sizes, produced)

    def batch_sizes(self, requests):
        if self.max_batch_size <= 0:
            return [1] * len(requests)
        return [int(r.inputs()[0].shape()[0]) if r.inputs() and r.inputs()[0].shape() else 0 for r in requests]

    def gather(self, requests):
        """SetInputTensors: each input of the batch joined along the first dimension (batching), as a
        tensor on the instance's device, or a List[str] for TYPE_STRING."""
        names = [t.name() for t in requests[0].inputs()]
        args = [None] * max(self.input_count, len(names))
        for name in names:
            if name not in self.input_index:
                raise fail("unexpected inference input '%s' for model '%s'" % (name, self.model_name), INVALID_ARG)
            arrays = [pb_utils.get_input_tensor_by_name(r, name).as_numpy() for r in requests]
            joined = arrays[0] if len(arrays) == 1 else np.concatenate(arrays, axis=0)
            index = self.input_index[name]
            if not self.dict_input and index >= len(args):
                raise fail("input '%s' refers to argument index %d of forward(), which takes %d" % (name, index, len(args)), INVALID_ARG)
            value = self.to_torch(name, joined)
            if self.dict_input:
                args[index] = (name, value)
            else:
                args[index] = value
        if self.dict_input:
            return [{k: v for k, v in (a for a in args if a is not None)}]
        return [a for a in args if a is not None]

    def to_torch(self, name, array):
        if array.dtype == np.object_ or array.dtype.kind in ("S", "U"):
            try:
                return [v.decode("utf-8") if isinstance(v, (bytes, np.bytes_)) else str(v) for v in array.reshape(-1)]
            except UnicodeDecodeError:
                raise fail("input '%s': Model Lab passes TYPE_STRING elements to TorchScript as str, and an element is not UTF-8" % name, INVALID_ARG)
        if not array.flags.writeable or not array.flags.c_contiguous:
            array = np.array(array, order="C")  # one copy: torch.from_numpy shares memory and wants it writable
        tensor = torch.from_numpy(array)
        return tensor.to(self.device) if self.device.type != "cpu" else tensor

    def forward(self, args):
        """ModelInstanceState::Execute: the JIT switches, inference mode, one forward(), the results as a list."""
        p = self.params
        torch._C._set_graph_executor_optimize(not p.get("DISABLE_OPTIMIZED_EXECUTION", False))
        if "ENABLE_JIT_PROFILING" in p:
            torch._C._jit_set_profiling_mode(p["ENABLE_JIT_PROFILING"])
        if "ENABLE_JIT_EXECUTOR" in p:
            torch._C._jit_set_profiling_executor(p["ENABLE_JIT_EXECUTOR"])
        if "ENABLE_TENSOR_FUSER" in p:
            torch._C._jit_set_texpr_fuser_enabled(p["ENABLE_TENSOR_FUSER"])
        torch.backends.cudnn.enabled = not p.get("DISABLE_CUDNN", False)
        try:
            with torch.inference_mode(self.inference_mode), torch.no_grad():
                out = self.module(*args)
            return self.results(out)
        except pb_utils.TritonError:
            raise
        except Exception as exc:  # noqa: BLE001 - what TorchScript raised, as Triton words it
            raise fail("PyTorch execute failure: %s" % exc)

    @staticmethod
    def results(out):
        if isinstance(out, tuple):
            for i, item in enumerate(out):
                if isinstance(item, list) and not all(isinstance(v, str) for v in item):
                    raise ValueError("output at index %d must be of type Tensor or List[str], received List[%s]" % (i, element_type(item)))
            return list(out)
        if isinstance(out, torch.Tensor):
            return [out]
        if isinstance(out, list) and all(isinstance(v, str) for v in out):
            return [out]
        if isinstance(out, list):
            raise ValueError("output must be of type Tensor or List[str], received List[%s]" % element_type(out))
        raise ValueError(
            "output must be of type Tensor, List[str] or Tuple containing one of these two types. "
            "It should not be a List / Dictionary of Tensors or a Scalar"
        )

    def scatter(self, requests, sizes, produced):
        """ReadOutputTensors: each config output checked, then split along the first dimension per request."""
        per_request = [[] for _ in requests]
        for name, index, dtype in self.outputs:
            value = produced[index]
            if isinstance(value, torch.Tensor):
                array = self.output_array(name, dtype, value)
            elif isinstance(value, list):
                array = np.array([v.encode("utf-8") for v in value], dtype=np.object_)
            else:
                raise fail("output '%s' must be of type Tensor or List[str]." % name, INVALID_ARG)
            offset = 0
            for i, r in enumerate(requests):
                if self.max_batch_size > 0:
                    if offset + sizes[i] > array.shape[0]:
                        err = fail(
                            "[request id: %s] failed to split the output tensor '%s' in responses: expected batch size of at least %d in model output, got %d"
                            % (r.request_id() or "<id_unknown>", name, offset + sizes[i], array.shape[0]),
                            UNSUPPORTED,
                        )
                        per_request[i] = pb_utils.InferenceResponse(error=err)
                        offset += sizes[i]
                        continue
                    part = array[offset:offset + sizes[i]]
                    offset += sizes[i]
                else:
                    part = array
                if isinstance(per_request[i], list):
                    per_request[i].append(pb_utils.Tensor(name, part))
        return per_request

    def output_array(self, name, dtype, tensor):
        provided = TRITON_OF.get(tensor.dtype, "<invalid>")
        if "TYPE_" + provided != dtype:
            raise fail("configuration expects datatype TYPE_%s for output '%s', model provides TYPE_%s" % (dtype[len("TYPE_"):], name, provided), INVALID_ARG)
        if tensor.dim() == 0:
            raise fail("output '%s' is a scalar which is not supported." % name, INVALID_ARG)
        return tensor.detach().contiguous().cpu().numpy()

    def finalize(self):
        self.module = None
        if self.device.type == "cuda":
            torch.cuda.empty_cache()


def element_type(items):
    kinds = sorted({"Tensor" if isinstance(v, torch.Tensor) else type(v).__name__ for v in items})
    return "|".join(kinds) or "Any"
