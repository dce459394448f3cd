"""Tests for lstm_ref.losses: known values, finite differences, masks, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_ref.gradcheck import numerical_gradient, rel_error
from lstm_ref.losses import mse_loss, softmax, softmax_cross_entropy

TOLERANCE = 1e-7  # float64 centred differences with h = 1e-5


def _rand(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


# ---------------------------------------------------------------- MSE values


def test_mse_of_hand_worked_example():
    pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    target = np.array([[0.0, 2.0], [5.0, 3.0]])
    # errors 1, 0, -2, 1 -> squares 1, 0, 4, 1 -> mean 6 / 4 = 1.5
    # dpred = 2 * err / 4 = err / 2
    loss, dpred = mse_loss(pred, target)
    assert loss == pytest.approx(1.5, rel=1e-15)
    np.testing.assert_allclose(dpred, [[0.5, 0.0], [-1.0, 0.5]], rtol=0, atol=1e-15)


def test_mse_with_mask_averages_over_masked_in_elements_only():
    # pred (N=2, T=2, K=2), mask (N, T) keeps 3 of 4 steps -> 3 * 2 = 6 elements
    pred = np.array([[[1.0, 1.0], [2.0, 0.0]], [[0.0, 3.0], [9.0, 9.0]]])
    target = np.zeros_like(pred)
    mask = np.array([[1, 1], [1, 0]])
    # kept squares: 1 + 1 + 4 + 0 + 0 + 9 = 15 -> 15 / 6 = 2.5
    loss, dpred = mse_loss(pred, target, mask)
    assert loss == pytest.approx(2.5, rel=1e-15)
    expected = 2.0 * pred / 6.0
    expected[1, 1] = 0.0
    np.testing.assert_allclose(dpred, expected, rtol=0, atol=1e-15)


def test_mse_all_ones_mask_equals_no_mask():
    pred, target = _rand((3, 4, 2), 1), _rand((3, 4, 2), 2)
    loss, dpred = mse_loss(pred, target)
    loss_m, dpred_m = mse_loss(pred, target, np.ones((3, 4), dtype=bool))
    assert loss_m == pytest.approx(loss, rel=1e-14)
    np.testing.assert_allclose(dpred_m, dpred, rtol=1e-14)


def test_mse_mask_over_batch_axis_only():
    pred, target = _rand((3, 4, 2), 1), _rand((3, 4, 2), 2)
    loss, _ = mse_loss(pred, target, np.array([True, False, True]))
    # independent formula: mean over the two kept examples' 4*2 elements
    kept = np.concatenate(
        [(pred[0] - target[0]).ravel(), (pred[2] - target[2]).ravel()]
    )
    assert loss == pytest.approx(sum(float(e) ** 2 for e in kept) / 16, rel=1e-13)


def test_mse_masked_positions_do_not_change_loss_and_get_zero_gradient():
    pred, target = _rand((2, 3, 2), 3), _rand((2, 3, 2), 4)
    mask = np.array([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    loss, dpred = mse_loss(pred, target, mask)
    changed = pred.copy()
    changed[0, 2] = 100.0
    changed[1, 1:] = -7.0
    loss2, _ = mse_loss(changed, target, mask)
    assert loss2 == loss
    assert np.all(dpred[0, 2] == 0.0)
    assert np.all(dpred[1, 1:] == 0.0)


def test_mse_float32_returns_float32_gradient():
    pred = _rand((2, 3)).astype(np.float32)
    loss, dpred = mse_loss(pred, np.zeros((2, 3), dtype=np.float32))
    assert isinstance(loss, float)
    assert dpred.dtype == np.float32
    assert dpred.shape == pred.shape


# -------------------------------------------------------------- MSE gradients


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4)])
def test_mse_gradient_matches_finite_differences(shape):
    pred, target = _rand(shape, 5), _rand(shape, 6)
    _, dpred = mse_loss(pred, target)
    numeric = numerical_gradient(lambda p: mse_loss(p, target)[0], pred)
    assert rel_error(dpred, numeric) < TOLERANCE


@pytest.mark.parametrize("mask_shape", [(2,), (2, 3), (2, 3, 4)])
def test_masked_mse_gradient_matches_finite_differences(mask_shape):
    pred, target = _rand((2, 3, 4), 7), _rand((2, 3, 4), 8)
    mask = np.random.default_rng(9).integers(0, 2, mask_shape)
    mask.flat[0] = 1  # never all zeros
    _, dpred = mse_loss(pred, target, mask)
    numeric = numerical_gradient(lambda p: mse_loss(p, target, mask)[0], pred)
    assert rel_error(dpred, numeric) < TOLERANCE


# ----------------------------------------------------------- softmax and CE


def test_softmax_rows_sum_to_one_and_match_definition():
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    probs = softmax(logits)
    # row 0 by hand: e^k / (e + e^2 + e^3)
    denom = math.exp(1) + math.exp(2) + math.exp(3)
    expected0 = [math.exp(1) / denom, math.exp(2) / denom, math.exp(3) / denom]
    np.testing.assert_allclose(probs[0], expected0, rtol=1e-14)
    np.testing.assert_allclose(probs[1], [1 / 3, 1 / 3, 1 / 3], rtol=1e-14)


def test_softmax_does_not_overflow_for_huge_logits():
    probs = softmax(np.array([1000.0, 1000.0, -1000.0]))
    np.testing.assert_allclose(probs, [0.5, 0.5, 0.0], atol=1e-300)


def test_cross_entropy_of_uniform_logits_is_log_k():
    for num_classes in (2, 5, 10):
        logits = np.full((4, num_classes), 0.3)
        labels = np.arange(4) % num_classes
        loss, _ = softmax_cross_entropy(logits, labels)
        assert loss == pytest.approx(math.log(num_classes), rel=1e-14)


def test_cross_entropy_of_hand_worked_example():
    logits = np.array([[0.0, math.log(3.0)], [math.log(2.0), 0.0]])
    labels = np.array([1, 1])
    # row 0: p = [1, 3] / 4 -> -log(3/4); row 1: p = [2, 1] / 3 -> -log(1/3)
    expected_loss = (-math.log(0.75) - math.log(1 / 3)) / 2
    # dlogits = (p - onehot) / 2
    expected_grad = np.array([[0.25, -0.25], [2 / 3, -2 / 3]]) / 2
    loss, dlogits = softmax_cross_entropy(logits, labels)
    assert loss == pytest.approx(expected_loss, rel=1e-14)
    np.testing.assert_allclose(dlogits, expected_grad, rtol=1e-14, atol=1e-16)


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1000.0, 0.0], [0.0, -1000.0]])
    loss, dlogits = softmax_cross_entropy(logits, np.array([1, 1]))
    # row 0: -log softmax = 1000; row 1: 1000 -> mean 1000
    assert loss == pytest.approx(1000.0, rel=1e-12)
    assert np.all(np.isfinite(dlogits))


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5)])
def test_cross_entropy_gradient_matches_finite_differences(shape):
    logits = _rand(shape, 10)
    labels = np.random.default_rng(11).integers(0, shape[-1], shape[:-1])
    _, dlogits = softmax_cross_entropy(logits, labels)
    numeric = numerical_gradient(lambda z: softmax_cross_entropy(z, labels)[0], logits)
    assert rel_error(dlogits, numeric) < TOLERANCE


@pytest.mark.parametrize("mask_shape", [(2,), (2, 3)])
def test_masked_cross_entropy_gradient_matches_finite_differences(mask_shape):
    logits = _rand((2, 3, 4), 12)
    labels = np.random.default_rng(13).integers(0, 4, (2, 3))
    mask = np.random.default_rng(14).integers(0, 2, mask_shape).astype(bool)
    mask.flat[0] = True
    _, dlogits = softmax_cross_entropy(logits, labels, mask)
    numeric = numerical_gradient(
        lambda z: softmax_cross_entropy(z, labels, mask)[0], logits
    )
    assert rel_error(dlogits, numeric) < TOLERANCE


def test_masked_cross_entropy_is_mean_over_masked_in_positions():
    logits = _rand((2, 3, 4), 15)
    labels = np.array([[0, 1, 2], [3, 0, 1]])
    mask = np.array([[1, 0, 1], [0, 0, 1]])
    loss, dlogits = softmax_cross_entropy(logits, labels, mask)
    # independent: average the per-position CE of the 3 kept positions
    kept = [(0, 0), (0, 2), (1, 2)]
    terms = []
    for n, t in kept:
        row = [float(v) for v in logits[n, t]]
        log_sum = math.log(sum(math.exp(v) for v in row))
        terms.append(log_sum - row[labels[n, t]])
    assert loss == pytest.approx(sum(terms) / 3, rel=1e-13)
    for n, t in [(0, 1), (1, 0), (1, 1)]:
        assert np.all(dlogits[n, t] == 0.0)


def test_cross_entropy_masked_positions_do_not_change_loss():
    logits = _rand((2, 3, 4), 16)
    labels = np.array([[0, 1, 2], [3, 0, 1]])
    mask = np.array([[1, 1, 0], [1, 0, 0]], dtype=bool)
    loss, _ = softmax_cross_entropy(logits, labels, mask)
    changed_logits = logits.copy()
    changed_logits[0, 2] = 50.0
    changed_logits[1, 1:] = [9.0, -9.0, 3.0, 0.0]
    changed_labels = labels.copy()
    changed_labels[1, 2] = 0
    loss2, _ = softmax_cross_entropy(changed_logits, changed_labels, mask)
    assert loss2 == loss


def test_cross_entropy_float32_keeps_dtype():
    logits = _rand((3, 4)).astype(np.float32)
    loss, dlogits = softmax_cross_entropy(logits, np.array([0, 1, 2]))
    assert isinstance(loss, float)
    assert dlogits.dtype == np.float32


def test_losses_do_not_mutate_inputs():
    pred, target = _rand((2, 3, 2), 17), _rand((2, 3, 2), 18)
    mask = np.array([[1, 0, 1], [1, 1, 0]])
    labels = np.array([[0, 1, 1], [1, 0, 0]])
    copies = [a.copy() for a in (pred, target, mask, labels)]
    mse_loss(pred, target, mask)
    softmax_cross_entropy(pred, labels, mask)
    softmax(pred)
    for original, copy in zip((pred, target, mask, labels), copies, strict=True):
        np.testing.assert_array_equal(original, copy)


# ------------------------------------------------------------------ bad input


def test_mse_rejects_shape_mismatch_naming_target():
    with pytest.raises(ValueError, match=r"target must have shape \(2, 3\)"):
        mse_loss(np.zeros((2, 3)), np.zeros((3, 2)))


def test_mse_rejects_integer_arrays():
    with pytest.raises(TypeError, match="pred must be a floating-point array"):
        mse_loss(np.zeros((2, 3), dtype=int), np.zeros((2, 3)))
    with pytest.raises(TypeError, match="target must be a floating-point array"):
        mse_loss(np.zeros((2, 3)), np.zeros((2, 3), dtype=int))


def test_mse_rejects_non_arrays():
    with pytest.raises(TypeError, match="pred must be a NumPy array"):
        mse_loss([1.0, 2.0], np.zeros(2))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_mse_rejects_nan_and_inf(bad):
    pred = np.zeros((2, 3))
    pred[1, 1] = bad
    with pytest.raises(ValueError, match="pred contains NaN or infinity"):
        mse_loss(pred, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="target contains NaN or infinity"):
        mse_loss(np.zeros((2, 3)), pred)


def test_mse_rejects_all_zero_mask():
    with pytest.raises(ValueError, match="mask is all zeros"):
        mse_loss(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros(2))


def test_mse_rejects_mask_aligned_with_trailing_axes():
    with pytest.raises(ValueError, match="mask must have the shape of the leading"):
        mse_loss(np.zeros((2, 3, 4)), np.zeros((2, 3, 4)), np.ones((3, 4)))


@pytest.mark.parametrize("bad_value", [0.5, 2.0, -1.0, np.nan])
def test_mask_values_other_than_zero_and_one_are_rejected(bad_value):
    mask = np.array([1.0, bad_value])
    with pytest.raises(ValueError, match="mask must hold only 0 and 1"):
        mse_loss(np.zeros((2, 3)), np.zeros((2, 3)), mask)
    with pytest.raises(ValueError, match="mask must hold only 0 and 1"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1]), mask)


def test_mask_of_wrong_type_is_rejected():
    with pytest.raises(TypeError, match="mask must be a NumPy array"):
        mse_loss(np.zeros((2, 3)), np.zeros((2, 3)), [1, 0])
    with pytest.raises(TypeError, match="mask must hold bool or 0/1"):
        mse_loss(np.zeros((2, 3)), np.zeros((2, 3)), np.array(["a", "b"]))


def test_cross_entropy_rejects_float_labels():
    with pytest.raises(TypeError, match="labels must be an integer array"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))


def test_cross_entropy_rejects_labels_of_wrong_shape():
    with pytest.raises(ValueError, match=r"labels must have shape .*\(2,\)"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([[0, 1]]))


@pytest.mark.parametrize("bad_label", [-1, 3])
def test_cross_entropy_rejects_out_of_range_labels(bad_label):
    with pytest.raises(ValueError, match=r"labels must be class indices in 0 … 2"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, bad_label]))


def test_cross_entropy_rejects_integer_and_nonfinite_logits():
    with pytest.raises(TypeError, match="logits must be a floating-point array"):
        softmax_cross_entropy(np.zeros((2, 3), dtype=int), np.array([0, 1]))
    with pytest.raises(ValueError, match="logits contains NaN or infinity"):
        softmax_cross_entropy(np.array([[0.0, np.nan]]), np.array([0]))


def test_cross_entropy_rejects_one_dimensional_logits():
    with pytest.raises(ValueError, match="logits must have shape"):
        softmax_cross_entropy(np.zeros(3), np.array(0))


def test_cross_entropy_rejects_all_zero_mask():
    with pytest.raises(ValueError, match="mask is all zeros"):
        softmax_cross_entropy(
            np.zeros((2, 3)), np.array([0, 1]), np.array([False, False])
        )


def test_softmax_rejects_integer_logits():
    with pytest.raises(TypeError, match="logits must be a floating-point array"):
        softmax(np.array([1, 2, 3]))


# ------------------------------------------- independent values (constant factors)
# Finite differences cannot see a loss and a gradient wrong by the same
# constant factor; these compare both with sums written out by hand.


def _hand_cross_entropy(logits, labels, kept):
    """Mean of -log softmax(logits)[label] over the kept (n, t), and its gradient."""
    grad = np.zeros_like(logits)
    terms = []
    for n, t in kept:
        row = [float(v) for v in logits[n, t]]
        total = sum(math.exp(v) for v in row)
        terms.append(math.log(total) - row[labels[n, t]])
        for k, v in enumerate(row):
            grad[n, t, k] = math.exp(v) / total - (k == labels[n, t])
    return sum(terms) / len(kept), grad / len(kept)


def test_cross_entropy_with_a_mask_over_examples_averages_their_every_step():
    # mask (N,) on logits (N, T, K): the kept examples' T steps all count, so
    # the mean is over 2 * 3 = 6 positions (not 2, not 2 / 3).
    logits = _rand((3, 3, 4), 21)
    labels = np.array([[0, 1, 2], [3, 0, 1], [2, 2, 0]])
    mask = np.array([1, 0, 1])
    loss, dlogits = softmax_cross_entropy(logits, labels, mask)
    kept = [(n, t) for n in (0, 2) for t in range(3)]
    want_loss, want_grad = _hand_cross_entropy(logits, labels, kept)
    assert loss == pytest.approx(want_loss, rel=1e-13)
    np.testing.assert_allclose(dlogits, want_grad, rtol=1e-12, atol=1e-15)


def test_cross_entropy_gradient_equals_softmax_minus_one_hot_over_the_count():
    logits = _rand((2, 3, 5), 22)
    labels = np.array([[4, 0, 2], [1, 1, 3]])
    mask = np.array([[1, 1, 0], [0, 1, 1]], dtype=bool)
    loss, dlogits = softmax_cross_entropy(logits, labels, mask)
    kept = [(0, 0), (0, 1), (1, 1), (1, 2)]
    want_loss, want_grad = _hand_cross_entropy(logits, labels, kept)
    assert loss == pytest.approx(want_loss, rel=1e-13)
    np.testing.assert_allclose(dlogits, want_grad, rtol=1e-12, atol=1e-15)
    unmasked_loss, unmasked_grad = softmax_cross_entropy(logits, labels)
    all_positions = [(n, t) for n in range(2) for t in range(3)]
    want_loss, want_grad = _hand_cross_entropy(logits, labels, all_positions)
    assert unmasked_loss == pytest.approx(want_loss, rel=1e-13)
    np.testing.assert_allclose(unmasked_grad, want_grad, rtol=1e-12, atol=1e-15)


def test_mse_with_a_mask_over_examples_has_the_hand_computed_gradient():
    pred = np.arange(12.0).reshape(2, 3, 2) / 4.0
    target = np.ones_like(pred)
    loss, dpred = mse_loss(pred, target, np.array([0, 1]))
    err = pred[1] - target[1]  # 3 * 2 = 6 kept elements
    assert loss == pytest.approx(float(np.sum(err**2)) / 6.0, rel=1e-14)
    want = np.zeros_like(pred)
    want[1] = 2.0 * err / 6.0
    np.testing.assert_allclose(dpred, want, rtol=0, atol=1e-15)


def test_one_element_and_one_class_are_valid_inputs():
    loss, dpred = mse_loss(np.array([3.0]), np.array([1.0]))
    assert loss == 4.0
    np.testing.assert_array_equal(dpred, [4.0])
    np.testing.assert_array_equal(softmax(np.array([[7.0], [-3.0]])), [[1.0], [1.0]])
    loss, dlogits = softmax_cross_entropy(np.array([[2.5]]), np.array([0]))
    assert loss == 0.0
    np.testing.assert_array_equal(dlogits, [[0.0]])


def test_softmax_of_rows_far_apart_is_taken_row_by_row():
    # One maximum for the whole array would underflow the second row to 0/0.
    logits = np.array([[1000.0, 999.0], [-1000.0, -1001.0]])
    expected = [1.0 / (1.0 + math.exp(-1.0)), 1.0 / (1.0 + math.exp(1.0))]
    for row in softmax(logits):
        np.testing.assert_allclose(row, expected, rtol=1e-14)


def test_scalar_logits_and_zero_classes_raise_value_errors_naming_k():
    with pytest.raises(ValueError, match="K ≥ 1"):
        softmax(np.array(1.0))
    with pytest.raises(ValueError, match="K ≥ 1"):
        softmax(np.zeros((2, 0)))
    with pytest.raises(ValueError, match="K ≥ 1"):
        softmax_cross_entropy(np.zeros((2, 3, 0)), np.zeros((2, 3), dtype=int))
    with pytest.raises(ValueError, match="must not be empty"):
        softmax_cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match="must not be empty"):
        mse_loss(np.zeros((0, 2)), np.zeros((0, 2)))


def test_mask_of_float32_zeros_and_ones_is_accepted_and_a_scalar_mask_is_not():
    pred, target = _rand((2, 3), 23), _rand((2, 3), 24)
    loss32, _ = mse_loss(pred, target, np.array([1.0, 0.0], dtype=np.float32))
    loss_bool, _ = mse_loss(pred, target, np.array([True, False]))
    assert loss32 == loss_bool
    with pytest.raises(ValueError, match="mask must have the shape"):
        mse_loss(pred, target, np.array(1.0))
