"""The channel between the trusted judge and the sandboxed child: by value.

Both sides import this file, and nothing else of each other: the child runs
it from its read-only bind mount in the sandbox, the judge imports it as
``autograder.protocol``. It imports only the standard library and NumPy.

A message is one frame on a pipe::

    8 bytes  header length H (big-endian)
    8 bytes  payload length P (big-endian)
    H bytes  the header, JSON (UTF-8)
    P bytes  the payload: the raw bytes of the arrays, one after the other

Values travel as JSON trees in which every non-JSON value is an object with
the reserved key ``"$"``:

- ``{"$": "nd", "dtype": "<f8", "shape": [2, 3], "b": 0}``: an ndarray whose
  bytes are payload buffer 0; only boolean, integer, unsigned, float and
  complex dtypes (no object arrays, no structured dtypes);
- ``{"$": "np", "dtype": "<f8", "b": 1}``: a NumPy scalar;
- ``{"$": "tuple" | "list", "items": [...], "h": 7}`` and
  ``{"$": "dict", "items": [[key, value], ...], "h": 7}``: containers; ``h``
  is the child's handle on the original object, so that a student's cache
  passed back to the student's code is the student's own object;
  ``"fields"`` on a tuple carries a NamedTuple's field names;
- ``{"$": "handle", "h": 7, "type": "CellCache"}``: any other object, which
  stays in the sandbox; the judge can pass it back, or ask for an attribute,
  an item or its length;
- ``{"$": "float", "v": "nan"}`` for nan and the infinities, ``{"$": "complex",
  "re": .., "im": ..}``, ``{"$": "slice", ...}``;
- judge to child only: ``{"$": "ref", "name": "sigmoid"}`` (the student's own
  object by name) and ``{"$": "callback", "id": 3}`` (a judge function the
  student's code may call, answered by the judge).

Nothing is ever unpickled or evaluated. ``decode`` checks every node's tag,
types, dtype, shape against the buffer's length, the nesting depth and the
number of nodes, and raises ``ProtocolError`` on anything else; ``read``
refuses frames over the size limit.
"""

from __future__ import annotations

import json
import math
import os
import struct

import numpy as np

_FRAME = struct.Struct(">QQ")
MAX_HEADER_BYTES = 16 << 20
MAX_DEPTH = 40
MAX_NODES = 1_000_000
# Kinds of dtype allowed on the wire: bool, signed, unsigned, float, complex.
ALLOWED_KINDS = "biufc"


class ProtocolError(Exception):
    """A frame or a value that does not follow this protocol."""


class ChannelClosed(ProtocolError):
    """The other side closed its end (it exited or was killed)."""


class FrameTooLarge(ProtocolError):
    """A frame over the agreed size limit."""


# -- framing ------------------------------------------------------------------


def write_frame(fd: int, header: dict, buffers: list, wait=None) -> None:
    """Write one message (header and array bytes) to the descriptor ``fd``;
    ``wait`` (if given) is called before each write and may raise."""
    head = json.dumps(header, allow_nan=False, separators=(",", ":")).encode()
    sizes = [memoryview(b).nbytes for b in buffers]
    _write_all(fd, _FRAME.pack(len(head), sum(sizes)), wait)
    _write_all(fd, head, wait)
    for buffer in buffers:
        _write_all(fd, memoryview(buffer).cast("B"), wait)


def _write_all(fd: int, data: bytes | memoryview, wait=None) -> None:
    view = memoryview(data)
    while view.nbytes:
        if wait is not None:
            wait()
        written = os.write(fd, view[: 1 << 16] if wait is not None else view)
        view = view[written:]


def read_exactly(fd: int, size: int, into: bytearray | None = None) -> bytearray:
    """Read ``size`` bytes from ``fd``; ChannelClosed if it ends first."""
    buffer = bytearray(size) if into is None else into
    view = memoryview(buffer)
    got = 0
    while got < size:
        count = os.readv(fd, [view[got:]])
        if count == 0:
            raise ChannelClosed("the other side closed the channel")
        got += count
    return buffer


def parse_frame_sizes(prefix: bytes, max_payload: int) -> tuple[int, int]:
    """The header and payload sizes of a frame, checked against the limits."""
    header_size, payload_size = _FRAME.unpack(prefix)
    if header_size > MAX_HEADER_BYTES:
        raise FrameTooLarge(f"a message header of {header_size} bytes")
    if payload_size > max_payload:
        raise FrameTooLarge(
            f"a message of {payload_size / 2**20:.0f} MiB (the limit is "
            f"{max_payload / 2**20:.0f} MiB)"
        )
    return header_size, payload_size


FRAME_PREFIX = _FRAME.size


def read_frame(fd: int, max_payload: int) -> tuple[dict, bytearray]:
    """Read one message: its header (a dict) and its payload bytes."""
    prefix = read_exactly(fd, FRAME_PREFIX)
    header_size, payload_size = parse_frame_sizes(bytes(prefix), max_payload)
    return parse_header(read_exactly(fd, header_size)), read_exactly(fd, payload_size)


