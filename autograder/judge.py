"""The trusted judge: test cells run here, student code never does.

The judge is the grading process itself. It holds the test cells (from the
assignment's source notebook, never from the submission), the helper cell
with the tolerances, ``lstm_ref`` and the verdicts. Student code runs only in
the sandboxed child (``child.py``); the two talk over ``protocol.py``, by
value. In a test cell every name the student's notebook defines is a proxy:

- a function becomes a ``RemoteFunction``: calling it sends the arguments to
  the child by value and returns the result by value (arrays, numbers,
  strings, None, tuples, lists and dicts of these);
- any other object comes back as a ``Handle``, which stays in the sandbox and
  can be passed back, or asked for an attribute, an item or its length;
- a student's exception comes back as a ``StudentError`` (or
  ``StudentNotImplemented``) carrying the type name and the message, never
  the object itself.

``substitute(name=function, ...)`` on a call replaces the student's names by
stubs for that call only, which ask the judge to run ``function`` (the
reference) on their arguments: the student's ``lstm_cell_forward`` can be
graded on the reference gates without any reference code entering the
sandbox.

The helper cell and the test cells share one namespace, as in a notebook;
its names (``RTOL``, ``check_array``, the modules) cannot be rebound by the
student, because nothing the student does reaches this process's memory.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import linecache
import os
import select
import time
import traceback
import warnings

import numpy as np

from autograder import protocol


class SandboxGone(Exception):
    """The child stopped answering: it died, or ran out of time."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why  # "timeout", "died" or "protocol: ..."


class StudentError(Exception):
    """A student's function raised; its type name and message, by value."""

    def __init__(self, type_name: str, message: str, student_traceback: str = ""):
        super().__init__(f"{type_name}: {message}" if message else type_name)
        self.type_name = type_name
        self.message = message
        self.student_traceback = student_traceback

    def __str__(self) -> str:  # KeyError's own would add quotes
        return str(self.args[0]) if self.args else ""


class StudentNotImplemented(StudentError, NotImplementedError):
    """The student's function raises NotImplementedError: not written yet."""


# A student's ValueError is a StudentError and a ValueError in the judge, so
# that a test can check that bad input raises the right exception.
_MIRRORED = (
    ArithmeticError,
    AssertionError,
    AttributeError,
    FloatingPointError,
    ImportError,
    IndexError,
    KeyError,
    LookupError,
    MemoryError,
    ModuleNotFoundError,
    NameError,
    OverflowError,
    RecursionError,
    RuntimeError,
    TypeError,
    ValueError,
    ZeroDivisionError,
)
_STUDENT_KINDS = {
    base.__name__: type(f"Student{base.__name__}", (StudentError, base), {})
    for base in _MIRRORED
}
_STUDENT_KINDS["NotImplementedError"] = StudentNotImplemented


def student_error(type_name: str, message: str, student_traceback: str = ""):
    """The judge's exception for a student's exception of that type name."""
    kind = _STUDENT_KINDS.get(type_name, StudentError)
    return kind(type_name, message, student_traceback)


