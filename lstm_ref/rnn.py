"""The vanilla (Elman) RNN cell and layer, forward and backward.

One step is ``h_t = tanh(W·[h_{t-1}, x_t] + b)`` with the previous hidden
state first in the concatenation, as everywhere in the course. Backpropagating
through T steps multiplies T Jacobians ``diag(1 - h_t²) · W_h``: the product
that vanishes or explodes with the lag (chapter 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from lstm_ref._checks import RNN_KEYS, check_array, check_cache, check_params

Array = NDArray[np.floating]


class RNNCellCache(NamedTuple):
    """What ``rnn_cell_backward`` needs from one forward step."""

    hx: Array  # [h_{t-1}, x_t], (N, H + D)
    h: Array  # h_t, (N, H)
    params: Mapping[str, Array]


class RNNCache(NamedTuple):
    """What ``rnn_backward`` needs from ``rnn_forward`` (time-major buffers)."""

    x: Array  # inputs, (T, N, D)
    h: Array  # h_0 … h_T, (T + 1, N, H)
    w_h: Array  # recurrent block W[:, :H], (H, H)
    w_x: Array  # input block W[:, H:], (H, D)


def rnn_cell_forward(
    x_t: Array, h_prev: Array, params: Mapping[str, Array]
) -> tuple[Array, RNNCellCache]:
    """One vanilla RNN step.

    Parameters
    ----------
    x_t : ndarray, shape (N, D)
        Input at step t.
    h_prev : ndarray, shape (N, H)
        Hidden state h_{t-1}.
    params : dict
        ``W : (H, H + D)`` and ``b : (H,)``.

    Returns
    -------
    h_t : ndarray, shape (N, H)
        ``tanh(W·[h_{t-1}, x_t] + b)``.
    cache : RNNCellCache
        Values needed by ``rnn_cell_backward``.
    """
    dims: dict[str, int] = {}
    check_array("x_t", x_t, ("N", "D"), dims)
    check_array("h_prev", h_prev, ("N", "H"), dims)
    check_params("params", params, RNN_KEYS, dims)
    hx = np.concatenate([h_prev, x_t], axis=1)  # (N, H + D)
    h_t = np.tanh(hx @ params["W"].T + params["b"])  # (N, H)
    return h_t, RNNCellCache(hx, h_t, params)


def rnn_cell_backward(
    dh_t: Array, cache: RNNCellCache
) -> tuple[Array, Array, dict[str, Array]]:
    """Backward pass of one vanilla RNN step.

    Parameters
    ----------
    dh_t : ndarray, shape (N, H)
        Gradient of the loss with respect to h_t.
    cache : RNNCellCache
        From ``rnn_cell_forward``.

    Returns
    -------
    dx_t : ndarray, shape (N, D)
    dh_prev : ndarray, shape (N, H)
    grads : dict
        ``W : (H, H + D)``, ``b : (H,)``.

    Notes
    -----
    With ``a = W·[h_{t-1}, x_t] + b``: ``da = dh_t ⊙ (1 - h_t²)``,
    ``dW = da^T [h_{t-1}, x_t]``, ``db = Σ_n da`` and
    ``d[h_{t-1}, x_t] = da W``.
    """
    check_cache("cache", cache, RNNCellCache)
    hx, h_t, params = cache
    hidden = h_t.shape[1]
    check_array("dh_t", dh_t, ("N", "H"), {"N": h_t.shape[0], "H": hidden})
    da = dh_t * (1.0 - h_t**2)  # (N, H)
    dhx = da @ params["W"]  # (N, H + D)
    grads = {"W": da.T @ hx, "b": da.sum(axis=0)}
    return dhx[:, hidden:], dhx[:, :hidden], grads


def rnn_forward(
    x: Array, h0: Array, params: Mapping[str, Array]
) -> tuple[Array, RNNCache]:
    """Run a vanilla RNN over a batch of sequences.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        Input sequences, batch-major.
    h0 : ndarray, shape (N, H)
        Initial hidden state.
    params : dict
        ``W : (H, H + D)`` and ``b : (H,)``.

    Returns
    -------
    hs : ndarray, shape (N, T, H)
        Hidden states h_1 … h_T.
    cache : RNNCache
        Values needed by ``rnn_backward``.
    """
    dims: dict[str, int] = {}
    check_array("x", x, ("N", "T", "D"), dims)
    check_array("h0", h0, ("N", "H"), dims)
    check_params("params", params, RNN_KEYS, dims)
    n, steps, _ = x.shape
    hidden = dims["H"]
    dtype = np.result_type(x, h0, params["W"], params["b"])
    w = params["W"].astype(dtype, copy=False)
    w_h = np.ascontiguousarray(w[:, :hidden])  # (H, H)
    w_x = np.ascontiguousarray(w[:, hidden:])  # (H, D)
    x_tm = np.ascontiguousarray(x.transpose(1, 0, 2), dtype=dtype)  # (T, N, D)
    h = np.empty((steps + 1, n, hidden), dtype=dtype)
    h[0] = h0
    h[1:] = x_tm @ w_x.T  # input projection of every step, (T, N, H)
    h[1:] += params["b"]
    w_h_t = np.ascontiguousarray(w_h.T)  # (H, H)
    hw = np.empty((n, hidden), dtype=dtype)
    for t in range(steps):
        np.matmul(h[t], w_h_t, out=hw)
        h[t + 1] += hw
        np.tanh(h[t + 1], out=h[t + 1])
    hs = np.ascontiguousarray(h[1:].transpose(1, 0, 2))  # (N, T, H)
    return hs, RNNCache(x_tm, h, w_h, w_x)


def rnn_backward(dhs: Array, cache: RNNCache) -> tuple[Array, Array, dict[str, Array]]:
    """Backpropagation through time for ``rnn_forward``.

    Parameters
    ----------
    dhs : ndarray, shape (N, T, H)
        Gradient of the loss with respect to every hidden state h_1 … h_T.
    cache : RNNCache
        From ``rnn_forward``.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
    dh0 : ndarray, shape (N, H)
    grads : dict
        ``W : (H, H + D)``, ``b : (H,)`` summed over all steps.
    """
    check_cache("cache", cache, RNNCache)
    x_tm, h, w_h, w_x = cache
    steps = h.shape[0] - 1
    n, hidden = h.shape[1], h.shape[2]
    check_array("dhs", dhs, ("N", "T", "H"), {"N": n, "T": steps, "H": hidden})
    dtype = h.dtype
    dtanh = 1.0 - h[1:] * h[1:]  # (T, N, H)
    dhs_tm = np.ascontiguousarray(dhs.transpose(1, 0, 2), dtype=dtype)
    da = np.empty((steps, n, hidden), dtype=dtype)
    dh = np.zeros((n, hidden), dtype=dtype)
    for t in range(steps - 1, -1, -1):
        dh += dhs_tm[t]
        np.multiply(dh, dtanh[t], out=da[t])
        np.matmul(da[t], w_h, out=dh)  # dh_{t-1}
    da_flat = da.reshape(steps * n, hidden)
    dw_h = da_flat.T @ h[:-1].reshape(steps * n, hidden)  # (H, H)
    dw_x = da_flat.T @ x_tm.reshape(steps * n, -1)  # (H, D)
    dx = (da_flat @ w_x).reshape(steps, n, -1).transpose(1, 0, 2)  # (N, T, D)
    grads = {"W": np.concatenate([dw_h, dw_x], axis=1), "b": da_flat.sum(axis=0)}
    return np.ascontiguousarray(dx), dh, grads
