"""The sandboxed child: runs a student's notebook cells, and nothing else.

Executed by the sandbox's Python (``python -I /grader/child.py IN OUT``) with
this file and ``protocol.py`` bind-mounted read-only in ``/grader``; it
imports nothing else of the grader, and the grader never imports it. It has
no test source, hidden or visible, no ``lstm_ref``, no solutions and nothing
of the course directory: the trusted judge (``autograder/judge.py``) sends it
the student's cells and the provided cells to run, then, while a test cell
runs in the judge, asks it by value to look up a name, call a function,
read an attribute or an item. Everything here is within the student's reach,
and nothing here decides a grade: whatever student code does to this process
(patching IPython, this loop or NumPy) can only change what its own
functions return, which the judge checks.

The judge can substitute a name for the duration of one call: the student's
``forget_gate`` becomes a stub that asks the judge for the reference result,
so a composite function is graded on correct parts. The stub carries no
reference code: it sends its arguments to the judge and returns its answer.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import io
import os
import signal
import sys
import time
import traceback
import types
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import protocol  # noqa: E402

NOT_AVAILABLE = (
    "lstm_ref is not available in the grader: write this function yourself with NumPy"
)


class BoundedText(io.TextIOBase):
    """A text stream that keeps at most ``limit`` characters, then says so."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0
        self.cut = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        text = str(text)
        room = self.limit - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(len(text), room)
        if len(text) > room:
            self.cut = True
        return len(text)

    def getvalue(self) -> str:
        value = "".join(self.parts)
        if self.cut:
            value += f"\n[output cut at {self.limit // 1024} KiB]\n"
        return value


class _AbsentModule(types.ModuleType):
    """What ``import lstm_ref`` gives in the sandbox: a module that has
    nothing, and says so in words when any of it is used."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise ModuleNotFoundError(NOT_AVAILABLE, name="lstm_ref")


class _BlockLstmRef(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import hook: ``import lstm_ref`` works, and every use of it fails with
    a message; its submodules cannot be imported at all. (The package is not
    in the sandbox; this only makes the failure readable.)"""

    def find_spec(self, name, path=None, target=None):
        if name == "lstm_ref":
            return importlib.machinery.ModuleSpec(name, self)
        if name.startswith("lstm_ref."):
            raise ModuleNotFoundError(NOT_AVAILABLE, name=name)
        return None

    def create_module(self, spec):
        return _AbsentModule(spec.name)

    def exec_module(self, module):
        pass