def parse_header(raw: bytes | bytearray) -> dict:
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ProtocolError(f"a message that is not JSON ({error})") from None
    if not isinstance(header, dict):
        raise ProtocolError("a message that is not a JSON object")
    return header


# -- values -------------------------------------------------------------------


def _dtype_tag(dtype: np.dtype) -> str:
    return dtype.newbyteorder("<").str if dtype.byteorder == ">" else dtype.str


def allowed_dtype(spec: object) -> np.dtype:
    """The dtype named ``spec`` if it may travel; ProtocolError otherwise."""
    if not isinstance(spec, str) or len(spec) > 8:
        raise ProtocolError(f"a dtype that is not a short string: {spec!r:.40}")
    try:
        dtype = np.dtype(spec)
    except TypeError:
        raise ProtocolError(f"an unknown dtype {spec!r}") from None
    if dtype.kind not in ALLOWED_KINDS or dtype.fields is not None or dtype.subdtype:
        raise ProtocolError(f"a dtype that may not travel: {spec!r}")
    return dtype


class Encoder:
    """Turns a value into a JSON tree and array buffers.

    ``other`` is called for any value this protocol has no by-value form for,
    and returns its JSON node (the child: a handle; the judge: a callback or
    an error). ``container_handle`` gives the handle to attach to a tuple,
    list or dict (the child keeps its original), or None.
    """

    def __init__(
        self, other, container_handle=None, max_bytes: int = 1 << 62, known=None
    ):
        self.other = other
        # The judge: a container that came from the child goes back as the
        # child's own object (its handle), wherever it is nested.
        self.known = known
        self.container_handle = container_handle
        self.buffers: list[memoryview] = []
        self.nbytes = 0
        self.max_bytes = max_bytes
        self.nodes = 0

    def encode(self, value: object, depth: int = 0) -> object:
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            return self.other(value, "too deeply nested or too large")
        kind = type(value)
        if value is None or kind is bool or kind is str:
            return value
        if kind is int:
            if abs(value) < 1 << 63:
                return value
            return self.other(value, "an integer beyond 64 bits")
        if kind is float:
            if math.isfinite(value):
                return value
            return {"$": "float", "v": repr(value)}
        if kind is complex:
            return {"$": "complex", "re": repr(value.real), "im": repr(value.imag)}
        if isinstance(value, np.ndarray) and value.dtype.kind in ALLOWED_KINDS:
            return self._array(np.asarray(value), "nd")
        if isinstance(value, np.generic) and value.dtype.kind in ALLOWED_KINDS:
            return self._array(np.asarray(value), "np")
        if self.known is not None and kind in (tuple, list, dict, Record):
            node = self.known(value)
            if node is not None:
                return node
        if kind is tuple or kind is list or _is_namedtuple(value):
            node = {
                "$": "list" if kind is list else "tuple",
                "items": [self.encode(item, depth + 1) for item in value],
                "h": self._handle(value),
            }
            if _is_namedtuple(value):
                node["fields"] = [str(f) for f in value._fields]  # a Record too
            return node
        if kind is dict:
            items = []
            for key, item in value.items():
                if type(key) not in (str, int, bool) and key is not None:
                    return self.other(value, "a dict with keys other than str/int")
                items.append([key, self.encode(item, depth + 1)])
            return {"$": "dict", "items": items, "h": self._handle(value)}
        if kind is slice:
            return {
                "$": "slice",
                "start": self.encode(value.start, depth + 1),
                "stop": self.encode(value.stop, depth + 1),
                "step": self.encode(value.step, depth + 1),
            }
        return self.other(value, "")

    def _handle(self, value: object) -> int | None:
        return None if self.container_handle is None else self.container_handle(value)

    def _array(self, array: np.ndarray, tag: str) -> dict:
        if array.dtype.byteorder == ">":
            array = array.astype(array.dtype.newbyteorder("<"))
        data = np.ascontiguousarray(array)
        self.nbytes += data.nbytes
        if self.nbytes > self.max_bytes:
            raise FrameTooLarge(
                f"values of more than {self.max_bytes / 2**20:.0f} MiB in one message"
            )
        self.buffers.append(memoryview(data.reshape(-1).view(np.uint8)))
        node = {"$": tag, "dtype": _dtype_tag(data.dtype), "b": len(self.buffers) - 1}
        if tag == "nd":
            node["shape"] = list(data.shape)
        return node


def _is_namedtuple(value: object) -> bool:
    return isinstance(value, tuple) and isinstance(
        getattr(type(value), "_fields", None), tuple
    )


class Record(tuple):
    """A NamedTuple as the judge sees it: a tuple whose items have names."""

    _fields: tuple[str, ...] = ()

    def __new__(cls, items, fields):
        record = super().__new__(cls, items)
        record._fields = tuple(fields)
        return record

    def __getattr__(self, name):
        fields = tuple.__getattribute__(self, "_fields")
        if name in fields:
            return self[fields.index(name)]
        raise AttributeError(name)


