"""Tests of the LSTM cell and layer: hand-worked values, gradient checks, properties.

Three kinds of test per backward (STYLE.md): deterministic inputs whose expected
values come from an independent computation (scalar ``math`` by hand, or a
naive element-by-element loop), centred finite differences in float64, and
properties (loop equivalence, shapes, dtypes, no mutation, bad input).
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

import lstm_ref.lstm as lstm_module
from lstm_ref.gradcheck import check_gradients
from lstm_ref.init import init_lstm_params
from lstm_ref.lstm import (
    LSTMCache,
    LSTMCellCache,
    lstm_backward,
    lstm_cell_backward,
    lstm_cell_forward,
    lstm_forward,
)

KEYS = ("W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o")
GATES = ("f", "i", "c", "o")

# Gradient checks: centred differences in float64, this step, this threshold on
# ``rel_error`` (the norm-based relative error of lstm_ref.gradcheck).
STEP = 1e-5
TOLERANCE = 1e-7


def sig(z: float) -> float:
    """The logistic sigmoid of one moderate number, straight from its definition."""
    return 1.0 / (1.0 + math.exp(-z))


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def random_problem(
    seed: int, n: int, steps: int, d: int, hidden: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """x, h0, c0, params and an upstream gradient G, all float64.

    The parameters start from the course's initialiser and get noise on every
    entry, biases included, so that no gate sits at exactly 0.5.
    """
    rng = np.random.default_rng(seed)
    params = init_lstm_params(d, hidden, rng=rng)
    params = {k: v + 0.5 * rng.standard_normal(v.shape) for k, v in params.items()}
    x = rng.standard_normal((n, steps, d))
    h0 = rng.standard_normal((n, hidden))
    c0 = rng.standard_normal((n, hidden))
    g = rng.standard_normal((n, steps, hidden))
    return x, h0, c0, params, g


def copies(*arrays_or_dicts):
    out = []
    for a in arrays_or_dicts:
        if isinstance(a, dict):
            out.append({k: v.copy() for k, v in a.items()})
        else:
            out.append(a.copy())
    return out


def assert_same(before, after) -> None:
    """Exact equality of arrays or dicts of arrays (used for no-mutation checks)."""
    if isinstance(before, dict):
        assert before.keys() == after.keys()
        for k in before:
            np.testing.assert_array_equal(after[k], before[k], err_msg=k)
    else:
        np.testing.assert_array_equal(after, before)


def assert_gradcheck(loss_fn, inputs, analytic) -> None:
    report = check_gradients(loss_fn, inputs, analytic, h=STEP, tolerance=TOLERANCE)
    assert report.passed, (
        f"analytic and finite-difference gradients disagree (h={STEP}, "
        f"rel_error < {TOLERANCE}):\n{report}"
    )


def loop_forward(x, h0, c0, params):
    """The layer computed the slow way: one ``lstm_cell_forward`` per step."""
    h, c = h0, c0
    hs, cs, caches = [], [], []
    for t in range(x.shape[1]):
        h, c, cache = lstm_cell_forward(x[:, t], h, c, params)
        hs.append(h)
        cs.append(c)
        caches.append(cache)
    return np.stack(hs, axis=1), np.stack(cs, axis=1), caches


def loop_backward(dhs, caches):
    """BPTT the slow way: one ``lstm_cell_backward`` per step, carrying dh, dC."""
    n, steps, hidden = dhs.shape
    dh = np.zeros((n, hidden), dtype=dhs.dtype)
    dc = np.zeros((n, hidden), dtype=dhs.dtype)
    grads = {k: np.zeros_like(v) for k, v in caches[0].params.items()}
    dxs = [None] * steps
    for t in range(steps - 1, -1, -1):
        dxs[t], dh, dc, step_grads = lstm_cell_backward(dhs[:, t] + dh, dc, caches[t])
        for k in grads:
            grads[k] += step_grads[k]
    return np.stack(dxs, axis=1), dh, dc, grads


# --------------------------------------------------------------------------
# 1. Hand-worked values, H = 1, D = 1
# --------------------------------------------------------------------------

# One hidden unit, one input feature: every W_* is [[w_h, w_x]] (the weight on
# h_{t-1} first, as in [h_{t-1}, x_t]) and every b_* is [b].
HAND = {
    "f": (0.5, -0.4, 0.3),
    "i": (-0.6, 0.7, -0.1),
    "c": (0.2, 0.9, 0.05),
    "o": (0.8, -0.3, 0.4),
}
H0, C0, X1, X2 = -0.2, 0.5, 1.0, -0.5


def hand_params() -> dict[str, np.ndarray]:
    params = {}
    for gate, (w_h, w_x, b) in HAND.items():
        params[f"W_{gate}"] = np.array([[w_h, w_x]])
        params[f"b_{gate}"] = np.array([b])
    return params


def hand_step(x: float, h_prev: float, c_prev: float) -> dict[str, float]:
    """One LSTM step in scalars, in the book's order: forget, input, update, output."""

    def pre(gate: str) -> float:
        w_h, w_x, b = HAND[gate]
        return w_h * h_prev + w_x * x + b

    f = sig(pre("f"))
    i = sig(pre("i"))
    c_tilde = math.tanh(pre("c"))
    c = f * c_prev + i * c_tilde
    o = sig(pre("o"))
    h = o * math.tanh(c)
    return {"f": f, "i": i, "c_tilde": c_tilde, "c": c, "o": o, "h": h}