class Child:
    def __init__(self, fd_in: int, fd_out: int) -> None:
        self.fd_in = fd_in
        self.fd_out = fd_out
        self.handles: dict[int, object] = {}
        self.handle_ids: dict[int, int] = {}
        self.next_handle = 1
        self.output_limit = 64 << 10
        self.max_payload = 256 << 20
        self.in_call = 0
        # Names replaced by stubs during the calls now running, innermost last.
        self.substituted: list[dict[str, object]] = []

    # -- the wire ----------------------------------------------------------
    def send(self, header: dict, values: dict | None = None) -> None:
        encoder = protocol.Encoder(
            self._other, self._container_handle, max_bytes=self.max_payload
        )
        try:
            message = protocol.encode_message(header, values or {}, encoder)
        except protocol.FrameTooLarge as error:
            encoder = protocol.Encoder(self._other, self._container_handle)
            message = protocol.encode_message(
                {"raised": {"type": "ValueError", "message": str(error)}}, {}, encoder
            )
        protocol.write_frame(self.fd_out, message, encoder.buffers)

    def receive(self) -> tuple[dict, bytearray]:
        return protocol.read_frame(self.fd_in, 1 << 62)

    def _handle_of(self, value: object) -> int:
        key = id(value)
        handle = self.handle_ids.get(key)
        if handle is not None and self.handles.get(handle) is value:
            return handle
        handle = self.next_handle
        self.next_handle += 1
        self.handles[handle] = value
        self.handle_ids[key] = handle
        return handle

    def resolve(self, name: object) -> object:
        """The student's own object of that name, even while a stub stands in
        for it (the judge may call the original from a substitute)."""
        if not isinstance(name, str):
            raise protocol.ProtocolError("a name that is not a string")
        for saved in reversed(self.substituted):
            if name in saved:
                if saved[name] is _MISSING:
                    break
                return saved[name]
        if name not in self.user_ns:
            raise NameError(f"name {name!r} is not defined")
        return self.user_ns[name]

    def _container_handle(self, value: object) -> int:
        return self._handle_of(value)

    def _other(self, value: object, why: str) -> dict:
        if type(value) is JudgeObject:
            return {"$": "judge", "id": value.judge_id}
        return {"$": "handle", "h": self._handle_of(value), "type": _type_name(value)}

    def decode(self, message: dict, payload: bytearray, node: object) -> object:
        decoder = protocol.Decoder(payload, message.get("buffers", []), self._special)
        return decoder.decode(node)

    def _special(self, node: dict) -> object:
        tag = node.get("$")
        if tag == "handle":
            handle = node.get("h")
            if handle not in self.handles:
                raise protocol.ProtocolError("an unknown handle")
            return self.handles[handle]
        if tag == "ref":
            return self.resolve(node.get("name"))
        if tag == "judge":
            return JudgeObject(node.get("id"))
        if tag == "callback":
            return self._stub(node.get("id"), node.get("name", "function"))
        raise protocol.ProtocolError(f"an unknown tag {tag!r}")

    def _stub(self, callback_id: int, name: str):
        child = self

        def stub(*args, **kwargs):
            if not child.in_call:
                raise RuntimeError(f"{name} can only be called while a test runs")
            return child.callback(callback_id, args, kwargs)

        stub.__name__ = stub.__qualname__ = str(name)
        return stub

    def callback(self, callback_id: int, args: tuple, kwargs: dict) -> object:
        """Ask the judge to run one of its functions; serve it meanwhile.

        A call's time limit never interrupts this exchange half-way (that
        would leave half a message on the pipe): it takes effect when the
        answer is in."""
        _CLOCK["io"] += 1
        try:
            self.send(
                {"op": "callback", "id": callback_id},
                {"args": list(args), "kwargs": kwargs},
            )
            while True:
                message, payload = self.receive()
                if "op" in message:  # the judge needs something of ours first
                    self.serve(message, payload)
                    continue
                break
        finally:
            _CLOCK["io"] -= 1
        if _CLOCK["expired"] and not _CLOCK["io"]:
            raise CallTimeLimit()
        if "raised" in message:
            raised = message["raised"]
            raise _grader_error(raised.get("type"), raised.get("message"))
        return self.decode(message, payload, message.get("value"))

    # -- the operations ----------------------------------------------------
    def serve(self, message: dict, payload: bytearray) -> None:
        op = message.get("op")
        try:
            if op == "cell":
                self.send(self.run_cell(message))
                return
            if op == "lookup":
                self.lookup(message)
                return
            if op == "call":
                self.call(message, payload)
                return
            if op in ("getattr", "getitem", "len"):
                self.inspect(op, message, payload)
                return
            if op == "release":
                self.handles.clear()
                self.handle_ids.clear()
                self.send({"done": True})
                return
            if op == "limits":
                self.output_limit = int(message["output_limit"])
                self.max_payload = int(message["max_payload"])
                self.send({"done": True})
                return
        except protocol.ProtocolError as error:
            self.send({"raised": {"type": "ProtocolError", "message": str(error)}})
            return
        except Exception as error:  # noqa: BLE001 (student code broke this loop)
            message = f"the notebook broke the grader's runner: {_text(error, 2000)}"
            if op == "cell":
                self.send({"error": {"ename": "RunnerError", "evalue": message}})
            else:
                self.send({"raised": {"type": "RunnerError", "message": message}})
            return
        self.send(
            {"raised": {"type": "ProtocolError", "message": f"unknown op {op!r}"}}
        )

    def run_cell(self, message: dict) -> dict:
        ResultHook.value = None
        out, err = BoundedText(self.output_limit), BoundedText(self.output_limit)
        start = time.perf_counter()
        with self.capture_output() as captured:
            saved = sys.stdout, sys.stderr
            sys.stdout, sys.stderr = out, err
            try:
                result = self.shell.run_cell(
                    message.get("source", ""), store_history=False
                )
            finally:
                sys.stdout, sys.stderr = saved
        seconds = time.perf_counter() - start
        error = result.error_before_exec or result.error_in_exec
        answer = {
            "seconds": seconds,
            "stdout": out.getvalue(),
            "stderr": err.getvalue(),
            "displays": _bounded_displays(captured.outputs, self.output_limit),
            "result": ResultHook.value,
            "error": None,
        }
        if error is not None:
            try:
                structured = self.shell.InteractiveTB.structured_traceback(
                    type(error), error, error.__traceback__
                )
            except Exception:  # noqa: BLE001 (a student's exception may break it)
                structured = [f"{type(error).__name__}: {error}"]
            answer["error"] = {
                "ename": _type_name(error),
                "evalue": _text(error, self.output_limit),
                "traceback": [
                    _text(line, self.output_limit) for line in structured[-20:]
                ],
            }
        return answer

    def lookup(self, message: dict) -> None:
        name = message.get("name")
        if not isinstance(name, str) or name not in self.user_ns:
            self.send({"kind": "missing"})
            return
        value = self.resolve(name)
        if callable(value) and not isinstance(value, np.ndarray):
            self.send({"kind": "function", "type": _type_name(value)})
            return
        self.send({"kind": "value"}, {"value": value})

    def call(self, message: dict, payload: bytearray) -> None:
        out = BoundedText(self.output_limit)
        substitutes = message.get("substitute") or {}
        saved_names = {}
        try:
            target = self.decode(message, payload, message.get("target"))
            args = self.decode(
                message, payload, message.get("args", {"$": "list", "items": []})
            )
            kwargs = self.decode(
                message, payload, message.get("kwargs", {"$": "dict", "items": []})
            )
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise protocol.ProtocolError("a call without a list of arguments")
            for name, callback_id in substitutes.items():
                saved_names[name] = self.user_ns.get(name, _MISSING)
                self.user_ns[name] = self._stub(callback_id, name)
            self.substituted.append(saved_names)
        except Exception as error:  # noqa: BLE001 (a missing name, a bad message)
            self._restore(saved_names)
            self.send({"raised": _raised(error, self.output_limit)})
            return
        saved = sys.stdout, sys.stderr
        snapshot = (
            [_snapshot(a) for a in args],
            {k: _snapshot(v) for k, v in kwargs.items()},
        )
        seconds = message.get("seconds")
        self.in_call += 1
        try:
            sys.stdout = sys.stderr = out
            try:
                with (
                    _time_limit(seconds),
                    np.errstate(**_errstate(message.get("errstate"))),
                    warnings.catch_warnings(record=True) as caught,
                ):
                    warnings.simplefilter("always")
                    value = target(*args, **kwargs)
            finally:
                sys.stdout, sys.stderr = saved
                self.in_call -= 1
                self._restore(saved_names)
        except BaseException as error:  # noqa: BLE001 (SystemExit too: the student's)
            raised = _raised(error, self.output_limit)
            if isinstance(error, CallTimeLimit):
                raised["type"] = "TimeLimitExceeded"
            self.send({"raised": raised, "output": out.getvalue()})
            return
        # Arguments the call changed in place go back too, so that the judge
        # sees what a caller of the student's function would see.
        changed = {}
        for index, (before, now) in enumerate(zip(snapshot[0], args, strict=True)):
            if not _same(before, now):
                changed[str(index)] = now
        for key, before in snapshot[1].items():
            if not _same(before, kwargs[key]):
                changed[key] = kwargs[key]
        for w in caught[:20]:
            out.write(f"{_type_name(w.message)}: {_text(w.message, 500)}\n")
        said = [
            [
                _type_name(w.message)
                if isinstance(w.message, Warning)
                else "UserWarning",
                _text(w.message, 500),
            ]
            for w in caught[:20]
        ]
        try:
            self.send(
                {"output": out.getvalue(), "warnings": said},
                {"value": value, "changed": changed},
            )
        except Exception as error:  # noqa: BLE001 (a value whose encoding fails)
            self.send(
                {"raised": _raised(error, self.output_limit), "output": out.getvalue()}
            )

    def _restore(self, saved_names: dict) -> None:
        if saved_names in self.substituted:
            self.substituted.remove(saved_names)
        for name, value in saved_names.items():
            if value is _MISSING:
                self.user_ns.pop(name, None)
            else:
                self.user_ns[name] = value

    def inspect(self, op: str, message: dict, payload: bytearray) -> None:
        try:
            target = self.decode(message, payload, message.get("target"))
            if op == "getattr":
                name = message.get("name")
                if not isinstance(name, str):
                    raise protocol.ProtocolError("getattr without a name")
                value = getattr(target, name)
            elif op == "getitem":
                value = target[self.decode(message, payload, message.get("key"))]
            else:
                value = len(target)
        except Exception as error:  # noqa: BLE001 (the student's object decides)
            self.send({"raised": _raised(error, self.output_limit)})
            return
        self.send({}, {"value": value})

    # -- the loop ----------------------------------------------------------
    def start_shell(self) -> None:
        from IPython.core.displayhook import DisplayHook
        from IPython.core.interactiveshell import InteractiveShell
        from IPython.utils.capture import capture_output
        from traitlets.config import Config

        class Hook(DisplayHook):
            def write_output_prompt(self) -> None:
                pass

            def write_format_data(self, format_dict, md_dict=None) -> None:
                ResultHook.value = {
                    k: v for k, v in format_dict.items() if isinstance(v, str)
                }

        config = Config()
        config.HistoryManager.enabled = False
        self.shell = InteractiveShell.instance(
            config=config, displayhook_class=Hook, colors="NoColor"
        )
        self.shell.showtraceback = lambda *args, **kwargs: None
        self.shell.showsyntaxerror = lambda *args, **kwargs: None
        self.capture_output = capture_output
        self.user_ns = self.shell.user_ns
        # The name the assignment notebooks' helpers bind at home: here any
        # use of it says, in words, that the grader has no lstm_ref.
        self.user_ns["lstm_ref"] = _AbsentModule("lstm_ref")

    def loop(self) -> None:
        while True:
            try:
                message, payload = self.receive()
            except protocol.ChannelClosed:
                return
            self.serve(message, payload)


