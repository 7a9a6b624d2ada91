# Model Lab's Python backend stub: one process per model instance. It imports
# the user's model.py, runs TritonPythonModel, and talks to the lab over fd 3.
#
# Frames (both ways): uint32 LE header length, uint64 LE payload length, the
# header as UTF-8 JSON, then the payload: raw tensor bytes, each tensor at an
# 8-byte aligned offset the header names. BYTES tensors use Triton's layout.
import asyncio
import collections
import concurrent.futures
import contextvars
import functools
import importlib.util
import inspect
import json
import mmap
import os
import shutil
import socket
import struct
import sys
import threading
import time
import traceback
import weakref

import numpy as np

_HEAD = struct.Struct("<IQ")
_MAX_LOG_CHARS = 8192
_STUB_DIR = os.path.dirname(os.path.abspath(__file__))
# The execute a piece of model code runs for (its id), so a BLS call made from one of several
# executes in flight runs in that execute's context. Set on the main thread around execute() and
# inside the task of an async execute; tasks it creates inherit it.
_EXECUTE_ID = contextvars.ContextVar("model_lab_execute_id", default=None)
# Threads that wait on async_exec() answers, so the event loop itself never blocks on one.
_BLS_WAITERS = 64

import triton_python_backend_utils as pb_utils  # noqa: E402  (next to this file: sys.path[0])


def _correlation_wire(request):
    """A BLS request's correlation_id and flags for the host: a uint64 as its digits (exact past 2^53), or the string."""
    cid = request.correlation_id()
    if isinstance(cid, str):
        return {"correlationId": cid, "flags": int(request.flags() or 0)}
    return {"correlationId": str(int(cid or 0)), "correlationIdUint": True, "flags": int(request.flags() or 0)}


class Channel:
    def __init__(self, fd):
        os.set_inheritable(fd, False)
        self._fd = fd
        self._reader = open(fd, "rb", buffering=0, closefd=False)
        self._widen(fd)
        self._lock = threading.Lock()
        self.spill_dir = None
        self._spills = 0

    @staticmethod
    def _widen(fd):
        """Large socket buffers: a 4 MB tensor then moves in a few system calls instead of dozens (capped by the kernel's wmem_max/rmem_max)."""
        try:
            sock = socket.socket(fileno=os.dup(fd))
        except OSError:
            return  # a pipe, not a socket
        try:
            for opt in (socket.SO_SNDBUF, socket.SO_RCVBUF):
                sock.setsockopt(socket.SOL_SOCKET, opt, 8 << 20)
        except OSError:
            pass
        finally:
            sock.close()

    def _read_exact(self, n):
        buf = bytearray(n)
        view = memoryview(buf)
        got = 0
        while got < n:
            k = self._reader.readinto(view[got:])
            if not k:
                raise EOFError("the lab closed the connection")
            got += k
        return buf

    def read(self):
        hlen, plen = _HEAD.unpack(self._read_exact(_HEAD.size))
        header = json.loads(self._read_exact(hlen).decode("utf-8"))
        payload = self._read_exact(plen) if plen else bytearray()
        spilled = header.pop("payloadFile", None)
        if spilled is not None:
            payload = map_file(spilled, header.pop("payloadSize"))
        return header, payload

    def send(self, header, buffers=()):
        plen = sum(len(b) for b in buffers)
        with self._lock:
            if plen >= SPILL_BYTES and self.spill_dir:
                # Large payloads go through a file: the lab reads it in one call.
                self._spills += 1
                path = os.path.join(self.spill_dir, "out-%d.bin" % self._spills)
                write_file(path, buffers)
                header = dict(header, payloadFile=path, payloadSize=plen)
                buffers, plen = (), 0
            head = json.dumps(header, separators=(",", ":")).encode("utf-8")
            for part in [_HEAD.pack(len(head), plen) + head, *buffers]:
                view = memoryview(part)
                while len(view):
                    view = view[os.write(self._fd, view):]


SPILL_BYTES = 256 * 1024


def write_file(path, buffers):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        pending = [memoryview(b).cast("B") for b in buffers if len(b)]
        while pending:
            written = os.writev(fd, pending[:64])
            while written:
                if written >= len(pending[0]):
                    written -= len(pending[0])
                    pending.pop(0)
                else:
                    pending[0] = pending[0][written:]
                    written = 0
    finally:
        os.close(fd)


