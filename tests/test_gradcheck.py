"""Tests of the gradient checker: rel_error, numerical_gradient, check_gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_ref.gradcheck import (
    DEFAULT_STEP,
    DEFAULT_TOLERANCE,
    GradCheckReport,
    check_gradients,
    numerical_gradient,
    rel_error,
)
from lstm_ref.lstm import lstm_cell_backward, lstm_cell_forward

# The course's convention, which the defaults must carry.
STEP = 1e-5
TOLERANCE = 1e-7


def test_defaults_are_the_course_convention():
    assert DEFAULT_STEP == STEP
    assert DEFAULT_TOLERANCE == TOLERANCE


# --------------------------------------------------------------------------
# rel_error = ‖a - b‖ / (‖a‖ + ‖b‖)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # identical arrays
        ([1.0, -2.0], [1.0, -2.0], 0.0),
        # ‖(3, 4)‖ = 5 against zero: 5 / (5 + 0) = 1
        ([3.0, 4.0], [0.0, 0.0], 1.0),
        # opposite signs: ‖2a‖ / (2‖a‖) = 1
        ([1.0, 2.0], [-1.0, -2.0], 1.0),
        # orthogonal unit vectors: √2 / 2
        ([1.0, 0.0], [0.0, 1.0], math.sqrt(2.0) / 2.0),
        # scalars 1 and 1.1: 0.1 / 2.1
        ([1.0], [1.1], 0.1 / 2.1),
        # (3, 4) vs (3, 4.5): 0.5 / (5 + √29.25)
        ([3.0, 4.0], [3.0, 4.5], 0.5 / (5.0 + math.sqrt(29.25))),
        # both zero: defined as 0
        ([0.0, 0.0], [0.0, 0.0], 0.0),
    ],
)
def test_rel_error_on_hand_computed_pairs(a, b, expected):
    assert rel_error(np.array(a), np.array(b)) == pytest.approx(expected, rel=1e-12)


def test_rel_error_is_symmetric_and_scale_free():
    a = np.linspace(-1.0, 2.0, 12).reshape(3, 4)
    b = a + np.linspace(0.0, 1e-3, 12).reshape(3, 4)
    assert rel_error(a, b) == pytest.approx(rel_error(b, a), rel=1e-14)
    assert rel_error(1e6 * a, 1e6 * b) == pytest.approx(rel_error(a, b), rel=1e-12)
    assert rel_error(1e-6 * a, 1e-6 * b) == pytest.approx(rel_error(a, b), rel=1e-12)


def test_rel_error_of_unrelated_arrays_is_about_0_71_not_1():
    # What the docstring (and chapter 10) say: independent entries of the same
    # scale are nearly orthogonal, so ‖a - b‖ ≈ √2‖a‖ and the ratio ≈ 1/√2.
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 10_000))
    assert rel_error(a, b) == pytest.approx(1.0 / math.sqrt(2.0), abs=0.01)
    # One array 100 times larger: (101 - 1)/101 ≲ ratio < 1.
    assert 0.98 < rel_error(a, 100.0 * b) < 1.0


def test_rel_error_returns_a_python_float_and_accepts_float32():
    err = rel_error(np.ones(3, dtype=np.float32), np.ones(3))
    assert type(err) is float
    assert err == 0.0


def test_rel_error_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"same shape, got \(3,\) and \(1, 3\)"):
        rel_error(np.zeros(3), np.zeros((1, 3)))


def test_rel_error_of_empty_arrays_is_zero():
    assert rel_error(np.zeros(0), np.zeros(0)) == 0.0


# --------------------------------------------------------------------------
# numerical_gradient
# --------------------------------------------------------------------------


def cube_sum(v: np.ndarray) -> float:
    return float(np.sum(v**3))


def test_numerical_gradient_of_cube_sum_matches_three_x_squared():
    x = np.linspace(-2.0, 2.0, 12).reshape(3, 4)
    numeric = numerical_gradient(cube_sum, x)
    assert numeric.shape == (3, 4)
    assert numeric.dtype == np.float64
    assert rel_error(numeric, 3.0 * x**2) < TOLERANCE


@pytest.mark.parametrize("h", [1e-2, 1e-3])
def test_numerical_gradient_error_is_exactly_h_squared_for_a_cubic(h):
    # ((x + h)³ - (x - h)³) / 2h = 3x² + h²: the truncation error is O(h²),
    # here exactly h², the same for every entry.
    x = np.linspace(-2.0, 2.0, 9)
    error = numerical_gradient(cube_sum, x, h=h) - 3.0 * x**2
    np.testing.assert_allclose(error, h**2, rtol=1e-4)


def test_numerical_gradient_does_not_mutate_x_nor_pass_it_to_f():
    x = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
    saved = x.copy()
    seen = []

    def f(v):
        seen.append(v is x)
        return cube_sum(v)

    numerical_gradient(f, x)
    np.testing.assert_array_equal(x, saved)
    assert seen
    assert not any(seen)


@pytest.mark.parametrize(
    "make_view",
    [np.asfortranarray, lambda a: np.ascontiguousarray(a.T).T, lambda a: a[:, ::-1]],
    ids=["fortran-order", "transposed", "reversed"],
)
def test_numerical_gradient_of_non_contiguous_x(make_view):
    x = make_view(np.linspace(-2.0, 2.0, 12).reshape(3, 4))
    numeric = numerical_gradient(cube_sum, x)
    assert numeric.shape == x.shape
    assert rel_error(numeric, 3.0 * x**2) < TOLERANCE


def test_numerical_gradient_each_entry_is_its_own_partial_derivative():
    # f(x) = Σ_k c_k x_k has gradient c exactly (up to rounding).
    c = np.linspace(-3.0, 3.0, 24).reshape(2, 3, 4)
    x = np.linspace(0.5, 1.5, 24).reshape(2, 3, 4)
    numeric = numerical_gradient(lambda v: float(np.sum(c * v)), x)
    np.testing.assert_allclose(numeric, c, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize(
    "x", [np.zeros(3, dtype=np.float32), [1.0, 2.0], np.arange(3)], ids=str
)
def test_numerical_gradient_rejects_anything_but_float64_arrays(x):
    with pytest.raises(TypeError, match="x must be a float64 ndarray"):
        numerical_gradient(cube_sum, x)


# --------------------------------------------------------------------------
# check_gradients
# --------------------------------------------------------------------------


def two_array_problem():
    a = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
    b = np.linspace(0.5, 2.0, 6).reshape(2, 3)

    def loss(d):
        # L = Σ a ⊙ b + Σ a²: dL/da = b + 2a, dL/db = a.
        return float(np.sum(d["a"] * d["b"]) + np.sum(d["a"] ** 2))

    return loss, {"a": a, "b": b}, {"a": b + 2.0 * a, "b": a.copy()}


def test_check_gradients_passes_a_correct_gradient():
    loss, inputs, analytic = two_array_problem()
    report = check_gradients(loss, inputs, analytic)
    assert isinstance(report, GradCheckReport)
    assert report.passed
    assert set(report.errors) == {"a", "b"}
    assert all(err < TOLERANCE for err in report.errors.values())
    assert report.tolerance == TOLERANCE


def test_check_gradients_fails_a_gradient_off_by_one_percent_and_names_it():
    loss, inputs, analytic = two_array_problem()
    analytic["b"] = 1.01 * analytic["b"]
    report = check_gradients(loss, inputs, analytic)
    assert not report.passed
    name, err = report.worst
    assert name == "b"
    # ‖0.01 a‖ / (‖a‖ + 1.01 ‖a‖) = 0.01 / 2.01
    assert err == pytest.approx(0.01 / 2.01, rel=1e-6)
    assert report.errors["a"] < TOLERANCE
    lines = str(report).splitlines()
    assert any(line.startswith("b ") and line.endswith("FAIL") for line in lines)
    assert any(line.startswith("a ") and line.endswith("ok") for line in lines)
    assert "tolerance 1e-07" in str(report)


def test_check_gradients_catches_one_wrong_entry_in_a_large_array():
    x = np.linspace(-1.0, 1.0, 200)
    analytic = 3.0 * x**2
    analytic[17] *= 1.01
    report = check_gradients(lambda d: cube_sum(d["x"]), {"x": x}, {"x": analytic})
    assert not report.passed


def test_check_gradients_catches_a_missing_term_in_an_lstm_cell_backward():
    # A classic mistake: dC_{t-1} = dc_t ⊙ f_t, forgetting that C_t also
    # reaches the loss through h_t = o_t ⊙ tanh(C_t).
    rng = np.random.default_rng(0)
    n, d, hidden = 2, 3, 4
    params = {f"W_{g}": rng.standard_normal((hidden, hidden + d)) for g in "fico"}
    params |= {f"b_{g}": rng.standard_normal(hidden) for g in "fico"}
    x_t = rng.standard_normal((n, d))
    h_prev = rng.standard_normal((n, hidden))
    c_prev = rng.standard_normal((n, hidden))
    g_h = rng.standard_normal((n, hidden))
    g_c = rng.standard_normal((n, hidden))

    def loss(inputs):
        h_t, c_t, _ = lstm_cell_forward(x_t, h_prev, inputs["c_prev"], params)
        return float(np.sum(h_t * g_h) + np.sum(c_t * g_c))

    _, _, cache = lstm_cell_forward(x_t, h_prev, c_prev, params)
    _, _, dc_prev, _ = lstm_cell_backward(g_h, g_c, cache)
    good = check_gradients(loss, {"c_prev": c_prev}, {"c_prev": dc_prev})
    bad = check_gradients(loss, {"c_prev": c_prev}, {"c_prev": g_c * cache.f})
    assert good.passed, str(good)
    assert not bad.passed
    assert bad.worst[0] == "c_prev"


def test_check_gradients_uses_the_given_tolerance():
    loss, inputs, analytic = two_array_problem()
    analytic["a"] = 1.01 * analytic["a"]
    assert check_gradients(loss, inputs, analytic, tolerance=1e-2).passed
    assert not check_gradients(loss, inputs, analytic, tolerance=1e-3).passed


def test_check_gradients_does_not_mutate_inputs_or_analytic():
    loss, inputs, analytic = two_array_problem()
    saved_inputs = {k: v.copy() for k, v in inputs.items()}
    saved_analytic = {k: v.copy() for k, v in analytic.items()}
    check_gradients(loss, inputs, analytic)
    for k in inputs:
        np.testing.assert_array_equal(inputs[k], saved_inputs[k])
        np.testing.assert_array_equal(analytic[k], saved_analytic[k])


def test_check_gradients_missing_analytic_key_raises_key_error_naming_it():
    loss, inputs, analytic = two_array_problem()
    del analytic["b"]
    with pytest.raises(KeyError, match=r"analytic is missing gradient\(s\) for b"):
        check_gradients(loss, inputs, analytic)


def test_check_gradients_wrong_analytic_shape_raises_value_error_naming_it():
    loss, inputs, analytic = two_array_problem()
    analytic["a"] = analytic["a"].T
    with pytest.raises(
        ValueError, match=r"analytic\['a'\] must have shape \(2, 3\), got \(3, 2\)"
    ):
        check_gradients(loss, inputs, analytic)


def test_rel_error_computes_in_float64_whatever_the_input_dtype():
    a = np.array([1 / 3, 2 / 3, 1.0, 0.1], dtype=np.float32)
    b = (a * np.float32(1.001)).astype(np.float32)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    expected = float(
        np.linalg.norm(a64 - b64) / (np.linalg.norm(a64) + np.linalg.norm(b64))
    )
    assert rel_error(a, b) == expected  # exactly: both sides in float64
    assert rel_error(a, b) != float(
        np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))
    )


def test_check_gradients_uses_the_step_it_is_given():
    # Centred differences of x³ are off by h²: 1e-2 at h = 0.1, 1e-10 at 1e-5.
    x = np.array([1.0])

    def loss(d):
        return float(d["x"][0] ** 3)

    coarse = check_gradients(loss, {"x": x}, {"x": np.array([3.0])}, h=0.1)
    assert coarse.errors["x"] == pytest.approx(0.01 / (3.0 + 3.01), rel=1e-6)
    fine = check_gradients(loss, {"x": x}, {"x": np.array([3.0])}, h=1e-5)
    assert fine.errors["x"] < 1e-9


def test_report_text_says_fail_for_an_error_equal_to_the_tolerance():
    report = GradCheckReport({"x": 1e-7, "y": 5e-8}, 1e-7)
    assert not report.passed
    lines = str(report).splitlines()
    assert lines[0].endswith("FAIL")
    assert lines[1].endswith("ok")