class CallTimeLimit(BaseException):
    """Raised in student code that runs past a call's time limit."""


@contextlib.contextmanager
def _time_limit(seconds: object):
    if not isinstance(seconds, (int, float)) or seconds <= 0:
        yield
        return

    def expired(signum, frame):
        _CLOCK["expired"] = True
        if not _CLOCK["io"]:
            raise CallTimeLimit()

    previous = signal.signal(signal.SIGALRM, expired)
    _CLOCK["expired"] = False
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _CLOCK["expired"] = False


# Whether a call's time is up, and whether the channel is busy (then the
# limit waits until the exchange is complete).
_CLOCK = {"expired": False, "io": 0}


_ERR_MODES = {"ignore", "warn", "raise", "call", "print", "log"}


def _errstate(state: object) -> dict:
    """The judge's np.errstate for the call (a test may ask for "raise")."""
    if not isinstance(state, dict):
        return {}
    return {
        key: value
        for key, value in state.items()
        if key in ("divide", "over", "under", "invalid") and value in _ERR_MODES
    }


def _snapshot(value: object, depth: int = 0) -> object:
    """A copy of an argument's arrays and containers, to see what a call changed."""
    if depth > 8:
        return value
    if type(value) is np.ndarray:
        return value.copy()
    if type(value) is dict:
        return {k: _snapshot(v, depth + 1) for k, v in value.items()}
    if type(value) is list:
        return [_snapshot(v, depth + 1) for v in value]
    if isinstance(value, tuple):  # a cache: its arrays can change in place
        return tuple(_snapshot(v, depth + 1) for v in value)
    return value