def map_file(path, size):
    """A payload the lab wrote to a file (tmpfs where there is one), mapped rather than copied.
    Each payload has its own file, removed at once, so arrays over it are the model's alone: they
    stay valid for as long as it keeps them, and writing into them changes nothing else."""
    fd = os.open(path, os.O_RDWR)
    try:
        try:
            return mmap.mmap(fd, size, flags=mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0), prot=mmap.PROT_READ | mmap.PROT_WRITE)
        except (AttributeError, TypeError, ValueError, OSError):
            buf = bytearray(size)
            view = memoryview(buf)
            got = 0
            while got < size:
                k = os.readv(fd, [view[got:]])
                if not k:
                    raise EOFError("payload file %s is shorter than %d bytes" % (path, size))
                got += k
            return buf
    finally:
        os.close(fd)
        os.unlink(path)


class Payload:
    """Collects tensors for one outgoing frame; each meta names where its bytes are."""

    def __init__(self):
        self.buffers = []
        self.size = 0

    def add(self, name, array, triton_type):
        if triton_type == "BYTES":
            raw = memoryview(encode_bytes(array))
        else:
            arr = np.ascontiguousarray(array)
            if arr.dtype.byteorder == ">":
                arr = arr.astype(arr.dtype.newbyteorder("<"))
            raw = memoryview(arr.reshape(-1).view(np.uint8)) if arr.size else memoryview(b"")
        pad = (-self.size) % 8
        if pad:
            self.buffers.append(b"\0" * pad)
            self.size += pad
        meta = {"name": name, "dtype": triton_type, "shape": [int(d) for d in array.shape], "offset": self.size, "nbytes": len(raw)}
        if len(raw):
            self.buffers.append(raw)
            self.size += len(raw)
        return meta

    def tensor(self, t):
        return self.add(t.name(), t.as_numpy(), t._triton_type)


def encode_bytes(array):
    parts = []
    for item in array.reshape(-1):
        raw = item if isinstance(item, bytes) else bytes(item) if isinstance(item, (bytearray, np.bytes_)) else str(item).encode("utf-8")
        parts.append(struct.pack("<I", len(raw)))
        parts.append(raw)
    return b"".join(parts)


def decode_bytes(view, count):
    out = np.empty(count, dtype=np.object_)
    offset = 0
    for i in range(count):
        (length,) = struct.unpack_from("<I", view, offset)
        offset += 4
        out[i] = bytes(view[offset:offset + length])
        offset += length
    return out


_NUMPY = {
    "BOOL": np.bool_, "UINT8": np.uint8, "UINT16": np.uint16, "UINT32": np.uint32, "UINT64": np.uint64,
    "INT8": np.int8, "INT16": np.int16, "INT32": np.int32, "INT64": np.int64,
    "FP16": np.float16, "FP32": np.float32, "FP64": np.float64,
}


def to_tensors(metas, payload):
    tensors = []
    for m in metas:
        shape = tuple(m["shape"])
        count = 1
        for d in shape:
            count *= d
        if m["dtype"] == "BYTES":
            view = memoryview(payload)[m["offset"]:m["offset"] + m["nbytes"]]
            arr = decode_bytes(view, count).reshape(shape)
        elif m["dtype"] == "BF16":
            raise pb_utils.TritonModelException("tensor '%s' is BF16, which numpy cannot hold" % m["name"])
        else:
            arr = np.frombuffer(payload, dtype=_NUMPY[m["dtype"]], count=count, offset=m["offset"]).reshape(shape)
        tensors.append(pb_utils.Tensor(m["name"], arr, m["dtype"]))
    return tensors


def describe(exc):
    """An exception as Triton's Python backend reports it: `Type: message`, then the frames, innermost first."""
    frames = [
        (f.filename, f.lineno, f.name)
        for f in traceback.extract_tb(exc.__traceback__)
        if not f.filename.startswith(_STUB_DIR) and not f.filename.startswith("<frozen")
    ]
    # Where a syntax error is: its own location, as a module-level frame.
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        frames.append((exc.filename, exc.lineno, "<module>"))
    text = "%s: %s" % (type(exc).__name__, str(exc) or "<EMPTY MESSAGE>")
    if isinstance(exc, pb_utils.TritonError):
        text = exc.message()
    if frames:
        text += "\n\nAt:\n" + "".join("  %s(%d): %s\n" % f for f in reversed(frames))
    code = exc._code_name() if isinstance(exc, pb_utils.TritonError) else "INTERNAL"
    return {"code": code, "message": text}


