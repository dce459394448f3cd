"""The GRU cell and layer, forward and backward (Cho et al., 2014).

For one time step, with ``[h_{t-1}, x_t]`` the concatenation of the previous
hidden state and the input (hidden state first, as everywhere in the course)::

    z_t  = σ(W_z·[h_{t-1}, x_t] + b_z)             update gate
    r_t  = σ(W_r·[h_{t-1}, x_t] + b_r)             reset gate
    h̃_t  = tanh(W_h·[r_t ⊙ h_{t-1}, x_t] + b_h)     candidate
    h_t  = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h̃_t          hidden state

This is the convention of Cho et al. (2014, eq. 7), d2l and PyTorch: the
update gate weighs the *old state*. A GRU has no separate cell state: ``h_t``
is a convex mix of the old state and the candidate, and ``z_t`` alone decides
the mix (the LSTM's forget and input gates tied as ``f = z``, ``i = 1 - z``).
With ``z_t = 1`` the state is copied unchanged and the gradient flows back
through ``∂h_t/∂h_{t-1} = I``, the GRU's version of the LSTM's constant error
flow; with ``z_t = 0`` the state is replaced by the candidate.

Differences from PyTorch's ``nn.GRU`` and Keras' ``GRU``
---------------------------------------------------------
Do not compare numbers with either library blindly: the same names hide a
difference in the candidate, though not in the mix.

1. **Where the reset gate acts.** Here (Cho et al. 2014, v3) ``r_t`` scales
   ``h_{t-1}`` *before* the recurrent matrix product. PyTorch applies it
   *after* the product, with a separate recurrent bias::

       n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))

   Keras does the same when ``reset_after=True`` (its default since TF 2) and
   matches the formula here when ``reset_after=False``. The two candidates are
   different functions: in general no rearrangement of weights turns one
   into the other.
2. **The mix is the same.** PyTorch computes
   ``h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}`` and Keras
   ``z ⊙ h_{t-1} + (1 - z) ⊙ h̃``: their ``z`` is ours, weights and bias
   unchanged. Texts that write ``h_t = (1 - z_t) ⊙ h_{t-1} + z_t ⊙ h̃_t``
   describe the same cell with ``z`` and ``1 - z`` swapped; since
   ``1 - σ(a) = σ(-a)``, negating the update gate's weights and bias converts
   one into the other.

PyTorch also stores the gates in the order r, z, n and has two biases per gate
(``b_i*`` and ``b_h*``). For r and z they add up to our one bias; for the
candidate they cannot, because ``r_t`` multiplies ``b_hn`` and not ``b_in``.

The sequence functions loop the cell functions, one step at a time: they are
written to be read, not to be fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from lstm_ref._checks import check_array, check_cache, check_params
from lstm_ref.activations import _sigmoid
from lstm_ref.init import _check_size, glorot_uniform, orthogonal

Array = NDArray[np.floating]

GRU_GATES = ("z", "r", "h")
GRU_KEYS = ("W_z", "b_z", "W_r", "b_r", "W_h", "b_h")


class GRUCellCache(NamedTuple):
    """What ``gru_cell_backward`` needs from one forward step."""

    hx: Array  # [h_{t-1}, x_t], (N, H + D)
    rhx: Array  # [r_t ⊙ h_{t-1}, x_t], (N, H + D)
    z: Array  # update gate z_t, (N, H)
    r: Array  # reset gate r_t, (N, H)
    h_tilde: Array  # candidate h̃_t, (N, H)
    params: Mapping[str, Array]  # the weights, needed for dh_prev and dx_t


class GRUCache(NamedTuple):
    """What ``gru_backward`` needs from ``gru_forward``: one cell cache per step."""

    steps: tuple[GRUCellCache, ...]  # caches of steps 1 … T, length T
    params: Mapping[str, Array]  # the weights (shapes of the gradients)
    x_shape: tuple[int, int, int]  # (N, T, D)
    dtype: np.dtype  # the dtype the forward pass computed in


def _cell_forward(
    x_t: Array, h_prev: Array, params: Mapping[str, Array]
) -> tuple[Array, GRUCellCache]:
    # Trusts its inputs: the public functions have validated them.
    hx = np.concatenate([h_prev, x_t], axis=1)  # (N, H + D)
    z = _sigmoid(hx @ params["W_z"].T + params["b_z"])  # (N, H)
    r = _sigmoid(hx @ params["W_r"].T + params["b_r"])  # (N, H)
    rhx = np.concatenate([r * h_prev, x_t], axis=1)  # (N, H + D)
    h_tilde = np.tanh(rhx @ params["W_h"].T + params["b_h"])  # (N, H)
    h_t = z * h_prev + (1.0 - z) * h_tilde  # (N, H)
    return h_t, GRUCellCache(hx, rhx, z, r, h_tilde, params)


def _cell_backward(
    dh_t: Array, cache: GRUCellCache
) -> tuple[Array, Array, dict[str, Array]]:
    hx, rhx, z, r, h_tilde, params = cache
    hidden = z.shape[1]
    h_prev = hx[:, :hidden]  # (N, H)

    # h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h̃: three ways back from h_t.
    dh_prev = dh_t * z  # (N, H), the direct path
    dz = dh_t * (h_prev - h_tilde)  # (N, H)
    dh_tilde = dh_t * (1.0 - z)  # (N, H)

    da_h = dh_tilde * (1.0 - h_tilde**2)  # (N, H)
    drhx = da_h @ params["W_h"]  # (N, H + D)
    d_rh = drhx[:, :hidden]  # gradient of r_t ⊙ h_{t-1}, (N, H)
    dr = d_rh * h_prev  # (N, H)
    dh_prev = dh_prev + d_rh * r  # (N, H)

    da_z = dz * z * (1.0 - z)  # (N, H)
    da_r = dr * r * (1.0 - r)  # (N, H)
    dhx = da_z @ params["W_z"] + da_r @ params["W_r"]  # (N, H + D)
    dh_prev = dh_prev + dhx[:, :hidden]  # (N, H)
    dx_t = drhx[:, hidden:] + dhx[:, hidden:]  # (N, D)

    grads = {
        "W_z": da_z.T @ hx,  # (H, H + D)
        "b_z": da_z.sum(axis=0),  # (H,)
        "W_r": da_r.T @ hx,  # (H, H + D)
        "b_r": da_r.sum(axis=0),  # (H,)
        "W_h": da_h.T @ rhx,  # (H, H + D)
        "b_h": da_h.sum(axis=0),  # (H,)
    }
    return dx_t, dh_prev, grads


def gru_cell_forward(
    x_t: Array, h_prev: Array, params: Mapping[str, Array]
) -> tuple[Array, GRUCellCache]:
    """One GRU step.

    Parameters
    ----------
    x_t : ndarray, shape (N, D)
        Input at step t.
    h_prev : ndarray, shape (N, H)
        Hidden state h_{t-1}.
    params : dict
        ``W_z, W_r, W_h : (H, H + D)`` and ``b_z, b_r, b_h : (H,)``.

    Returns
    -------
    h_t : ndarray, shape (N, H)
        New hidden state ``z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h̃_t`` (Cho et al.
        2014, PyTorch: ``z_t = 1`` keeps the old state).
    cache : GRUCellCache
        Values needed by ``gru_cell_backward``.

    Notes
    -----
    ``z_t = σ(W_z·[h_{t-1}, x_t] + b_z)``, ``r_t = σ(W_r·[h_{t-1}, x_t] + b_r)``
    and ``h̃_t = tanh(W_h·[r_t ⊙ h_{t-1}, x_t] + b_h)``. The reset gate acts
    before the product with ``W_h``, unlike PyTorch's ``nn.GRU`` (see the
    module docstring). The result has the dtype NumPy promotes the inputs to.
    """
    dims: dict[str, int] = {}
    check_array("x_t", x_t, ("N", "D"), dims)
    check_array("h_prev", h_prev, ("N", "H"), dims)
    check_params("params", params, GRU_KEYS, dims)
    return _cell_forward(x_t, h_prev, params)


def gru_cell_backward(
    dh_t: Array, cache: GRUCellCache
) -> tuple[Array, Array, dict[str, Array]]:
    """Backward pass of one GRU step.

    Parameters
    ----------
    dh_t : ndarray, shape (N, H)
        Gradient of the loss with respect to h_t.
    cache : GRUCellCache
        From ``gru_cell_forward``.

    Returns
    -------
    dx_t : ndarray, shape (N, D)
    dh_prev : ndarray, shape (N, H)
    grads : dict
        ``W_z, b_z, W_r, b_r, W_h, b_h`` with the parameters' shapes.

    Notes
    -----
    ``h_{t-1}`` reaches ``h_t`` four ways: directly through ``z_t``,
    through ``z_t``, through ``r_t``, and through ``r_t ⊙ h_{t-1}`` inside the
    candidate. So ``dh_{t-1}`` sums ``dh_t ⊙ z_t``, ``d(r ⊙ h) ⊙ r_t``
    and the recurrent blocks of ``da_z W_z + da_r W_r``, where
    ``dz_t = dh_t ⊙ (h_{t-1} - h̃_t)``, ``dh̃_t = dh_t ⊙ (1 - z_t)``,
    ``da_h = dh̃_t ⊙ (1 - h̃_t²)``, ``d(r ⊙ h) = (da_h W_h)[:, :H]``,
    ``dr_t = d(r ⊙ h) ⊙ h_{t-1}`` and each gate's pre-activation gradient is
    its output gradient times ``s (1 - s)``. ``dW_h`` uses the reset input
    ``[r_t ⊙ h_{t-1}, x_t]``, ``dW_z`` and ``dW_r`` the plain ``[h_{t-1}, x_t]``.
    """
    check_cache("cache", cache, GRUCellCache)
    check_array("dh_t", dh_t, cache.z.shape)
    return _cell_backward(dh_t, cache)


def gru_forward(
    x: Array, h0: Array, params: Mapping[str, Array]
) -> tuple[Array, GRUCache]:
    """Run a GRU over a batch of sequences.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        Input sequences, batch-major.
    h0 : ndarray, shape (N, H)
        Initial hidden state.
    params : dict
        ``W_z, W_r, W_h : (H, H + D)`` and ``b_z, b_r, b_h : (H,)``.

    Returns
    -------
    hs : ndarray, shape (N, T, H)
        Hidden states h_1 … h_T.
    cache : GRUCache
        Values needed by ``gru_backward``.

    Notes
    -----
    Equal to calling ``gru_cell_forward`` at every step (which is what it
    does). The result has the dtype NumPy promotes the inputs to: float32
    throughout gives float32.
    """
    dims: dict[str, int] = {}
    check_array("x", x, ("N", "T", "D"), dims)
    check_array("h0", h0, ("N", "H"), dims)
    check_params("params", params, GRU_KEYS, dims)
    n, steps, _ = x.shape
    dtype = np.result_type(x, h0, *(params[k] for k in GRU_KEYS))

    hs = np.empty((n, steps, dims["H"]), dtype=dtype)
    caches = []
    h = h0.astype(dtype, copy=False)  # (N, H)
    for t in range(steps):
        h, cache_t = _cell_forward(x[:, t], h, params)  # (N, H)
        hs[:, t] = h
        caches.append(cache_t)
    return hs, GRUCache(tuple(caches), params, x.shape, dtype)


def gru_backward(dhs: Array, cache: GRUCache) -> tuple[Array, Array, dict[str, Array]]:
    """Backpropagation through time for ``gru_forward``.

    Parameters
    ----------
    dhs : ndarray, shape (N, T, H)
        Gradient of the loss with respect to every hidden state h_1 … h_T
        (zeros where a step's output does not enter the loss).
    cache : GRUCache
        From ``gru_forward``.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
    dh0 : ndarray, shape (N, H)
    grads : dict
        ``W_z, b_z, W_r, b_r, W_h, b_h`` summed over all steps.

    Notes
    -----
    Going backwards, the gradient reaching ``h_t`` is ``dhs[:, t]`` plus the
    ``dh_prev`` that ``gru_cell_backward`` returned for step t + 1; the
    parameters are shared by every step, so their gradients add up.
    """
    check_cache("cache", cache, GRUCache)
    steps, params, (n, num_steps, input_size), dtype = cache
    hidden = params["b_z"].shape[0]
    dims = {"N": n, "T": num_steps, "H": hidden}
    check_array("dhs", dhs, ("N", "T", "H"), dims)

    dx = np.empty((n, num_steps, input_size), dtype=dtype)
    dh = np.zeros((n, hidden), dtype=dtype)  # gradient from step t + 1
    grads = {key: np.zeros(params[key].shape, dtype=dtype) for key in GRU_KEYS}
    for t in range(num_steps - 1, -1, -1):
        dh_t = dh + dhs[:, t].astype(dtype, copy=False)  # (N, H)
        dx[:, t], dh, grads_t = _cell_backward(dh_t, steps[t])
        for key in GRU_KEYS:
            grads[key] += grads_t[key]
    return dx, dh, grads


def init_gru_params(
    input_size: int,
    hidden_size: int,
    *,
    rng: np.random.Generator | int | None = None,
) -> dict[str, NDArray[np.float64]]:
    """Parameters of a GRU cell, one weight matrix and bias per gate.

    Parameters
    ----------
    input_size : int
        D, the number of input features.
    hidden_size : int
        H, the number of hidden units.
    rng : Generator, int or None
        Source of randomness, passed to ``np.random.default_rng``.

    Returns
    -------
    dict
        ``W_z, W_r, W_h : (H, H + D)`` with an orthogonal recurrent block
        ``W_*[:, :H]`` and a Glorot-uniform input block ``W_*[:, H:]`` (the
        Keras defaults); ``b_z, b_r, b_h : (H,)`` zeros, so every gate starts
        at ``σ(0) = 0.5`` on average.
    """
    input_size = _check_size("input_size", input_size)
    hidden_size = _check_size("hidden_size", hidden_size)
    rng = np.random.default_rng(rng)
    params: dict[str, NDArray[np.float64]] = {}
    for gate in GRU_GATES:
        w_h = orthogonal((hidden_size, hidden_size), rng=rng)
        w_x = glorot_uniform((hidden_size, input_size), rng=rng)
        params[f"W_{gate}"] = np.concatenate([w_h, w_x], axis=1)
        params[f"b_{gate}"] = np.zeros(hidden_size)
    return params