def test_cell_and_layer_reproduce_the_worked_example_numbers():
    # The first step written out as the book does (rounded to 6 digits):
    #   z_f = 0.5·(-0.2) - 0.4·1.0 + 0.3   = -0.2   f  = σ(-0.2)    ≈ 0.450166
    #   z_i = -0.6·(-0.2) + 0.7·1.0 - 0.1  =  0.72  i  = σ(0.72)    ≈ 0.672607
    #   z_c = 0.2·(-0.2) + 0.9·1.0 + 0.05  =  0.91  C̃ = tanh(0.91) ≈ 0.721132
    #   C_1 = 0.450166·0.5 + 0.672607·0.721132                  ≈ 0.710122
    #   z_o = 0.8·(-0.2) - 0.3·1.0 + 0.4   = -0.06  o  = σ(-0.06)   ≈ 0.485004
    #   h_1 = 0.485004·tanh(0.710122) = 0.485004·0.610753       ≈ 0.296218
    s = hand_step(X1, H0, C0)
    expected = {
        "f": 0.450166,
        "i": 0.672607,
        "c_tilde": 0.721132,
        "c": 0.710122,
        "o": 0.485004,
        "h": 0.296218,
    }
    for name, value in expected.items():
        assert s[name] == pytest.approx(value, abs=1e-6), name
    # The same six numbers from lstm_ref's cell and from its fused layer.
    x, h0, c0 = np.array([[X1]]), np.array([[H0]]), np.array([[C0]])
    h_t, c_t, cell = lstm_cell_forward(x, h0, c0, hand_params())
    hs, cs, cache = lstm_forward(x[:, None], h0, c0, hand_params())
    got = {
        "f": (cell.f, cache.gate("f")),
        "i": (cell.i, cache.gate("i")),
        "c_tilde": (cell.c_tilde, cache.gate("c")),
        "c": (c_t, cs),
        "o": (cell.o, cache.gate("o")),
        "h": (h_t, hs),
    }
    for name, value in expected.items():
        for where, array in zip(("cell", "layer"), got[name], strict=True):
            assert array.size == 1, (name, where)
            assert float(array.item()) == pytest.approx(value, abs=1e-6), (
                name,
                where,
            )


def test_cell_forward_one_step_matches_hand_computation():
    h_t, c_t, cache = lstm_cell_forward(
        np.array([[X1]]), np.array([[H0]]), np.array([[C0]]), hand_params()
    )
    s = hand_step(X1, H0, C0)
    assert isinstance(cache, LSTMCellCache)
    np.testing.assert_allclose(cache.hx, [[H0, X1]], rtol=0, atol=0)
    np.testing.assert_allclose(cache.c_prev, [[C0]], rtol=0, atol=0)
    for field, key in [("f", "f"), ("i", "i"), ("c_tilde", "c_tilde"), ("o", "o")]:
        np.testing.assert_allclose(getattr(cache, field), [[s[key]]], rtol=1e-14)
    np.testing.assert_allclose(cache.tanh_c, [[math.tanh(s["c"])]], rtol=1e-14)
    np.testing.assert_allclose(c_t, [[s["c"]]], rtol=1e-14)
    np.testing.assert_allclose(h_t, [[s["h"]]], rtol=1e-14)


def test_cell_forward_two_steps_match_hand_computation():
    params = hand_params()
    h1, c1, _ = lstm_cell_forward(
        np.array([[X1]]), np.array([[H0]]), np.array([[C0]]), params
    )
    h2, c2, cache2 = lstm_cell_forward(np.array([[X2]]), h1, c1, params)
    s1 = hand_step(X1, H0, C0)
    s2 = hand_step(X2, s1["h"], s1["c"])
    np.testing.assert_allclose(cache2.hx, [[s1["h"], X2]], rtol=1e-14)
    np.testing.assert_allclose(cache2.c_prev, [[s1["c"]]], rtol=1e-14)
    for field in ("f", "i", "c_tilde", "o"):
        np.testing.assert_allclose(getattr(cache2, field), [[s2[field]]], rtol=1e-14)
    np.testing.assert_allclose(c2, [[s2["c"]]], rtol=1e-14)
    np.testing.assert_allclose(h2, [[s2["h"]]], rtol=1e-14)


def test_layer_forward_two_steps_matches_hand_computation():
    x = np.array([[[X1], [X2]]])  # (N, T, D) = (1, 2, 1)
    hs, cs, cache = lstm_forward(x, np.array([[H0]]), np.array([[C0]]), hand_params())
    s1 = hand_step(X1, H0, C0)
    s2 = hand_step(X2, s1["h"], s1["c"])
    np.testing.assert_allclose(hs, [[[s1["h"]], [s2["h"]]]], rtol=1e-14)
    np.testing.assert_allclose(cs, [[[s1["c"]], [s2["c"]]]], rtol=1e-14)
    # The cache is feature-major, one column per example; ``gates`` holds
    # o, f, i, C̃ one above the other, and ``gate`` returns one as (N, T, H).
    assert isinstance(cache, LSTMCache)
    for t, s in enumerate((s1, s2)):
        np.testing.assert_allclose(
            cache.gates[t, :, 0], [s["o"], s["f"], s["i"], s["c_tilde"]], rtol=1e-14
        )
        for name, key in (("o", "o"), ("f", "f"), ("i", "i"), ("c", "c_tilde")):
            np.testing.assert_allclose(cache.gate(name)[0, t], [s[key]], rtol=1e-14)
        tanh_c = cache.tanh_c[t, :, 0]
        np.testing.assert_allclose(tanh_c, [math.tanh(s["c"])], rtol=1e-14)
    # Column block t of ``s`` is [h_{t-1}; x_t; 1]; block T holds h_T.
    np.testing.assert_allclose(cache.s[0, :, 0], [H0, s1["h"], s2["h"]], rtol=1e-14)
    np.testing.assert_allclose(cache.s[1:, :2, 0], [[X1, X2], [1.0, 1.0]], atol=0)
    np.testing.assert_allclose(cache.c[:, 0, 0], [C0, s1["c"], s2["c"]], rtol=1e-14)