def error_of(err):
    return {"code": err._code_name(), "message": err.message()}


def prune(response, requested):
    tensors = response.output_tensors()
    return [t for t in tensors if t.name() in requested] if requested else tensors


class Lab:
    """The stub's side of everything pb_utils needs from the server."""

    def __init__(self, channel):
        self.channel = channel
        # Triton allows BLS once initialize() has returned and until finalize() begins, from any
        # thread or task (a background task between requests too).
        self.initialized = False
        self.finalizing = False
        self.loop = EventLoop(self)
        self.inbox = Inbox(channel)
        self._next_call = 1
        self._lock = threading.Lock()
        # (execute id, request index) -> the output names that request asked for.
        self.requested = {}
        # (execute id, request index) of requests known to be cancelled (is_cancelled()).
        self.cancelled = set()

    def log(self, level, message):
        # The lab keeps 8,192 characters of a line; a huge message is cut here, before it is framed.
        message = str(message)
        if len(message) > _MAX_LOG_CHARS:
            message = "%s … (%d more characters not kept)" % (message[:_MAX_LOG_CHARS], len(message) - _MAX_LOG_CHARS)
        self.channel.send({"type": "log", "level": level, "message": message})

    def _response_wire(self, response, requested, payload):
        if response.has_error():
            return {"error": error_of(response.error())}
        wire = {"outputs": [payload.tensor(t) for t in prune(response, requested)]}
        parameters = json.loads(response.parameters() or "{}")
        if parameters:
            wire["parameters"] = parameters
        return wire

    def send_response(self, execute_id, index, response, final):
        payload = Payload()
        header = {"type": "response", "id": execute_id, "index": index, "final": final}
        if response is not None:
            requested = self.requested.get((execute_id, index), [])
            header["response"] = self._response_wire(response, requested, payload)
        if final:
            self.requested.pop((execute_id, index), None)
            self.cancelled.discard((execute_id, index))
        self.channel.send(header, payload.buffers)

    def is_cancelled(self, execute_id, index):
        """Whether the caller of request `index` of execute `execute_id` cancelled it. Asked of the lab
        (Triton's stub asks its parent too) from whichever thread calls; kept once True, until the
        request's final response."""
        key = (execute_id, index)
        if key in self.cancelled:
            return True
        with self._lock:
            call_id = self._next_call
            self._next_call += 1
        self.channel.send({"type": "is-cancelled", "callId": call_id, "id": execute_id, "index": index})
        header, _ = self.inbox.wait_result(call_id)
        if header is not None and header.get("cancelled"):
            self.cancelled.add(key)
            return True
        return False

    # BLS: the request leaves as a frame; whichever thread waits reads frames until its answer is in.
    def _start_call(self, request, decoupled):
        with self._lock:
            call_id = self._next_call
            self._next_call += 1
        payload = Payload()
        inputs = [payload.tensor(t) for t in request.inputs()]
        self.channel.send({
            "type": "bls", "callId": call_id, "model": request.model_name(), "version": request.model_version(),
            "requestId": str(request.request_id()), "inputs": inputs, "requested": request.requested_output_names(),
            "parameters": json.loads(request.parameters() or "{}"), "decoupled": decoupled,
            "executeId": _EXECUTE_ID.get(), **_correlation_wire(request),
        }, payload.buffers)
        return call_id

    def _outside_execute(self):
        if not self.initialized or self.finalizing:
            return pb_utils.InferenceResponse(error=pb_utils.TritonError("BLS is only supported during the 'execute' function."))
        return None

    def bls(self, request, decoupled):
        refused = self._outside_execute()
        if refused is not None:
            return iter([refused]) if decoupled else refused
        call_id = self._start_call(request, decoupled)
        if decoupled:
            return ResponseIterator(self, call_id)
        return self._answer(self.inbox.wait_result(call_id))

    async def bls_async(self, request, decoupled):
        refused = self._outside_execute()
        if refused is not None:
            return iter([refused]) if decoupled else refused
        call_id = self._start_call(request, decoupled)
        # The event loop must keep running (other calls, other coroutines): a waiter thread waits.
        # (On the instance's loop the default executor is EventLoop.waiters.)
        run = functools.partial(asyncio.get_running_loop().run_in_executor, None)
        if decoupled:
            responses = ResponseIterator(self, call_id)
            await run(responses.peek)
            return responses
        return self._answer(await run(self.inbox.wait_result, call_id))

    @staticmethod
    def _answer(frame):
        header, payload = frame
        if header is None:
            return pb_utils.InferenceResponse(error=pb_utils.TritonError("the lab closed the connection", pb_utils.TritonError.UNAVAILABLE))
        if "error" in header:
            code = getattr(pb_utils.TritonError, header["error"]["code"], pb_utils.TritonError.INTERNAL)
            return pb_utils.InferenceResponse(error=pb_utils.TritonError(header["error"]["message"], code))
        response = pb_utils.InferenceResponse(output_tensors=to_tensors(header["outputs"], payload))
        # The called model's response parameters, as JSON text (already checked where they were set).
        response._parameters = json.dumps(header.get("parameters") or {})
        return response