class Channel:
    """The judge's end of the pipes to one child."""

    def __init__(self, fd_in: int, fd_out: int, max_payload: int) -> None:
        self.fd_in = fd_in  # answers from the child
        self.fd_out = fd_out  # requests to the child
        self.max_payload = max_payload
        self.deadline = float("inf")
        self.callbacks: dict[int, object] = {}
        self.next_callback = 1
        # id(decoded container) -> (the container, the child's handle on it)
        self.origins: dict[int, tuple[object, int]] = {}
        self.student_output: list[str] = []
        self.calls = 0
        # Objects the judge lent to student code by number (JudgeOnly).
        self.judge_objects: dict[int, JudgeOnly] = {}

    # -- framing with a deadline ---------------------------------------------
    def _read(self, size: int) -> bytearray:
        buffer = bytearray(size)
        view = memoryview(buffer)
        got = 0
        while got < size:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise SandboxGone("timeout")
            ready, _, _ = select.select([self.fd_in], [], [], min(remaining, 3600))
            if not ready:
                continue
            count = os.readv(self.fd_in, [view[got:]])
            if count == 0:
                raise SandboxGone("died")
            got += count
        return buffer

    def receive(self) -> tuple[dict, bytearray]:
        prefix = self._read(protocol.FRAME_PREFIX)
        try:
            header_size, payload_size = protocol.parse_frame_sizes(
                bytes(prefix), self.max_payload
            )
        except protocol.FrameTooLarge as error:
            raise SandboxGone(f"protocol: the notebook sent {error}") from None
        header = self._read(header_size)
        payload = self._read(payload_size)
        try:
            return protocol.parse_header(header), payload
        except protocol.ProtocolError as error:
            raise SandboxGone(f"protocol: {error}") from None

    def send(self, header: dict, values: dict | None = None) -> None:
        encoder = protocol.Encoder(self._other, None, known=self._known)
        message = protocol.encode_message(header, values or {}, encoder)
        try:
            protocol.write_frame(self.fd_out, message, encoder.buffers, self._writable)
        except OSError:
            raise SandboxGone("died") from None

    def _writable(self) -> None:
        """Wait until the pipe to the child takes more, within the deadline
        (a child that stops reading must not block the judge)."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise SandboxGone("timeout")
        _, ready, _ = select.select([], [self.fd_out], [], min(remaining, 3600))
        if not ready and time.monotonic() >= self.deadline:
            raise SandboxGone("timeout")

    def _other(self, value: object, why: str) -> dict:
        if isinstance(value, Handle):
            return {"$": "handle", "h": value._handle}
        if isinstance(value, RemoteFunction):
            return {"$": "ref", "name": value.__name__}
        if isinstance(value, JudgeOnly):
            self.judge_objects[id(value)] = value
            return {"$": "judge", "id": id(value)}
        if callable(value):
            callback_id = self.next_callback
            self.next_callback += 1
            self.callbacks[callback_id] = value
            name = getattr(value, "__name__", "function")
            return {"$": "callback", "id": callback_id, "name": str(name)}
        raise TypeError(
            f"the grader cannot send a {type(value).__name__} to student code"
            + (f" ({why})" if why else "")
        )

    def _known(self, value: object) -> dict | None:
        """A container that came from the child goes back as the child's own."""
        origin = self.origins.get(id(value))
        if origin is not None and origin[0] is value:
            return {"$": "handle", "h": origin[1]}
        return None

    def decode(self, message: dict, payload: bytearray, node: object) -> object:
        def special(tag_node: dict) -> object:
            if tag_node.get("$") == "handle":
                handle = tag_node.get("h")
                if type(handle) is not int:
                    raise protocol.ProtocolError("a handle that is not a number")
                type_name = tag_node.get("type", "object")
                if not isinstance(type_name, str):
                    type_name = "object"
                return Handle(self, handle, type_name[:100])
            if tag_node.get("$") == "judge":
                lent = self.judge_objects.get(tag_node.get("id"))
                if lent is None:
                    raise protocol.ProtocolError("an unknown judge object")
                return lent
            raise protocol.ProtocolError(
                f"a tag the judge does not accept: {tag_node.get('$')!r:.40}"
            )

        def container(value: object, handle: int) -> None:
            self.origins[id(value)] = (value, handle)

        try:
            decoder = protocol.Decoder(
                payload, message.get("buffers", []), special, container
            )
            return decoder.decode(node)
        except (protocol.ProtocolError, RecursionError, ValueError, TypeError) as error:
            raise StudentError(
                "ProtocolError",
                f"your code returned a value the grader cannot read ({error})",
            ) from None

    # -- requests ----------------------------------------------------------
    def request(
        self, header: dict, values: dict | None = None
    ) -> tuple[dict, bytearray]:
        """Send a request; serve the child's callbacks until its answer comes."""
        self.send(header, values)
        while True:
            message, payload = self.receive()
            if message.get("op") == "callback":
                self._serve_callback(message, payload)
                continue
            return message, payload

    def _serve_callback(self, message: dict, payload: bytearray) -> None:
        function = self.callbacks.get(message.get("id"))
        try:
            if function is None:
                raise RuntimeError("a callback that is not active")
            args = self.decode(message, payload, message.get("args"))
            kwargs = self.decode(message, payload, message.get("kwargs"))
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise TypeError("a callback without a list of arguments")
            value = function(*args, **{str(k): v for k, v in kwargs.items()})
        except SandboxGone:
            raise
        except Exception as error:  # noqa: BLE001 (the reference on bad input)
            self.send(
                {"raised": {"type": type(error).__name__, "message": str(error)[:2000]}}
            )
            return
        try:
            self.send({}, {"value": value})
        except TypeError as error:
            self.send({"raised": {"type": "TypeError", "message": str(error)}})

    def _result(self, message: dict, payload: bytearray) -> object:
        output = message.get("output")
        if isinstance(output, str) and output:
            self.student_output.append(output)
        said = message.get("warnings")
        for item in said if isinstance(said, list) else []:
            if isinstance(item, list) and len(item) == 2:
                category = _WARNINGS.get(str(item[0]), UserWarning)
                # As if the student's function had warned, at the test's call.
                warnings.warn(str(item[1])[:500], category, stacklevel=4)
        if "raised" in message:
            raised = message["raised"] if isinstance(message["raised"], dict) else {}
            type_name = str(raised.get("type", "Exception"))[:100]
            text = str(raised.get("message", ""))[:4000]
            student_tb = str(raised.get("traceback", ""))[:20000]
            raise student_error(type_name, text, student_tb)
        return self.decode(message, payload, message.get("value"))

    def call(
        self,
        target: object,
        args: tuple,
        kwargs: dict,
        substitute: dict | None = None,
        seconds: float | None = None,
    ) -> object:
        self.calls += 1
        # The test's np.errstate (say over="raise") applies to the call.
        header: dict = {"op": "call", "errstate": np.geterr()}
        saved_deadline = self.deadline
        if seconds is not None:
            # The child stops the call itself after ``seconds``; a call that
            # ignores that is killed a little later with the sandbox.
            header["seconds"] = float(seconds)
            self.deadline = min(self.deadline, time.monotonic() + seconds + 5.0)
        values = {
            "target": target,
            "args": list(args),
            "kwargs": {str(k): v for k, v in kwargs.items()},
        }
        if substitute:
            ids = {}
            for name, function in substitute.items():
                callback_id = self.next_callback
                self.next_callback += 1
                self.callbacks[callback_id] = function
                ids[str(name)] = callback_id
            header["substitute"] = ids
        try:
            message, payload = self.request(header, values)
            value = self._result(message, payload)
            changed = self.decode(message, payload, message.get("changed"))
            if isinstance(changed, dict):
                for key, now in changed.items():
                    original = (
                        args[int(key)]
                        if key.isdigit() and int(key) < len(args)
                        else kwargs.get(key)
                    )
                    _write_back(original, now)
            return value
        finally:
            self.deadline = saved_deadline
            if substitute:
                for callback_id in header["substitute"].values():
                    self.callbacks.pop(callback_id, None)

    def lookup(self, name: str) -> object:
        message, payload = self.request({"op": "lookup", "name": name})
        kind = message.get("kind")
        if kind == "missing":
            raise KeyError(name)
        if kind == "function":
            return RemoteFunction(
                self, name, str(message.get("type", "function"))[:100]
            )
        return self._result(message, payload)

    def inspect(self, op: str, target: Handle, **extra: object) -> object:
        header = {"op": op}
        values = {"target": target}
        if "name" in extra:
            header["name"] = extra["name"]
        if "key" in extra:
            values["key"] = extra["key"]
        return self._result(*self.request(header, values))

    def release(self) -> None:
        """Forget the handles and callbacks of one test cell."""
        self.callbacks.clear()
        self.origins.clear()
        self.judge_objects.clear()
        self.request({"op": "release"})