def test_cell_backward_one_step_matches_hand_derived_chain_rule():
    dh, dc = 0.7, -0.3  # upstream gradients of the loss w.r.t. h_t and C_t
    s = hand_step(X1, H0, C0)
    # Chain rule in scalars. C_t reaches the loss directly and through
    # h_t = o·tanh(C_t), so dC = dc + dh·o·(1 - tanh²(C_t)).
    tanh_c = math.tanh(s["c"])
    d_cell = dc + dh * s["o"] * (1.0 - tanh_c**2)
    # Pre-activation gradients: output gradient times σ' = s(1-s) or tanh' = 1-s².
    dz = {
        "o": dh * tanh_c * s["o"] * (1.0 - s["o"]),
        "f": d_cell * C0 * s["f"] * (1.0 - s["f"]),
        "i": d_cell * s["c_tilde"] * s["i"] * (1.0 - s["i"]),
        "c": d_cell * s["i"] * (1.0 - s["c_tilde"] ** 2),
    }
    expected_dc_prev = d_cell * s["f"]
    expected_dh_prev = sum(dz[g] * HAND[g][0] for g in GATES)
    expected_dx = sum(dz[g] * HAND[g][1] for g in GATES)

    _, _, cache = lstm_cell_forward(
        np.array([[X1]]), np.array([[H0]]), np.array([[C0]]), hand_params()
    )
    dx_t, dh_prev, dc_prev, grads = lstm_cell_backward(
        np.array([[dh]]), np.array([[dc]]), cache
    )
    np.testing.assert_allclose(dx_t, [[expected_dx]], rtol=1e-13)
    np.testing.assert_allclose(dh_prev, [[expected_dh_prev]], rtol=1e-13)
    np.testing.assert_allclose(dc_prev, [[expected_dc_prev]], rtol=1e-13)
    for g in GATES:
        # z_g = w_h·h_prev + w_x·x + b, so dW_g = dz_g·[h_prev, x] and db_g = dz_g.
        np.testing.assert_allclose(
            grads[f"W_{g}"], [[dz[g] * H0, dz[g] * X1]], rtol=1e-13, err_msg=g
        )
        np.testing.assert_allclose(grads[f"b_{g}"], [dz[g]], rtol=1e-13, err_msg=g)


def test_layer_backward_one_step_matches_hand_derived_chain_rule():
    # T = 1 and dC_1 = 0 from outside: only dh reaches the cell.
    dh = 0.7
    s = hand_step(X1, H0, C0)
    tanh_c = math.tanh(s["c"])
    d_cell = dh * s["o"] * (1.0 - tanh_c**2)
    dz_f = d_cell * C0 * s["f"] * (1.0 - s["f"])
    dz_o = dh * tanh_c * s["o"] * (1.0 - s["o"])
    _, _, cache = lstm_forward(
        np.array([[[X1]]]), np.array([[H0]]), np.array([[C0]]), hand_params()
    )
    dx, dh0, dc0, grads = lstm_backward(np.array([[[dh]]]), cache)
    np.testing.assert_allclose(dc0, [[d_cell * s["f"]]], rtol=1e-13)
    np.testing.assert_allclose(grads["b_f"], [dz_f], rtol=1e-13)
    np.testing.assert_allclose(grads["W_o"], [[dz_o * H0, dz_o * X1]], rtol=1e-13)
    assert dx.shape == (1, 1, 1)
    assert dh0.shape == (1, 1)


# --------------------------------------------------------------------------
# Deterministic linspace inputs against a naive element-by-element loop
# --------------------------------------------------------------------------


def linspace_problem(n=2, steps=3, d=2, hidden=3):
    x = np.linspace(-1.0, 1.0, n * steps * d).reshape(n, steps, d)
    h0 = np.linspace(-0.3, 0.3, n * hidden).reshape(n, hidden)
    c0 = np.linspace(0.4, -0.4, n * hidden).reshape(n, hidden)
    params = {}
    for k, gate in enumerate(GATES):
        size = hidden * (hidden + d)
        w = np.linspace(-0.5 + 0.1 * k, 0.6 - 0.05 * k, size)
        params[f"W_{gate}"] = w.reshape(hidden, hidden + d)
        params[f"b_{gate}"] = np.linspace(-0.2, 0.3 * (k - 1), hidden)
    return x, h0, c0, params


def naive_lstm_forward(x, h0, c0, params):
    """Every unit of every step as nested Python loops over floats."""
    n, steps, d = x.shape
    hidden = h0.shape[1]
    hs = np.zeros((n, steps, hidden))
    cs = np.zeros((n, steps, hidden))
    for b in range(n):
        h = [float(v) for v in h0[b]]
        c = [float(v) for v in c0[b]]
        for t in range(steps):
            hx = h + [float(v) for v in x[b, t]]

            def pre(gate, j, hx=hx):
                w = params[f"W_{gate}"][j]
                return sum(float(w[k]) * hx[k] for k in range(hidden + d)) + float(
                    params[f"b_{gate}"][j]
                )

            new_h, new_c = [], []
            for j in range(hidden):
                f = sig(pre("f", j))
                i = sig(pre("i", j))
                c_tilde = math.tanh(pre("c", j))
                cj = f * c[j] + i * c_tilde
                new_c.append(cj)
                new_h.append(sig(pre("o", j)) * math.tanh(cj))
            h, c = new_h, new_c
            hs[b, t] = h
            cs[b, t] = c
    return hs, cs