async def _scoped(awaitable, execute_id):
    """Awaits model code as part of execute `execute_id` (None: outside any execute)."""
    if execute_id is not None:
        _EXECUTE_ID.set(execute_id)
    return await awaitable


def format_exception(exc):
    """An exception with its traceback as Python prints it (what Triton's stub logs for a background
    task), without the stub's own frames."""
    summary = traceback.TracebackException.from_exception(exc)
    summary.stack = traceback.StackSummary.from_list([f for f in summary.stack if not f.filename.startswith(_STUB_DIR)])
    return "".join(summary.format()).rstrip()


class EventLoop:
    """The instance's asyncio event loop, running all the time on its own thread as Triton's stub
    runs it: async executes, the tasks they start and async BLS calls progress while the main
    thread reads the next message, and between requests too. Exceptions nobody retrieves go to the
    model log with their tracebacks."""

    def __init__(self, lab):
        self._lab = lab
        self.loop = asyncio.new_event_loop()
        self.loop.set_exception_handler(self._unhandled)
        # async_exec() answers are waited for on these threads (run_in_executor(None, ...) too).
        self.loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(_BLS_WAITERS, thread_name_prefix="model-lab-wait"))
        # Sync model code on the main thread finds this loop, as under Triton.
        asyncio.set_event_loop(self.loop)
        self._thread = threading.Thread(target=self.loop.run_forever, name="model-lab-asyncio", daemon=True)
        self._thread.start()

    def run(self, awaitable, execute_id=None):
        """Schedules model code on the loop; returns its concurrent.futures.Future."""
        return asyncio.run_coroutine_threadsafe(_scoped(awaitable, execute_id), self.loop)

    def wait(self, awaitable, execute_id=None):
        """Runs model code on the loop to its end (the calling thread waits; the loop goes on)."""
        return self.run(awaitable, execute_id).result()

    def _unhandled(self, loop, context):
        text = context.get("message") or "Unhandled exception in the event loop"
        exc = context.get("exception")
        if exc is not None:
            text += "\n" + format_exception(exc)
        self._lab.log("error", text)

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)


class ResponseIterator:
    """What exec(decoupled=True) returns: the called model's responses as they arrive. The last one
    carries the final flag; when the model sent that flag alone, it is an empty response."""

    def __init__(self, lab, call_id):
        self._lab = lab
        self._call_id = call_id
        self._next = None
        self._done = False

    def __iter__(self):
        return self

    def peek(self):
        if self._next is None and not self._done:
            self._next = self._receive()
        return self._next

    def __next__(self):
        response = self.peek()
        if response is None:
            raise StopIteration
        self._next = None
        return response

    def _receive(self):
        header, payload = self._lab.inbox.wait_stream(self._call_id)
        if header is None:
            self._done = True
            return self._lab._answer((None, None))
        self._done = header["final"]
        response = header.get("response")
        return self._lab._answer((response, payload)) if response is not None else pb_utils.InferenceResponse()

    def cancel(self):
        """Cancels the request this call made, as Triton does: the called model's is_cancelled() turns
        True (a queued request is dropped with CANCELLED). A no-op once the stream has ended."""
        if self._done or getattr(self, "_cancelled", False):
            return
        self._cancelled = True
        self._lab.channel.send({"type": "bls-cancel", "callId": self._call_id})