def _same(before: object, now: object, depth: int = 0) -> bool:
    if depth > 8:
        return True
    if type(before) is np.ndarray:
        return (
            type(now) is np.ndarray
            and before.shape == now.shape
            and before.dtype == now.dtype
            and bool(np.array_equal(before, now, equal_nan=before.dtype.kind in "fc"))
        )
    if type(before) is dict:
        return (
            type(now) is dict
            and before.keys() == now.keys()
            and all(_same(before[k], now[k], depth + 1) for k in before)
        )
    if type(before) is list:
        return (
            type(now) is list
            and len(before) == len(now)
            and all(_same(b, n, depth + 1) for b, n in zip(before, now, strict=True))
        )
    if type(before) is tuple:  # _snapshot's copy of a tuple or named tuple
        return (
            isinstance(now, tuple)
            and len(before) == len(now)
            and all(_same(b, n, depth + 1) for b, n in zip(before, now, strict=True))
        )
    return True


class JudgeObject:
    """An object the judge keeps to itself (a reference model's cache): the
    student's code can only hand it back."""

    __slots__ = ("judge_id",)

    def __init__(self, judge_id: object) -> None:
        if type(judge_id) is not int:
            raise protocol.ProtocolError("a judge object without a number")
        self.judge_id = judge_id

    def __repr__(self) -> str:
        return "<an object of the grader's>"


