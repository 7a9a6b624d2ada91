"""Model Lab: exports a TorchScript model (Triton's PyTorch backend) to ONNX.

Run by the lab (electron/engine/convert/) as a child process with a JSON job on
stdin; it answers one JSON line on stdout. Besides the ONNX file it runs the
TorchScript model on seeded random inputs and writes those inputs and the
model's outputs as raw little-endian files, so that the lab can run the ONNX
model on the very same inputs (with onnxruntime) and compare the answers.

Tensors are matched to the model as Triton's PyTorch backend does it: inputs
by forward()'s argument names, otherwise names ending in `__<index>` by that
index, otherwise in the config's order. Exit status 3 means torch is not installed.
"""
import inspect
import json
import os
import sys

DTYPES = {
    "FP32": "float32", "FP64": "float64", "FP16": "float16",
    "INT8": "int8", "INT16": "int16", "INT32": "int32", "INT64": "int64",
    "UINT8": "uint8", "BOOL": "bool",
}


# Layers whose answers depend on training mode (by their class names).
MODE_LAYERS = ("Dropout", "BatchNorm", "InstanceNorm")


def fail(message, status=1):
    print(json.dumps({"error": message}))
    sys.exit(status)


try:
    import numpy as np
    import torch
except ImportError as e:
    fail(f"{e}", 3)


def named_index(name):
    """The index of a `<name>__<index>` name, read after the first `__` as Triton reads it, else None."""
    pos = name.find("__")
    if pos == -1:
        return None
    digits = name[pos + 2:]
    return int(digits or 0) if all(c in "0123456789" for c in digits) else None


def ordered(names, forward_args):
    """The config's tensors in forward()'s order, as Triton's PyTorch backend maps them
    (GetNamingConvention): inputs all named like forward()'s arguments by those names, else
    `<name>__<index>` by index, else the config's order."""
    if forward_args and all(n in forward_args for n in names):
        return sorted(names, key=forward_args.index)
    if names and all(named_index(n) is not None for n in names):
        return sorted(names, key=named_index)
    return list(names)


def forward_arguments(model):
    try:
        return [a.name for a in model.forward.schema.arguments][1:]
    except (AttributeError, RuntimeError):
        return None


def random_input(rng, spec, batch):
    dims = [4 if d < 0 else d for d in spec["dims"]]
    shape = ([batch] if batch else []) + dims
    kind = DTYPES.get(spec["dtype"])
    if kind is None:
        fail(f"input '{spec['name']}' is {spec['dtype']}: ONNX export takes numeric and BOOL tensors only")
    if kind == "bool":
        return rng.random_sample(shape) < 0.5
    if kind.startswith("float"):
        return rng.standard_normal(shape).astype(kind)
    return rng.randint(0, 10, size=shape).astype(kind)


def flatten(result):
    if isinstance(result, torch.Tensor):
        return [result]
    if isinstance(result, (tuple, list)) and all(isinstance(t, torch.Tensor) for t in result):
        return list(result)
    fail(f"the model returns {type(result).__name__}: only a tensor or a tuple/list of tensors can be exported to ONNX here")


def run_samples(model, job, inputs, outputs):
    """Runs the TorchScript model on `samples` seeded inputs; writes inputs and answers as .bin files."""
    max_batch = job["maxBatchSize"]
    written, first = [], None
    for s in range(job["samples"]):
        rng = np.random.RandomState(job["seed"] + s)
        batch = 1 + s % min(max_batch, 3) if max_batch > 0 else 0
        arrays = [random_input(rng, spec, batch) for spec in inputs]
        first = first or arrays
        with torch.no_grad():
            answers = flatten(model(*[torch.from_numpy(a) for a in arrays]))
        if len(answers) != len(outputs):
            fail(f"the model returned {len(answers)} output(s) but the config lists {len(outputs)}")
        entry = {"inputs": [], "outputs": []}
        for side, specs, values in (("inputs", inputs, arrays), ("outputs", outputs, [a.numpy() for a in answers])):
            for k, (spec, value) in enumerate(zip(specs, values)):
                file = os.path.join(job["workDir"], f"s{s}_{side}_{k}.bin")
                np.ascontiguousarray(value).astype(value.dtype.newbyteorder("<")).tofile(file)
                entry[side].append({"name": spec["name"], "dtype": str(value.dtype), "shape": list(value.shape), "file": file})
        written.append(entry)
    return written, first


def max_opset():
    try:
        from torch.onnx import _constants

        return _constants.ONNX_MAX_OPSET
    except (ImportError, AttributeError):
        return 13


def export(model, job, inputs, outputs, example):
    opset = min(job["opset"], max_opset())
    dynamic = {}
    for spec in inputs + outputs:
        axes = {0: "batch"} if job["maxBatchSize"] > 0 else {}
        offset = 1 if job["maxBatchSize"] > 0 else 0
        for i, d in enumerate(spec.get("dims", [])):
            if d < 0:
                axes[i + offset] = f"{spec['name']}_{i + offset}"
        if axes:
            dynamic[spec["name"]] = axes
    kwargs = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # a TorchScript module goes through the TorchScript exporter
    torch.onnx.export(
        model, tuple(torch.from_numpy(a) for a in example), job["onnxFile"],
        input_names=[s["name"] for s in inputs], output_names=[s["name"] for s in outputs],
        dynamic_axes=dynamic, opset_version=opset, do_constant_folding=True, **kwargs,
    )
    return opset


def main():
    job = json.loads(sys.stdin.read())
    torch.manual_seed(job["seed"])
    try:
        model = torch.jit.load(job["modelFile"], map_location="cpu")
    except Exception as e:  # torch raises RuntimeError and others for a file that is not TorchScript
        fail(f"{job['modelFile']} is not a TorchScript archive torch can load: {e}")
    # Triton (and the lab's PyTorch backend) runs the archive as saved; where layers act otherwise in training,
    # an eval-mode ONNX export would not answer as the served model does.
    live = sorted({m.original_name for m in model.modules() if m.training and any(k in m.original_name for k in MODE_LAYERS)})
    if live:
        fail(
            f"the archive was saved in training mode with {', '.join(live)} layers acting as in training, and Triton "
            "runs it as saved, so an ONNX export would not answer as the served model does: call model.eval() before saving it"
        )
    model.eval()
    args = forward_arguments(model)
    by_name = {s["name"]: s for s in job["inputs"]}
    inputs = [by_name[n] for n in ordered(list(by_name), args)]
    out_by_name = {s["name"]: s for s in job["outputs"]}
    outputs = [out_by_name[n] for n in ordered(list(out_by_name), None)]
    try:
        samples, example = run_samples(model, job, inputs, outputs)
        opset = export(model, job, inputs, outputs, example)
    except SystemExit:
        raise
    except Exception as e:
        fail(f"{type(e).__name__}: {e}")
    version = sys.version.split()[0]
    print(json.dumps({"torch": torch.__version__, "python": version, "opset": opset, "samples": samples}))


if __name__ == "__main__":
    main()
