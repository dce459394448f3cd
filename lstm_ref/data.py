"""Preparing sequence data: windows, temporal splits, scalers, padding with masks.

Every array is batch-major, ``(N, T, D)``: N sequences (samples), T time steps,
D features per step, as Keras' "(samples, time_steps, features)".

The order of the steps matters as much as the steps themselves (chapter 12)::

    split the raw series in time  →  fit the scaler on the training part only
    →  transform every part  →  cut each part into windows

Splitting before windowing keeps every window, inputs and target, inside one
part; fitting the scaler on the training part keeps the statistics of the
future (validation and test) out of the model's inputs. Doing either step the
other way round leaks information from the test period into training and makes
the scores optimistic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lstm_ref._checks import check_array

Array = NDArray[np.floating]

_PAD_SIDES = ("pre", "post")


def _check_positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return int(value)


def _check_float_array(name: str, value: object, shape_text: str) -> np.ndarray:
    """A finite floating ndarray of any number of dimensions (at least one)."""
    if not isinstance(value, np.ndarray):
        raise TypeError(
            f"{name} must be a NumPy array of shape {shape_text}, "
            f"got {type(value).__name__}"
        )
    if not np.issubdtype(value.dtype, np.floating):
        raise TypeError(
            f"{name} must be a floating-point array (float32 or float64) of "
            f"shape {shape_text}, got dtype {value.dtype}; convert it with "
            f"{name}.astype(np.float64)"
        )
    if value.ndim == 0:
        raise ValueError(f"{name} must have shape {shape_text}, got a scalar array")
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} contains NaN or infinity")
    return value


def _check_series(name: str, series: object) -> np.ndarray:
    """A (T,) or (T, D) finite float array, returned as (T, D)."""
    if isinstance(series, np.ndarray) and series.ndim == 1:
        return check_array(name, series, ("T",))[:, None]  # (T, 1)
    if isinstance(series, np.ndarray) and series.ndim != 2:
        raise ValueError(
            f"{name} must have shape (T,) or (T, D), got shape {series.shape}"
        )
    return check_array(name, series, ("T", "D"))


# ---------------------------------------------------------------------------
# Sliding windows
# ---------------------------------------------------------------------------


def sliding_windows(
    series: Array, window: int, *, horizon: int = 1, stride: int = 1
) -> tuple[Array, Array]:
    """Cut a series into input windows and the value that follows each one.

    Parameters
    ----------
    series : ndarray, shape (T,) or (T, D)
        One series, oldest step first. A 1-D series is one feature (D = 1).
    window : int
        Number of steps in each input window.
    horizon : int, default 1
        How many steps after a window's last step the target lies: 1 is the
        next value (one-step-ahead forecasting).
    stride : int, default 1
        Steps between the starts of consecutive windows.

    Returns
    -------
    x : ndarray, shape (num_windows, window, D)
        ``x[k] = series[s : s + window]`` with ``s = k * stride``.
    y : ndarray, shape (num_windows, D)
        ``y[k] = series[s + window - 1 + horizon]``.

    Raises
    ------
    ValueError
        If the series has fewer than ``window + horizon`` steps (no complete
        window with a target).

    Notes
    -----
    ``num_windows = (T - window - horizon) // stride + 1``. Both outputs are
    new arrays (copies), never views of ``series``. Window a time series only
    after splitting it (see ``temporal_split``): a window cut across the
    boundary would put test values into a training example.
    """
    values = _check_series("series", series)  # (T, D)
    window = _check_positive_int("window", window)
    horizon = _check_positive_int("horizon", horizon)
    stride = _check_positive_int("stride", stride)
    steps = values.shape[0]
    if steps < window + horizon:
        raise ValueError(
            f"series has T = {steps} steps, too short for window = {window} and "
            f"horizon = {horizon} (needs at least window + horizon = "
            f"{window + horizon} steps)"
        )
    num_windows = (steps - window - horizon) // stride + 1
    starts = np.arange(num_windows) * stride  # (num_windows,)
    # Fancy indexing builds new arrays, so the windows never alias the input.
    x = values[starts[:, None] + np.arange(window)]  # (num_windows, window, D)
    y = values[starts + window - 1 + horizon]  # (num_windows, D)
    return x, y


# ---------------------------------------------------------------------------
# Temporal split
# ---------------------------------------------------------------------------


class TemporalSplit(NamedTuple):
    """Three contiguous slices along the time (first) axis, in time order."""

    train: slice
    val: slice
    test: slice


def temporal_split(
    n_or_array: int | ArrayLike, *, train: float = 0.7, val: float = 0.15
) -> TemporalSplit:
    """Split ``n`` time-ordered steps into train, validation and test, in order.

    Parameters
    ----------
    n_or_array : int or array_like
        The number of steps, or an array whose first axis is time (its
        length is used).
    train : float, default 0.7
        Fraction of the steps for training, in (0, 1].
    val : float, default 0.15
        Fraction for validation, in [0, 1); the test part gets the rest,
        ``1 - train - val``.

    Returns
    -------
    TemporalSplit
        ``(train, val, test)`` slices: ``[0, a)``, ``[a, b)``, ``[b, n)`` with
        ``a = ⌊train·n⌋`` and ``b = ⌊(train + val)·n⌋``. They are disjoint,
        cover every step and are never shuffled. Use them on the raw series,
        ``series[split.train]``, before windowing.

    Raises
    ------
    ValueError
        If a fraction is out of range, ``train + val > 1``, or a part with a
        positive fraction would be empty.

    Notes
    -----
    Why the order matters: a model is used to predict the future from the
    past, so it must be evaluated the same way. Shuffling time steps or
    windows before splitting puts windows from after the test period into
    training, and neighbouring windows share ``window - 1`` values, so the
    test set ends up almost contained in the training set and the score is
    optimistic. Splitting the raw series first, then windowing each part
    separately, means no window contains values from two parts; the price is
    ``window + horizon - 1`` steps at each boundary that start no window of
    their own.
    """
    if isinstance(n_or_array, bool):
        raise TypeError(f"n_or_array must be an int or an array, got {n_or_array!r}")
    if isinstance(n_or_array, (int, np.integer)):
        n = _check_positive_int("n_or_array", n_or_array)
    else:
        shape = np.shape(n_or_array)
        if len(shape) == 0:
            raise TypeError(
                f"n_or_array must be an int or an array with a time axis, got "
                f"{type(n_or_array).__name__}"
            )
        n = shape[0]
        if n == 0:
            raise ValueError("n_or_array has no steps (its first axis is empty)")
    for name, value in (("train", train), ("val", val)):
        if isinstance(value, bool) or not isinstance(
            value, (int, float, np.integer, np.floating)
        ):
            raise TypeError(f"{name} must be a float fraction, got {value!r}")
    if not 0.0 < train <= 1.0:
        raise ValueError(f"train must lie in (0, 1], got {train}")
    if not 0.0 <= val < 1.0:
        raise ValueError(f"val must lie in [0, 1), got {val}")
    if train + val > 1.0 + 1e-12:
        raise ValueError(f"train + val must be at most 1, got {train} + {val}")
    # The small tolerance keeps 0.29 * 100 = 28.999999999999996 from
    # rounding down to 28.
    end_train = min(n, int(np.floor(train * n + 1e-9)))
    end_val = min(n, int(np.floor((train + val) * n + 1e-9)))
    test = 1.0 - train - val
    sizes = {
        "train": (train, end_train),
        "val": (val, end_val - end_train),
        "test": (test, n - end_val),
    }
    for part, (fraction, size) in sizes.items():
        if fraction > 1e-12 and size == 0:
            raise ValueError(
                f"the {part} part is empty: n = {n} steps are too few for "
                f"train = {train}, val = {val}"
            )
    return TemporalSplit(
        slice(0, end_train), slice(end_train, end_val), slice(end_val, n)
    )


# ---------------------------------------------------------------------------
# Scalers fitted on training data only
# ---------------------------------------------------------------------------


def _reduce_axes(axis: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim - 1)) if ndim > 1 else (0,)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else axis
    if isinstance(axes, bool) or not isinstance(axes, tuple) or not axes:
        raise TypeError(f"axis must be None, an int or a tuple of ints, got {axis!r}")
    result = []
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"axis must hold ints, got {a!r}")
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for an array with {ndim} dims")
        result.append(int(a) % ndim)
    if len(set(result)) != len(result):
        raise ValueError(f"axis repeats an axis: {axis!r}")
    return tuple(sorted(result))


def _drop_leading(stat: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """Drop the reduced axes at the front so the statistic broadcasts by trailing
    axes: statistics of a (T, D) series, shape (D,), then apply to (N, T, D)."""
    lead = 0
    while lead in axes:
        lead += 1
    return stat.reshape(stat.shape[lead:])


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array)  # a private copy
    array.flags.writeable = False
    return array


def _check_transform_input(name: str, x: object, stat_shape: tuple[int, ...]) -> None:
    x = _check_float_array(name, x, "(..., D)")
    try:
        shape = np.broadcast_shapes(x.shape, stat_shape)
    except ValueError:
        shape = None
    if shape != x.shape:
        raise ValueError(
            f"{name} has shape {x.shape}, which does not match the scaler's "
            f"statistics of shape {stat_shape} (fitted per feature on the "
            f"training data): the trailing axes must agree"
        )


@dataclass(frozen=True, eq=False)
class StandardScaler:
    """Standardisation ``(x - mean) / scale`` with statistics from training data.

    Create it with ``fit_standard_scaler``. It is immutable: ``transform`` and
    ``inverse_transform`` return new arrays and never change the scaler.

    Attributes
    ----------
    mean : ndarray
        Per-feature mean of the training data (read-only).
    scale : ndarray
        Per-feature standard deviation of the training data (``ddof=0``),
        with 1.0 in place of a constant feature's 0 (read-only).
    """

    mean: Array
    scale: Array

    def transform(self, x: Array) -> Array:
        """Return ``(x - mean) / scale``; ``x`` must end with the fitted axes."""
        _check_transform_input("x", x, self.mean.shape)
        return (x - self.mean) / self.scale

    def inverse_transform(self, z: Array) -> Array:
        """Return ``z * scale + mean``, undoing ``transform``."""
        _check_transform_input("z", z, self.mean.shape)
        return z * self.scale + self.mean


def fit_standard_scaler(
    train: Array, *, axis: int | tuple[int, ...] | None = None
) -> StandardScaler:
    """Fit a standardising scaler on the training data only.

    Parameters
    ----------
    train : ndarray, shape (T,), (T, D), (N, T, D) or any shape (..., D)
        Training data only: never the validation or test part.
    axis : int, tuple of int or None
        Axes to average over. The default (None) averages over every axis but
        the last, so each feature gets its own statistics; a 1-D array is one
        feature and gets scalar statistics.

    Returns
    -------
    StandardScaler
        ``mean`` and ``scale`` with the leading averaged axes dropped, so a
        scaler fitted on a ``(T, D)`` series also applies to ``(N, T, D)``
        windows (broadcasting over trailing axes).

    Notes
    -----
    Constant features: a standard deviation of 0 (or below ``10·eps·|mean|``,
    the round-off floor of computing it) is replaced by 1. A constant training
    feature then maps to 0 and keeps its test values' offsets from the
    training mean, instead of dividing by zero. scikit-learn's
    ``StandardScaler`` makes the same choice.
    """
    _check_float_array("train", train, "(..., D)")
    axes = _reduce_axes(axis, train.ndim)
    mean = train.mean(axis=axes, keepdims=True)
    std = train.std(axis=axes, keepdims=True)
    constant = std <= 10.0 * np.finfo(std.dtype).eps * np.abs(mean)
    scale = np.where(constant, 1.0, std).astype(std.dtype)
    return StandardScaler(
        mean=_frozen(_drop_leading(mean, axes)),
        scale=_frozen(_drop_leading(scale, axes)),
    )


@dataclass(frozen=True, eq=False)
class MinMaxScaler:
    """Rescale each feature from its training range to ``feature_range``.

    Create it with ``fit_minmax_scaler``. Test values outside the training
    range map outside ``feature_range``; they are not clipped.

    Attributes
    ----------
    data_min, data_max : ndarray
        Per-feature minimum and maximum of the training data (read-only).
    feature_range : tuple of float
        ``(low, high)`` of the output.
    """

    data_min: Array
    data_max: Array
    feature_range: tuple[float, float]

    @property
    def _span(self) -> Array:
        span = self.data_max - self.data_min
        return np.where(span == 0, 1.0, span).astype(span.dtype)

    def transform(self, x: Array) -> Array:
        """Return ``low + (x - data_min) · (high - low) / (data_max - data_min)``."""
        _check_transform_input("x", x, self.data_min.shape)
        low, high = self.feature_range
        return low + (x - self.data_min) * ((high - low) / self._span)

    def inverse_transform(self, z: Array) -> Array:
        """Undo ``transform``."""
        _check_transform_input("z", z, self.data_min.shape)
        low, high = self.feature_range
        return (z - low) * (self._span / (high - low)) + self.data_min


def fit_minmax_scaler(
    train: Array,
    *,
    axis: int | tuple[int, ...] | None = None,
    feature_range: tuple[float, float] = (0.0, 1.0),
) -> MinMaxScaler:
    """Fit a min-max scaler on the training data only.

    Parameters
    ----------
    train : ndarray, shape (..., D)
        Training data only.
    axis : int, tuple of int or None
        As in ``fit_standard_scaler``: by default every axis but the last.
    feature_range : tuple of float, default (0.0, 1.0)
        ``(low, high)`` with ``low < high``.

    Returns
    -------
    MinMaxScaler

    Notes
    -----
    A constant training feature (``max == min``) gets a range of 1 instead of
    0, so it maps to ``low`` and nothing is divided by zero (scikit-learn's
    choice too).
    """
    _check_float_array("train", train, "(..., D)")
    try:
        low, high = (float(v) for v in feature_range)
    except (TypeError, ValueError):
        raise TypeError(
            f"feature_range must be a pair of numbers (low, high), "
            f"got {feature_range!r}"
        ) from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(
            f"feature_range must be finite with low < high, got {feature_range!r}"
        )
    axes = _reduce_axes(axis, train.ndim)
    data_min = train.min(axis=axes, keepdims=True)
    data_max = train.max(axis=axes, keepdims=True)
    return MinMaxScaler(
        data_min=_frozen(_drop_leading(data_min, axes)),
        data_max=_frozen(_drop_leading(data_max, axes)),
        feature_range=(low, high),
    )


# ---------------------------------------------------------------------------
# Padding with masks
# ---------------------------------------------------------------------------


def pad_sequences(
    sequences: Sequence[Array],
    *,
    maxlen: int | None = None,
    padding: str = "post",
    truncating: str = "post",
    value: float = 0.0,
) -> tuple[Array, NDArray[np.bool_]]:
    """Pad variable-length sequences into one batch, with a mask of real steps.

    Parameters
    ----------
    sequences : list of ndarray, each shape (T_i, D) or (T_i,)
        Float sequences; all 1-D (then D = 1) or all 2-D with the same D.
        Empty sequences (T_i = 0) are allowed.
    maxlen : int, optional
        Length of the batch. Default: the longest sequence.
    padding : {"post", "pre"}
        Pad at the end ("post") or at the start ("pre") of each sequence.
    truncating : {"post", "pre"}
        For sequences longer than ``maxlen``: drop the steps at the end
        ("post", keep the first ``maxlen``) or at the start ("pre", keep the
        last ``maxlen``), as Keras' ``pad_sequences``.
    value : float, default 0.0
        Fill value of the padded steps.

    Returns
    -------
    x : ndarray, shape (N, T_max, D)
        The padded batch, in the sequences' common float dtype.
    mask : ndarray of bool, shape (N, T_max)
        True at real steps, False at padding: ``x[n][mask[n]]`` gives back
        sequence n (as (T_n, D), after truncation).

    Notes
    -----
    Keras pads and truncates at the start ("pre") by default; here the
    default is "post", which keeps step t of every sequence at index t.
    """
    if not isinstance(sequences, (list, tuple)):
        raise TypeError(
            f"sequences must be a list of arrays, got {type(sequences).__name__}"
        )
    if len(sequences) == 0:
        raise ValueError("sequences must contain at least one sequence")
    if maxlen is not None:
        maxlen = _check_positive_int("maxlen", maxlen)
    for name, side in (("padding", padding), ("truncating", truncating)):
        if side not in _PAD_SIDES:
            raise ValueError(f"{name} must be 'pre' or 'post', got {side!r}")
    if isinstance(value, bool) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"value must be a number, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"value must be finite, got {value}")

    rows = []
    dims: dict[str, int] = {}
    first_ndim = getattr(sequences[0], "ndim", None)
    for k, seq in enumerate(sequences):
        name = f"sequences[{k}]"
        if first_ndim == 1:
            rows.append(check_array(name, seq, ("T_i",))[:, None])  # (T_i, 1)
        else:
            rows.append(check_array(name, seq, ("T_i", "D"), dims))
            dims.pop("T_i")
    lengths = [row.shape[0] for row in rows]
    num_steps = maxlen if maxlen is not None else max(lengths)
    features = rows[0].shape[1]
    dtype = np.result_type(*rows)
    x = np.full((len(rows), num_steps, features), value, dtype=dtype)  # (N, T, D)
    mask = np.zeros((len(rows), num_steps), dtype=bool)  # (N, T)
    for n, row in enumerate(rows):
        if row.shape[0] > num_steps:
            row = row[-num_steps:] if truncating == "pre" else row[:num_steps]
        length = row.shape[0]
        start = num_steps - length if padding == "pre" else 0
        x[n, start : start + length] = row
        mask[n, start : start + length] = True
    return x, mask


def lengths_from_mask(mask: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Number of real steps in each row of a padding mask.

    Parameters
    ----------
    mask : ndarray of bool, shape (N, T)
        True at real steps, as ``pad_sequences`` returns it.

    Returns
    -------
    ndarray of int64, shape (N,)
    """
    if not isinstance(mask, np.ndarray):
        raise TypeError(
            f"mask must be a boolean NumPy array of shape (N, T), "
            f"got {type(mask).__name__}"
        )
    if mask.dtype != np.bool_:
        raise TypeError(
            f"mask must be a boolean array of shape (N, T), got dtype {mask.dtype}"
        )
    if mask.ndim != 2:
        raise ValueError(f"mask must have shape (N, T), got shape {mask.shape}")
    return mask.sum(axis=1, dtype=np.int64)