class Inbox:
    """Frames from the lab, read by whichever thread needs one next (leader/follower): the main
    loop reads its own work with no hand-off between threads, a thread waiting on a BLS answer reads
    until it arrives, and a frame meant for another thread is handed over."""

    def __init__(self, channel):
        self.channel = channel
        self.cond = threading.Condition()
        self.reading = False
        self.closed = False
        self.results = {}
        # BLS calls with decoupled=True: call id -> the responses not yet taken.
        self.streams = collections.defaultdict(collections.deque)
        self.work = collections.deque()

    def _pump(self, ready):
        """Called with cond held; returns once ready() holds or the channel is closed."""
        while not ready() and not self.closed:
            if self.reading:
                self.cond.wait()
                continue
            self.reading = True
            self.cond.release()
            try:
                frame = self.channel.read()
            except EOFError:
                frame = None
            finally:
                self.cond.acquire()
                self.reading = False
            if frame is None:
                self.closed = True
            elif frame[0]["type"] in ("bls-result", "cancel-state"):
                self.results[frame[0]["callId"]] = frame
            elif frame[0]["type"] == "bls-response":
                self.streams[frame[0]["callId"]].append(frame)
            else:
                self.work.append(frame)
            self.cond.notify_all()

    def next_work(self):
        with self.cond:
            self._pump(lambda: self.work)
            return self.work.popleft() if self.work else ({"type": "exit"}, None)

    def wait_result(self, call_id):
        with self.cond:
            self._pump(lambda: call_id in self.results)
            return self.results.pop(call_id, (None, None))

    def wait_stream(self, call_id):
        with self.cond:
            self._pump(lambda: self.streams.get(call_id))
            queue = self.streams.get(call_id)
            if not queue:
                return None, None
            frame = queue.popleft()
            if frame[0]["final"]:
                del self.streams[call_id]
            return frame


