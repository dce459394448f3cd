"""Tests for lstm_ref.tasks: adding problem, temporal order, Reber grammar, sines.

Statistical checks use many samples and a tolerance of five standard errors,
estimated from the sample itself: a correct generator fails one of them with
probability below 1e-6, while the errors they guard against (a wrong range, a
wrong marker rule) move the statistic by many standard errors.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from lstm_ref.tasks import (
    ADDING_1997_BASELINE_MSE,
    ADDING_UNIFORM_BASELINE_MSE,
    REBER_SYMBOLS,
    REBER_TRANSITIONS,
    TEMPORAL_ORDER_SYMBOLS,
    adding_1997_target_variance,
    adding_problem,
    embedded_reber,
    embedded_reber_string,
    is_embedded_reber,
    is_reber,
    noisy_sines,
    one_hot_reber,
    reber_next_symbol_targets,
    reber_string,
    temporal_order,
    temporal_order_positions,
)

NUM_SE = 5.0  # tolerance of every statistical check, in standard errors


def _within_se(sample: np.ndarray, expected: float) -> None:
    """Assert the sample mean is within NUM_SE standard errors of ``expected``."""
    se = sample.std() / np.sqrt(sample.size)
    assert abs(sample.mean() - expected) < NUM_SE * se, (sample.mean(), expected, se)


# ---------------------------------------------------------------------------
# Adding problem
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["1997", "uniform"])
def test_adding_problem_shapes_dtypes_and_seed_determinism(variant):
    x, y = adding_problem(8, 30, variant=variant, rng=5)
    assert x.shape == (8, 30, 2)
    assert y.shape == (8, 1)
    assert x.dtype == np.float64
    assert y.dtype == np.float64
    x2, y2 = adding_problem(8, 30, variant=variant, rng=5)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    x3, _ = adding_problem(8, 30, variant=variant, rng=6)
    assert not np.array_equal(x, x3)


@pytest.mark.parametrize("seq_len", [11, 12, 30, 101])
def test_adding_1997_marker_placement_follows_the_paper(seq_len):
    x, _ = adding_problem(4000, seq_len, variant="1997", rng=0)
    values, markers = x[..., 0], x[..., 1]
    assert set(np.unique(markers)) <= {-1.0, 0.0, 1.0}
    marked = markers == 1.0
    assert np.all(marked.sum(axis=1) == 2)
    positions = np.sort(np.nonzero(marked)[1].reshape(-1, 2), axis=1)
    # X1 is among the first ten pairs, so the earlier mark is too.
    assert np.all(positions[:, 0] <= 9)
    # X2 is one of the first T/2 - 1 still unmarked pairs: index at most
    # T//2 - 1 (or 9 when X1 sits beyond those candidates).
    assert np.all(positions[:, 1] <= max(9, seq_len // 2 - 1))
    # The first and the last pairs carry -1 unless marked; the rest 0 or 1.
    np.testing.assert_array_equal(markers[:, 0], np.where(marked[:, 0], 1.0, -1.0))
    np.testing.assert_array_equal(markers[:, -1], -1.0)
    assert np.all(markers[:, 1:-1] >= 0.0)
    # A marked first pair has its value set to 0.
    np.testing.assert_array_equal(values[marked[:, 0], 0], 0.0)
    assert np.all((values >= -1.0) & (values <= 1.0))


def test_adding_1997_first_mark_covers_all_of_the_first_ten_pairs():
    x, _ = adding_problem(5000, 100, variant="1997", rng=1)
    first_mark = np.argmax(x[..., 1] == 1.0, axis=1)
    assert set(first_mark.tolist()) == set(range(10))
    second_mark = 99 - np.argmax(x[:, ::-1, 1] == 1.0, axis=1)
    assert second_mark.max() == 49  # T//2 - 1 = 49 is reachable


@pytest.mark.parametrize("seq_len", [11, 40])
def test_adding_1997_target_is_reconstructed_from_the_inputs(seq_len):
    x, y = adding_problem(500, seq_len, variant="1997", rng=2)
    marked_sum = np.sum(x[..., 0] * (x[..., 1] == 1.0), axis=1)
    np.testing.assert_allclose(y[:, 0], 0.5 + marked_sum / 4.0, rtol=0, atol=1e-15)
    assert np.all((y >= 0.0) & (y <= 1.0))


def test_adding_1997_target_statistics_match_the_stated_values():
    seq_len, n = 12, 100_000
    x, y = adding_problem(n, seq_len, variant="1997", rng=3)
    target = y[:, 0]
    _within_se(target, 0.5)
    # Exact variance by hand for T = 12: T//2 - 1 = 5 candidates for X2, so
    # P(X1 on the first pair) = 1/10 and P(X2 on it) = 0.9/5 = 0.18; a
    # value there is 0, otherwise U[-1, 1] with variance 1/3:
    # Var = (1/16)(1/3)(0.9 + 0.82) = 1.72 / 48.
    expected_var = 1.72 / 48.0
    assert adding_1997_target_variance(seq_len) == pytest.approx(expected_var)
    _within_se((target - 0.5) ** 2, expected_var)
    # The first pair is marked with probability 0.1 + 0.18 = 0.28.
    _within_se((x[:, 0, 1] == 1.0).astype(float), 0.28)


def test_adding_1997_baseline_constant_is_one_over_24_and_close_to_exact():
    by_hand = (1.0 / 3.0 + 1.0 / 3.0) / 16.0  # Var((X1 + X2) / 4), X ~ U[-1, 1]
    assert np.isclose(ADDING_1997_BASELINE_MSE, by_hand, rtol=1e-15, atol=0.0)
    # For long sequences the exact variance tends to 1.9 / 48 ≈ 0.0396: the
    # constant is the idealised value (no zeroed first pair), 5% above it.
    long_var = adding_1997_target_variance(10_000)
    assert long_var == pytest.approx(1.9 / 48.0, rel=1e-3)
    assert 0.94 < long_var / ADDING_1997_BASELINE_MSE < 0.96


def test_adding_uniform_markers_one_in_each_half_and_target_is_the_sum():
    seq_len = 21
    x, y = adding_problem(3000, seq_len, variant="uniform", rng=4)
    values, markers = x[..., 0], x[..., 1]
    assert set(np.unique(markers)) <= {0.0, 1.0}
    half = seq_len // 2
    np.testing.assert_array_equal(markers[:, :half].sum(axis=1), 1.0)
    np.testing.assert_array_equal(markers[:, half:].sum(axis=1), 1.0)
    assert np.all((values >= 0.0) & (values < 1.0))
    np.testing.assert_allclose(
        y[:, 0], np.sum(values * markers, axis=1), rtol=0, atol=1e-15
    )


def test_adding_uniform_target_statistics_and_baseline():
    _, y = adding_problem(100_000, 10, variant="uniform", rng=5)
    target = y[:, 0]
    # Sum of two independent U[0, 1]: mean 1, variance 2/12 = 1/6, which is
    # the MSE of always predicting 1.
    _within_se(target, 1.0)
    assert np.isclose(ADDING_UNIFORM_BASELINE_MSE, 2.0 / 12.0, rtol=1e-15, atol=0.0)
    _within_se((target - 1.0) ** 2, 1.0 / 6.0)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "pattern"),
    [
        ((0, 20), {}, ValueError, "num_samples"),
        ((2.0, 20), {}, TypeError, "num_samples"),
        ((2, 10), {}, ValueError, "seq_len must be at least 11"),
        ((2, 1), {"variant": "uniform"}, ValueError, "seq_len must be at least 2"),
        ((2, 20), {"variant": "2016"}, ValueError, "variant"),
        ((2, True), {}, TypeError, "seq_len"),
    ],
)
def test_adding_problem_bad_input_names_the_argument(args, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        adding_problem(*args, **kwargs)


# ---------------------------------------------------------------------------
# Temporal order
# ---------------------------------------------------------------------------


def test_temporal_order_symbol_order_is_documented():
    assert TEMPORAL_ORDER_SYMBOLS == ("a", "b", "c", "d", "B", "E", "X", "Y")


def test_temporal_order_positions_match_the_paper_for_length_100():
    # Paper (1-based): 10-20 and 50-60 (6a); 10-20, 33-43, 66-76 (6b).
    assert temporal_order_positions(100) == ((9, 19), (49, 59))
    assert temporal_order_positions(100, 3) == ((9, 19), (32, 42), (65, 75))


@pytest.mark.parametrize("num_relevant", [2, 3])
@pytest.mark.parametrize("seq_len", [20, 57, 100])
def test_temporal_order_positions_stay_apart_and_inside(num_relevant, seq_len):
    ranges = temporal_order_positions(seq_len, num_relevant)
    flat = [p for pair in ranges for p in pair]
    assert flat == sorted(flat)
    assert len(set(flat)) == len(flat)
    assert flat[0] >= 1  # after the start symbol
    assert flat[-1] <= seq_len - 2  # before the trigger symbol


@pytest.mark.parametrize(("num_relevant", "seq_len"), [(2, 100), (3, 100), (2, 20)])
def test_temporal_order_sequences_follow_the_rules(num_relevant, seq_len):
    n = 4000
    x, y = temporal_order(n, seq_len, num_relevant=num_relevant, rng=7)
    assert x.shape == (n, seq_len, 8)
    assert x.dtype == np.float64
    assert y.shape == (n,)
    assert y.dtype == np.int64
    np.testing.assert_array_equal(x.sum(axis=2), 1.0)  # one-hot
    letters = np.array(TEMPORAL_ORDER_SYMBOLS)[x.argmax(axis=2)]  # (N, T)
    # Hochreiter & Schmidhuber 1997: starts with E, ends with the trigger B.
    assert np.all(letters[:, 0] == "E")
    assert np.all(letters[:, -1] == "B")
    middle = letters[:, 1:-1]
    relevant = np.isin(middle, ["X", "Y"])
    assert np.all(relevant.sum(axis=1) == num_relevant)
    assert np.all(np.isin(middle[~relevant], ["a", "b", "c", "d"]))
    ranges = temporal_order_positions(seq_len, num_relevant)
    positions = np.nonzero(relevant)[1].reshape(n, num_relevant) + 1
    for k, (first, last) in enumerate(ranges):
        # Every allowed position occurs, and nothing outside the range.
        assert set(positions[:, k].tolist()) == set(range(first, last + 1))
    # The label, read independently from the symbols: X = 0, Y = 1, binary,
    # first symbol most significant (6a: XX Q=0, XY R=1, YX S=2, YY U=3).
    order = middle[relevant].reshape(n, num_relevant)
    bits = (order == "Y").astype(np.int64)
    expected = sum(bits[:, k] << (num_relevant - 1 - k) for k in range(num_relevant))
    np.testing.assert_array_equal(y, expected)
    counts = np.bincount(y, minlength=2**num_relevant)
    p = 1.0 / 2**num_relevant
    assert np.all(np.abs(counts - n * p) < NUM_SE * np.sqrt(n * p * (1 - p)))


def test_temporal_order_hand_checked_classes_for_6a():
    x, y = temporal_order(200, 40, rng=8)
    letters = np.array(TEMPORAL_ORDER_SYMBOLS)[x.argmax(axis=2)]
    classes = {("X", "X"): 0, ("X", "Y"): 1, ("Y", "X"): 2, ("Y", "Y"): 3}
    for row, label in zip(letters, y, strict=True):
        pair = tuple(s for s in row if s in ("X", "Y"))
        assert classes[pair] == label


def test_temporal_order_is_deterministic_with_a_seed():
    a = temporal_order(5, 30, rng=9)
    b = temporal_order(5, 30, rng=9)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "pattern"),
    [
        ((4, 19), {}, ValueError, "seq_len must be at least 20"),
        ((4, 100), {"num_relevant": 4}, ValueError, "num_relevant"),
        ((0, 100), {}, ValueError, "num_samples"),
        ((4, 100.0), {}, TypeError, "seq_len"),
    ],
)
def test_temporal_order_bad_input_names_the_argument(args, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        temporal_order(*args, **kwargs)


# ---------------------------------------------------------------------------
# Reber grammar
# ---------------------------------------------------------------------------

# An independent description of the same languages: regular expressions
# derived by hand from the Reber graph (state 4 loops to 5 by X T* V, 5 back
# to 4 by P; 4 ends with S, 5 with V).
_REBER_RE = r"B(?:(?:TS*X|PT*VP)(?:XT*VP)*(?:S|XT*VV)|PT*VV)E"
REBER_RE = re.compile(_REBER_RE)
EMBEDDED_RE = re.compile(rf"B(?:T{_REBER_RE}T|P{_REBER_RE}P)E")


def test_reber_symbols_and_transition_table():
    assert REBER_SYMBOLS == "BTSXPVE"
    used = {s for edges in REBER_TRANSITIONS.values() for s in edges}
    assert used == set(REBER_SYMBOLS)
    # The grammar is deterministic: at most two ways out of every state.
    assert all(len(edges) <= 2 for edges in REBER_TRANSITIONS.values())


@pytest.mark.parametrize(
    ("string", "valid"),
    [
        ("BTSSXXTVVE", True),
        ("BPVVE", True),
        ("BTXXVPSE", True),
        ("BPVPXVPXVVE", True),
        ("BTSSPXSE", False),
        ("BPTVVB", False),
        ("BTXXVVSE", False),
        ("BTXSEE", False),
        ("", False),
    ],
)
def test_is_reber_on_classic_examples(string, valid):
    assert is_reber(string) is valid
    assert (REBER_RE.fullmatch(string) is not None) is valid


@pytest.mark.parametrize(
    "string",
    [
        "BTBTXSETE",  # smallest, T branch
        "BPBPVVEPE",  # smallest, P branch
        "BTBTSSXXTVVETE",
        "BPBTXXVPSEPE",
    ],
)
def test_is_embedded_reber_accepts_hand_made_valid_strings(string):
    assert is_embedded_reber(string)


@pytest.mark.parametrize(
    "string",
    [
        "BTBTXSEPE",  # closing symbol does not repeat the second one
        "BPBPVVETE",  # same, other branch
        "BTBTXSET",  # final E missing
        "BTBTXSETEE",  # something after the final E
        "BTTXSETE",  # inner string without its B
        "BTBTXXETE",  # inner string breaks the grammar (E after X X)
        "BTXSE",  # a plain Reber string is not embedded
        "BXBTXSEXE",  # X cannot choose the branch
        "btbtxsete",  # lower case
        "BTBTZSETE",  # not a Reber symbol
        "",
    ],
)
def test_is_embedded_reber_rejects_hand_made_invalid_strings(string):
    assert not is_embedded_reber(string)


def test_generated_strings_are_grammatical_and_use_both_branches():
    strings = embedded_reber(400, rng=10)
    assert all(isinstance(s, str) for s in strings)
    assert all(is_embedded_reber(s) for s in strings)
    assert all(EMBEDDED_RE.fullmatch(s) for s in strings)
    assert all(s[1] == s[-2] for s in strings)
    assert all(is_reber(s[2:-2]) for s in strings)
    assert {s[1] for s in strings} == {"T", "P"}
    assert min(len(s) for s in strings) >= 9
    plain = [reber_string(rng) for rng in range(200)]
    assert all(REBER_RE.fullmatch(s) for s in plain)
    assert len(set(plain)) > 10


def test_reber_generators_are_deterministic_with_a_seed():
    assert embedded_reber(20, rng=11) == embedded_reber(20, rng=11)
    assert embedded_reber_string(12) == embedded_reber_string(12)
    assert reber_string(13) == reber_string(13)
    assert embedded_reber(20, rng=11) != embedded_reber(20, rng=12)


def test_recogniser_agrees_with_regex_on_corrupted_strings():
    alphabet = REBER_SYMBOLS
    corrupted = set()
    for s in embedded_reber(60, rng=14):
        for t in range(len(s)):
            for c in alphabet:
                corrupted.add(s[:t] + c + s[t + 1 :])  # substitution
                corrupted.add(s[:t] + c + s[t:])  # insertion
            corrupted.add(s[:t] + s[t + 1 :])  # deletion
            if t + 1 < len(s):
                corrupted.add(s[:t] + s[t + 1] + s[t] + s[t + 2 :])  # swap
        # Swapping the closing symbol is always wrong: the long-lag rule.
        wrong_close = s[:-2] + ("P" if s[-2] == "T" else "T") + s[-1]
        assert not is_embedded_reber(wrong_close)
    rejected = 0
    for s in corrupted:
        expected = EMBEDDED_RE.fullmatch(s) is not None
        assert is_embedded_reber(s) is expected, s
        rejected += not expected
    assert rejected > len(corrupted) // 2


def test_next_symbol_targets_by_hand_for_the_smallest_embedded_string():
    targets = reber_next_symbol_targets("BTBTXSETE")
    # Columns B T S X P V E. Allowed after each prefix, by hand from the graph.
    allowed = ["TP", "B", "TP", "SX", "XS", "E", "T", "E", ""]
    expected = np.array([[float(c in a) for c in REBER_SYMBOLS] for a in allowed])
    np.testing.assert_array_equal(targets, expected)
    assert targets.dtype == np.float64


def test_next_symbol_targets_by_hand_for_a_plain_string():
    targets = reber_next_symbol_targets("BPTVPSE", embedded=False)
    allowed = ["TP", "TV", "TV", "PV", "XS", "E", ""]
    expected = np.array([[float(c in a) for c in REBER_SYMBOLS] for a in allowed])
    np.testing.assert_array_equal(targets, expected)


def test_next_symbol_targets_flag_the_symbol_that_actually_follows():
    for s in embedded_reber(100, rng=15):
        targets = reber_next_symbol_targets(s)
        assert targets.shape == (len(s), 7)
        nxt = [REBER_SYMBOLS.index(c) for c in s[1:]]
        np.testing.assert_array_equal(targets[np.arange(len(s) - 1), nxt], 1.0)
        assert np.all(targets[:-1].sum(axis=1) >= 1)
        np.testing.assert_array_equal(targets[-1], 0.0)
        # The long-lag step: after the inner E exactly one symbol is legal,
        # the one that opened the branch.
        np.testing.assert_array_equal(targets[-3], np.eye(7)[REBER_SYMBOLS.index(s[1])])


def test_next_symbol_targets_reject_an_invalid_string():
    with pytest.raises(ValueError, match="is not an embedded Reber string"):
        reber_next_symbol_targets("BTBTXSEPE")
    with pytest.raises(ValueError, match="is not a Reber string"):
        reber_next_symbol_targets("BTBTXSETE", embedded=False)
    with pytest.raises(TypeError, match="string must be a str"):
        reber_next_symbol_targets(["B"])


def test_one_hot_reber_encodes_pads_and_decodes_back():
    strings = ["BTBTXSETE", "BPBPVPXVVEPE"]
    x, mask = one_hot_reber(strings)
    assert x.shape == (2, 12, 7)
    assert x.dtype == np.float64
    assert mask.sum(axis=1).tolist() == [9, 12]
    for row, m, s in zip(x, mask, strings, strict=True):
        assert "".join(REBER_SYMBOLS[k] for k in row[m].argmax(axis=1)) == s
        np.testing.assert_array_equal(row[m].sum(axis=1), 1.0)
        np.testing.assert_array_equal(row[~m], 0.0)
    # Hand check: x[0, 1] is T, index 1 of "BTSXPVE".
    np.testing.assert_array_equal(x[0, 1], [0, 1, 0, 0, 0, 0, 0])


def test_one_hot_reber_bad_input_names_the_argument():
    with pytest.raises(ValueError, match=r"strings\[1\] holds \['Z'\]"):
        one_hot_reber(["BTBTXSETE", "BZE"])
    with pytest.raises(TypeError, match=r"strings\[0\] must be a str"):
        one_hot_reber([3])
    with pytest.raises(TypeError, match="strings must be a non-empty list"):
        one_hot_reber("BTBTXSETE")


# ---------------------------------------------------------------------------
# Noisy sines
# ---------------------------------------------------------------------------


def test_noisy_sines_shape_dtype_and_determinism():
    a = noisy_sines(4, 60, rng=16)
    assert a.shape == (4, 60)
    assert a.dtype == np.float64
    np.testing.assert_array_equal(a, noisy_sines(4, 60, rng=16))
    assert not np.array_equal(a, noisy_sines(4, 60, rng=17))


def test_noisy_sines_without_noise_are_sines_in_the_stated_ranges():
    clean = noisy_sines(30, 200, noise_std=0.0, period_range=(10, 50), rng=18)
    # A pure sine satisfies x[t+1] + x[t-1] = 2 cos(2π/P) x[t] (sum-to-product).
    prev, mid, nxt = clean[:, :-2], clean[:, 1:-1], clean[:, 2:]
    cos_w = np.sum((prev + nxt) * mid, axis=1) / np.sum(2.0 * mid * mid, axis=1)
    np.testing.assert_allclose(prev + nxt, 2.0 * cos_w[:, None] * mid, atol=1e-12)
    periods = 2.0 * np.pi / np.arccos(cos_w)
    assert np.all((periods >= 10.0 - 1e-9) & (periods <= 50.0 + 1e-9))
    # 200 steps cover at least 4 periods, so the peak is close to A ∈ [0.5, 1.5].
    peaks = np.abs(clean).max(axis=1)
    assert np.all((peaks > 0.5 * np.cos(np.pi / 10.0)) & (peaks <= 1.5))


def test_noisy_sines_noise_has_the_requested_standard_deviation():
    noisy = noisy_sines(20, 500, noise_std=0.1, rng=19)
    clean = noisy_sines(20, 500, noise_std=0.0, rng=19)  # same draws, no noise
    residual = (noisy - clean).ravel()
    _within_se(residual, 0.0)
    _within_se(residual**2, 0.01)


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"num_series": 0}, ValueError, "num_series"),
        ({"length": 2.5}, TypeError, "length"),
        ({"noise_std": -0.1}, ValueError, "noise_std"),
        ({"noise_std": np.nan}, ValueError, "noise_std"),
        ({"period_range": (0.0, 5.0)}, ValueError, "period_range must be positive"),
        ({"period_range": (5.0, 1.0)}, ValueError, "period_range"),
        ({"amplitude_range": 1.0}, TypeError, "amplitude_range"),
    ],
)
def test_noisy_sines_bad_input_names_the_argument(kwargs, error, pattern):
    args = {"num_series": 2, "length": 10} | kwargs
    with pytest.raises(error, match=pattern):
        noisy_sines(**args)
