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
thing fast: the four gates in one fused product per step, the weight gradients
as one large product after the loop, the activations' derivatives for blocks
of steps at once, and preallocated buffers.

The fast forms keep the states feature-major, an ``(H, N)`` block per step
with one column per example, so that a step's product has the stacked weight
matrix on the left, ``[W | b]·[h_{t-1}; x_t; 1]``. For a small batch BLAS
computes that orientation markedly faster than ``[h_{t-1}, x_t]·Wᵀ``, and the
input term and the bias come with it: a separate input projection of all steps
before the loop would cost one more pass over the gates per step.
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

    The buffers are feature-major: one step of a state is an ``(H, N)`` block
    whose columns are the examples. In that orientation a step's product is
    ``W·[h_{t-1}; x_t; 1]`` with the weight matrix on the left, the form BLAS
    computes fastest for a small batch. ``gates`` holds the four activations
    one above the other in the order o, f, i, C̃ (the three sigmoids first,
    then the three gates that receive the cell-state gradient next to each
    other). ``gate`` gives one gate in the usual ``(N, T, H)`` layout.
    """

    s: Array  # block t: [h_{t-1}; x_t; 1]; block T: h_T, (H + D + 1, T + 1, N)
    c: Array  # C_0 … C_T, (T + 1, H, N)
    gates: Array  # o, f, i, C̃ of every step, (T, 4H, N)
    tanh_c: Array  # tanh(C_1) … tanh(C_T), (T, H, N)
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
        hidden = self.tanh_c.shape[1]
        k = _FUSED_ORDER.index(name)
        values = self.gates[:, k * hidden : (k + 1) * hidden]  # (T, H, N)
        return np.ascontiguousarray(values.transpose(2, 0, 1))


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


def _fused_weights(params: Mapping[str, Array], dtype: np.dtype) -> tuple[Array, Array]:
    """The four gates' weights and biases stacked in the order o, f, i, c.

    Returns ``w`` of shape (4H, H + D), columns as in ``[h_{t-1}, x_t]``, and
    ``b`` of shape (4H,).
    """
    w = np.concatenate([params[f"W_{g}"] for g in _FUSED_ORDER], axis=0)
    b = np.concatenate([params[f"b_{g}"] for g in _FUSED_ORDER], axis=0)
    return w.astype(dtype, copy=False), b.astype(dtype, copy=False)


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

    Each step is one matrix product ``[W | b]·[h_{t-1}; x_t; 1]`` of the four
    gates' stacked weights with a column per example, so the input, the
    recurrent term and the bias arrive together; then elementwise work.
    """
    dims: dict[str, int] = {}
    check_array("x", x, ("N", "T", "D"), dims)
    check_array("h0", h0, ("N", "H"), dims)
    check_array("c0", c0, ("N", "H"), dims)
    check_params("params", params, LSTM_KEYS, dims)
    n, steps, d = x.shape
    hidden = dims["H"]
    dtype = np.result_type(x, h0, c0, *(params[k] for k in LSTM_KEYS))

    w, b = _fused_weights(params, dtype)  # (4H, H + D), (4H,)
    # σ(a) = 0.5 + 0.5·tanh(a / 2): halving the rows of the three sigmoid gates
    # (exact in floating point) lets one tanh call activate all four gates.
    w_all = np.concatenate([w, b[:, None]], axis=1)  # (4H, H + D + 1)
    w_all[: 3 * hidden] *= 0.5
    s, gates, c, tanh_c = _workspace(
        dtype,
        (hidden + d + 1, steps + 1, n),
        (steps, 4 * hidden, n),
        (steps + 1, hidden, n),
        (steps, hidden, n),
    )
    # Column block t of s is [h_{t-1}; x_t; 1]: the loop writes h_t into block
    # t + 1, and after it the blocks 0 … T-1 are the right operand of dW.
    s[:hidden, 0] = h0.T
    s[hidden:-1, :steps] = x.transpose(2, 1, 0)  # (D, T, N)
    s[hidden:-1, steps] = 0.0
    s[-1, :steps] = 1.0
    s[-1, steps] = 0.0
    c[0] = c0.T
    ig = np.empty((hidden, n), dtype=dtype)
    gates4 = gates.reshape(steps, 4, hidden, n)  # view: o, f, i, C̃
    # Iterating over views made up front costs less per step than indexing.
    per_step = zip(
        s[:, :steps].transpose(1, 0, 2),  # [h_{t-1}; x_t; 1], (H + D + 1, N)
        gates,
        gates[:, : 3 * hidden],  # the three sigmoid gates, (3H, N)
        *gates4.transpose(1, 0, 2, 3),
        c[:-1],
        c[1:],
        tanh_c,
        s[:hidden, 1:].transpose(1, 0, 2),  # where h_t goes, (H, N)
        strict=True,
    )
    # Positional ``out`` and np.dot (not matmul) cut the per-call overhead,
    # which is what a small batch pays for.
    dot, add, mul, tanh = np.dot, np.add, np.multiply, np.tanh
    for s_t, z, z_sig, o, f, i, g, c_prev, c_t, tanh_c_t, h_t in per_step:
        dot(w_all, s_t, z)  # pre-activations of o, f, i (halved) and C̃, (4H, N)
        tanh(z, z)
        mul(z_sig, 0.5, z_sig)
        add(z_sig, 0.5, z_sig)  # σ for o, f, i; C̃ unchanged
        mul(f, c_prev, c_t)
        mul(i, g, ig)
        add(c_t, ig, c_t)  # C_t = f_t ⊙ C_{t-1} + i_t ⊙ C̃_t
        tanh(c_t, tanh_c_t)
        mul(o, tanh_c_t, h_t)  # h_t = o_t ⊙ tanh(C_t)

    # The outputs get their own block, so keeping them does not keep the cache.
    hs, cs = _workspace(dtype, (n, steps, hidden), (n, steps, hidden))
    hs[...] = s[:hidden, 1:].transpose(2, 1, 0)
    cs[...] = c[1:].transpose(2, 0, 1)
    w_h = np.ascontiguousarray(w[:, :hidden])
    w_x = np.ascontiguousarray(w[:, hidden:])
    return hs, cs, LSTMCache(s, c, gates, tanh_c, w_h, w_x)


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
    at once; the weight gradients are one matrix product after the loop.
    """
    check_cache("cache", cache, LSTMCache)
    s, c, gates, tanh_c, w_h, w_x = cache
    steps, hidden, n = tanh_c.shape
    dims = {"N": n, "T": steps, "H": hidden}
    check_array("dhs", dhs, ("N", "T", "H"), dims)
    dtype = gates.dtype
    gates4 = gates.reshape(steps, 4, hidden, n)  # view: o, f, i, C̃
    # After the loop all steps' dz must be one (4H, T·N) matrix, its columns
    # lined up with those of s: dz is stored gate-major, (4H, T, N). With one
    # example the step-major (T, 4H, 1) is that matrix transposed, and keeps
    # each step's dz contiguous.
    dz_shape = (steps, 4 * hidden, n) if n == 1 else (4 * hidden, steps, n)
    (dz,) = _workspace(dtype, dz_shape)
    dhs_fm = dhs.transpose(1, 2, 0)  # a view, (T, H, N)
    if n == 1:
        dz_steps, dz_flat = dz, dz.reshape(steps, 4 * hidden).T
    else:
        dz_steps, dz_flat = dz.transpose(1, 0, 2), dz.reshape(4 * hidden, steps * n)
    dz_steps4 = dz_steps.reshape(steps, 4, hidden, n)  # view: o, f, i, C̃
    dh = np.zeros((hidden, n), dtype=dtype)
    dc = np.zeros((hidden, n), dtype=dtype)
    tmp = np.empty((hidden, n), dtype=dtype)
    w_h_t = np.ascontiguousarray(w_h.T)  # (H, 4H)
    dot, add, mul = np.dot, np.add, np.multiply

    # The factors that multiply dh_t and dC_t (the activations' derivatives)
    # do not depend on the recursion: they are computed a block of steps at a
    # time, a block small enough to stay in cache while the loop uses it.
    block = max(1, _BLOCK_ELEMENTS // (n * 4 * hidden))
    dsig = np.empty((block, 3, hidden, n), dtype=dtype)  # σ' of o, f, i
    dzo_from_dh = np.empty((block, hidden, n), dtype=dtype)
    dc_from_dh = np.empty((block, hidden, n), dtype=dtype)
    dz_from_dc = np.empty((block, 3, hidden, n), dtype=dtype)  # f, i, C̃
    for stop in range(steps, 0, -block):
        start = max(0, stop - block)
        k = stop - start
        act = gates4[start:stop]  # (k, 4, H, N)
        sig, cand, tc = act[:, :3], act[:, 3], tanh_c[start:stop]
        np.subtract(1.0, sig, out=dsig[:k])
        dsig[:k] *= sig
        np.multiply(tc, dsig[:k, 0], out=dzo_from_dh[:k])  # ∂a_o/∂h_t
        np.multiply(tc, tc, out=dc_from_dh[:k])
        np.subtract(1.0, dc_from_dh[:k], out=dc_from_dh[:k])
        dc_from_dh[:k] *= act[:, 0]  # ∂C_t/∂h_t = o_t (1 - tanh²C_t)
        np.multiply(c[start:stop], dsig[:k, 1], out=dz_from_dc[:k, 0])
        np.multiply(cand, dsig[:k, 2], out=dz_from_dc[:k, 1])
        np.multiply(cand, cand, out=dz_from_dc[:k, 2])
        np.subtract(1.0, dz_from_dc[:k, 2], out=dz_from_dc[:k, 2])
        dz_from_dc[:k, 2] *= act[:, 2]
        per_step = zip(
            dhs_fm[start:stop],
            dc_from_dh[:k],
            dzo_from_dh[:k],
            dz_from_dc[:k],
            dz_steps[start:stop],  # dz_t, (4H, N)
            dz_steps4[start:stop, 0],  # dz of o, (H, N)
            dz_steps4[start:stop, 1:],  # dz of f, i, C̃, (3, H, N)
            gates4[start:stop, 1],
            strict=True,
        )
        for dh_out, dc_dh, dzo_dh, dz_dc, dz_t, dz_o, dz_fic, f in reversed(
            list(per_step)
        ):
            add(dh, dh_out, dh)  # dh_t, (H, N)
            mul(dh, dc_dh, tmp)
            add(dc, tmp, dc)  # dC_t, (H, N)
            mul(dh, dzo_dh, dz_o)
            mul(dc, dz_dc, dz_fic)
            dot(w_h_t, dz_t, dh)  # dh_{t-1}, (H, N)
            mul(dc, f, dc)  # dC_{t-1} = dC_t ⊙ f_t, (H, N)

    s_flat = s[:, :steps].reshape(s.shape[0], steps * n)  # a view: no copy
    dw = dz_flat @ s_flat.T  # (4H, H + D + 1)
    dx_fm = (w_x.T @ dz_flat).reshape(-1, steps, n)  # (D, T, N)
    dx = np.empty((n, steps, dx_fm.shape[0]), dtype=dtype)
    dx[...] = dx_fm.transpose(2, 1, 0)

    grads: dict[str, Array] = {}
    for k, gate in enumerate(_FUSED_ORDER):
        rows = slice(k * hidden, (k + 1) * hidden)
        grads[f"W_{gate}"] = np.ascontiguousarray(dw[rows, :-1])
        grads[f"b_{gate}"] = dw[rows, -1].copy()
    grads = {key: grads[key] for key in LSTM_KEYS}
    return dx, np.ascontiguousarray(dh.T), np.ascontiguousarray(dc.T), grads
