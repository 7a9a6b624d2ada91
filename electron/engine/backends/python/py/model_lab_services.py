# pb_utils.MetricFamily / Metric (custom metrics) and the BLS model-control
# functions load_model, unload_model and is_model_ready, as Triton's Python
# backend offers them (python_backend src/metric*.cc, model_loader.cc,
# pb_stub.cc), with its error wording. triton_python_backend_utils re-exports
# them.
#
# Each call is a `service` frame to the lab, answered on the BLS answer path
# (a `bls-result` frame) under a negative call id, so BLS ids never collide.
# The lab keeps the metrics (services.ts, engine/metrics/custom-metrics.ts)
# and exports them on /metrics; the ones this process made go when it ends.
import enum
import itertools
import json
import threading

import triton_python_backend_utils as pb_utils

_ids = itertools.count(1)
# Metric deletions from __del__ wait here and leave with the next call: a finalizer may run
# while this thread is inside Channel.send (garbage collection), so it must not send itself.
_deleted = []
_deleted_lock = threading.Lock()


def _lab():
    lab = pb_utils._lab
    if lab is None:
        raise pb_utils.TritonModelException("this function is only available inside a model served by the lab")
    return lab


def _flush_deleted(lab):
    with _deleted_lock:
        ids = list(_deleted)
        del _deleted[:]
    if ids:
        lab.channel.send({"type": "service", "callId": 0, "op": "metric-delete", "ids": ids})


def _call(prefix, header, buffers=()):
    """Sends one request and waits for its answer; a refusal raises TritonModelException('<prefix><message>')."""
    lab = _lab()
    _flush_deleted(lab)
    call_id = -next(_ids)
    lab.channel.send(dict(header, type="service", callId=call_id), buffers)
    reply, _payload = lab.inbox.wait_result(call_id)
    if reply is None:
        raise pb_utils.TritonModelException(prefix + "the lab closed the connection")
    if "error" in reply:
        raise pb_utils.TritonModelException(prefix + reply["error"]["message"])
    return reply


class MetricKind(enum.IntEnum):
    COUNTER = 0
    GAUGE = 1
    HISTOGRAM = 2


_KIND_NAMES = {MetricKind.COUNTER: "counter", MetricKind.GAUGE: "gauge", MetricKind.HISTOGRAM: "histogram"}


def _none_check(fn, **args):
    for name, value in args.items():
        if value is None:
            raise TypeError("%s(): incompatible function arguments: '%s' may not be None" % (fn, name))


class Metric:
    """One metric (a label set) of a MetricFamily; created by MetricFamily.Metric()."""

    def __init__(self, family_name, kind, labels_json, buckets):
        self._kind = kind
        self._cleared = False
        header = {"op": "metric-new", "family": family_name, "labels": labels_json}
        if buckets is not None:
            header["buckets"] = buckets
        self._id = _call("Error when creating Metric: ", header)["id"]

    def _check(self):
        if self._cleared:
            raise pb_utils.TritonModelException(
                "Invalid metric operation as the corresponding 'MetricFamily' has been deleted. "
                "The 'MetricFamily' object should be deleted AFTER its corresponding 'Metric' objects have been deleted."
            )

    def _op(self, prefix, action, value=0.0):
        try:
            self._check()
            return _call("", {"op": "metric", "id": self._id, "action": action, "value": float(value)})
        except pb_utils.TritonModelException as exc:
            raise pb_utils.TritonModelException(prefix + str(exc)) from None

    def increment(self, value):
        self._op("Failed to increment metric value: ", "increment", value)

    def set(self, value):
        self._op("Failed to set metric value: ", "set", value)

    def observe(self, value):
        self._op("Failed to observe metric value: ", "observe", value)

    def value(self):
        return float(self._op("Failed to get metric value: ", "value").get("value", 0.0))

    def _clear(self):
        if not self._cleared:
            self._cleared = True
            with _deleted_lock:
                _deleted.append(self._id)

    def __del__(self):
        try:
            self._clear()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


