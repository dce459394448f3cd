"""Tests for lstm_ref.layers: the dense output layer and its initialiser."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_ref.gradcheck import check_gradients, rel_error
from lstm_ref.layers import (
    DenseCache,
    dense_backward,
    dense_forward,
    init_dense_params,
)

TOLERANCE = 1e-7  # float64 centred differences with h = 1e-5


def _params(hidden: int = 4, outputs: int = 3, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "W": rng.standard_normal((outputs, hidden)),
        "b": rng.standard_normal(outputs),
    }


# --------------------------------------------------------------- known values


def test_dense_forward_matches_hand_computed_values():
    x = np.array([[1.0, 2.0], [0.0, -1.0]])  # (N=2, H=2)
    params = {
        "W": np.array([[1.0, 0.0], [2.0, 3.0], [-1.0, 1.0]]),
        "b": np.array([0.5, 0.0, -1.0]),
    }
    # row 0: [1 + 0.5, 2 + 6, -1 + 2 - 1] ; row 1: [0 + 0.5, -3, -1 - 1]
    expected = np.array([[1.5, 8.0, 0.0], [0.5, -3.0, -2.0]])
    out, cache = dense_forward(x, params)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-15)
    assert isinstance(cache, DenseCache)


def test_dense_forward_on_sequences_applies_same_weights_at_every_step():
    x = np.linspace(-1.0, 1.0, 2 * 3 * 4).reshape(2, 3, 4)
    params = _params()
    out, _ = dense_forward(x, params)
    assert out.shape == (2, 3, 3)
    for t in range(3):
        # independent: per-step affine map written with einsum
        step = np.einsum("kh,nh->nk", params["W"], x[:, t]) + params["b"]
        np.testing.assert_allclose(out[:, t], step, rtol=1e-13)


def test_dense_backward_matches_hand_computed_values():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    params = {"W": np.array([[1.0, -1.0]]), "b": np.array([0.0])}
    dout = np.array([[1.0], [2.0]])
    # dx = dout W = [[1, -1], [2, -2]]
    # dW = dout^T x = 1*[1, 2] + 2*[3, 4] = [7, 10] ; db = 1 + 2 = 3
    _, cache = dense_forward(x, params)
    dx, grads = dense_backward(dout, cache)
    np.testing.assert_allclose(dx, [[1.0, -1.0], [2.0, -2.0]], rtol=0, atol=0)
    np.testing.assert_allclose(grads["W"], [[7.0, 10.0]], rtol=0, atol=0)
    np.testing.assert_allclose(grads["b"], [3.0], rtol=0, atol=0)


# --------------------------------------------------------- finite differences


@pytest.mark.parametrize("x_shape", [(5, 4), (2, 3, 4)])
def test_dense_gradients_match_finite_differences(x_shape):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(x_shape)
    params = _params(hidden=4, outputs=3, seed=2)
    out, cache = dense_forward(x, params)
    # L = Σ out ⊙ R with a fixed random R, so dL/dout = R
    weights = rng.standard_normal(out.shape)
    dx, grads = dense_backward(weights, cache)

    def loss(inputs):
        out, _ = dense_forward(inputs["x"], {"W": inputs["W"], "b": inputs["b"]})
        return float(np.sum(out * weights))

    report = check_gradients(
        loss,
        {"x": x, **params},
        {"x": dx, **grads},
        tolerance=TOLERANCE,
    )
    assert report.passed, str(report)
    assert max(report.errors.values()) < TOLERANCE


# ------------------------------------------------------------------ properties


def test_dense_shapes_and_dtypes():
    params = _params()
    out, cache = dense_forward(np.zeros((2, 5, 4)), params)
    dx, grads = dense_backward(np.ones((2, 5, 3)), cache)
    assert out.shape == (2, 5, 3)
    assert dx.shape == (2, 5, 4)
    assert grads["W"].shape == (3, 4)
    assert grads["b"].shape == (3,)
    assert set(grads) == {"W", "b"}


def test_dense_float32_stays_float32():
    params = {k: v.astype(np.float32) for k, v in _params().items()}
    x = np.ones((2, 4), dtype=np.float32)
    out, cache = dense_forward(x, params)
    dx, grads = dense_backward(np.ones((2, 3), dtype=np.float32), cache)
    assert out.dtype == np.float32
    assert dx.dtype == np.float32
    assert grads["W"].dtype == np.float32


def test_dense_does_not_mutate_inputs():
    x = np.random.default_rng(3).standard_normal((2, 3, 4))
    params = _params()
    dout = np.ones((2, 3, 3))
    copies = (x.copy(), {k: v.copy() for k, v in params.items()}, dout.copy())
    _, cache = dense_forward(x, params)
    dense_backward(dout, cache)
    np.testing.assert_array_equal(x, copies[0])
    for key in params:
        np.testing.assert_array_equal(params[key], copies[1][key])
    np.testing.assert_array_equal(dout, copies[2])


def test_init_dense_params_shapes_and_glorot_range():
    params = init_dense_params(20, 5, rng=0)
    assert params["W"].shape == (5, 20)
    assert params["b"].shape == (5,)
    np.testing.assert_array_equal(params["b"], np.zeros(5))
    limit = math.sqrt(6.0 / (20 + 5))
    assert np.all(np.abs(params["W"]) <= limit)
    # 100 uniform draws should reach well past half the limit
    assert np.abs(params["W"]).max() > 0.5 * limit


def test_init_dense_params_is_reproducible_with_seed():
    a = init_dense_params(4, 3, rng=42)
    b = init_dense_params(4, 3, rng=np.random.default_rng(42))
    np.testing.assert_array_equal(a["W"], b["W"])
    c = init_dense_params(4, 3, rng=43)
    assert rel_error(a["W"], c["W"]) > 1e-3


# ------------------------------------------------------------------ bad input


def test_dense_forward_rejects_wrong_hidden_size():
    with pytest.raises(ValueError, match=r"params\['W'\] must have shape \(K, H\)"):
        dense_forward(np.zeros((2, 5)), _params(hidden=4))


def test_dense_forward_rejects_wrong_bias_shape():
    params = _params()
    params["b"] = np.zeros(2)
    with pytest.raises(ValueError, match=r"params\['b'\] must have shape \(K,\)"):
        dense_forward(np.zeros((2, 4)), params)


def test_dense_forward_rejects_x_of_wrong_rank():
    with pytest.raises(ValueError, match=r"x must have shape \(N, H\) or \(N, T, H\)"):
        dense_forward(np.zeros(4), _params())


def test_dense_forward_rejects_integer_x():
    with pytest.raises(TypeError, match="x must be a floating-point array"):
        dense_forward(np.zeros((2, 4), dtype=int), _params())


def test_dense_forward_rejects_nan():
    x = np.zeros((2, 4))
    x[0, 0] = np.nan
    with pytest.raises(ValueError, match="x contains NaN or infinity"):
        dense_forward(x, _params())


def test_dense_forward_rejects_missing_key():
    with pytest.raises(KeyError, match="params is missing key"):
        dense_forward(np.zeros((2, 4)), {"W": np.zeros((3, 4))})


def test_dense_backward_rejects_dout_of_wrong_shape():
    _, cache = dense_forward(np.zeros((2, 3, 4)), _params())
    with pytest.raises(ValueError, match=r"dout must have shape \(2, 3, 3\)"):
        dense_backward(np.zeros((2, 3)), cache)


def test_dense_backward_rejects_foreign_cache():
    with pytest.raises(TypeError, match="cache must be the DenseCache"):
        dense_backward(np.zeros((2, 3)), (np.zeros((2, 4)), np.zeros((3, 4))))


@pytest.mark.parametrize(
    ("name", "args"), [("input_size", (0, 3)), ("output_size", (3, -1))]
)
def test_init_dense_params_rejects_non_positive_sizes(name, args):
    with pytest.raises(ValueError, match=f"{name} must be a positive int"):
        init_dense_params(*args)
