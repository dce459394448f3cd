"""A dense (affine) output layer, forward and backward.

The LSTM produces hidden states ``h_t : (N, H)``; a dense layer maps each one
to the K outputs the task needs (a forecast, class scores):
``y = W·h + b`` with ``W : (K, H)`` and ``b : (K,)``. Applied to a whole
sequence ``(N, T, H)`` it acts on the last axis, with the same weights at
every step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from lstm_ref._checks import check_array, check_cache
from lstm_ref.init import _check_size, glorot_uniform

Array = NDArray[np.floating]

DENSE_KEYS = ("W", "b")


class DenseCache(NamedTuple):
    """What ``dense_backward`` needs from ``dense_forward``."""

    x: Array  # inputs, (N, H) or (N, T, H)
    w: Array  # weights W, (K, H)
    b: Array  # bias b, (K,); kept for its dtype


def _check_dense_params(params: object, dims: dict[str, int]) -> Mapping[str, Array]:
    if not isinstance(params, Mapping):
        raise TypeError(
            f"params must be a dict with keys W (K, H) and b (K,), "
            f"got {type(params).__name__}"
        )
    missing = [k for k in DENSE_KEYS if k not in params]
    if missing:
        raise KeyError(
            f"params is missing key(s) {', '.join(missing)}; expected keys W (K, H) "
            f"and b (K,)"
        )
    check_array("params['W']", params["W"], ("K", "H"), dims)
    check_array("params['b']", params["b"], ("K",), dims)
    return params


def dense_forward(x: Array, params: Mapping[str, Array]) -> tuple[Array, DenseCache]:
    """Affine map of the last axis: ``out = x @ W.T + b``.

    Parameters
    ----------
    x : ndarray, shape (N, H) or (N, T, H)
        Inputs, e.g. the last hidden state or every hidden state of an LSTM.
    params : dict
        ``W : (K, H)`` and ``b : (K,)``.

    Returns
    -------
    out : ndarray, shape (N, K) or (N, T, K)
        ``W·x + b`` for every row (and every step) of ``x``.
    cache : DenseCache
        Values needed by ``dense_backward``.
    """
    dims: dict[str, int] = {}
    if isinstance(x, np.ndarray) and x.ndim == 3:
        check_array("x", x, ("N", "T", "H"), dims)
    else:
        # Reports non-arrays, integer dtypes and other ranks as "(N, H)".
        if isinstance(x, np.ndarray) and x.ndim != 2:
            raise ValueError(
                f"x must have shape (N, H) or (N, T, H), got shape {x.shape}"
            )
        check_array("x", x, ("N", "H"), dims)
    _check_dense_params(params, dims)
    out = x @ params["W"].T + params["b"]  # (N, K) or (N, T, K)
    return out, DenseCache(x, params["W"], params["b"])


def dense_backward(dout: Array, cache: DenseCache) -> tuple[Array, dict[str, Array]]:
    """Backward pass of ``dense_forward``.

    Parameters
    ----------
    dout : ndarray, shape (N, K) or (N, T, K)
        Gradient of the loss with respect to ``out``, same shape as ``out``.
    cache : DenseCache
        From ``dense_forward``.

    Returns
    -------
    dx : ndarray, shape of ``x``
    grads : dict
        ``W : (K, H)`` and ``b : (K,)``, summed over all leading axes (every
        example and every step share the same weights).

    Notes
    -----
    With ``out = x Wᵀ + b`` row by row: ``dx = dout W``,
    ``dW = Σ doutᵀ x`` and ``db = Σ dout`` over the rows.
    """
    check_cache("cache", cache, DenseCache)
    x, w, b = cache
    check_array("dout", dout, x.shape[:-1] + (w.shape[0],))
    hidden, outputs = w.shape[1], w.shape[0]
    dtype = np.result_type(dout, x, w, b)
    dout_rows = dout.reshape(-1, outputs)  # (N·T, K)
    x_rows = x.reshape(-1, hidden)  # (N·T, H)
    dx = (dout @ w).astype(dtype, copy=False)  # shape of x
    grads = {
        "W": (dout_rows.T @ x_rows).astype(dtype, copy=False),  # (K, H)
        "b": dout_rows.sum(axis=0).astype(dtype, copy=False),  # (K,)
    }
    return dx, grads


def init_dense_params(
    input_size: int,
    output_size: int,
    *,
    rng: np.random.Generator | int | None = None,
) -> dict[str, NDArray[np.float64]]:
    """Parameters of a dense layer ``out = W·x + b``.

    Parameters
    ----------
    input_size : int
        H, the number of input features (the LSTM's hidden size).
    output_size : int
        K, the number of outputs.
    rng : Generator, int or None
        Source of randomness.

    Returns
    -------
    dict
        ``W : (K, H)`` Glorot uniform (``U(-a, a)``, ``a = sqrt(6 / (H + K))``)
        and ``b : (K,)`` zeros, both float64.
    """
    input_size = _check_size("input_size", input_size)
    output_size = _check_size("output_size", output_size)
    weights = glorot_uniform((output_size, input_size), rng=rng)
    return {"W": weights, "b": np.zeros(output_size)}
