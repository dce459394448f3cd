"""Tests of lstm_ref.gru: the GRU cell and layer, forward and backward."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from lstm_ref.gradcheck import check_gradients
from lstm_ref.gru import (
    GRU_KEYS,
    GRUCache,
    GRUCellCache,
    gru_backward,
    gru_cell_backward,
    gru_cell_forward,
    gru_forward,
    init_gru_params,
)

# Centred differences in float64 with h = 1e-5 have error O(h²) ≈ 1e-10
# relative; a wrong gradient is off by order 1. Roundoff in the loss adds an
# absolute error of about ε·|L|/h ≈ 1e-11 per entry, so under the element-wise
# relative error an entry as small as ~1e-4 can exceed 1e-7 even when the
# gradient is right: that happens for about one random cell draw in five at
# these sizes. The fixed seeds below have no such entry (worst about 2e-8 for
# the cell, 4e-9 for the sequence). If a seed is changed and one entry fails
# just above the threshold, check it with h = 1e-4 before suspecting the code.
GRAD_TOL = 1e-7
FD_STEP = 1e-5


def random_params(input_size, hidden_size, rng, dtype=np.float64):
    """Parameters with non-zero biases, so no gate sits at a symmetric point."""
    params = {}
    for gate in ("z", "r", "h"):
        w = rng.normal(scale=0.5, size=(hidden_size, hidden_size + input_size))
        params[f"W_{gate}"] = w.astype(dtype)
        params[f"b_{gate}"] = rng.normal(scale=0.5, size=hidden_size).astype(dtype)
    return params


def sigmoid(a):
    # exp(-log(1 + e^{-a})): no overflow for the saturated gates below.
    return np.exp(-np.logaddexp(0.0, -a))


def reference_cell(x_t, h_prev, params):
    """The four equations of Cho et al. (2014) written out directly, as a reference."""
    hx = np.hstack([h_prev, x_t])
    z = sigmoid(hx @ params["W_z"].T + params["b_z"])
    r = sigmoid(hx @ params["W_r"].T + params["b_r"])
    h_tilde = np.tanh(np.hstack([r * h_prev, x_t]) @ params["W_h"].T + params["b_h"])
    return z * h_prev + (1 - z) * h_tilde, h_tilde


def copy_all(arrays):
    return {k: v.copy() for k, v in arrays.items()}


# --- forward: hand-computed values and special cases ----------------------------


def test_cell_forward_matches_scalar_formulas_computed_by_hand_with_h1_d1():
    # H = 1, D = 1: every matrix product is a two-term sum, computed with math.
    h_prev, x_t = 0.3, -0.8
    w_z, b_z = (0.5, -0.3), 0.1
    w_r, b_r = (-0.2, 0.4), 0.05
    w_h, b_h = (0.7, -0.6), -0.1
    a_z = w_z[0] * h_prev + w_z[1] * x_t + b_z  # 0.15 + 0.24 + 0.1 = 0.49
    z = 1.0 / (1.0 + math.exp(-a_z))  # σ(0.49) ≈ 0.6201
    a_r = w_r[0] * h_prev + w_r[1] * x_t + b_r  # -0.06 - 0.32 + 0.05 = -0.33
    r = 1.0 / (1.0 + math.exp(-a_r))  # σ(-0.33) ≈ 0.4182
    a_h = w_h[0] * (r * h_prev) + w_h[1] * x_t + b_h  # ≈ 0.0878 + 0.48 - 0.1
    h_tilde = math.tanh(a_h)  # tanh(0.4678) ≈ 0.4364
    expected = z * h_prev + (1.0 - z) * h_tilde  # ≈ 0.1860 + 0.1658 ≈ 0.3518
    assert abs(a_h - 0.46783) < 1e-4  # the hand estimate in the comments
    assert abs(expected - 0.3518) < 1e-3

    params = {
        "W_z": np.array([w_z]),
        "b_z": np.array([b_z]),
        "W_r": np.array([w_r]),
        "b_r": np.array([b_r]),
        "W_h": np.array([w_h]),
        "b_h": np.array([b_h]),
    }
    h_t, cache = gru_cell_forward(np.array([[x_t]]), np.array([[h_prev]]), params)
    assert h_t.shape == (1, 1)
    np.testing.assert_allclose(h_t[0, 0], expected, rtol=1e-13, atol=0)
    np.testing.assert_allclose(cache.z[0, 0], z, rtol=1e-13)
    np.testing.assert_allclose(cache.r[0, 0], r, rtol=1e-13)
    np.testing.assert_allclose(cache.h_tilde[0, 0], h_tilde, rtol=1e-13)


def test_cell_forward_matches_equations_written_out_on_random_inputs():
    rng = np.random.default_rng(0)
    params = random_params(4, 3, rng)
    x_t, h_prev = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    h_t, _ = gru_cell_forward(x_t, h_prev, params)
    expected, _ = reference_cell(x_t, h_prev, params)
    np.testing.assert_allclose(h_t, expected, rtol=1e-12, atol=1e-14)


def test_update_gate_forced_to_one_copies_previous_state_exactly():
    # Cho et al. (2014) and PyTorch: z_t = 1 keeps h_{t-1}.
    rng = np.random.default_rng(1)
    params = random_params(3, 4, rng)
    params["b_z"] = np.full(4, 1e3)  # σ(1000) rounds to exactly 1
    x_t, h_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    h_t, cache = gru_cell_forward(x_t, h_prev, params)
    assert np.all(cache.z == 1.0)
    np.testing.assert_array_equal(h_t, h_prev)


def test_update_gate_forced_to_one_passes_gradient_back_unchanged():
    # h_t = h_{t-1} exactly, so ∂h_t/∂h_{t-1} = I and nothing reaches x or W_h.
    rng = np.random.default_rng(2)
    params = random_params(3, 4, rng)
    params["b_z"] = np.full(4, 1e3)
    x_t, h_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    _, cache = gru_cell_forward(x_t, h_prev, params)
    dh_t = rng.normal(size=(2, 4))
    dx_t, dh_prev, grads = gru_cell_backward(dh_t, cache)
    np.testing.assert_array_equal(dh_prev, dh_t)
    np.testing.assert_array_equal(dx_t, np.zeros_like(x_t))
    for key in GRU_KEYS:
        np.testing.assert_array_equal(grads[key], np.zeros_like(params[key]))


def test_update_gate_forced_to_zero_gives_the_candidate():
    rng = np.random.default_rng(3)
    params = random_params(3, 4, rng)
    params["b_z"] = np.full(4, -1e3)  # σ(-1000) underflows to exactly 0
    x_t, h_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    h_t, cache = gru_cell_forward(x_t, h_prev, params)
    assert np.all(cache.z == 0.0)
    # h̃ from the equation, independently of the code under test.
    _, h_tilde = reference_cell(x_t, h_prev, params)
    np.testing.assert_allclose(h_t, h_tilde, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(h_t, cache.h_tilde)


def test_sequence_forward_equals_looping_the_cell():
    rng = np.random.default_rng(4)
    n, steps, d, hidden = 3, 5, 2, 4
    params = random_params(d, hidden, rng)
    x, h0 = rng.normal(size=(n, steps, d)), rng.normal(size=(n, hidden))
    hs, cache = gru_forward(x, h0, params)
    assert hs.shape == (n, steps, hidden)
    assert isinstance(cache, GRUCache)
    h = h0
    for t in range(steps):
        h, _ = gru_cell_forward(x[:, t], h, params)
        np.testing.assert_allclose(hs[:, t], h, rtol=1e-13, atol=1e-15)


def test_sequence_backward_equals_looping_the_cell_backward():
    rng = np.random.default_rng(5)
    n, steps, d, hidden = 2, 4, 3, 3
    params = random_params(d, hidden, rng)
    x, h0 = rng.normal(size=(n, steps, d)), rng.normal(size=(n, hidden))
    dhs = rng.normal(size=(n, steps, hidden))
    _, cache = gru_forward(x, h0, params)
    dx, dh0, grads = gru_backward(dhs, cache)

    cell_caches = []
    h = h0
    for t in range(steps):
        h, c = gru_cell_forward(x[:, t], h, params)
        cell_caches.append(c)
    dh = np.zeros_like(h0)
    total = {k: np.zeros_like(v) for k, v in params.items()}
    for t in reversed(range(steps)):
        dx_t, dh, g = gru_cell_backward(dhs[:, t] + dh, cell_caches[t])
        np.testing.assert_allclose(dx[:, t], dx_t, rtol=1e-12, atol=1e-14)
        for k in GRU_KEYS:
            total[k] += g[k]
    np.testing.assert_allclose(dh0, dh, rtol=1e-12, atol=1e-14)
    for k in GRU_KEYS:
        np.testing.assert_allclose(grads[k], total[k], rtol=1e-12, atol=1e-14)


def test_zero_length_sequence_gives_empty_outputs_and_zero_gradients():
    rng = np.random.default_rng(6)
    params = random_params(3, 2, rng)
    hs, cache = gru_forward(np.zeros((4, 0, 3)), np.ones((4, 2)), params)
    assert hs.shape == (4, 0, 2)
    dx, dh0, grads = gru_backward(np.zeros((4, 0, 2)), cache)
    assert dx.shape == (4, 0, 3)
    np.testing.assert_array_equal(dh0, np.zeros((4, 2)))
    assert all(not np.any(grads[k]) for k in GRU_KEYS)


# --- backward: centred finite differences in float64 -----------------------------


def test_cell_backward_matches_finite_differences_for_every_output():
    rng = np.random.default_rng(0)
    n, d, hidden = 3, 4, 5
    inputs = {
        "x_t": rng.normal(size=(n, d)),
        "h_prev": rng.normal(size=(n, hidden)),
        **random_params(d, hidden, rng),
    }
    weights = rng.normal(size=(n, hidden))  # loss = Σ h_t ⊙ G

    def loss(arrays):
        params = {k: arrays[k] for k in GRU_KEYS}
        h_t, _ = gru_cell_forward(arrays["x_t"], arrays["h_prev"], params)
        return float(np.sum(h_t * weights))

    params = {k: inputs[k] for k in GRU_KEYS}
    _, cache = gru_cell_forward(inputs["x_t"], inputs["h_prev"], params)
    dx_t, dh_prev, grads = gru_cell_backward(weights, cache)
    analytic = {"x_t": dx_t, "h_prev": dh_prev, **grads}
    report = check_gradients(loss, inputs, analytic, h=FD_STEP, tolerance=GRAD_TOL)
    assert set(report.errors) == {"x_t", "h_prev", *GRU_KEYS}
    assert report.passed, f"relative errors above {GRAD_TOL}:\n{report}"


def test_sequence_backward_matches_finite_differences_for_every_output():
    rng = np.random.default_rng(11)
    n, steps, d, hidden = 2, 4, 3, 4
    inputs = {
        "x": rng.normal(size=(n, steps, d)),
        "h0": rng.normal(size=(n, hidden)),
        **random_params(d, hidden, rng),
    }
    weights = rng.normal(size=(n, steps, hidden))  # loss = Σ hs ⊙ G

    def loss(arrays):
        params = {k: arrays[k] for k in GRU_KEYS}
        hs, _ = gru_forward(arrays["x"], arrays["h0"], params)
        return float(np.sum(hs * weights))

    params = {k: inputs[k] for k in GRU_KEYS}
    _, cache = gru_forward(inputs["x"], inputs["h0"], params)
    dx, dh0, grads = gru_backward(weights, cache)
    analytic = {"x": dx, "h0": dh0, **grads}
    report = check_gradients(loss, inputs, analytic, h=FD_STEP, tolerance=GRAD_TOL)
    assert set(report.errors) == {"x", "h0", *GRU_KEYS}
    assert report.passed, f"relative errors above {GRAD_TOL}:\n{report}"


# --- dtypes and purity ------------------------------------------------------------


def test_float32_inputs_give_float32_outputs_and_gradients():
    rng = np.random.default_rng(20)
    n, steps, d, hidden = 2, 3, 3, 4
    params = random_params(d, hidden, rng, dtype=np.float32)
    x = rng.normal(size=(n, steps, d)).astype(np.float32)
    h0 = rng.normal(size=(n, hidden)).astype(np.float32)

    h_t, cell_cache = gru_cell_forward(x[:, 0], h0, params)
    assert h_t.dtype == np.float32
    dx_t, dh_prev, cell_grads = gru_cell_backward(np.ones_like(h_t), cell_cache)
    assert dx_t.dtype == dh_prev.dtype == np.float32
    assert all(cell_grads[k].dtype == np.float32 for k in GRU_KEYS)

    hs, cache = gru_forward(x, h0, params)
    assert hs.dtype == np.float32
    dx, dh0, grads = gru_backward(np.ones_like(hs), cache)
    assert dx.dtype == dh0.dtype == np.float32
    assert all(grads[k].dtype == np.float32 for k in GRU_KEYS)

    params64 = {k: v.astype(np.float64) for k, v in params.items()}
    hs64, _ = gru_forward(x.astype(np.float64), h0.astype(np.float64), params64)
    np.testing.assert_allclose(hs, hs64, rtol=1e-5, atol=1e-6)


def test_forward_and_backward_do_not_mutate_their_inputs():
    rng = np.random.default_rng(21)
    n, steps, d, hidden = 2, 3, 3, 4
    params = random_params(d, hidden, rng)
    arrays = {
        "x": rng.normal(size=(n, steps, d)),
        "h0": rng.normal(size=(n, hidden)),
        "dhs": rng.normal(size=(n, steps, hidden)),
        "dh_t": rng.normal(size=(n, hidden)),
    }
    before = copy_all({**arrays, **params})

    _, cell_cache = gru_cell_forward(arrays["x"][:, 0], arrays["h0"], params)
    gru_cell_backward(arrays["dh_t"], cell_cache)
    _, cache = gru_forward(arrays["x"], arrays["h0"], params)
    gru_backward(arrays["dhs"], cache)
    # A second backward on the same cache must give the same answer.
    first = gru_backward(arrays["dhs"], cache)
    second = gru_backward(arrays["dhs"], cache)
    np.testing.assert_array_equal(first[0], second[0])

    for name, value in {**arrays, **params}.items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)
    assert set(params) == set(GRU_KEYS)


# --- bad input ------------------------------------------------------------------


def _valid_cell_args():
    rng = np.random.default_rng(30)
    return rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), random_params(3, 4, rng)


def _without(params, key):
    return {k: v for k, v in params.items() if k != key}


@pytest.mark.parametrize(
    ("change", "error", "name"),
    [
        (lambda x, h, p: (x[:, :2], h, p), ValueError, "params['W_z']"),
        (lambda x, h, p: (x, h[:1], p), ValueError, "h_prev"),
        # h_prev sets H before the weights are checked against it.
        (lambda x, h, p: (x, h[:, :3], p), ValueError, "params['W_z']"),
        (lambda x, h, p: (x[0], h, p), ValueError, "x_t"),
        (lambda x, h, p: (x.astype(np.int64), h, p), TypeError, "x_t"),
        (lambda x, h, p: (x, np.ones((2, 4), dtype=int), p), TypeError, "h_prev"),
        (lambda x, h, p: (x.tolist(), h, p), TypeError, "x_t"),
        (lambda x, h, p: (np.where(x > 0, np.nan, x), h, p), ValueError, "x_t"),
        (lambda x, h, p: (x, h * np.inf, p), ValueError, "h_prev"),
        (lambda x, h, p: (x, h, _without(p, "W_h")), KeyError, "params"),
        (lambda x, h, p: (x, h, {**p, "b_r": p["b_r"][:2]}), ValueError, "b_r"),
        (
            lambda x, h, p: (x, h, {**p, "W_h": p["W_h"].astype(np.int32)}),
            TypeError,
            "params['W_h']",
        ),
    ],
)
def test_cell_forward_rejects_bad_input_naming_the_argument(change, error, name):
    x_t, h_prev, params = change(*_valid_cell_args())
    with pytest.raises(error, match=re.escape(name)):
        gru_cell_forward(x_t, h_prev, params)


@pytest.mark.parametrize(
    ("change", "error", "name"),
    [
        (lambda x, h, p: (x[0], h, p), ValueError, "x"),
        (lambda x, h, p: (x, h[:, :3], p), ValueError, "params['W_z']"),
        (lambda x, h, p: (x, h[:1], p), ValueError, "h0"),
        (lambda x, h, p: (x[:, :, :2], h, p), ValueError, "params['W_z']"),
        (lambda x, h, p: (x.astype(np.int64), h, p), TypeError, "x"),
        (lambda x, h, p: (x, np.full_like(h, np.nan), p), ValueError, "h0"),
        (lambda x, h, p: (x, h, _without(p, "b_z")), KeyError, "b_z"),
    ],
)
def test_sequence_forward_rejects_bad_input_naming_the_argument(change, error, name):
    rng = np.random.default_rng(31)
    x, h0 = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 4))
    x, h0, params = change(x, h0, random_params(3, 4, rng))
    with pytest.raises(error, match=re.escape(name)):
        gru_forward(x, h0, params)


def test_backwards_reject_bad_gradients_and_foreign_caches_naming_the_argument():
    x_t, h_prev, params = _valid_cell_args()
    _, cell_cache = gru_cell_forward(x_t, h_prev, params)
    assert isinstance(cell_cache, GRUCellCache)
    with pytest.raises(ValueError, match="dh_t"):
        gru_cell_backward(np.ones((2, 5)), cell_cache)
    with pytest.raises(TypeError, match="dh_t"):
        gru_cell_backward(np.ones((2, 4), dtype=int), cell_cache)
    with pytest.raises(TypeError, match="cache"):
        gru_cell_backward(np.ones((2, 4)), tuple(cell_cache))

    _, cache = gru_forward(x_t[:, None, :], h_prev, params)
    with pytest.raises(ValueError, match="dhs"):
        gru_backward(np.ones((2, 2, 4)), cache)
    with pytest.raises(ValueError, match="dhs"):
        gru_backward(np.full((2, 1, 4), np.inf), cache)
    with pytest.raises(TypeError, match="cache"):
        gru_backward(np.ones((2, 1, 4)), cell_cache)
    # dhs must match the cache's N and H as well as its T.
    for shape in [(3, 1, 4), (2, 1, 3), (2, 1, 5)]:
        with pytest.raises(ValueError, match="dhs"):
            gru_backward(np.ones(shape), cache)


# --- initialisation ---------------------------------------------------------------


def test_init_gru_params_shapes_orthogonal_recurrent_block_glorot_input_zero_bias():
    d, hidden = 3, 5
    params = init_gru_params(d, hidden, rng=0)
    assert set(params) == set(GRU_KEYS)
    limit = math.sqrt(6.0 / (d + hidden))  # Glorot: fan_in D, fan_out H
    for gate in ("z", "r", "h"):
        w = params[f"W_{gate}"]
        assert w.shape == (hidden, hidden + d)
        assert w.dtype == np.float64
        w_h = w[:, :hidden]
        np.testing.assert_allclose(w_h @ w_h.T, np.eye(hidden), atol=1e-12)
        assert np.all(np.abs(w[:, hidden:]) <= limit)
        np.testing.assert_array_equal(params[f"b_{gate}"], np.zeros(hidden))
    # Each gate draws its own weights.
    assert not np.allclose(params["W_z"], params["W_r"])


def test_init_gru_params_is_reproducible_from_a_seed_and_varies_without_one():
    a, b = init_gru_params(2, 3, rng=7), init_gru_params(2, 3, rng=7)
    for k in GRU_KEYS:
        np.testing.assert_array_equal(a[k], b[k])
    c = init_gru_params(2, 3, rng=8)
    assert not np.allclose(a["W_h"], c["W_h"])


@pytest.mark.parametrize(
    ("args", "error", "name"),
    [
        ((0, 3), ValueError, "input_size"),
        ((3, -1), ValueError, "hidden_size"),
        ((2.5, 3), TypeError, "input_size"),
        ((3, True), TypeError, "hidden_size"),
    ],
)
def test_init_gru_params_rejects_bad_sizes_naming_the_argument(args, error, name):
    with pytest.raises(error, match=name):
        init_gru_params(*args)


@pytest.mark.parametrize("wide", ["x", "h0", "params"])
def test_one_float64_argument_makes_the_gru_float64(wide):
    rng = np.random.default_rng(40)
    x, h0 = rng.normal(size=(2, 3, 2)), rng.normal(size=(2, 4))
    params = random_params(2, 4, rng)
    if wide != "x":
        x = x.astype(np.float32)
    if wide != "h0":
        h0 = h0.astype(np.float32)
    if wide != "params":
        params = {k: v.astype(np.float32) for k, v in params.items()}
    hs, cache = gru_forward(x, h0, params)
    assert hs.dtype == np.float64
    dx, dh0, _ = gru_backward(np.ones_like(hs), cache)
    assert dx.dtype == dh0.dtype == np.float64