class MetricFamily:
    """A metric family (counter, gauge or histogram). The same name and kind used again (here or in
    another model) is the same family, with its first description; another kind is refused."""

    COUNTER = MetricKind.COUNTER
    GAUGE = MetricKind.GAUGE
    HISTOGRAM = MetricKind.HISTOGRAM

    def __init__(self, name, description, kind):
        _none_check("MetricFamily", name=name, description=description, kind=kind)
        if not isinstance(name, str) or not isinstance(description, str):
            raise TypeError("MetricFamily(): name and description must be str")
        try:
            kind = MetricKind(kind)
        except ValueError:
            raise TypeError("MetricFamily(): kind must be MetricFamily.COUNTER, GAUGE or HISTOGRAM") from None
        self._name = name
        self._kind = kind
        self._metrics = []
        self._lock = threading.Lock()
        _call("Error when creating MetricFamily: ", {"op": "family-new", "name": name, "description": description, "kind": _KIND_NAMES[kind]})

    def Metric(self, labels=None, buckets=None):  # noqa: N802 - Triton's name
        if labels is not None and not isinstance(labels, dict):
            raise pb_utils.TritonModelException("Failed to create metric. Labels must be a dictionary.")
        if buckets is not None:
            if not isinstance(buckets, list):
                raise pb_utils.TritonModelException("Failed to create metric. Buckets must be a list.")
            if self._kind != MetricKind.HISTOGRAM:
                raise pb_utils.TritonModelException("Failed to create metric. Unexpected buckets found.")
            try:
                buckets = [float(b) for b in buckets]
            except (TypeError, ValueError) as exc:
                raise TypeError("Metric(): buckets must be numbers: %s" % exc) from None
        elif self._kind == MetricKind.HISTOGRAM:
            raise pb_utils.TritonModelException("Failed to create metric. Missing required buckets.")
        metric = Metric(self._name, self._kind, json.dumps(labels), buckets)
        with self._lock:
            self._metrics.append(metric)
        return metric

    def __del__(self):
        # As Triton's stub: the family's metrics are cleared first (later operations on them fail).
        try:
            for m in self._metrics:
                m._clear()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def load_model(model_name, config="", files=None):
    """Loads (or reloads) a model through the server's model control (explicit mode), as Triton's
    load API: `config` a JSON config override, `files` {"file:<version>/<name>": bytes}."""
    _none_check("load_model", model_name=model_name, config=config)
    if not isinstance(model_name, str) or not isinstance(config, str):
        raise TypeError("load_model(): model_name and config must be str")
    entries, buffers, size = [], [], 0
    if files is not None:
        if not isinstance(files, dict):
            raise pb_utils.TritonModelException(
                "failed to load model '%s', files should be a dictionary of file paths and file contents" % model_name
            )
        for key, content in files.items():
            if not isinstance(key, str) or not isinstance(content, (bytes, bytearray)):
                raise TypeError("load_model(): files must map str paths to bytes contents")
            pad = (-size) % 8
            if pad:
                buffers.append(b"\0" * pad)
                size += pad
            entries.append({"key": key, "offset": size, "nbytes": len(content)})
            buffers.append(bytes(content))
            size += len(content)
    _call("Failed to load model: ", {"op": "load", "model": model_name, "config": config, "files": entries}, buffers)


def unload_model(model_name, unload_dependents=False):
    _none_check("unload_model", model_name=model_name, unload_dependents=unload_dependents)
    if not isinstance(model_name, str):
        raise TypeError("unload_model(): model_name must be str")
    _call("Failed to unload model: ", {"op": "unload", "model": model_name, "unloadDependents": bool(unload_dependents)})


def is_model_ready(model_name, model_version=""):
    _none_check("is_model_ready", model_name=model_name, model_version=model_version)
    if not isinstance(model_name, str) or not isinstance(model_version, str):
        raise TypeError("is_model_ready(): model_name and model_version must be str")
    return bool(_call("Failed to check model readiness: ", {"op": "ready", "model": model_name, "version": model_version}).get("ready"))