def _write_back(original: object, now: object, depth: int = 0) -> None:
    """Change the judge's argument in place as student code changed its copy."""
    if depth > 8:
        return
    if isinstance(original, np.ndarray) and isinstance(now, np.ndarray):
        if original.shape == now.shape and original.flags.writeable:
            np.copyto(original, now, casting="unsafe")
        return
    if type(original) is dict and isinstance(now, dict):
        for key in list(original):
            if key not in now:
                del original[key]
        for key, value in now.items():
            if key in original and isinstance(original[key], (np.ndarray, dict, list)):
                _write_back(original[key], value, depth + 1)
                if not (
                    isinstance(original[key], np.ndarray)
                    and isinstance(value, np.ndarray)
                    and original[key].shape == value.shape
                ):
                    original[key] = value
            else:
                original[key] = value
        return
    if type(original) is list and isinstance(now, list):
        original[:] = now
        return
    # A tuple (a cache) cannot change, but the arrays, dicts and lists in it
    # can, and student code may have changed them in place.
    if (
        isinstance(original, tuple)
        and isinstance(now, tuple)
        and len(original) == len(now)
    ):
        for item, new in zip(original, now, strict=True):
            if isinstance(item, (np.ndarray, dict, list, tuple)):
                _write_back(item, new, depth + 1)