class Decoder:
    """Turns a JSON tree and its payload back into values, checking all of it.

    ``special`` is called with the node of a tag this side must resolve
    itself (the judge: ``handle``; the child: ``handle``, ``ref``,
    ``callback``) and returns the value. ``container`` is told about each
    decoded container and its handle (the judge remembers where it came
    from).
    """

    def __init__(self, payload: bytearray, buffers: list, special, container=None):
        self.payload = payload
        self.special = special
        self.container = container
        self.nodes = 0
        # The buffers' (offset, length) in the payload.
        if not isinstance(buffers, list) or not all(
            type(b) is int and b >= 0 for b in buffers
        ):
            raise ProtocolError("a message with an invalid list of buffers")
        if sum(buffers) != len(payload):
            raise ProtocolError("a message whose buffers do not fill its payload")
        self.spans = []
        offset = 0
        for size in buffers:
            self.spans.append((offset, size))
            offset += size

    def decode(self, node: object, depth: int = 0) -> object:
        self.nodes += 1
        if depth > MAX_DEPTH + 2 or self.nodes > MAX_NODES:
            raise ProtocolError("a value nested too deeply or with too many parts")
        kind = type(node)
        if node is None or kind in (bool, int, float, str):
            if kind is int and abs(node) >= 1 << 63:
                raise ProtocolError("an integer beyond 64 bits")
            return node
        if kind is not dict:
            raise ProtocolError(f"an untagged {kind.__name__} in a value")
        tag = node.get("$")
        if tag in ("nd", "np"):
            return self._array(node, tag)
        if tag in ("tuple", "list"):
            items = node.get("items")
            if not isinstance(items, list):
                raise ProtocolError(f"a {tag} without items")
            values = [self.decode(item, depth + 1) for item in items]
            fields = node.get("fields")
            if tag == "list":
                value = values
            elif fields is not None:
                if not (
                    isinstance(fields, list)
                    and len(fields) == len(values)
                    and all(isinstance(f, str) and f.isidentifier() for f in fields)
                ):
                    raise ProtocolError("a named tuple with invalid field names")
                value = Record(values, fields)
            else:
                value = tuple(values)
            return self._contained(value, node)
        if tag == "dict":
            items = node.get("items")
            if not isinstance(items, list):
                raise ProtocolError("a dict without items")
            value = {}
            for pair in items:
                if not (isinstance(pair, list) and len(pair) == 2):
                    raise ProtocolError("a dict item that is not a pair")
                key = pair[0]
                if key is not None and type(key) not in (str, int, bool):
                    raise ProtocolError("a dict key other than str/int/bool/None")
                value[key] = self.decode(pair[1], depth + 1)
            return self._contained(value, node)
        if tag == "float":
            text = node.get("v")
            if text not in ("nan", "inf", "-inf"):
                raise ProtocolError("an invalid special float")
            return float(text)
        if tag == "complex":
            return complex(self._float(node.get("re")), self._float(node.get("im")))
        if tag == "slice":
            parts = [
                self.decode(node.get(k), depth + 1) for k in ("start", "stop", "step")
            ]
            if not all(p is None or type(p) is int for p in parts):
                raise ProtocolError("a slice with parts other than int/None")
            return slice(*parts)
        return self.special(node)

    @staticmethod
    def _float(text: object) -> float:
        if not isinstance(text, str) or len(text) > 40:
            raise ProtocolError("an invalid complex part")
        try:
            return float(text)
        except ValueError:
            raise ProtocolError("an invalid complex part") from None

    def _contained(self, value, node):
        handle = node.get("h")
        if handle is not None and type(handle) is not int:
            raise ProtocolError("a container with an invalid handle")
        if self.container is not None and handle is not None:
            self.container(value, handle)
        return value

    def _array(self, node: dict, tag: str):
        dtype = allowed_dtype(node.get("dtype"))
        index = node.get("b")
        if type(index) is not int or not 0 <= index < len(self.spans):
            raise ProtocolError("an array that names no buffer")
        offset, size = self.spans[index]
        if tag == "np":
            shape: tuple[int, ...] = ()
        else:
            shape_list = node.get("shape")
            if not (
                isinstance(shape_list, list)
                and len(shape_list) <= 32
                and all(type(n) is int and n >= 0 for n in shape_list)
            ):
                raise ProtocolError("an array with an invalid shape")
            shape = tuple(shape_list)
        if math.prod(shape) * dtype.itemsize != size:
            raise ProtocolError("an array whose shape does not match its bytes")
        array = np.frombuffer(
            self.payload, dtype=dtype, count=math.prod(shape), offset=offset
        )
        array = array.reshape(shape)
        return array[()] if tag == "np" else array


def encode_message(header: dict, value_fields: dict, encoder: Encoder) -> dict:
    """``header`` with each of ``value_fields`` encoded into it."""
    message = dict(header)
    for key, value in value_fields.items():
        message[key] = encoder.encode(value)
    message["buffers"] = [b.nbytes for b in encoder.buffers]
    return message
