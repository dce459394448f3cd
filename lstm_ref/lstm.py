"""The LSTM cell and layer, forward and backward.

For one time step, with ``[h_{t-1}, x_t]`` the concatenation of the previous
hidden state and the input (hidden state first)::

    f_t  = σ(W_f·[h_{t-1}, x_t] + b_f)        forget gate
    i_t  = σ(W_i·[h_{t-1}, x_t] + b_i)        input gate
    C̃_t  = tanh(W_c·[h_{t-1}, x_t] + b_c)     candidate
    C_t  = f_t ⊙ C_{t-1} + i_t ⊙ C̃_t           cell update
    o_t  = σ(W_o·[h_{t-1}, x_t] + b_o)        output gate
    h_t  = o_t ⊙ tanh(C_t)                    hidden state

The cell functions compute one gate after another, as the equations read: they
are the teaching code. ``lstm_forward``/``lstm_backward`` compute the same
thing fast: the input projection of every step in one matrix product, the four
gates in one fused product per step, the weight gradients as a few large
products after the loop, and preallocated buffers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from lstm_ref._checks import (
    LSTM_KEYS,
    check_array,
    check_cache,
    check_params,
)
from lstm_ref.activations import _sigmoid

Array = NDArray[np.floating]


class LSTMCellCache(NamedTuple):
    """What ``lstm_cell_backward`` needs from one forward step."""

    hx: Array  # [h_{t-1}, x_t], (N, H + D)
    c_prev: Array  # C_{t-1}, (N, H)
    f: Array  # forget gate f_t, (N, H)
    i: Array  # input gate i_t, (N, H)
    c_tilde: Array  # candidate C̃_t, (N, H)
    o: Array  # output gate o_t, (N, H)
    tanh_c: Array  # tanh(C_t), (N, H)
    params: Mapping[str, Array]  # the weights, needed for dh_prev and dx_t


class LSTMCache(NamedTuple):
    """What ``lstm_backward`` needs from ``lstm_forward``.

    The buffers are time-major, ``(T, N, ·)``, so that one step is one
    contiguous block. ``gates`` holds the four activations side by side in the
    order o, f, i, C̃ (the three sigmoids first, then the three gates that
    receive the cell-state gradient next to each other).
    """

    x: Array  # inputs with a column of ones appended, time-major, (T, N, D + 1)
    h: Array  # h_0 … h_T, (T + 1, N, H)
    c: Array  # C_0 … C_T, (T + 1, N, H)
    gates: Array  # o, f, i, C̃ of every step, (T, N, 4H)
    tanh_c: Array  # tanh(C_1) … tanh(C_T), (T, N, H)
    w_h: Array  # fused recurrent weights, gate order o, f, i, c, (4H, H)
    w_x: Array  # fused input weights, gate order o, f, i, c, (4H, D)

    def gate(self, name: str) -> Array:
        """One gate's values at every step, batch-major.

        Parameters
        ----------
        name : {"f", "i", "c", "o"}
            The forget gate, the input gate, the candidate C̃ or the output
            gate.

        Returns
        -------
        ndarray, shape (N, T, H)
            A copy: the gate's value for every example, step and unit.
        """
        if name not in _FUSED_ORDER:
            raise ValueError(f"name must be one of 'f', 'i', 'c', 'o', got {name!r}")
        hidden = self.tanh_c.shape[2]
        k = _FUSED_ORDER.index(name)
        values = self.gates[:, :, k * hidden : (k + 1) * hidden]  # (T, N, H)
        return np.ascontiguousarray(values.transpose(1, 0, 2))


# Gate order of the fused buffers; the public dict uses the names of COURSE.md.
_FUSED_ORDER = ("o", "f", "i", "c")
# Elements per block of the backward's precomputed factors (512 KiB in
# float32): the fastest of 2^15 ... 2^20 measured on the benchmark shapes.
_BLOCK_ELEMENTS = 1 << 17


def _workspace(dtype: np.dtype, *shapes: tuple[int, ...]) -> list[Array]:
    """Arrays of the given shapes carved out of one allocation.

    Writing to freshly allocated memory costs a page fault per 4 KiB page, and
    on a virtual machine that adds up to more than the arithmetic of a step.
    NumPy asks the kernel for 2 MiB pages for allocations of 4 MiB and more, so
    one large block instead of several smaller ones takes far fewer faults.
    """
    sizes = [int(np.prod(shape)) for shape in shapes]
    block = np.empty(sum(sizes), dtype=dtype)
    arrays, start = [], 0
    for shape, size in zip(shapes, sizes, strict=True):
        arrays.append(block[start : start + size].reshape(shape))
        start += size
    return arrays


def lstm_cell_forward(
    x_t: Array, h_prev: Array, c_prev: Array, params: Mapping[str, Array]
) -> tuple[Array, Array, LSTMCellCache]:
    """One LSTM step, computed gate by gate.

    Parameters
    ----------
    x_t : ndarray, shape (N, D)
        Input at step t.
    h_prev : ndarray, shape (N, H)
        Hidden state h_{t-1}.
    c_prev : ndarray, shape (N, H)
        Cell state C_{t-1}.
    params : dict
        ``W_f, W_i, W_c, W_o : (H, H + D)`` and ``b_f, b_i, b_c, b_o : (H,)``.

    Returns
    -------
    h_t : ndarray, shape (N, H)
        New hidden state ``o_t ⊙ tanh(C_t)``.
    c_t : ndarray, shape (N, H)
        New cell state ``f_t ⊙ C_{t-1} + i_t ⊙ C̃_t``.
    cache : LSTMCellCache
        Values needed by ``lstm_cell_backward``.

    Notes
    -----
    In batch-major code each gate is
    ``z = np.concatenate([h_prev, x_t], axis=1) @ W.T + b``.
    """
    dims: dict[str, int] = {}
    check_array("x_t", x_t, ("N", "D"), dims)
    check_array("h_prev", h_prev, ("N", "H"), dims)
    check_array("c_prev", c_prev, ("N", "H"), dims)
    check_params("params", params, LSTM_KEYS, dims)

    hx = np.concatenate([h_prev, x_t], axis=1)  # (N, H + D)
    f = _sigmoid(hx @ params["W_f"].T + params["b_f"])  # (N, H)
    i = _sigmoid(hx @ params["W_i"].T + params["b_i"])  # (N, H)
    c_tilde = np.tanh(hx @ params["W_c"].T + params["b_c"])  # (N, H)
    c_t = f * c_prev + i * c_tilde  # (N, H)
    o = _sigmoid(hx @ params["W_o"].T + params["b_o"])  # (N, H)
    tanh_c = np.tanh(c_t)  # (N, H)
    h_t = o * tanh_c  # (N, H)
    cache = LSTMCellCache(hx, c_prev, f, i, c_tilde, o, tanh_c, params)
    return h_t, c_t, cache


def lstm_cell_backward(
    dh_t: Array, dc_t: Array, cache: LSTMCellCache
) -> tuple[Array, Array, Array, dict[str, Array]]:
    """Backward pass of one LSTM step.

    Parameters
    ----------
    dh_t : ndarray, shape (N, H)
        Gradient of the loss with respect to h_t (from the output at step t and
        from step t + 1).
    dc_t : ndarray, shape (N, H)
        Gradient of the loss with respect to C_t arriving from step t + 1.
    cache : LSTMCellCache
        From ``lstm_cell_forward``.

    Returns
    -------
    dx_t : ndarray, shape (N, D)
    dh_prev : ndarray, shape (N, H)
    dc_prev : ndarray, shape (N, H)
    grads : dict
        ``W_f, b_f, W_i, b_i, W_c, b_c, W_o, b_o`` with the parameters' shapes.

    Notes
    -----
    ``C_t`` reaches the loss twice: directly (``dc_t``) and through
    ``h_t = o_t ⊙ tanh(C_t)``, so the total is
    ``dC_t = dc_t + dh_t ⊙ o_t ⊙ (1 - tanh²(C_t))``. Then
    ``dC_{t-1} = dC_t ⊙ f_t``, and each gate's pre-activation gradient is its
    output gradient times its activation's derivative: ``s (1 - s)`` for a
    sigmoid, ``1 - s²`` for tanh.
    """
    check_cache("cache", cache, LSTMCellCache)
    n, hidden = cache.c_prev.shape
    dims = {"N": n, "H": hidden}
    check_array("dh_t", dh_t, ("N", "H"), dims)
    check_array("dc_t", dc_t, ("N", "H"), dims)
    hx, c_prev, f, i, c_tilde, o, tanh_c, params = cache

    do = dh_t * tanh_c  # (N, H)
    dc = dc_t + dh_t * o * (1.0 - tanh_c**2)  # (N, H)
    df = dc * c_prev  # (N, H)
    di = dc * c_tilde  # (N, H)
    dc_tilde = dc * i  # (N, H)
    dc_prev = dc * f  # (N, H)

    dz = {
        "f": df * f * (1.0 - f),
        "i": di * i * (1.0 - i),
        "c": dc_tilde * (1.0 - c_tilde**2),
        "o": do * o * (1.0 - o),
    }  # each (N, H)
    grads: dict[str, Array] = {}
    dhx = np.zeros_like(hx)  # (N, H + D)
    for gate, dz_gate in dz.items():
        grads[f"W_{gate}"] = dz_gate.T @ hx  # (H, H + D)
        grads[f"b_{gate}"] = dz_gate.sum(axis=0)  # (H,)
        dhx += dz_gate @ params[f"W_{gate}"]  # (N, H + D)
    grads = {key: grads[key] for key in LSTM_KEYS}
    return dhx[:, hidden:], dhx[:, :hidden], dc_prev, grads


def _fused_weights(
    params: Mapping[str, Array], hidden: int, dtype: np.dtype
) -> tuple[Array, Array, Array]:
    w = np.concatenate([params[f"W_{g}"] for g in _FUSED_ORDER], axis=0)
    b = np.concatenate([params[f"b_{g}"] for g in _FUSED_ORDER], axis=0)
    w = w.astype(dtype, copy=False)
    return (
        np.ascontiguousarray(w[:, :hidden]),  # (4H, H)
        np.ascontiguousarray(w[:, hidden:]),  # (4H, D)
        b.astype(dtype, copy=False),  # (4H,)
    )


def lstm_forward(
    x: Array, h0: Array, c0: Array, params: Mapping[str, Array]
) -> tuple[Array, Array, LSTMCache]:
    """Run an LSTM over a batch of sequences.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        Input sequences, batch-major.
    h0 : ndarray, shape (N, H)
        Initial hidden state.
    c0 : ndarray, shape (N, H)
        Initial cell state.
    params : dict
        ``W_f, W_i, W_c, W_o : (H, H + D)`` and ``b_f, b_i, b_c, b_o : (H,)``.

    Returns
    -------
    hs : ndarray, shape (N, T, H)
        Hidden states h_1 … h_T.
    cs : ndarray, shape (N, T, H)
        Cell states C_1 … C_T.
    cache : LSTMCache
        Values needed by ``lstm_backward``.

    Notes
    -----
    Equal to calling ``lstm_cell_forward`` at every step. The result has the
    dtype NumPy promotes the inputs to: float32 throughout gives float32.
    """
    dims: dict[str, int] = {}
    check_array("x", x, ("N", "T", "D"), dims)
    check_array("h0", h0, ("N", "H"), dims)
    check_array("c0", c0, ("N", "H"), dims)
    check_params("params", params, LSTM_KEYS, dims)
    n, steps, _ = x.shape
    hidden = dims["H"]
    dtype = np.result_type(x, h0, c0, *(params[k] for k in LSTM_KEYS))

    w_h, w_x, b = _fused_weights(params, hidden, dtype)
    # σ(a) = 0.5 + 0.5·tanh(a / 2): halving the rows of the three sigmoid gates
    # (exact in floating point) lets one tanh call activate all four gates.
    scale = np.ones(4 * hidden, dtype=dtype)
    scale[: 3 * hidden] = 0.5
    offset = 1.0 - scale  # 0.5 for the sigmoid gates, 0 for the candidate
    x_tm, gates, h, c, tanh_c = _workspace(
        dtype,
        (steps, n, x.shape[2] + 1),
        (steps, n, 4 * hidden),
        (steps + 1, n, hidden),
        (steps + 1, n, hidden),
        (steps, n, hidden),
    )
    # A column of ones makes the bias part of the input projection's matrix
    # product, and in the backward makes db part of dW_x's.
    x_tm[:, :, :-1] = x.transpose(1, 0, 2)
    x_tm[:, :, -1] = 1.0  # (T, N, D + 1)
    w_xb = np.concatenate([w_x, b[:, None]], axis=1) * scale[:, None]  # (4H, D + 1)
    np.matmul(x_tm, w_xb.T, out=gates)  # input projection with bias, (T, N, 4H)
    w_h_t = np.ascontiguousarray((w_h * scale[:, None]).T)  # (H, 4H)
    h[0] = h0
    c[0] = c0
    hz = np.empty((n, 4 * hidden), dtype=dtype)
    ig = np.empty((n, hidden), dtype=dtype)
    gates4 = gates.reshape(steps, n, 4, hidden)  # view: o, f, i, C̃
    # Iterating over views made up front costs less per step than indexing.
    per_step = zip(
        gates, *gates4.transpose(2, 0, 1, 3), h[1:], c[1:], tanh_c, strict=True
    )
    # Positional ``out`` and np.dot (not matmul) cut the per-call overhead,
    # which is what a small batch pays for.
    dot, add, mul, tanh = np.dot, np.add, np.multiply, np.tanh
    h_prev, c_prev = h[0], c[0]
    for z, o, f, i, g, h_t, c_t, tanh_c_t in per_step:
        dot(h_prev, w_h_t, hz)
        add(z, hz, z)  # pre-activations of o, f, i (halved) and C̃, (N, 4H)
        tanh(z, z)
        mul(z, scale, z)
        add(z, offset, z)  # σ for o, f, i; C̃ unchanged
        mul(f, c_prev, c_t)
        mul(i, g, ig)
        add(c_t, ig, c_t)  # C_t = f_t ⊙ C_{t-1} + i_t ⊙ C̃_t
        tanh(c_t, tanh_c_t)
        mul(o, tanh_c_t, h_t)  # h_t = o_t ⊙ tanh(C_t)
        h_prev, c_prev = h_t, c_t

    # The outputs get their own block, so keeping them does not keep the cache.
    hs, cs = _workspace(dtype, (n, steps, hidden), (n, steps, hidden))
    hs[...] = h[1:].transpose(1, 0, 2)
    cs[...] = c[1:].transpose(1, 0, 2)
    return hs, cs, LSTMCache(x_tm, h, c, gates, tanh_c, w_h, w_x)


def lstm_backward(
    dhs: Array, cache: LSTMCache
) -> tuple[Array, Array, Array, dict[str, Array]]:
    """Backpropagation through time for ``lstm_forward``.

    Parameters
    ----------
    dhs : ndarray, shape (N, T, H)
        Gradient of the loss with respect to every hidden state h_1 … h_T
        (zeros where a step's output does not enter the loss).
    cache : LSTMCache
        From ``lstm_forward``.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
    dh0 : ndarray, shape (N, H)
    dc0 : ndarray, shape (N, H)
    grads : dict
        ``W_f, b_f, W_i, b_i, W_c, b_c, W_o, b_o`` summed over all steps.

    Notes
    -----
    Going backwards, ``dh_t`` is ``dhs[:, t]`` plus what flows back from step
    t + 1 through the recurrent weights, and the cell-state gradient is carried
    as ``dC_{t-1} = dC_t ⊙ f_t``. Everything that does not depend on that
    recursion (the activations' derivatives) is computed for a block of steps
    at once; the weight gradients are two matrix products after the loop.
    """
    check_cache("cache", cache, LSTMCache)
    x_tm, h, c, gates, tanh_c, w_h, w_x = cache
    steps, n, hidden = tanh_c.shape
    dims = {"N": n, "T": steps, "H": hidden}
    check_array("dhs", dhs, ("N", "T", "H"), dims)
    dtype = gates.dtype
    gates4 = gates.reshape(steps, n, 4, hidden)  # view: o, f, i, C̃
    dhs_tm, dz = _workspace(dtype, (steps, n, hidden), (steps, n, 4 * hidden))
    dhs_tm[...] = dhs.transpose(1, 0, 2)  # (T, N, H)
    dz4 = dz.reshape(steps, n, 4, hidden)
    dh = np.zeros((n, hidden), dtype=dtype)
    dc = np.zeros((n, hidden), dtype=dtype)
    tmp = np.empty((n, hidden), dtype=dtype)
    dc_row = dc[:, None, :]  # view of dc broadcast over the f, i, C̃ blocks
    dot, add, mul = np.dot, np.add, np.multiply

    # The factors that multiply dh_t and dC_t (the activations' derivatives)
    # do not depend on the recursion: they are computed a block of steps at a
    # time, a block small enough to stay in cache while the loop uses it.
    block = max(1, _BLOCK_ELEMENTS // (n * 4 * hidden))
    dsig = np.empty((block, n, 3, hidden), dtype=dtype)  # σ' of o, f, i
    dzo_from_dh = np.empty((block, n, hidden), dtype=dtype)
    dc_from_dh = np.empty((block, n, hidden), dtype=dtype)
    dz_from_dc = np.empty((block, n, 3, hidden), dtype=dtype)  # f, i, C̃
    for stop in range(steps, 0, -block):
        start = max(0, stop - block)
        k = stop - start
        act = gates4[start:stop]  # (k, N, 4, H)
        sig, cand, tc = act[:, :, :3], act[:, :, 3], tanh_c[start:stop]
        np.subtract(1.0, sig, out=dsig[:k])
        dsig[:k] *= sig
        np.multiply(tc, dsig[:k, :, 0], out=dzo_from_dh[:k])  # ∂a_o/∂h_t
        np.multiply(tc, tc, out=dc_from_dh[:k])
        np.subtract(1.0, dc_from_dh[:k], out=dc_from_dh[:k])
        dc_from_dh[:k] *= act[:, :, 0]  # ∂C_t/∂h_t = o_t (1 - tanh²C_t)
        np.multiply(c[start:stop], dsig[:k, :, 1], out=dz_from_dc[:k, :, 0])
        np.multiply(cand, dsig[:k, :, 2], out=dz_from_dc[:k, :, 1])
        np.multiply(cand, cand, out=dz_from_dc[:k, :, 2])
        np.subtract(1.0, dz_from_dc[:k, :, 2], out=dz_from_dc[:k, :, 2])
        dz_from_dc[:k, :, 2] *= act[:, :, 2]
        per_step = zip(
            dhs_tm[start:stop],
            dc_from_dh[:k],
            dzo_from_dh[:k],
            dz_from_dc[:k],
            dz[start:stop],
            dz4[start:stop, :, 0],
            dz4[start:stop, :, 1:],
            gates4[start:stop, :, 1],
            strict=True,
        )
        for dh_out, dc_dh, dzo_dh, dz_dc, dz_t, dz_o, dz_fic, f in reversed(
            list(per_step)
        ):
            add(dh, dh_out, dh)  # dh_t, (N, H)
            mul(dh, dc_dh, tmp)
            add(dc, tmp, dc)  # dC_t, (N, H)
            mul(dh, dzo_dh, dz_o)
            mul(dc_row, dz_dc, dz_fic)
            dot(dz_t, w_h, dh)  # dh_{t-1}, (N, H)
            mul(dc, f, dc)  # dC_{t-1} = dC_t ⊙ f_t, (N, H)

    dz_flat = dz.reshape(steps * n, 4 * hidden)
    dw_h = dz_flat.T @ h[:-1].reshape(steps * n, hidden)  # (4H, H)
    dw_xb = dz_flat.T @ x_tm.reshape(steps * n, -1)  # (4H, D + 1)
    dw_x, db = dw_xb[:, :-1], dw_xb[:, -1]  # (4H, D), (4H,)
    dx = (dz_flat @ w_x).reshape(steps, n, -1).transpose(1, 0, 2)  # (N, T, D)

    grads: dict[str, Array] = {}
    for k, gate in enumerate(_FUSED_ORDER):
        rows = slice(k * hidden, (k + 1) * hidden)
        grads[f"W_{gate}"] = np.concatenate([dw_h[rows], dw_x[rows]], axis=1)
        grads[f"b_{gate}"] = db[rows].copy()
    grads = {key: grads[key] for key in LSTM_KEYS}
    return np.ascontiguousarray(dx), dh, dc, grads