class JudgeOnly:
    """A judge object lent to student code, which can only hand it back:
    ``model_forward`` substituted by the reference returns its cache this
    way, and the reference ``model_backward`` gets it back unchanged."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


class RemoteFunction:
    """A function of the student's notebook, called by name, by value."""

    def __init__(self, channel: Channel, name: str, type_name: str = "function"):
        self._channel = channel
        self.__name__ = name
        self.__qualname__ = name
        self._type_name = type_name

    def __call__(self, *args, **kwargs):
        return self._channel.call(self, args, kwargs)

    def call_with(
        self, substitute: dict | None, *args, seconds: float | None = None, **kwargs
    ):
        """Call with some of the student's names replaced by ``substitute``'s
        functions (run here, in the judge) for this call only, and stopped
        after ``seconds`` if given."""
        return self._channel.call(
            self, args, kwargs, substitute=substitute, seconds=seconds
        )

    def __repr__(self) -> str:
        return f"<your {self._type_name} {self.__name__}>"


class Handle:
    """An object that stays in the sandbox (a student's cache, say)."""

    def __init__(self, channel: Channel, handle: int, type_name: str) -> None:
        object.__setattr__(self, "_channel", channel)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_type_name", type_name)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._channel.inspect("getattr", self, name=name)
        except StudentError as error:
            raise AttributeError(
                f"{self._type_name} object has no attribute {name!r} ({error})"
            ) from None

    def __getitem__(self, key):
        return self._channel.inspect("getitem", self, key=key)

    def __len__(self) -> int:
        value = self._channel.inspect("len", self)
        if type(value) is not int:
            raise TypeError("len() of a student object gave no integer")
        return value

    def __call__(self, *args, **kwargs):
        return self._channel.call(self, args, kwargs)

    def __repr__(self) -> str:
        return f"<your {self._type_name} object>"


class JudgeNamespace(dict):
    """A test cell's globals: the judge's names first, then the student's.

    A name the judge does not define (and that is not a builtin) is looked
    up in the student's namespace in the sandbox, at the moment it is used.
    """

    channel: Channel | None = None

    def __missing__(self, name: str):
        if not isinstance(name, str) or name.startswith("__") or name in _BUILTIN_NAMES:
            raise KeyError(name)
        if self.channel is None:
            raise KeyError(name)
        return self.channel.lookup(name)

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name) -> bool:
        if dict.__contains__(self, name):
            return True
        try:
            self[name]
        except KeyError:
            return False
        return True