def test_lstm_forward_on_linspace_inputs_matches_naive_loops():
    x, h0, c0, params = linspace_problem()
    hs, cs, _ = lstm_forward(x, h0, c0, params)
    expected_hs, expected_cs = naive_lstm_forward(x, h0, c0, params)
    np.testing.assert_allclose(hs, expected_hs, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(cs, expected_cs, rtol=1e-12, atol=1e-15)


def test_lstm_cell_forward_on_linspace_inputs_matches_naive_loops():
    x, h0, c0, params = linspace_problem(steps=1)
    h_t, c_t, _ = lstm_cell_forward(x[:, 0], h0, c0, params)
    expected_hs, expected_cs = naive_lstm_forward(x, h0, c0, params)
    np.testing.assert_allclose(h_t, expected_hs[:, 0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(c_t, expected_cs[:, 0], rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------
# 2. Centred finite differences, float64
# --------------------------------------------------------------------------


def test_lstm_cell_backward_matches_finite_differences():
    x, h0, c0, params, _ = random_problem(0, 3, 1, 4, 5)
    x_t = x[:, 0]
    rng = np.random.default_rng(100)
    g_h = rng.standard_normal(h0.shape)  # upstream dL/dh_t, nonzero
    g_c = rng.standard_normal(c0.shape)  # upstream dL/dC_t, nonzero

    def loss(d):
        p = {k: d[k] for k in KEYS}
        h_t, c_t, _ = lstm_cell_forward(d["x_t"], d["h_prev"], d["c_prev"], p)
        return float(np.sum(h_t * g_h) + np.sum(c_t * g_c))

    _, _, cache = lstm_cell_forward(x_t, h0, c0, params)
    dx_t, dh_prev, dc_prev, grads = lstm_cell_backward(g_h, g_c, cache)
    inputs = {"x_t": x_t, "h_prev": h0, "c_prev": c0, **params}
    analytic = {"x_t": dx_t, "h_prev": dh_prev, "c_prev": dc_prev, **grads}
    assert_gradcheck(loss, inputs, analytic)


@pytest.mark.parametrize(
    ("seed", "shape"),
    [(0, (3, 5, 4, 6)), (0, (2, 8, 1, 3)), (2, (1, 1, 2, 2))],
    ids=["N3-T5-D4-H6", "N2-T8-D1-H3", "N1-T1-D2-H2"],
)
def test_lstm_backward_matches_finite_differences(seed, shape):
    x, h0, c0, params, g = random_problem(seed, *shape)

    def loss(d):
        p = {k: d[k] for k in KEYS}
        hs, _, _ = lstm_forward(d["x"], d["h0"], d["c0"], p)
        return float(np.sum(hs * g))

    _, _, cache = lstm_forward(x, h0, c0, params)
    dx, dh0, dc0, grads = lstm_backward(g, cache)
    inputs = {"x": x, "h0": h0, "c0": c0, **params}
    analytic = {"x": dx, "h0": dh0, "c0": dc0, **grads}
    assert_gradcheck(loss, inputs, analytic)


def test_lstm_backward_with_loss_on_last_step_only_matches_finite_differences():
    # Many-to-one: only h_T enters the loss, every earlier dh comes through time.
    x, h0, c0, params, g = random_problem(4, 2, 6, 2, 3)
    g[:, :-1] = 0.0

    def loss(d):
        p = {k: d[k] for k in KEYS}
        hs, _, _ = lstm_forward(d["x"], d["h0"], d["c0"], p)
        return float(np.sum(hs * g))

    _, _, cache = lstm_forward(x, h0, c0, params)
    dx, dh0, dc0, grads = lstm_backward(g, cache)
    inputs = {"x": x, "h0": h0, "c0": c0, **params}
    assert_gradcheck(loss, inputs, {"x": dx, "h0": dh0, "c0": dc0, **grads})


# --------------------------------------------------------------------------
# 3. Properties
# --------------------------------------------------------------------------

SHAPES = [(3, 5, 4, 6), (2, 8, 1, 3), (1, 4, 3, 2), (4, 1, 2, 5), (1, 1, 1, 1)]
SHAPE_IDS = ["N3-T5-D4-H6", "N2-T8-D1-H3", "N1", "T1", "all-ones"]


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_lstm_forward_equals_looping_the_cell(shape):
    x, h0, c0, params, _ = random_problem(1, *shape)
    hs, cs, _ = lstm_forward(x, h0, c0, params)
    loop_hs, loop_cs, _ = loop_forward(x, h0, c0, params)
    np.testing.assert_allclose(hs, loop_hs, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(cs, loop_cs, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_lstm_backward_equals_looping_the_cell_backward(shape):
    x, h0, c0, params, g = random_problem(1, *shape)
    _, _, cache = lstm_forward(x, h0, c0, params)
    dx, dh0, dc0, grads = lstm_backward(g, cache)
    _, _, caches = loop_forward(x, h0, c0, params)
    loop_dx, loop_dh0, loop_dc0, loop_grads = loop_backward(g, caches)
    np.testing.assert_allclose(dx, loop_dx, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(dh0, loop_dh0, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(dc0, loop_dc0, rtol=1e-10, atol=1e-13)
    assert list(grads) == list(KEYS)
    for k in KEYS:
        np.testing.assert_allclose(grads[k], loop_grads[k], rtol=1e-10, atol=1e-13)


# --------------------------------------------------------------------------
# 3a. Several blocks of lstm_backward's precomputed factors
# --------------------------------------------------------------------------
# lstm_backward computes the activations' derivatives for a block of
# _BLOCK_ELEMENTS // (N·4H) steps at a time, from the last block back to the
# first. The shapes below are chosen from that block length, so the sequence
# spans three blocks: two full ones and a partial first block, so the
# boundaries fall mid-sequence at T - block and T - 2·block (not at
# multiples of the block from t = 0).


def block_steps(n: int, hidden: int) -> int:
    """Steps per block of lstm_backward's factors, as lstm_backward computes it."""
    return max(1, lstm_module._BLOCK_ELEMENTS // (n * 4 * hidden))


def spanning_steps(n: int, hidden: int) -> int:
    """A T that gives two full blocks and a partial first one of block // 2 + 1."""
    block = block_steps(n, hidden)
    return 2 * block + block // 2 + 1


def cast(dtype, *arrays_or_dicts):
    out = []
    for a in arrays_or_dicts:
        if isinstance(a, dict):
            out.append({k: v.astype(dtype) for k, v in a.items()})
        else:
            out.append(a.astype(dtype))
    return out


def assert_backward_equals_loop(x, h0, c0, params, g, rtol, atol) -> None:
    """lstm_backward against lstm_cell_backward looped, both in x's dtype.

    ``atol`` is relative to the largest entry of each expected gradient.
    """
    _, _, cache = lstm_forward(x, h0, c0, params)
    got = lstm_backward(g, cache)
    _, _, caches = loop_forward(x, h0, c0, params)
    want = loop_backward(g, caches)
    pairs = [("dx", got[0], want[0]), ("dh0", got[1], want[1])]
    pairs += [("dc0", got[2], want[2])]
    pairs += [(k, got[3][k], want[3][k]) for k in KEYS]
    for name, a, b in pairs:
        assert a.dtype == x.dtype, name
        scale = float(np.max(np.abs(b)))
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol * scale, err_msg=name)


@pytest.mark.parametrize(
    ("n", "d", "hidden"),
    [(64, 8, 16), (256, 4, 32), (1, 2, 256)],
    ids=["N64-D8-H16", "N256-D4-H32", "N1-D2-H256"],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lstm_backward_over_several_blocks_equals_looping_the_cell(n, d, hidden, dtype):
    steps = spanning_steps(n, hidden)
    block = block_steps(n, hidden)
    assert steps > 2 * block  # three blocks ...
    assert steps % block != 0  # ... the first of them partial
    x, h0, c0, params, g = random_problem(11, n, steps, d, hidden)
    # Weights of size 1/sqrt(H + D) keep the pre-activations of order one
    # (random_problem's noise would saturate 256 units).
    params = {
        k: v * (2.0 / np.sqrt(hidden + d) if k.startswith("W") else 1.0)
        for k, v in params.items()
    }
    rtol, atol = (1e-10, 1e-12) if dtype == np.float64 else (1e-3, 1e-4)
    assert_backward_equals_loop(
        *cast(dtype, x, h0, c0, params, g), rtol=rtol, atol=atol
    )


@pytest.mark.parametrize("block", [1, 2, 3])
def test_lstm_backward_with_small_blocks_matches_finite_differences(block, monkeypatch):
    # Few elements per block make a short sequence span several blocks; with
    # block 3 and T = 8 they are steps 5-7, 2-4 and 0-1.
    n, steps, d, hidden = 2, 8, 2, 3
    monkeypatch.setattr(lstm_module, "_BLOCK_ELEMENTS", block * n * 4 * hidden)
    assert block_steps(n, hidden) == block
    x, h0, c0, params, g = random_problem(12, n, steps, d, hidden)

    def loss(dd):
        p = {k: dd[k] for k in KEYS}
        hs, _, _ = lstm_forward(dd["x"], dd["h0"], dd["c0"], p)
        return float(np.sum(hs * g))

    _, _, cache = lstm_forward(x, h0, c0, params)
    dx, dh0, dc0, grads = lstm_backward(g, cache)
    inputs = {"x": x, "h0": h0, "c0": c0, **params}
    assert_gradcheck(loss, inputs, {"x": dx, "h0": dh0, "c0": dc0, **grads})
    assert_backward_equals_loop(x, h0, c0, params, g, rtol=1e-10, atol=1e-12)


def test_lstm_with_one_step_equals_one_cell_step():
    x, h0, c0, params, g = random_problem(3, 3, 1, 2, 4)
    hs, cs, cache = lstm_forward(x, h0, c0, params)
    h_t, c_t, cell_cache = lstm_cell_forward(x[:, 0], h0, c0, params)
    np.testing.assert_allclose(hs[:, 0], h_t, rtol=1e-13)
    np.testing.assert_allclose(cs[:, 0], c_t, rtol=1e-13)
    dx, dh0, dc0, grads = lstm_backward(g, cache)
    cell = lstm_cell_backward(g[:, 0], np.zeros_like(c0), cell_cache)
    np.testing.assert_allclose(dx[:, 0], cell[0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dh0, cell[1], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dc0, cell[2], rtol=1e-12, atol=1e-15)
    for k in KEYS:
        np.testing.assert_allclose(grads[k], cell[3][k], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_every_output_has_the_documented_shape(shape):
    n, steps, d, hidden = shape
    x, h0, c0, params, g = random_problem(5, *shape)
    hs, cs, cache = lstm_forward(x, h0, c0, params)
    assert hs.shape == (n, steps, hidden)
    assert cs.shape == (n, steps, hidden)
    dx, dh0, dc0, grads = lstm_backward(g, cache)
    assert dx.shape == (n, steps, d)
    assert dh0.shape == (n, hidden)
    assert dc0.shape == (n, hidden)
    assert list(grads) == list(KEYS)
    for k in KEYS:
        assert grads[k].shape == params[k].shape, k

    h_t, c_t, cell_cache = lstm_cell_forward(x[:, 0], h0, c0, params)
    assert h_t.shape == (n, hidden)
    assert c_t.shape == (n, hidden)
    dx_t, dh_prev, dc_prev, cell_grads = lstm_cell_backward(h_t, c_t, cell_cache)
    assert dx_t.shape == (n, d)
    assert dh_prev.shape == (n, hidden)
    assert dc_prev.shape == (n, hidden)
    assert list(cell_grads) == list(KEYS)
    for k in KEYS:
        assert cell_grads[k].shape == params[k].shape, k


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_through_forward_and_backward(dtype):
    x, h0, c0, params, g = random_problem(6, 2, 3, 4, 5)
    x, h0, c0, g = (a.astype(dtype) for a in (x, h0, c0, g))
    params = {k: v.astype(dtype) for k, v in params.items()}

    hs, cs, cache = lstm_forward(x, h0, c0, params)
    dx, dh0, dc0, grads = lstm_backward(g, cache)
    for name, a in [("hs", hs), ("cs", cs), ("dx", dx), ("dh0", dh0), ("dc0", dc0)]:
        assert a.dtype == dtype, name
    for k in KEYS:
        assert grads[k].dtype == dtype, k

    h_t, c_t, cell_cache = lstm_cell_forward(x[:, 0], h0, c0, params)
    dx_t, dh_prev, dc_prev, cell_grads = lstm_cell_backward(g[:, 0], h0, cell_cache)
    for name, a in [("h_t", h_t), ("c_t", c_t), ("dx_t", dx_t)]:
        assert a.dtype == dtype, name
    assert dh_prev.dtype == dtype
    assert dc_prev.dtype == dtype
    for k in KEYS:
        assert cell_grads[k].dtype == dtype, k


def test_float32_results_agree_with_float64():
    x, h0, c0, params, g = random_problem(7, 2, 4, 3, 5)
    hs64, _, cache64 = lstm_forward(x, h0, c0, params)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    x32, h32, c32, g32 = (a.astype(np.float32) for a in (x, h0, c0, g))
    hs32, _, cache32 = lstm_forward(x32, h32, c32, p32)
    np.testing.assert_allclose(hs32, hs64, rtol=1e-4, atol=1e-5)
    dx64, _, _, grads64 = lstm_backward(g, cache64)
    dx32, _, _, grads32 = lstm_backward(g32, cache32)
    np.testing.assert_allclose(dx32, dx64, rtol=1e-3, atol=1e-4)
    for k in KEYS:
        np.testing.assert_allclose(grads32[k], grads64[k], rtol=1e-3, atol=1e-4)


def test_layer_forward_and_backward_do_not_mutate_their_inputs():
    x, h0, c0, params, g = random_problem(8, 3, 4, 2, 3)
    saved = copies(x, h0, c0, params, g)
    hs, cs, cache = lstm_forward(x, h0, c0, params)
    cache_saved = [a.copy() for a in cache]
    first = lstm_backward(g, cache)
    for before, after in zip(saved, (x, h0, c0, params, g), strict=True):
        assert_same(before, after)
    # The backward leaves the cache as it found it: a second call agrees.
    for before, after in zip(cache_saved, cache, strict=True):
        np.testing.assert_array_equal(after, before)
    second = lstm_backward(g, cache)
    for a, b in zip(first[:3], second[:3], strict=True):
        np.testing.assert_array_equal(a, b)


def test_cell_forward_and_backward_do_not_mutate_their_inputs():
    x, h0, c0, params, g = random_problem(9, 3, 1, 2, 3)
    x_t = x[:, 0].copy()
    dc_t = np.linspace(-1.0, 1.0, h0.size).reshape(h0.shape)
    dh_t = g[:, 0].copy()
    saved = copies(x_t, h0, c0, params, dh_t, dc_t)
    _, _, cache = lstm_cell_forward(x_t, h0, c0, params)
    lstm_cell_backward(dh_t, dc_t, cache)
    for before, after in zip(saved, (x_t, h0, c0, params, dh_t, dc_t), strict=True):
        assert_same(before, after)


def test_lstm_returns_fresh_arrays_not_views_of_its_inputs():
    x, h0, c0, params, g = random_problem(10, 2, 1, 2, 2)
    hs, cs, cache = lstm_forward(x, h0, c0, params)
    dx, dh0, dc0, grads = lstm_backward(g, cache)
    for out in (hs, cs, dx, dh0, dc0, *grads.values()):
        for inp in (x, h0, c0, g, *params.values()):
            assert not np.shares_memory(out, inp)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_layer_equals_per_gate_cell_with_saturated_gates(dtype):
    # Biases of ±50 push every sigmoid into its tails, where a naive
    # 1/(1 + exp(-z)) and the stable form could part ways; no warning allowed.
    x, h0, c0, params, g = random_problem(11, 3, 4, 2, 4)
    for k, gate in enumerate(GATES):
        signs = np.where(np.arange(4) % 2 == k % 2, 1.0, -1.0)
        params[f"b_{gate}"] = 50.0 * signs
    x, h0, c0, g = (a.astype(dtype) for a in (x, h0, c0, g))
    params = {k: v.astype(dtype) for k, v in params.items()}
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise"):
        warnings.simplefilter("error")
        hs, cs, cache = lstm_forward(x, h0, c0, params)
        loop_hs, loop_cs, caches = loop_forward(x, h0, c0, params)
        dx, dh0, dc0, grads = lstm_backward(g, cache)
        loop_dx, loop_dh0, loop_dc0, loop_grads = loop_backward(g, caches)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    atol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(hs, loop_hs, rtol=rtol, atol=atol)
    np.testing.assert_allclose(cs, loop_cs, rtol=rtol, atol=atol)
    # The fast path computes σ(a) as 0.5 + 0.5·tanh(a/2): exact to an ulp of 1,
    # so far-tail gate values (σ(-50) ≈ 2e-22) agree absolutely, not relatively.
    loop_f = np.stack([c.f for c in caches], axis=1)  # (N, T, H)
    np.testing.assert_allclose(cache.gate("f"), loop_f, rtol=rtol, atol=atol)
    np.testing.assert_allclose(dx, loop_dx, rtol=rtol, atol=atol)
    np.testing.assert_allclose(dh0, loop_dh0, rtol=rtol, atol=atol)
    np.testing.assert_allclose(dc0, loop_dc0, rtol=rtol, atol=atol)
    for k in KEYS:
        np.testing.assert_allclose(grads[k], loop_grads[k], rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huge_pre_activations_saturate_gates_exactly_without_warnings(dtype):
    x, h0, c0, params, g = random_problem(12, 2, 3, 2, 2)
    params = {k: v.astype(dtype) for k, v in params.items()}
    params["b_f"] = np.array([1000.0, -1000.0], dtype=dtype)
    params["b_i"] = np.array([-1000.0, 1000.0], dtype=dtype)
    x, h0, c0, g = (a.astype(dtype) for a in (x, h0, c0, g))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hs, cs, cache = lstm_forward(x, h0, c0, params)
        dx, dh0, dc0, grads = lstm_backward(g, cache)
        loop_hs, loop_cs, _ = loop_forward(x, h0, c0, params)
    np.testing.assert_array_equal(
        cache.gate("f"), np.broadcast_to([1.0, 0.0], (2, 3, 2))
    )
    # Unit 0 remembers C_0 exactly (f = 1, i = 0); unit 1 forgets it (f = 0).
    np.testing.assert_array_equal(cs[:, :, 0], np.repeat(c0[:, :1], 3, axis=1))
    tol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(hs, loop_hs, rtol=tol, atol=tol)
    np.testing.assert_allclose(cs, loop_cs, rtol=tol, atol=tol)
    for a in (dx, dh0, dc0, *grads.values()):
        assert np.all(np.isfinite(a))


def test_lstm_forward_accepts_non_contiguous_inputs():
    x, h0, c0, params, g = random_problem(13, 3, 4, 2, 5)
    x_view = np.ascontiguousarray(x.transpose(1, 0, 2)).transpose(1, 0, 2)
    h0_view = np.asfortranarray(h0)
    c0_wide = np.zeros((3, 10))
    c0_wide[:, ::2] = c0
    c0_view = c0_wide[:, ::2]
    params_view = {
        k: (np.ascontiguousarray(v.T).T if v.ndim == 2 else v)
        for k, v in params.items()
    }
    g_view = np.ascontiguousarray(g.transpose(2, 1, 0)).transpose(2, 1, 0)
    assert not x_view.flags.c_contiguous
    assert not c0_view.flags.c_contiguous
    assert not params_view["W_f"].flags.c_contiguous
    assert not g_view.flags.c_contiguous

    hs, cs, cache = lstm_forward(x_view, h0_view, c0_view, params_view)
    expected_hs, expected_cs, expected_cache = lstm_forward(x, h0, c0, params)
    np.testing.assert_allclose(hs, expected_hs, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(cs, expected_cs, rtol=1e-13, atol=1e-15)
    got = lstm_backward(g_view, cache)
    expected = lstm_backward(g, expected_cache)
    for a, b in zip(got[:3], expected[:3], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)

    h_t, c_t, _ = lstm_cell_forward(x_view[:, 1], h0_view, c0_view, params_view)
    h_e, c_e, _ = lstm_cell_forward(x[:, 1], h0, c0, params)
    np.testing.assert_allclose(h_t, h_e, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(c_t, c_e, rtol=1e-13, atol=1e-15)


# --------------------------------------------------------------------------
# 4. Bad input: errors that name the argument and the expected shape
# --------------------------------------------------------------------------

N, T, D, H = 3, 5, 4, 6


def valid_layer_args():
    x, h0, c0, params, g = random_problem(14, N, T, D, H)
    return {"x": x, "h0": h0, "c0": c0, "params": params}, g


@pytest.mark.parametrize(
    ("arg", "bad", "message"),
    [
        ("x", np.zeros((N, T)), "x must have shape (N, T, D) (3 dimensions)"),
        ("x", np.zeros((N, T, D, 1)), "x must have shape (N, T, D)"),
        ("h0", np.zeros((N + 1, H)), "h0 must have shape (N, H)"),
        ("h0", np.zeros((N, H, 1)), "h0 must have shape (N, H)"),
        ("c0", np.zeros((N, H + 1)), f"c0 must have shape (N, H) = ({N}, {H})"),
        ("c0", np.zeros((N + 2, H)), f"c0 must have shape (N, H) = ({N}, {H})"),
    ],
)
def test_lstm_forward_rejects_wrong_shapes_naming_the_argument(arg, bad, message):
    args, _ = valid_layer_args()
    args[arg] = bad
    with pytest.raises(ValueError, match=re.escape(message)):
        lstm_forward(**args)


@pytest.mark.parametrize(
    ("key", "shape", "message"),
    [
        ("W_f", (H, H + D + 1), "params['W_f'] must have shape (H, H + D)"),
        ("W_c", (H + 1, H + D), "params['W_c'] must have shape (H, H + D)"),
        ("W_o", (H + D, H), "params['W_o'] must have shape (H, H + D)"),
        ("b_i", (H + 1,), f"params['b_i'] must have shape (H,) = ({H},)"),
        ("b_o", (1, H), "params['b_o'] must have shape (H,)"),
    ],
)
def test_lstm_forward_rejects_wrong_parameter_shapes(key, shape, message):
    args, _ = valid_layer_args()
    args["params"] = {**args["params"], key: np.zeros(shape)}
    with pytest.raises(ValueError, match=re.escape(message)):
        lstm_forward(**args)
    x_t = args["x"][:, 0]
    with pytest.raises(ValueError, match=re.escape(message)):
        lstm_cell_forward(x_t, args["h0"], args["c0"], args["params"])


@pytest.mark.parametrize("key", KEYS)
def test_missing_parameter_raises_key_error_naming_it(key):
    args, _ = valid_layer_args()
    params = {k: v for k, v in args["params"].items() if k != key}
    with pytest.raises(KeyError, match=rf"params is missing key\(s\) {key}\b"):
        lstm_forward(args["x"], args["h0"], args["c0"], params)
    with pytest.raises(KeyError, match=rf"missing key\(s\) {key}\b"):
        lstm_cell_forward(args["x"][:, 0], args["h0"], args["c0"], params)


def test_params_that_are_not_a_dict_raise_type_error():
    args, _ = valid_layer_args()
    with pytest.raises(TypeError, match="params must be a dict with keys W_f"):
        lstm_forward(args["x"], args["h0"], args["c0"], list(args["params"].values()))


@pytest.mark.parametrize("arg", ["x", "h0", "c0", "W_i", "b_c"])
def test_integer_arrays_raise_type_error_naming_the_argument(arg):
    args, _ = valid_layer_args()
    if arg in KEYS:
        args["params"] = {**args["params"], arg: args["params"][arg].astype(np.int64)}
        name = f"params['{arg}']"
    else:
        args[arg] = args[arg].astype(np.int32)
        name = arg
    with pytest.raises(TypeError, match=re.escape(f"{name} must be a floating-point")):
        lstm_forward(**args)


@pytest.mark.parametrize("arg", ["x", "h0", "c0", "W_f", "b_o"])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_raise_value_error_naming_the_argument(arg, value):
    args, _ = valid_layer_args()
    if arg in KEYS:
        bad = args["params"][arg].copy()
        args["params"] = {**args["params"], arg: bad}
        name = f"params['{arg}']"
    else:
        bad = args[arg].copy()
        args[arg] = bad
        name = arg
    bad.flat[1] = value
    with pytest.raises(ValueError, match=re.escape(f"{name} contains NaN or infinity")):
        lstm_forward(**args)


def test_a_list_instead_of_an_array_raises_type_error():
    args, _ = valid_layer_args()
    args["h0"] = args["h0"].tolist()
    with pytest.raises(TypeError, match=re.escape("h0 must be a NumPy array")):
        lstm_forward(**args)


@pytest.mark.parametrize(
    ("arg", "shape", "message"),
    [
        ("x_t", (N, D, 1), "x_t must have shape (N, D) (2 dimensions)"),
        ("x_t", (N * T, D, 1), "x_t must have shape (N, D)"),
        ("h_prev", (N + 1, H), "h_prev must have shape (N, H)"),
        ("c_prev", (N, H - 1), f"c_prev must have shape (N, H) = ({N}, {H})"),
    ],
)
def test_lstm_cell_forward_rejects_wrong_shapes(arg, shape, message):
    args, _ = valid_layer_args()
    cell_args = {
        "x_t": args["x"][:, 0],
        "h_prev": args["h0"],
        "c_prev": args["c0"],
        "params": args["params"],
    }
    cell_args[arg] = np.zeros(shape)
    with pytest.raises(ValueError, match=re.escape(message)):
        lstm_cell_forward(**cell_args)


@pytest.mark.parametrize(
    ("arg", "shape"), [("dh_t", (N, H + 1)), ("dc_t", (N - 1, H)), ("dh_t", (N,))]
)
def test_lstm_cell_backward_rejects_wrong_upstream_shapes(arg, shape):
    args, _ = valid_layer_args()
    _, _, cache = lstm_cell_forward(
        args["x"][:, 0], args["h0"], args["c0"], args["params"]
    )
    grads = {"dh_t": np.ones((N, H)), "dc_t": np.ones((N, H))}
    grads[arg] = np.ones(shape)
    with pytest.raises(ValueError, match=re.escape(f"{arg} must have shape (N, H)")):
        lstm_cell_backward(grads["dh_t"], grads["dc_t"], cache)


@pytest.mark.parametrize("arg", ["dh_t", "dc_t"])
def test_lstm_cell_backward_rejects_integer_and_nan_upstream(arg):
    args, _ = valid_layer_args()
    _, _, cache = lstm_cell_forward(
        args["x"][:, 0], args["h0"], args["c0"], args["params"]
    )
    grads = {"dh_t": np.ones((N, H)), "dc_t": np.ones((N, H))}
    grads[arg] = np.ones((N, H), dtype=np.int64)
    with pytest.raises(TypeError, match=re.escape(f"{arg} must be a floating-point")):
        lstm_cell_backward(grads["dh_t"], grads["dc_t"], cache)
    grads[arg] = np.full((N, H), np.nan)
    with pytest.raises(ValueError, match=re.escape(f"{arg} contains NaN")):
        lstm_cell_backward(grads["dh_t"], grads["dc_t"], cache)


@pytest.mark.parametrize("shape", [(N, T - 1, H), (N, T, H + 1), (N + 1, T, H), (N, T)])
def test_lstm_backward_rejects_wrong_dhs_shape(shape):
    args, _ = valid_layer_args()
    _, _, cache = lstm_forward(**args)
    with pytest.raises(ValueError, match=re.escape("dhs must have shape (N, T, H) = ")):
        lstm_backward(np.zeros(shape), cache)


def test_lstm_backward_rejects_integer_and_non_finite_dhs():
    args, _ = valid_layer_args()
    _, _, cache = lstm_forward(**args)
    with pytest.raises(TypeError, match="dhs must be a floating-point"):
        lstm_backward(np.zeros((N, T, H), dtype=np.int64), cache)
    bad = np.zeros((N, T, H))
    bad[0, 0, 0] = np.inf
    with pytest.raises(ValueError, match="dhs contains NaN or infinity"):
        lstm_backward(bad, cache)


def test_backward_given_the_wrong_cache_type_raises_type_error():
    args, g = valid_layer_args()
    _, _, layer_cache = lstm_forward(**args)
    _, _, cell_cache = lstm_cell_forward(
        args["x"][:, 0], args["h0"], args["c0"], args["params"]
    )
    with pytest.raises(TypeError, match="cache must be the LSTMCache returned by"):
        lstm_backward(g, cell_cache)
    with pytest.raises(TypeError, match="cache must be the LSTMCache"):
        lstm_backward(g, tuple(layer_cache))
    dh = np.zeros((N, H))
    with pytest.raises(TypeError, match="cache must be the LSTMCellCache"):
        lstm_cell_backward(dh, dh, layer_cache)
    with pytest.raises(TypeError, match="cache must be the LSTMCellCache"):
        lstm_cell_backward(dh, dh, tuple(cell_cache))


def test_cache_gate_returns_each_gate_batch_major_as_the_cell_computes_it():
    rng = np.random.default_rng(21)
    n, t, d, h = 3, 4, 2, 5
    params = {
        k: v + 0.3 * rng.standard_normal(v.shape)
        for k, v in init_lstm_params(d, h, rng=rng).items()
    }
    x = rng.standard_normal((n, t, d))
    h0, c0 = rng.standard_normal((n, h)), rng.standard_normal((n, h))
    _, _, cache = lstm_forward(x, h0, c0, params)
    h_prev, c_prev = h0, c0
    for step in range(t):
        h_prev, c_prev, cell = lstm_cell_forward(x[:, step], h_prev, c_prev, params)
        for name, expected in (
            ("f", cell.f),
            ("i", cell.i),
            ("c", cell.c_tilde),
            ("o", cell.o),
        ):
            np.testing.assert_allclose(
                cache.gate(name)[:, step], expected, rtol=1e-12, atol=1e-14
            )
    with pytest.raises(ValueError, match="name must be one of"):
        cache.gate("g")


def test_lstm_cell_backward_checks_the_batch_size_of_dh_t_against_the_cache():
    x, h0, c0, params, _ = random_problem(13, 3, 1, 2, 4)
    _, _, cache = lstm_cell_forward(x[:, 0], h0, c0, params)
    for arg, shapes in [("dh_t", ((2, 4), (3, 5))), ("dc_t", ((2, 4), (3, 5)))]:
        for shape in shapes:
            dh = np.ones(shape) if arg == "dh_t" else np.ones((3, 4))
            dc = np.ones(shape) if arg == "dc_t" else np.ones((3, 4))
            with pytest.raises(ValueError, match=arg):
                lstm_cell_backward(dh, dc, cache)


@pytest.mark.parametrize("wide", ["x", "h0", "c0", "params"])
def test_one_float64_argument_makes_the_whole_layer_float64(wide):
    # The result dtype is NumPy's promotion over every argument, not over some.
    x, h0, c0, params, g = random_problem(14, 2, 3, 2, 3)
    args = {"x": x, "h0": h0, "c0": c0}
    args = {k: v if k == wide else v.astype(np.float32) for k, v in args.items()}
    if wide != "params":
        params = {k: v.astype(np.float32) for k, v in params.items()}
    hs, cs, cache = lstm_forward(args["x"], args["h0"], args["c0"], params)
    assert hs.dtype == cs.dtype == np.float64
    dx, dh0, dc0, grads = lstm_backward(g, cache)
    assert dx.dtype == dh0.dtype == dc0.dtype == np.float64
