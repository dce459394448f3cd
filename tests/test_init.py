"""Tests of the initialisers: Glorot uniform, orthogonal, and the cells' defaults."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_ref.init import (
    glorot_uniform,
    init_lstm_params,
    init_rnn_params,
    orthogonal,
)

LSTM_KEYS = ("W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o")


# --------------------------------------------------------------------------
# Glorot uniform
# --------------------------------------------------------------------------


def test_glorot_uniform_shape_dtype_and_limit():
    # fan_out = 3, fan_in = 5: a = sqrt(6 / 8) = sqrt(0.75) ≈ 0.866025.
    w = glorot_uniform((3, 5), rng=0)
    assert w.shape == (3, 5)
    assert w.dtype == np.float64
    assert np.all(np.abs(w) <= math.sqrt(0.75))


def test_glorot_uniform_variance_is_limit_squared_over_three():
    # U(-a, a) has mean 0 and variance a²/3 = 2 / (fan_in + fan_out).
    fan_out, fan_in = 300, 500
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    w = glorot_uniform((fan_out, fan_in), rng=1)
    assert np.all(np.abs(w) <= limit)
    # 150 000 samples: the sample variance is within ~0.5 % of a²/3
    # (its relative standard deviation is sqrt(0.8 / 150000) ≈ 0.23 %).
    assert w.var() == pytest.approx(limit**2 / 3.0, rel=0.01)
    assert abs(w.mean()) < 0.01 * limit
    # The samples fill the whole interval, not a narrower one.
    assert w.max() > 0.999 * limit
    assert w.min() < -0.999 * limit


def test_glorot_uniform_is_deterministic_given_a_seed():
    np.testing.assert_array_equal(
        glorot_uniform((4, 6), rng=7), glorot_uniform((4, 6), rng=7)
    )
    assert not np.array_equal(
        glorot_uniform((4, 6), rng=7), glorot_uniform((4, 6), rng=8)
    )


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (-1, 2)])
def test_glorot_uniform_rejects_non_positive_sizes(shape):
    with pytest.raises(ValueError, match="must be a positive int"):
        glorot_uniform(shape)


# --------------------------------------------------------------------------
# Orthogonal
# --------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 7, 32])
def test_orthogonal_square_matrix_has_orthonormal_columns_and_rows(size):
    q = orthogonal((size, size), rng=size)
    assert q.shape == (size, size)
    assert q.dtype == np.float64
    np.testing.assert_allclose(q.T @ q, np.eye(size), atol=1e-12)
    np.testing.assert_allclose(q @ q.T, np.eye(size), atol=1e-12)


def test_orthogonal_wide_matrix_has_orthonormal_rows():
    q = orthogonal((3, 8), rng=0)
    assert q.shape == (3, 8)
    np.testing.assert_allclose(q @ q.T, np.eye(3), atol=1e-12)


def test_orthogonal_tall_matrix_has_orthonormal_columns():
    q = orthogonal((8, 3), rng=0)
    assert q.shape == (8, 3)
    np.testing.assert_allclose(q.T @ q, np.eye(3), atol=1e-12)


def test_orthogonal_gain_sets_every_singular_value():
    q = orthogonal((6, 6), gain=2.5, rng=3)
    np.testing.assert_allclose(np.linalg.svd(q, compute_uv=False), 2.5, rtol=1e-12)


def test_orthogonal_is_deterministic_given_a_seed_and_differs_across_seeds():
    np.testing.assert_array_equal(orthogonal((5, 5), rng=4), orthogonal((5, 5), rng=4))
    assert not np.allclose(orthogonal((5, 5), rng=4), orthogonal((5, 5), rng=5))


# --------------------------------------------------------------------------
# LSTM parameters
# --------------------------------------------------------------------------


def test_init_lstm_params_keys_shapes_and_dtype():
    d, hidden = 4, 6
    params = init_lstm_params(d, hidden, rng=0)
    assert set(params) == set(LSTM_KEYS)
    for gate in "fico":
        assert params[f"W_{gate}"].shape == (hidden, hidden + d)
        assert params[f"b_{gate}"].shape == (hidden,)
    for key, value in params.items():
        assert value.dtype == np.float64, key


def test_init_lstm_params_recurrent_blocks_are_orthogonal():
    d, hidden = 3, 5
    params = init_lstm_params(d, hidden, rng=1)
    for gate in "fico":
        w_h = params[f"W_{gate}"][:, :hidden]  # acts on h_{t-1}, (H, H)
        np.testing.assert_allclose(w_h.T @ w_h, np.eye(hidden), atol=1e-12)


def test_init_lstm_params_input_blocks_respect_the_glorot_limit():
    d, hidden = 40, 30
    limit = math.sqrt(6.0 / (d + hidden))
    params = init_lstm_params(d, hidden, rng=2)
    for gate in "fico":
        w_x = params[f"W_{gate}"][:, hidden:]  # acts on x_t, (H, D)
        assert np.all(np.abs(w_x) <= limit), gate
        assert w_x.var() == pytest.approx(limit**2 / 3.0, rel=0.15), gate


def test_init_lstm_params_gates_get_different_weights():
    params = init_lstm_params(3, 4, rng=3)
    weights = [params[f"W_{gate}"] for gate in "fico"]
    for a in range(4):
        for b in range(a + 1, 4):
            assert not np.allclose(weights[a], weights[b])


def test_init_lstm_params_forget_bias_default_and_custom():
    params = init_lstm_params(2, 3, rng=4)
    np.testing.assert_array_equal(params["b_f"], [1.0, 1.0, 1.0])
    for key in ("b_i", "b_c", "b_o"):
        np.testing.assert_array_equal(params[key], 0.0)
    np.testing.assert_array_equal(
        init_lstm_params(2, 3, rng=4, forget_bias=0.0)["b_f"], 0.0
    )
    np.testing.assert_array_equal(
        init_lstm_params(2, 3, rng=4, forget_bias=-2.5)["b_f"], -2.5
    )


def test_init_lstm_params_is_deterministic_given_a_seed():
    a = init_lstm_params(3, 4, rng=5)
    b = init_lstm_params(3, 4, rng=5)
    for key in LSTM_KEYS:
        np.testing.assert_array_equal(a[key], b[key])
    c = init_lstm_params(3, 4, rng=6)
    assert not np.allclose(a["W_f"], c["W_f"])


def test_init_lstm_params_accepts_a_generator_and_none():
    gen = np.random.default_rng(7)
    first = init_lstm_params(2, 2, rng=gen)
    second = init_lstm_params(2, 2, rng=gen)  # the generator has moved on
    assert not np.allclose(first["W_o"], second["W_o"])
    assert init_lstm_params(2, 2)["W_c"].shape == (2, 4)


def test_init_lstm_params_one_unit_one_feature():
    params = init_lstm_params(1, 1, rng=8)
    for gate in "fico":
        # A 1×1 orthogonal matrix is ±1.
        assert abs(params[f"W_{gate}"][0, 0]) == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("init", [init_lstm_params, init_rnn_params])
@pytest.mark.parametrize(
    ("input_size", "hidden_size", "error", "name"),
    [
        (0, 3, ValueError, "input_size"),
        (3, 0, ValueError, "hidden_size"),
        (-2, 3, ValueError, "input_size"),
        (2.0, 3, TypeError, "input_size"),
        (3, 2.5, TypeError, "hidden_size"),
        (True, 3, TypeError, "input_size"),
        ("3", 3, TypeError, "input_size"),
    ],
)
def test_bad_sizes_raise_errors_naming_the_argument(
    init, input_size, hidden_size, error, name
):
    with pytest.raises(error, match=f"{name} must be a positive int"):
        init(input_size, hidden_size)


def test_numpy_integer_sizes_are_accepted():
    params = init_lstm_params(np.int64(2), np.int32(3), rng=0)
    assert params["W_f"].shape == (3, 5)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_forget_bias_raises_value_error(value):
    with pytest.raises(ValueError, match="forget_bias must be finite"):
        init_lstm_params(2, 3, forget_bias=value)


# --------------------------------------------------------------------------
# RNN parameters
# --------------------------------------------------------------------------


def test_init_rnn_params_shapes_orthogonal_recurrent_block_and_zero_bias():
    d, hidden = 4, 6
    params = init_rnn_params(d, hidden, rng=0)
    assert set(params) == {"W", "b"}
    assert params["W"].shape == (hidden, hidden + d)
    assert params["b"].shape == (hidden,)
    assert params["W"].dtype == np.float64
    w_h = params["W"][:, :hidden]
    np.testing.assert_allclose(w_h.T @ w_h, np.eye(hidden), atol=1e-12)
    assert np.all(np.abs(params["W"][:, hidden:]) <= math.sqrt(6.0 / (d + hidden)))
    np.testing.assert_array_equal(params["b"], 0.0)


def test_init_rnn_params_is_deterministic_given_a_seed():
    np.testing.assert_array_equal(
        init_rnn_params(3, 4, rng=9)["W"], init_rnn_params(3, 4, rng=9)["W"]
    )
    assert not np.allclose(
        init_rnn_params(3, 4, rng=9)["W"], init_rnn_params(3, 4, rng=10)["W"]
    )