_BUILTIN_NAMES = frozenset(vars(builtins))
_WARNINGS = {
    name: value
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, Warning)
}


class Judge:
    """Runs the helper cell and the test cells of one notebook."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.base = self._namespace({})

    def _namespace(self, names: dict) -> JudgeNamespace:
        namespace = JudgeNamespace(
            {
                "__name__": "__judge__",
                "__builtins__": builtins,
                "np": np,
                "numpy": np,
                # What test helpers use to tell the judge from a student's
                # own kernel, where these names do not exist.
                "IN_JUDGE": True,
                "StudentError": StudentError,
                "StudentNotImplemented": StudentNotImplemented,
                "JudgeOnly": JudgeOnly,
            }
        )
        namespace.update(names)
        namespace.channel = self.channel
        return namespace

    def run_helpers(self, source: str, name: str) -> dict:
        """Run a helper cell into the base namespace every test cell builds on."""
        return self._run(source, name, self.base)

    def run_test(self, source: str, name: str, deadline: float) -> dict:
        """Run one test cell; the verdict comes from this process only."""
        self.channel.deadline = deadline
        try:
            return self._run(source, name, self.base)
        finally:
            with contextlib.suppress(SandboxGone):
                self.channel.release()

    def _run(self, source: str, name: str, namespace: JudgeNamespace) -> dict:
        filename = f"<{name}>"
        lines = source.splitlines(keepends=True)
        linecache.cache[filename] = (len(source), None, lines, filename)
        self.channel.student_output = []
        judge_out = io.StringIO()
        start = time.perf_counter()
        calls_before = self.channel.calls
        error = None
        try:
            code = compile(source, filename, "exec")
            # The grading process's own warning filters (pytest's "error",
            # say) must not decide a verdict, and a student's warning text is
            # never printed into a test's output: a test that cares about
            # warnings sets its own filter.
            with (
                contextlib.redirect_stdout(judge_out),
                contextlib.redirect_stderr(judge_out),
                warnings.catch_warnings(),
            ):
                warnings.simplefilter("ignore")
                exec(code, namespace)  # noqa: S102 (the instructor's test cell)
        except SandboxGone:
            raise
        except BaseException as exc:  # noqa: BLE001 (a test's failure is its verdict)
            if isinstance(exc, KeyboardInterrupt):
                raise
            error = exc
        result = {
            "seconds": time.perf_counter() - start,
            "calls": self.channel.calls - calls_before,
            "stdout": judge_out.getvalue(),
            "student_output": "".join(self.channel.student_output),
            "error": None,
        }
        if error is not None:
            student = isinstance(error, StudentError)
            result["error"] = {
                # A student's exception that no test caught is named as the
                # student's code raised it: "MemoryError: Unable to ...".
                "ename": error.type_name if student else type(error).__name__,
                "evalue": error.message if student else _message(error),
                "traceback": _instructor_traceback(error, filename),
            }
        return result


def _message(error: BaseException) -> str:
    if isinstance(error, NameError):
        name = getattr(error, "name", None) or str(error)
        return (
            f"{name} is not defined: run the cell that defines it, and keep "
            "its name as the assignment gives it"
            if getattr(error, "name", None)
            else str(error)
        )
    return str(error)


def _instructor_traceback(error: BaseException, filename: str) -> list[str]:
    """The traceback through the test cell (the instructor's copy only)."""
    frames = traceback.extract_tb(error.__traceback__)
    keep = [f for f in frames if not f.filename.endswith(("judge.py",))]
    lines = []
    for frame in keep[-8:]:
        lines.append(f"{frame.filename}, line {frame.lineno}, in {frame.name}\n")
        lines.append(f"----> {frame.lineno} {frame.line or ''}\n")
    lines.append(f"{type(error).__name__}: {error}\n")
    if isinstance(error, StudentError) and error.student_traceback:
        lines.append("In the student's code:\n" + error.student_traceback)
    return ["".join(lines)]
