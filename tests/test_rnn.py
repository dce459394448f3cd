"""Tests of the vanilla RNN cell and layer: hand-worked values, gradient checks,
properties (loop equivalence, shapes, dtypes, no mutation, bad input)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from lstm_ref.gradcheck import check_gradients
from lstm_ref.init import init_rnn_params
from lstm_ref.rnn import (
    RNNCache,
    RNNCellCache,
    rnn_backward,
    rnn_cell_backward,
    rnn_cell_forward,
    rnn_forward,
)

# Gradient checks: centred differences in float64, this step, this threshold on
# ``rel_error`` (the norm-based relative error of lstm_ref.gradcheck).
STEP = 1e-5
TOLERANCE = 1e-7


def random_problem(seed: int, n: int, steps: int, d: int, hidden: int):
    """x, h0, params (noisy, nonzero bias) and an upstream gradient G, float64."""
    rng = np.random.default_rng(seed)
    params = init_rnn_params(d, hidden, rng=rng)
    params = {k: v + 0.5 * rng.standard_normal(v.shape) for k, v in params.items()}
    x = rng.standard_normal((n, steps, d))
    h0 = rng.standard_normal((n, hidden))
    g = rng.standard_normal((n, steps, hidden))
    return x, h0, params, g


def assert_gradcheck(loss_fn, inputs, analytic) -> None:
    report = check_gradients(loss_fn, inputs, analytic, h=STEP, tolerance=TOLERANCE)
    assert report.passed, (
        f"analytic and finite-difference gradients disagree (h={STEP}, "
        f"rel_error < {TOLERANCE}):\n{report}"
    )


def loop_forward(x, h0, params):
    h = h0
    hs, caches = [], []
    for t in range(x.shape[1]):
        h, cache = rnn_cell_forward(x[:, t], h, params)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs, axis=1), caches


def loop_backward(dhs, caches):
    n, steps, hidden = dhs.shape
    dh = np.zeros((n, hidden), dtype=dhs.dtype)
    grads = {k: np.zeros_like(v) for k, v in caches[0].params.items()}
    dxs = [None] * steps
    for t in range(steps - 1, -1, -1):
        dxs[t], dh, step_grads = rnn_cell_backward(dhs[:, t] + dh, caches[t])
        for k in grads:
            grads[k] += step_grads[k]
    return np.stack(dxs, axis=1), dh, grads


# --------------------------------------------------------------------------
# 1. Hand-worked values, H = 1, D = 1: W = [[w_h, w_x]], b = [b]
# --------------------------------------------------------------------------

W_H, W_X, B = 0.5, -0.8, 0.1
H0, X1, X2 = 0.3, 1.0, -2.0


def hand_params():
    return {"W": np.array([[W_H, W_X]]), "b": np.array([B])}


def test_cell_forward_one_step_matches_hand_computation():
    # a_1 = 0.5·0.3 - 0.8·1.0 + 0.1 = -0.55,  h_1 = tanh(-0.55) ≈ -0.500520
    h1 = math.tanh(W_H * H0 + W_X * X1 + B)
    assert h1 == pytest.approx(-0.500520, abs=1e-6)
    h_t, cache = rnn_cell_forward(np.array([[X1]]), np.array([[H0]]), hand_params())
    assert isinstance(cache, RNNCellCache)
    np.testing.assert_allclose(h_t, [[h1]], rtol=1e-14)
    np.testing.assert_allclose(cache.hx, [[H0, X1]], rtol=0, atol=0)
    np.testing.assert_allclose(cache.h, [[h1]], rtol=1e-14)


def test_two_steps_match_hand_computation():
    # a_2 = 0.5·h_1 - 0.8·(-2.0) + 0.1 ≈ 1.449740,  h_2 = tanh(a_2) ≈ 0.895641
    h1 = math.tanh(W_H * H0 + W_X * X1 + B)
    h2 = math.tanh(W_H * h1 + W_X * X2 + B)
    assert h2 == pytest.approx(0.895641, abs=1e-6)
    params = hand_params()
    c_h1, _ = rnn_cell_forward(np.array([[X1]]), np.array([[H0]]), params)
    c_h2, cache2 = rnn_cell_forward(np.array([[X2]]), c_h1, params)
    np.testing.assert_allclose(c_h2, [[h2]], rtol=1e-14)
    np.testing.assert_allclose(cache2.hx, [[h1, X2]], rtol=1e-14)

    hs, cache = rnn_forward(np.array([[[X1], [X2]]]), np.array([[H0]]), params)
    assert isinstance(cache, RNNCache)
    np.testing.assert_allclose(hs, [[[h1], [h2]]], rtol=1e-14)
    np.testing.assert_allclose(cache.h[:, 0, 0], [H0, h1, h2], rtol=1e-14)
    np.testing.assert_allclose(cache.x[:, 0, 0], [X1, X2], rtol=0, atol=0)
    np.testing.assert_allclose(cache.w_h, [[W_H]], rtol=0, atol=0)
    np.testing.assert_allclose(cache.w_x, [[W_X]], rtol=0, atol=0)


def test_cell_backward_one_step_matches_hand_derived_chain_rule():
    # h = tanh(a), a = w_h·h_prev + w_x·x + b, so da = dh·(1 - h²) and
    # dW = [da·h_prev, da·x], db = da, dh_prev = da·w_h, dx = da·w_x.
    dh = 0.7
    h1 = math.tanh(W_H * H0 + W_X * X1 + B)
    da = dh * (1.0 - h1**2)
    _, cache = rnn_cell_forward(np.array([[X1]]), np.array([[H0]]), hand_params())
    dx_t, dh_prev, grads = rnn_cell_backward(np.array([[dh]]), cache)
    np.testing.assert_allclose(dx_t, [[da * W_X]], rtol=1e-14)
    np.testing.assert_allclose(dh_prev, [[da * W_H]], rtol=1e-14)
    np.testing.assert_allclose(grads["W"], [[da * H0, da * X1]], rtol=1e-14)
    np.testing.assert_allclose(grads["b"], [da], rtol=1e-14)


def test_layer_backward_two_steps_matches_hand_derived_chain_rule():
    # BPTT by hand: the gradient reaching h_1 is its own dh_1 plus what comes
    # back from step 2 through w_h.
    dh1, dh2 = 0.4, -0.9
    h1 = math.tanh(W_H * H0 + W_X * X1 + B)
    h2 = math.tanh(W_H * h1 + W_X * X2 + B)
    da2 = dh2 * (1.0 - h2**2)
    da1 = (dh1 + da2 * W_H) * (1.0 - h1**2)
    _, cache = rnn_forward(np.array([[[X1], [X2]]]), np.array([[H0]]), hand_params())
    dx, dh0, grads = rnn_backward(np.array([[[dh1], [dh2]]]), cache)
    np.testing.assert_allclose(dx, [[[da1 * W_X], [da2 * W_X]]], rtol=1e-14)
    np.testing.assert_allclose(dh0, [[da1 * W_H]], rtol=1e-14)
    expected_w = [[da1 * H0 + da2 * h1, da1 * X1 + da2 * X2]]
    np.testing.assert_allclose(grads["W"], expected_w, rtol=1e-14)
    np.testing.assert_allclose(grads["b"], [da1 + da2], rtol=1e-14)


def naive_rnn_forward(x, h0, params):
    n, steps, d = x.shape
    hidden = h0.shape[1]
    w, b = params["W"], params["b"]
    hs = np.zeros((n, steps, hidden))
    for s in range(n):
        h = [float(v) for v in h0[s]]
        for t in range(steps):
            hx = h + [float(v) for v in x[s, t]]
            h = [
                math.tanh(
                    sum(float(w[j, k]) * hx[k] for k in range(hidden + d)) + float(b[j])
                )
                for j in range(hidden)
            ]
            hs[s, t] = h
    return hs


def test_rnn_forward_on_linspace_inputs_matches_naive_loops():
    n, steps, d, hidden = 2, 4, 3, 2
    x = np.linspace(-1.0, 1.0, n * steps * d).reshape(n, steps, d)
    h0 = np.linspace(0.5, -0.5, n * hidden).reshape(n, hidden)
    params = {
        "W": np.linspace(-0.7, 0.9, hidden * (hidden + d)).reshape(hidden, -1),
        "b": np.linspace(-0.1, 0.2, hidden),
    }
    hs, _ = rnn_forward(x, h0, params)
    np.testing.assert_allclose(hs, naive_rnn_forward(x, h0, params), rtol=1e-13)
    h_t, _ = rnn_cell_forward(x[:, 0], h0, params)
    expected = naive_rnn_forward(x[:, :1], h0, params)[:, 0]
    np.testing.assert_allclose(h_t, expected, rtol=1e-13)


# --------------------------------------------------------------------------
# 2. Centred finite differences, float64
# --------------------------------------------------------------------------


def test_rnn_cell_backward_matches_finite_differences():
    x, h0, params, g = random_problem(0, 3, 1, 4, 5)
    x_t, g_h = x[:, 0], g[:, 0]

    def loss(d):
        h_t, _ = rnn_cell_forward(d["x_t"], d["h_prev"], {"W": d["W"], "b": d["b"]})
        return float(np.sum(h_t * g_h))

    _, cache = rnn_cell_forward(x_t, h0, params)
    dx_t, dh_prev, grads = rnn_cell_backward(g_h, cache)
    assert_gradcheck(
        loss,
        {"x_t": x_t, "h_prev": h0, **params},
        {"x_t": dx_t, "h_prev": dh_prev, **grads},
    )


@pytest.mark.parametrize(
    ("seed", "shape"),
    [(0, (3, 5, 4, 6)), (0, (2, 8, 1, 3)), (1, (1, 1, 2, 2))],
    ids=["N3-T5-D4-H6", "N2-T8-D1-H3", "N1-T1-D2-H2"],
)
def test_rnn_backward_matches_finite_differences(seed, shape):
    x, h0, params, g = random_problem(seed, *shape)

    def loss(d):
        hs, _ = rnn_forward(d["x"], d["h0"], {"W": d["W"], "b": d["b"]})
        return float(np.sum(hs * g))

    _, cache = rnn_forward(x, h0, params)
    dx, dh0, grads = rnn_backward(g, cache)
    assert_gradcheck(loss, {"x": x, "h0": h0, **params}, {"x": dx, "h0": dh0, **grads})


# --------------------------------------------------------------------------
# 3. Properties
# --------------------------------------------------------------------------

SHAPES = [(3, 5, 4, 6), (2, 8, 1, 3), (1, 4, 3, 2), (4, 1, 2, 5), (1, 1, 1, 1)]
SHAPE_IDS = ["N3-T5-D4-H6", "N2-T8-D1-H3", "N1", "T1", "all-ones"]


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_rnn_forward_equals_looping_the_cell(shape):
    x, h0, params, _ = random_problem(1, *shape)
    hs, _ = rnn_forward(x, h0, params)
    loop_hs, _ = loop_forward(x, h0, params)
    np.testing.assert_allclose(hs, loop_hs, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_rnn_backward_equals_looping_the_cell_backward(shape):
    x, h0, params, g = random_problem(1, *shape)
    _, cache = rnn_forward(x, h0, params)
    dx, dh0, grads = rnn_backward(g, cache)
    _, caches = loop_forward(x, h0, params)
    loop_dx, loop_dh0, loop_grads = loop_backward(g, caches)
    np.testing.assert_allclose(dx, loop_dx, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(dh0, loop_dh0, rtol=1e-10, atol=1e-13)
    assert list(grads) == ["W", "b"]
    for k in grads:
        np.testing.assert_allclose(grads[k], loop_grads[k], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_every_output_has_the_documented_shape(shape):
    n, steps, d, hidden = shape
    x, h0, params, g = random_problem(2, *shape)
    hs, cache = rnn_forward(x, h0, params)
    assert hs.shape == (n, steps, hidden)
    dx, dh0, grads = rnn_backward(g, cache)
    assert dx.shape == (n, steps, d)
    assert dh0.shape == (n, hidden)
    assert grads["W"].shape == (hidden, hidden + d)
    assert grads["b"].shape == (hidden,)
    h_t, cell_cache = rnn_cell_forward(x[:, 0], h0, params)
    assert h_t.shape == (n, hidden)
    dx_t, dh_prev, cell_grads = rnn_cell_backward(g[:, 0], cell_cache)
    assert dx_t.shape == (n, d)
    assert dh_prev.shape == (n, hidden)
    assert cell_grads["W"].shape == (hidden, hidden + d)
    assert cell_grads["b"].shape == (hidden,)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_through_forward_and_backward(dtype):
    x, h0, params, g = random_problem(3, 2, 3, 4, 5)
    x, h0, g = (a.astype(dtype) for a in (x, h0, g))
    params = {k: v.astype(dtype) for k, v in params.items()}
    hs, cache = rnn_forward(x, h0, params)
    dx, dh0, grads = rnn_backward(g, cache)
    h_t, cell_cache = rnn_cell_forward(x[:, 0], h0, params)
    dx_t, dh_prev, cell_grads = rnn_cell_backward(g[:, 0], cell_cache)
    outputs = {"hs": hs, "dx": dx, "dh0": dh0, "h_t": h_t, "dx_t": dx_t}
    outputs |= {"dh_prev": dh_prev, **grads}
    outputs |= {f"cell {k}": v for k, v in cell_grads.items()}
    for name, a in outputs.items():
        assert a.dtype == dtype, name


def test_float32_results_agree_with_float64():
    x, h0, params, g = random_problem(4, 2, 4, 3, 5)
    hs64, cache64 = rnn_forward(x, h0, params)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    hs32, cache32 = rnn_forward(x.astype(np.float32), h0.astype(np.float32), p32)
    np.testing.assert_allclose(hs32, hs64, rtol=1e-4, atol=1e-5)
    dx64, dh64, grads64 = rnn_backward(g, cache64)
    dx32, dh32, grads32 = rnn_backward(g.astype(np.float32), cache32)
    np.testing.assert_allclose(dx32, dx64, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(dh32, dh64, rtol=1e-3, atol=1e-4)
    for k in grads64:
        np.testing.assert_allclose(grads32[k], grads64[k], rtol=1e-3, atol=1e-4)


def test_forward_and_backward_do_not_mutate_their_inputs():
    x, h0, params, g = random_problem(5, 3, 4, 2, 3)
    saved = [x.copy(), h0.copy(), {k: v.copy() for k, v in params.items()}, g.copy()]
    _, cache = rnn_forward(x, h0, params)
    cache_saved = [a.copy() for a in cache]
    first = rnn_backward(g, cache)
    _, cell_cache = rnn_cell_forward(x[:, 0], h0, params)
    rnn_cell_backward(g[:, 0], cell_cache)
    np.testing.assert_array_equal(x, saved[0])
    np.testing.assert_array_equal(h0, saved[1])
    for k in params:
        np.testing.assert_array_equal(params[k], saved[2][k])
    np.testing.assert_array_equal(g, saved[3])
    for before, after in zip(cache_saved, cache, strict=True):
        np.testing.assert_array_equal(after, before)
    second = rnn_backward(g, cache)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_rnn_with_one_step_equals_one_cell_step():
    x, h0, params, g = random_problem(6, 3, 1, 2, 4)
    hs, cache = rnn_forward(x, h0, params)
    h_t, cell_cache = rnn_cell_forward(x[:, 0], h0, params)
    np.testing.assert_allclose(hs[:, 0], h_t, rtol=1e-13)
    dx, dh0, grads = rnn_backward(g, cache)
    dx_t, dh_prev, cell_grads = rnn_cell_backward(g[:, 0], cell_cache)
    np.testing.assert_allclose(dx[:, 0], dx_t, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dh0, dh_prev, rtol=1e-12, atol=1e-15)
    for k in grads:
        np.testing.assert_allclose(grads[k], cell_grads[k], rtol=1e-12, atol=1e-15)


def test_rnn_forward_accepts_non_contiguous_inputs():
    x, h0, params, g = random_problem(7, 3, 4, 2, 5)
    x_view = np.ascontiguousarray(x.transpose(1, 0, 2)).transpose(1, 0, 2)
    h0_view = np.asfortranarray(h0)
    params_view = {"W": np.ascontiguousarray(params["W"].T).T, "b": params["b"]}
    g_view = np.ascontiguousarray(g.transpose(2, 1, 0)).transpose(2, 1, 0)
    assert not x_view.flags.c_contiguous
    assert not params_view["W"].flags.c_contiguous
    hs, cache = rnn_forward(x_view, h0_view, params_view)
    expected_hs, expected_cache = rnn_forward(x, h0, params)
    np.testing.assert_allclose(hs, expected_hs, rtol=1e-13, atol=1e-15)
    got = rnn_backward(g_view, cache)
    expected = rnn_backward(g, expected_cache)
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-12, atol=1e-14)


def test_large_pre_activations_saturate_without_warnings():
    x, h0, params, g = random_problem(8, 2, 3, 2, 2)
    params["b"] = np.array([500.0, -500.0])
    hs, cache = rnn_forward(x, h0, params)
    np.testing.assert_array_equal(hs[:, :, 0], 1.0)
    np.testing.assert_array_equal(hs[:, :, 1], -1.0)
    dx, dh0, grads = rnn_backward(g, cache)
    # tanh is flat at ±1: no gradient gets through, and none is NaN.
    np.testing.assert_array_equal(dx, 0.0)
    np.testing.assert_array_equal(dh0, 0.0)


# --------------------------------------------------------------------------
# 4. Bad input
# --------------------------------------------------------------------------

N, T, D, H = 3, 5, 4, 6


def valid_args():
    x, h0, params, g = random_problem(9, N, T, D, H)
    return {"x": x, "h0": h0, "params": params}, g


@pytest.mark.parametrize(
    ("arg", "shape", "message"),
    [
        ("x", (N, T), "x must have shape (N, T, D) (3 dimensions)"),
        ("x", (N, T, D, 1), "x must have shape (N, T, D)"),
        ("h0", (N + 1, H), "h0 must have shape (N, H)"),
        ("h0", (H,), "h0 must have shape (N, H)"),
    ],
)
def test_rnn_forward_rejects_wrong_shapes_naming_the_argument(arg, shape, message):
    args, _ = valid_args()
    args[arg] = np.zeros(shape)
    with pytest.raises(ValueError, match=re.escape(message)):
        rnn_forward(**args)


@pytest.mark.parametrize(
    ("key", "shape", "message"),
    [
        ("W", (H, H + D + 1), "params['W'] must have shape (H, H + D)"),
        ("W", (H + D, H), "params['W'] must have shape (H, H + D)"),
        ("b", (H + 1,), f"params['b'] must have shape (H,) = ({H},)"),
    ],
)
def test_wrong_parameter_shapes_raise_value_error(key, shape, message):
    args, _ = valid_args()
    args["params"] = {**args["params"], key: np.zeros(shape)}
    with pytest.raises(ValueError, match=re.escape(message)):
        rnn_forward(**args)
    with pytest.raises(ValueError, match=re.escape(message)):
        rnn_cell_forward(args["x"][:, 0], args["h0"], args["params"])


@pytest.mark.parametrize("key", ["W", "b"])
def test_missing_parameter_raises_key_error_naming_it(key):
    args, _ = valid_args()
    params = {k: v for k, v in args["params"].items() if k != key}
    with pytest.raises(KeyError, match=rf"params is missing key\(s\) {key}\b"):
        rnn_forward(args["x"], args["h0"], params)
    with pytest.raises(KeyError, match=rf"params is missing key\(s\) {key}\b"):
        rnn_cell_forward(args["x"][:, 0], args["h0"], params)


@pytest.mark.parametrize(
    ("arg", "shape", "message"),
    [
        ("x_t", (N, 1, D), "x_t must have shape (N, D) (2 dimensions)"),
        ("h_prev", (N - 1, H), "h_prev must have shape (N, H)"),
    ],
)
def test_rnn_cell_forward_rejects_wrong_shapes(arg, shape, message):
    args, _ = valid_args()
    cell_args = {"x_t": args["x"][:, 0], "h_prev": args["h0"], "params": args["params"]}
    cell_args[arg] = np.zeros(shape)
    with pytest.raises(ValueError, match=re.escape(message)):
        rnn_cell_forward(**cell_args)


@pytest.mark.parametrize("arg", ["x", "h0", "W", "b"])
def test_integer_arrays_raise_type_error_naming_the_argument(arg):
    args, _ = valid_args()
    if arg in ("W", "b"):
        args["params"] = {**args["params"], arg: args["params"][arg].astype(int)}
        name = f"params['{arg}']"
    else:
        args[arg] = args[arg].astype(np.int32)
        name = arg
    with pytest.raises(TypeError, match=re.escape(f"{name} must be a floating-point")):
        rnn_forward(**args)


@pytest.mark.parametrize("arg", ["x", "h0", "W", "b"])
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_nan_and_inf_raise_value_error_naming_the_argument(arg, value):
    args, _ = valid_args()
    if arg in ("W", "b"):
        bad = args["params"][arg].copy()
        args["params"] = {**args["params"], arg: bad}
        name = f"params['{arg}']"
    else:
        bad = args[arg].copy()
        args[arg] = bad
        name = arg
    bad.flat[0] = value
    with pytest.raises(ValueError, match=re.escape(f"{name} contains NaN or infinity")):
        rnn_forward(**args)


@pytest.mark.parametrize("shape", [(N, H + 1), (N + 1, H), (N, T, H)])
def test_rnn_cell_backward_rejects_wrong_dh_t_shape(shape):
    args, _ = valid_args()
    _, cache = rnn_cell_forward(args["x"][:, 0], args["h0"], args["params"])
    with pytest.raises(
        ValueError, match=re.escape(f"dh_t must have shape (N, H) = ({N}, {H})")
    ):
        rnn_cell_backward(np.zeros(shape), cache)


def test_rnn_cell_backward_rejects_integer_and_nan_dh_t():
    args, _ = valid_args()
    _, cache = rnn_cell_forward(args["x"][:, 0], args["h0"], args["params"])
    with pytest.raises(TypeError, match="dh_t must be a floating-point"):
        rnn_cell_backward(np.zeros((N, H), dtype=np.int64), cache)
    with pytest.raises(ValueError, match="dh_t contains NaN"):
        rnn_cell_backward(np.full((N, H), np.nan), cache)


@pytest.mark.parametrize("shape", [(N, T + 1, H), (N, T, H - 1), (N - 1, T, H), (T, H)])
def test_rnn_backward_rejects_wrong_dhs_shape(shape):
    args, _ = valid_args()
    _, cache = rnn_forward(**args)
    message = f"dhs must have shape (N, T, H) = ({N}, {T}, {H})"
    with pytest.raises(ValueError, match=re.escape(message)):
        rnn_backward(np.zeros(shape), cache)


def test_rnn_backward_rejects_integer_and_non_finite_dhs():
    args, _ = valid_args()
    _, cache = rnn_forward(**args)
    with pytest.raises(TypeError, match="dhs must be a floating-point"):
        rnn_backward(np.zeros((N, T, H), dtype=np.int32), cache)
    bad = np.zeros((N, T, H))
    bad[-1, -1, -1] = -np.inf
    with pytest.raises(ValueError, match="dhs contains NaN or infinity"):
        rnn_backward(bad, cache)


def test_backward_given_the_wrong_cache_type_raises_type_error():
    args, g = valid_args()
    _, layer_cache = rnn_forward(**args)
    _, cell_cache = rnn_cell_forward(args["x"][:, 0], args["h0"], args["params"])
    with pytest.raises(TypeError, match="cache must be the RNNCache returned by"):
        rnn_backward(g, cell_cache)
    with pytest.raises(TypeError, match="cache must be the RNNCache"):
        rnn_backward(g, tuple(layer_cache))
    with pytest.raises(TypeError, match="cache must be the RNNCellCache"):
        rnn_cell_backward(g[:, 0], layer_cache)


@pytest.mark.parametrize("wide", ["x", "h0", "W", "b"])
def test_one_float64_argument_makes_the_whole_rnn_float64(wide):
    # The result dtype is NumPy's promotion over every argument, not over some.
    x, h0, params, g = random_problem(21, 2, 3, 2, 3)[:4]
    arrays = {"x": x, "h0": h0, **params}
    arrays = {k: v if k == wide else v.astype(np.float32) for k, v in arrays.items()}
    hs, cache = rnn_forward(
        arrays["x"], arrays["h0"], {"W": arrays["W"], "b": arrays["b"]}
    )
    assert hs.dtype == np.float64
    dx, dh0, grads = rnn_backward(g, cache)
    assert dx.dtype == dh0.dtype == grads["W"].dtype == np.float64