class ResultHook:
    value = None


_MISSING = object()


def _type_name(value: object) -> str:
    try:
        return str(type(value).__name__)[:100]
    except Exception:  # noqa: BLE001
        return "object"


def _text(value: object, limit: int) -> str:
    try:
        text = str(value)
    except Exception:  # noqa: BLE001 (a student's __str__ may raise)
        text = "(cannot be shown)"
    return text if len(text) <= limit else text[:limit] + " [cut]"


def _raised(error: BaseException, limit: int) -> dict:
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    return {
        "type": _type_name(error),
        "message": _text(error, 4000),
        "traceback": _text("".join(lines[-12:]), limit),
    }


class GraderError(Exception):
    """What the judge answered to a stub: the reference could not run."""


def _grader_error(type_name: object, message: object) -> Exception:
    return GraderError(f"{type_name}: {message}")


def _bounded_displays(outputs, limit: int) -> list[dict]:
    displays, total = [], 0
    for output in outputs:
        data = {k: v for k, v in output.data.items() if isinstance(v, str)}
        size = sum(len(v) for v in data.values())
        if total + size > 4 * limit:
            displays.append(
                {"text/plain": f"[display cut: over {4 * limit // 1024} KiB]"}
            )
            break
        total += size
        displays.append(data)
    return displays


def main() -> int:
    fd_in, fd_out = int(sys.argv[1]), int(sys.argv[2])
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    import warnings

    warnings.formatwarning = lambda message, category, filename, lineno, line=None: (
        f"{category.__name__}: {message}\n"
    )
    sys.meta_path.insert(0, _BlockLstmRef())
    child = Child(fd_in, fd_out)
    child.start_shell()
    # Everything above is the same for every notebook: the grader starts the
    # process ahead of time and it waits here for its notebook.
    message, _ = child.receive()
    workdir = message.get("cwd", "/submission")
    seed = message.get("seed_dir")
    if seed and os.path.isdir(seed):
        import shutil

        for name in os.listdir(seed):
            source = os.path.join(seed, name)
            if os.path.isfile(source) and not os.path.islink(source):
                shutil.copy(source, os.path.join(workdir, name))
    os.chdir(workdir)
    child.send({"ready": True})
    child.loop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