class Stub:
    def __init__(self, setup, channel):
        self.setup = setup
        self.channel = channel
        self.lab = Lab(channel)
        pb_utils._lab = self.lab
        self.model_class = None
        self.model = None
        self.decoupled = False

    def send(self, header, buffers=()):
        self.channel.send(header, buffers)

    def load(self):
        try:
            self.model_class = import_model(self.setup["file"])
            self.send({"type": "loaded", "hasAutoComplete": hasattr(self.model_class, "auto_complete_config")})
        except BaseException as exc:  # noqa: B902 - a SystemExit in model.py is a load failure too
            self.send({"type": "load-error", "error": describe(exc)})

    def autocomplete(self, msg):
        try:
            config = pb_utils.ModelConfig(msg["config"])
            returned = self.model_class.auto_complete_config(config)
            if not isinstance(returned, pb_utils.ModelConfig):
                raise pb_utils.TritonModelException(
                    "auto_complete_config function in model '%s' must return a valid pb.ModelConfig object." % config.as_dict().get("name", "")
                )
            self.send({"type": "autocomplete-result", "config": returned.as_dict()})
        except Exception as exc:
            self.send({"type": "autocomplete-result", "error": describe(exc)})

    def init(self, msg):
        try:
            args = msg["args"]
            self.decoupled = pb_utils.using_decoupled_model_transaction_policy(args["model_config"])
            self.model = self.model_class()
            if not callable(getattr(self.model, "execute", None)):
                raise pb_utils.TritonModelException("TritonPythonModel must define execute(requests)")
            init = getattr(self.model, "initialize", None)
            if init is not None:
                self.run(init(args))
            self.lab.initialized = True
            if self.decoupled and inspect.iscoroutinefunction(self.model.execute):
                # Its executes return once on the event loop: the lab may send the next without waiting.
                self.send({"type": "async-execute"})
            self.send({"type": "ready"})
        except Exception as exc:
            self.send({"type": "init-error", "error": describe(exc)})

    def run(self, result):
        """initialize() and finalize(): a coroutine runs to its end on the event loop."""
        return self.lab.loop.wait(result) if inspect.isawaitable(result) else result

    def call_execute(self, execute_id, requests):
        """execute() as Triton's stub calls it: a coroutine runs on the event loop, a decoupled
        model's in the background (this returns None at once: the next execute may start while it
        awaits, and its response senders answer), any other's to its end."""
        token = _EXECUTE_ID.set(execute_id)
        try:
            out = self.model.execute(requests)
        finally:
            _EXECUTE_ID.reset(token)
        if not inspect.isawaitable(out):
            return out
        if not self.decoupled:
            return self.lab.loop.wait(out, execute_id)
        future = self.lab.loop.run(out, execute_id)
        future.add_done_callback(functools.partial(self.background_done, execute_id, requests))
        return None

    def background_done(self, execute_id, requests, future):
        """A decoupled async execute ended. Its exception goes to the model log with the traceback (as
        Triton logs it); the requests it left without the final flag fail with it."""
        exc = asyncio.CancelledError("the async execute was cancelled") if future.cancelled() else future.exception()
        if exc is None:
            if future.result() is not None:
                # Triton drops what a background execute returns; the lab says why nothing came of it.
                self.lab.log("error", "Python model '%s' is using the decoupled mode and the execute function must return None." % self.setup.get("instanceName", self.setup["modelName"]))
            return
        self.lab.log("error", format_exception(exc))
        still_open = [req for req in requests if not req._sender._closed]
        for req in requests:
            req._sender._close()
            self.lab.requested.pop((execute_id, req._sender._index), None)
        if still_open:
            self.send({"type": "background-error", "id": execute_id, "indexes": [req._sender._index for req in still_open], "error": describe(exc)})

    def watch(self, sender, execute_id, index, request_id):
        """When the model lets go of a request and its sender without the final flag, nothing can
        answer it any more: the lab hears so at once rather than after the execute timeout. (The
        check runs wherever the garbage collector does; the frame goes from the event loop, never
        from inside a send that holds the channel's lock.)"""
        open_ = self.lab.requested

        def dropped():
            if (execute_id, index) in open_:
                self.lab.loop.loop.call_soon_threadsafe(self.sender_dropped, execute_id, index, request_id)

        weakref.finalize(sender, dropped).atexit = False

    def sender_dropped(self, execute_id, index, request_id):
        if self.lab.requested.pop((execute_id, index), None) is None:
            return
        message = (
            "the response sender of %s was released without sending the final flag "
            "(TRITONSERVER_RESPONSE_COMPLETE_FINAL); nothing can answer the request any more"
            % ("request '%s'" % request_id if request_id else "a request")
        )
        self.send({"type": "response", "id": execute_id, "index": index, "final": True, "response": {"error": {"code": "INTERNAL", "message": message}}})

    def execute(self, msg, payload):
        execute_id = msg["id"]
        requests = []
        try:
            for index, r in enumerate(msg["requests"]):
                req = pb_utils.InferenceRequest(
                    self.setup["modelName"], to_tensors(r["inputs"], payload), r["requested"],
                    request_id=r["id"],
                    # A uint64 past 2^53 comes as its digits (sequence-wire.ts).
                    correlation_id=int(r["correlationId"]) if r.get("correlationIdUint") else r.get("correlationId", 0),
                    flags=r.get("flags", 0),
                )
                # The request's parameters as the client sent them (a double too), as JSON text.
                req._parameters = json.dumps(r.get("parameters") or {})
                req._sender = pb_utils.InferenceResponseSender(execute_id, index, self.decoupled)
                self.lab.requested[(execute_id, index)] = r["requested"]
                self.watch(req._sender, execute_id, index, r["id"])
                requests.append(req)
            started = time.perf_counter_ns()
            out = self.call_execute(execute_id, requests)
            own_ns = time.perf_counter_ns() - started
            payload_out = Payload()
            responses = self.responses(out, requests, payload_out)
            self.send({"type": "executed", "id": execute_id, "responses": responses, "ownNs": own_ns}, payload_out.buffers)
        except _ReturnError as exc:
            self.close_senders(requests)
            self.send({"type": "execute-error", "id": execute_id, "error": {"code": "INTERNAL", "message": str(exc)}})
        except Exception as exc:
            self.close_senders(requests)
            self.send({"type": "execute-error", "id": execute_id, "error": describe(exc)})
        finally:
            for req in requests:
                if req._sender._closed:
                    self.lab.requested.pop((execute_id, req._sender._index), None)

    @staticmethod
    def close_senders(requests):
        """As Triton after a failed execute: the error answers every request; their senders send nothing more."""
        for req in requests:
            req._sender._close()

    def responses(self, out, requests, payload):
        """What execute() returned, checked as Triton checks it; None: sent (or still to be sent) by the response sender."""
        if out is None:
            return [None] * len(requests)
        if self.decoupled:
            raise _ReturnError("Python model '%s' is using the decoupled mode and the execute function must return None." % self.setup.get("instanceName", self.setup["modelName"]))
        if not isinstance(out, list):
            raise _ReturnError("Expected a list in the execute return, found type '%s'." % type(out))
        if len(out) != len(requests):
            raise _ReturnError(
                "Number of InferenceResponse objects do not match the number of InferenceRequest objects. "
                "InferenceRequest(s) size is:%d, and InferenceResponse(s) size is:%d\n" % (len(requests), len(out))
            )
        wire = []
        for req, resp in zip(requests, out):
            if resp is None:
                wire.append(None)
                continue
            if not isinstance(resp, pb_utils.InferenceResponse):
                raise _ReturnError("Expected an 'InferenceResponse' object in the execute function return list, found type '%s'." % type(resp))
            try:
                req._sender._returned()
            except pb_utils.TritonModelException as exc:
                raise _ReturnError(str(exc))
            wire.append(self.lab._response_wire(resp, req.requested_output_names(), payload))
        return wire

    def finalize(self):
        self.lab.finalizing = True
        try:
            fin = getattr(self.model, "finalize", None)
            if fin is not None:
                self.run(fin())
        except Exception as exc:
            self.lab.log("error", "finalize() failed: %s" % describe(exc)["message"])
        self.lab.loop.stop()
        self.send({"type": "finalized"})


