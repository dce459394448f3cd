"""Input validation shared by the public functions of ``lstm_ref``.

Every public function validates what it is given at its boundary and raises an
error that names the argument and the shape it expected. Internal calls trust
their inputs. Nothing here mutates an array.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

LSTM_GATES = ("f", "i", "c", "o")
LSTM_KEYS = ("W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o")
RNN_KEYS = ("W", "b")


def _dim_value(symbol: str | int, dims: Mapping[str, int]) -> int | None:
    if isinstance(symbol, int):
        return symbol
    parts = [p.strip() for p in symbol.split("+")]
    if all(p in dims for p in parts):
        return sum(dims[p] for p in parts)
    return None


def _tuple_text(items: Sequence[object]) -> str:
    inner = ", ".join(str(i) for i in items)
    return f"({inner},)" if len(items) == 1 else f"({inner})"


def _fmt_shape(spec: Sequence[str | int], dims: Mapping[str, int]) -> str:
    """``(N, H) = (4, 3)`` when every symbol is bound, else ``(N, H)``."""
    names = _tuple_text(spec)
    values = [_dim_value(s, dims) for s in spec]
    if all(v is not None for v in values):
        numbers = _tuple_text(values)
        if numbers != names:
            return f"{names} = {numbers}"
    return names


def check_array(
    name: str,
    value: object,
    spec: Sequence[str | int],
    dims: dict[str, int] | None = None,
) -> np.ndarray:
    """Check that ``value`` is a finite floating array of shape ``spec``.

    Parameters
    ----------
    name : str
        The argument's name, used in error messages.
    value : object
        What the caller passed.
    spec : sequence of str or int
        The expected shape. A string is a symbolic dimension (``"N"``); the
        first array to use a symbol binds it in ``dims`` and later arrays must
        agree. An expression such as ``"H + D"`` is allowed once ``H`` and
        ``D`` are bound.
    dims : dict, optional
        Symbolic dimensions bound so far; updated in place with new bindings.

    Returns
    -------
    ndarray
        ``value`` itself (no copy) once it has passed every check.

    Raises
    ------
    TypeError
        If ``value`` is not a NumPy array of a floating dtype.
    ValueError
        If the shape does not match or the array holds NaN or infinity.
    """
    if dims is None:
        dims = {}
    if not isinstance(value, np.ndarray):
        raise TypeError(
            f"{name} must be a NumPy array of shape {_fmt_shape(spec, dims)}, "
            f"got {type(value).__name__}"
        )
    if not np.issubdtype(value.dtype, np.floating):
        raise TypeError(
            f"{name} must be a floating-point array (float32 or float64) of "
            f"shape {_fmt_shape(spec, dims)}, got dtype {value.dtype}; "
            f"convert it with {name}.astype(np.float64)"
        )
    if value.ndim != len(spec):
        raise ValueError(
            f"{name} must have shape {_fmt_shape(spec, dims)} "
            f"({len(spec)} dimension{'s' if len(spec) != 1 else ''}), "
            f"got shape {value.shape}"
        )
    for axis, (symbol, size) in enumerate(zip(spec, value.shape, strict=True)):
        expected = _dim_value(symbol, dims)
        if expected is None:
            dims[symbol] = size
            continue
        if size != expected:
            raise ValueError(
                f"{name} must have shape {_fmt_shape(spec, dims)}, got shape "
                f"{value.shape} (axis {axis} is {size}, expected {expected})"
            )
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} contains NaN or infinity")
    return value


def check_params(
    name: str,
    params: object,
    keys: Sequence[str],
    dims: dict[str, int],
) -> Mapping[str, np.ndarray]:
    """Check a parameter dict: every key present, ``W_*`` (H, H + D), ``b_*`` (H,).

    ``dims`` must already bind ``D``; ``H`` is bound from the first bias if the
    caller has not bound it.
    """
    if not isinstance(params, Mapping):
        raise TypeError(
            f"{name} must be a dict with keys {', '.join(keys)}, "
            f"got {type(params).__name__}"
        )
    missing = [k for k in keys if k not in params]
    if missing:
        raise KeyError(
            f"{name} is missing key(s) {', '.join(missing)}; expected keys "
            f"{', '.join(keys)}"
        )
    for key in keys:
        spec = ("H",) if key.startswith("b") else ("H", "H + D")
        check_array(f"{name}[{key!r}]", params[key], spec, dims)
    return params


def check_grads_dict(name: str, grads: object, keys: Sequence[str]) -> None:
    """Check that ``grads`` is a mapping holding every key in ``keys``."""
    if not isinstance(grads, Mapping):
        raise TypeError(f"{name} must be a dict, got {type(grads).__name__}")
    missing = [k for k in keys if k not in grads]
    if missing:
        raise KeyError(f"{name} is missing key(s) {', '.join(missing)}")


def check_cache(name: str, cache: object, cls: type) -> None:
    """Check that ``cache`` is the NamedTuple the matching forward returned."""
    if not isinstance(cache, cls):
        raise TypeError(
            f"{name} must be the {cls.__name__} returned by the matching "
            f"forward function, got {type(cache).__name__}"
        )


def result_dtype(*arrays: np.ndarray) -> np.dtype:
    """The floating dtype a computation on ``arrays`` produces."""
    return np.result_type(*arrays)
