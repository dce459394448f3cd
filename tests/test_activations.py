"""Tests of the activation functions: values, ranges, stability, derivatives."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from lstm_ref.activations import sigmoid, sigmoid_grad, tanh, tanh_grad
from lstm_ref.gradcheck import numerical_gradient, rel_error

# Derivatives are checked by centred differences in float64 with this step and
# this threshold on rel_error.
STEP = 1e-5
TOLERANCE = 1e-7


def test_sigmoid_matches_its_definition_where_that_is_safe():
    z = np.linspace(-30.0, 30.0, 121)
    expected = np.array([1.0 / (1.0 + math.exp(-v)) for v in z])
    np.testing.assert_allclose(sigmoid(z), expected, rtol=1e-14, atol=0)


def test_sigmoid_hand_values():
    # σ(0) = 1/2; σ(ln 3) = 1/(1 + 1/3) = 3/4; σ(-ln 3) = 1/(1 + 3) = 1/4.
    z = np.array([0.0, math.log(3.0), -math.log(3.0)])
    np.testing.assert_allclose(sigmoid(z), [0.5, 0.75, 0.25], rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_in_unit_interval_and_monotone(dtype):
    z = np.linspace(-200.0, 200.0, 4001).astype(dtype)
    s = sigmoid(z)
    assert np.all(s >= 0.0)
    assert np.all(s <= 1.0)
    assert np.all(np.diff(s) >= 0.0)
    # Strictly increasing where neither tail has rounded to 0 or 1.
    middle = np.abs(z) <= 10
    assert np.all(np.diff(s[middle]) > 0.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_of_huge_inputs_saturates_without_overflow_warning(dtype):
    z = np.array([-1000.0, -100.0, 100.0, 1000.0], dtype=dtype)
    with (
        warnings.catch_warnings(),
        np.errstate(over="raise", invalid="raise", divide="raise"),
    ):
        warnings.simplefilter("error")
        s = sigmoid(z)
    assert np.all(np.isfinite(s))
    assert s[0] == 0.0
    assert s[-1] == 1.0
    assert 0.0 <= s[1] < 1e-40
    assert s[2] == 1.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_keeps_dtype_and_shape(dtype):
    z = np.linspace(-3.0, 3.0, 24).reshape(2, 3, 4).astype(dtype)
    s = sigmoid(z)
    assert s.dtype == dtype
    assert s.shape == (2, 3, 4)


def test_sigmoid_is_symmetric_about_one_half():
    z = np.linspace(-40.0, 40.0, 161)
    np.testing.assert_allclose(sigmoid(-z), 1.0 - sigmoid(z), rtol=0, atol=2e-16)


def test_sigmoid_keeps_relative_precision_in_the_lower_tail():
    # σ(-z) ≈ e^{-z} for large z: the naive 1 - σ(z) would round to 0 here.
    z = np.array([40.0, 100.0, 700.0])
    np.testing.assert_allclose(sigmoid(-z), np.exp(-z), rtol=1e-14)


def test_sigmoid_accepts_zero_dimensional_input():
    # The docstring promises "any shape": a 0-d array is a shape too.
    s = sigmoid(np.array(-2.0))
    assert np.shape(s) == ()
    assert float(s) == pytest.approx(1.0 / (1.0 + math.exp(2.0)), rel=1e-15)
    assert float(sigmoid(np.float32(2.0))) == pytest.approx(
        1.0 / (1.0 + math.exp(-2.0)), rel=1e-6
    )


def test_sigmoid_does_not_mutate_its_input():
    z = np.linspace(-5.0, 5.0, 11)
    saved = z.copy()
    sigmoid(z)
    np.testing.assert_array_equal(z, saved)


def test_sigmoid_rejects_integer_input_naming_z():
    with pytest.raises(TypeError, match="z must be a floating-point array"):
        sigmoid(np.arange(3))


def test_tanh_matches_math_tanh():
    z = np.linspace(-5.0, 5.0, 41)
    expected = np.array([math.tanh(v) for v in z])
    np.testing.assert_allclose(tanh(z), expected, rtol=1e-14, atol=1e-16)
    assert np.all(np.abs(tanh(np.array([-1000.0, 1000.0]))) == 1.0)


def test_sigmoid_grad_matches_finite_differences():
    z = np.linspace(-4.0, 4.0, 17)
    # Σ σ(z_k) has partial derivatives σ'(z_k), one per entry.
    numeric = numerical_gradient(lambda v: float(np.sum(sigmoid(v))), z, h=STEP)
    assert rel_error(sigmoid_grad(sigmoid(z)), numeric) < TOLERANCE


def test_tanh_grad_matches_finite_differences():
    z = np.linspace(-3.0, 3.0, 13)
    numeric = numerical_gradient(lambda v: float(np.sum(np.tanh(v))), z, h=STEP)
    assert rel_error(tanh_grad(tanh(z)), numeric) < TOLERANCE


def test_derivative_hand_values():
    # σ'(0) = ½·½ = ¼, its maximum; tanh'(0) = 1; σ'(ln 3) = ¾·¼ = 3/16.
    assert sigmoid_grad(sigmoid(np.array([0.0])))[0] == 0.25
    assert tanh_grad(tanh(np.array([0.0])))[0] == 1.0
    np.testing.assert_allclose(
        sigmoid_grad(sigmoid(np.array([math.log(3.0)]))), [3.0 / 16.0], rtol=1e-15
    )
    z = np.linspace(-10.0, 10.0, 201)
    assert np.all(sigmoid_grad(sigmoid(z)) <= 0.25)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_derivatives_keep_dtype(dtype):
    s = np.linspace(0.1, 0.9, 5).astype(dtype)
    assert sigmoid_grad(s).dtype == dtype
    assert tanh_grad(s).dtype == dtype
    assert tanh(s).dtype == dtype