def import_model(file):
    """Imports model.py as Triton does: the version and model folders on sys.path, the module as
    `<version>.model`, so `import helper` (a file beside it) and `from . import helper` both work."""
    version_dir = os.path.dirname(file)
    model_dir = os.path.dirname(version_dir)
    for folder in (version_dir, model_dir):
        if folder not in sys.path:
            sys.path.append(folder)
    package = os.path.basename(version_dir)
    name = "%s.%s" % (package, os.path.splitext(os.path.basename(file))[0])
    try:
        module = importlib.import_module(name)
        if os.path.abspath(getattr(module, "__file__", "") or "") != os.path.abspath(file):
            raise ImportError("%s resolved to another file" % name)
    except ModuleNotFoundError as exc:
        if exc.name not in (package, name):
            raise
        module = _import_file(file)
    except ImportError as exc:
        if "resolved to another file" not in str(exc):
            raise
        module = _import_file(file)
    cls = getattr(module, "TritonPythonModel", None)
    if cls is None:
        raise pb_utils.TritonModelException("%s must define a class TritonPythonModel" % file)
    return cls


def _import_file(file):
    """The fallback when `<version>.model` is not importable by name (another `1` package earlier on sys.path)."""
    spec = importlib.util.spec_from_file_location("model", file)
    module = importlib.util.module_from_spec(spec)
    sys.modules["model"] = module
    spec.loader.exec_module(module)
    return module


class _ReturnError(Exception):
    """A problem with what execute() returned: Triton's wording, no traceback."""


def _die_with_the_lab():
    """Linux: the kernel kills this process when the lab's process goes away, even while model code
    runs (a lab killed with SIGKILL never gets to stop it). prctl(PR_SET_PDEATHSIG, SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)
    except Exception:  # noqa: BLE001 - without it the EOF on fd 3 still ends the stub between requests
        return
    if os.getppid() == 1:  # the lab went away before the guard was set
        os._exit(0)


def main():
    _die_with_the_lab()
    setup = json.loads(sys.argv[1])
    # As in Triton's embedded interpreter, model code sees no arguments (unittest.main() in a model reads them).
    del sys.argv[1:]
    channel = Channel(3)
    channel.spill_dir = setup.get("spillDir")
    stub = Stub(setup, channel)
    stub.load()
    while True:
        header, payload = stub.lab.inbox.next_work()
        kind = header["type"]
        if kind == "exit":
            break
        if kind == "execute":
            stub.execute(header, payload)
        elif kind == "init":
            stub.init(header)
        elif kind == "autocomplete":
            stub.autocomplete(header)
        elif kind == "finalize":
            stub.finalize()
            break
    sys.stdout.flush()
    sys.stderr.flush()
    # The lab removes the folder too; this covers a lab that went away first.
    if channel.spill_dir:
        shutil.rmtree(channel.spill_dir, ignore_errors=True)
    os._exit(0)


if __name__ == "__main__":
    main()
