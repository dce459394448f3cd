"""Tests for lstm_ref.data: windows, temporal split, scalers, padding."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_ref.data import (
    MinMaxScaler,
    StandardScaler,
    TemporalSplit,
    fit_minmax_scaler,
    fit_standard_scaler,
    lengths_from_mask,
    pad_sequences,
    sliding_windows,
    temporal_split,
)

# ---------------------------------------------------------------------------
# sliding_windows
# ---------------------------------------------------------------------------


def test_sliding_windows_1d_series_gives_hand_computed_windows_and_targets():
    series = np.arange(6.0)  # 0 1 2 3 4 5
    x, y = sliding_windows(series, 3)
    # Windows start at 0, 1, 2; the target is the next value.
    np.testing.assert_array_equal(
        x[:, :, 0], [[0.0, 1.0, 2.0], [1.0, 2.0, 3.0], [2.0, 3.0, 4.0]]
    )
    np.testing.assert_array_equal(y, [[3.0], [4.0], [5.0]])
    assert x.shape == (3, 3, 1)
    assert y.shape == (3, 1)


def test_sliding_windows_horizon_and_stride_follow_the_documented_indices():
    series = np.arange(20.0).reshape(10, 2)  # row t is [2t, 2t + 1]
    x, y = sliding_windows(series, 3, horizon=2, stride=3)
    # num_windows = (10 - 3 - 2) // 3 + 1 = 2; starts 0 and 3.
    # Targets at s + window - 1 + horizon = 4 and 7.
    assert x.shape == (2, 3, 2)
    np.testing.assert_array_equal(x[1], series[3:6])
    np.testing.assert_array_equal(y, [[8.0, 9.0], [14.0, 15.0]])


def test_sliding_windows_target_never_inside_its_window():
    series = np.arange(50.0)
    x, y = sliding_windows(series, 7, horizon=3, stride=2)
    assert np.all(y[:, 0] > x[:, -1, 0])
    np.testing.assert_array_equal(y[:, 0] - x[:, -1, 0], 3.0)


def test_sliding_windows_shortest_series_gives_one_window():
    x, y = sliding_windows(np.arange(5.0), 3, horizon=2)
    assert x.shape == (1, 3, 1)
    assert y[0, 0] == 4.0


def test_sliding_windows_returns_copies_and_keeps_dtype_and_input():
    series = np.linspace(0.0, 1.0, 12, dtype=np.float32).reshape(6, 2)
    before = series.copy()
    x, y = sliding_windows(series, 2)
    x[...] = -1.0
    y[...] = -1.0
    np.testing.assert_array_equal(series, before)
    assert x.dtype == np.float32


def test_sliding_windows_too_short_series_names_window_and_horizon():
    with pytest.raises(ValueError, match=r"series has T = 4 steps.*window \+ horizon"):
        sliding_windows(np.arange(4.0), 3, horizon=2)


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"series": np.arange(5), "window": 2}, TypeError, "series must be a float"),
        ({"series": [1.0, 2.0, 3.0], "window": 2}, TypeError, "series must be a NumPy"),
        (
            {"series": np.zeros((2, 3, 1)), "window": 1},
            ValueError,
            r"series must.*\(T,",
        ),
        ({"series": np.array([1.0, np.nan, 3.0]), "window": 1}, ValueError, "NaN"),
        ({"series": np.arange(5.0), "window": 0}, ValueError, "window must be"),
        ({"series": np.arange(5.0), "window": 2.0}, TypeError, "window must be"),
        ({"series": np.arange(5.0), "window": 2, "horizon": 0}, ValueError, "horizon"),
        ({"series": np.arange(5.0), "window": 2, "stride": -1}, ValueError, "stride"),
    ],
)
def test_sliding_windows_bad_input_names_the_argument(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        sliding_windows(**kwargs)


# ---------------------------------------------------------------------------
# temporal_split
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("n", [7, 10, 100, 1001])
@pytest.mark.parametrize(("train", "val"), [(0.7, 0.15), (0.5, 0.25), (0.29, 0.3)])
def test_temporal_split_parts_are_ordered_disjoint_and_cover_everything(n, train, val):
    split = temporal_split(n, train=train, val=val)
    idx = np.arange(n)
    parts = [idx[split.train], idx[split.val], idx[split.test]]
    joined = np.concatenate(parts)
    # Cover everything, each index once, in time order: train < val < test.
    np.testing.assert_array_equal(joined, idx)
    for earlier, later in zip(parts, parts[1:], strict=False):
        if earlier.size and later.size:
            assert earlier.max() < later.min()
    for part in parts:
        assert part.size > 0


def test_temporal_split_sizes_are_floor_of_the_fractions():
    # 0.29 * 100 is 28.999999999999996 in floating point; the split must still
    # give 29 (the documented ⌊train·n⌋ of the exact fraction).
    split = temporal_split(100, train=0.29, val=0.3)
    assert split == TemporalSplit(slice(0, 29), slice(29, 59), slice(59, 100))
    assert temporal_split(10) == TemporalSplit(slice(0, 7), slice(7, 8), slice(8, 10))


def test_temporal_split_accepts_an_array_and_uses_its_first_axis():
    series = np.zeros((20, 3))
    assert temporal_split(series) == temporal_split(20)


def test_temporal_split_then_windowing_keeps_every_window_inside_one_part():
    # The series value is its own time index, so a window's values tell where
    # it came from.
    series = np.arange(100.0)
    split = temporal_split(series)
    train_x, train_y = sliding_windows(series[split.train], 5)
    test_x, _ = sliding_windows(series[split.test], 5)
    assert max(train_x.max(), train_y.max()) < split.train.stop
    assert test_x.min() >= split.test.start


def test_temporal_split_without_validation_part():
    split = temporal_split(10, train=0.8, val=0.0)
    assert split.val == slice(8, 8)
    assert split.test == slice(8, 10)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "pattern"),
    [
        ((0,), {}, ValueError, "n_or_array"),
        ((True,), {}, TypeError, "n_or_array"),
        ((np.zeros((0, 2)),), {}, ValueError, "n_or_array"),
        ((3.5,), {}, TypeError, "n_or_array"),
        ((10,), {"train": 0.0}, ValueError, "train must"),
        ((10,), {"train": 1.2}, ValueError, "train must"),
        ((10,), {"val": -0.1}, ValueError, "val must"),
        ((10,), {"train": 0.8, "val": 0.3}, ValueError, r"train \+ val"),
        ((3,), {}, ValueError, "val part is empty"),
        ((10,), {"train": "0.7"}, TypeError, "train must"),
    ],
)
def test_temporal_split_bad_input_names_the_argument(args, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        temporal_split(*args, **kwargs)


# ---------------------------------------------------------------------------
# Scalers
# ---------------------------------------------------------------------------


def test_standard_scaler_uses_training_statistics_only():
    # Feature 0 of train: 4, 6 (mean 5, std 1); feature 1: 0, 4 (mean 2, std 2).
    train = np.array([[4.0, 0.0], [6.0, 4.0]])
    # The test part has very different means; a leaky scaler would use them.
    test = np.array([[-3.0, 10.0], [-1.0, 12.0]])
    scaler = fit_standard_scaler(train)
    np.testing.assert_allclose(scaler.mean, [5.0, 2.0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(scaler.scale, [1.0, 2.0], rtol=0, atol=1e-15)
    # By hand: (-3 - 5) / 1 = -8, (10 - 2) / 2 = 4, (-1 - 5) / 1 = -6, (12 - 2) / 2 = 5.
    np.testing.assert_allclose(
        scaler.transform(test), [[-8.0, 4.0], [-6.0, 5.0]], rtol=0, atol=1e-14
    )
    z_train = scaler.transform(train)
    np.testing.assert_allclose(z_train.mean(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(z_train.std(axis=0), 1.0, rtol=1e-14)


def test_standard_scaler_default_axis_is_per_feature_and_fits_windows():
    rng = np.random.default_rng(0)
    series = rng.normal([10.0, -5.0, 0.0], [2.0, 0.5, 3.0], size=(200, 3))
    scaler = fit_standard_scaler(series)  # fitted on (T, D)
    assert scaler.mean.shape == (3,)
    np.testing.assert_allclose(scaler.mean, series.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(scaler.scale, series.std(axis=0), rtol=1e-14)
    windows, _ = sliding_windows(series, 10)  # (N, 10, 3)
    np.testing.assert_allclose(
        scaler.transform(windows), (windows - series.mean(0)) / series.std(0)
    )
    batch = series.reshape(20, 10, 3)
    assert fit_standard_scaler(batch).mean.shape == (3,)
    assert fit_standard_scaler(series[:, 0]).mean.shape == ()


def test_standard_scaler_explicit_axis_keeps_inner_reduced_axes():
    x = np.arange(24.0).reshape(2, 3, 4)
    scaler = fit_standard_scaler(x, axis=(0, 2))
    assert scaler.mean.shape == (3, 1)
    np.testing.assert_allclose(scaler.mean[:, 0], x.mean(axis=(0, 2)))
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(x)), x)


def test_standard_scaler_round_trip_and_no_mutation():
    rng = np.random.default_rng(1)
    train = rng.normal(3.0, 2.0, size=(50, 4))
    test = rng.normal(-1.0, 5.0, size=(7, 4))
    train_before, test_before = train.copy(), test.copy()
    scaler = fit_standard_scaler(train)
    back = scaler.inverse_transform(scaler.transform(test))
    np.testing.assert_allclose(back, test, rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(train, train_before)
    np.testing.assert_array_equal(test, test_before)
    # The fitted statistics are private, read-only copies.
    train[0, 0] = 1e6
    np.testing.assert_allclose(scaler.mean, train_before.mean(axis=0))
    with pytest.raises(ValueError, match="read-only"):
        scaler.mean[0] = 0.0


def test_standard_scaler_is_immutable():
    scaler = fit_standard_scaler(np.array([[1.0], [2.0]]))
    assert isinstance(scaler, StandardScaler)
    with pytest.raises(AttributeError):
        scaler.mean = np.zeros(1)


def test_standard_scaler_constant_feature_gets_scale_one_not_division_by_zero():
    # Feature 1 is constant 0.1 (its computed std is round-off, not exactly 0).
    train = np.array([[1.0, 0.1], [3.0, 0.1], [5.0, 0.1]])
    scaler = fit_standard_scaler(train)
    assert scaler.scale[1] == 1.0
    z = scaler.transform(np.array([[3.0, 0.1], [3.0, 0.6]]))
    assert np.all(np.isfinite(z))
    # Constant feature: x - mean, by hand 0.1 - 0.1 = 0 and 0.6 - 0.1 = 0.5.
    np.testing.assert_allclose(z[:, 1], [0.0, 0.5], atol=1e-15)


def test_minmax_scaler_maps_training_range_and_uses_training_statistics_only():
    train = np.array([[2.0, -1.0], [6.0, 1.0], [4.0, 0.0]])
    test = np.array([[10.0, 3.0]])
    scaler = fit_minmax_scaler(train, feature_range=(-1.0, 1.0))
    assert isinstance(scaler, MinMaxScaler)
    z_train = scaler.transform(train)
    np.testing.assert_allclose(z_train.min(axis=0), -1.0)
    np.testing.assert_allclose(z_train.max(axis=0), 1.0)
    # By hand: feature 0 range [2, 6] -> -1 + (10 - 2) * 2 / 4 = 3;
    # feature 1 range [-1, 1] -> -1 + (3 + 1) * 2 / 2 = 3. Not clipped.
    np.testing.assert_allclose(scaler.transform(test), [[3.0, 3.0]])
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(test)), test)


def test_minmax_scaler_constant_feature_maps_to_low():
    train = np.array([[1.0, 7.0], [2.0, 7.0]])
    scaler = fit_minmax_scaler(train)
    z = scaler.transform(np.array([[1.5, 7.0], [1.5, 9.0]]))
    # Range replaced by 1: 0 + (7 - 7) / 1 = 0 and (9 - 7) / 1 = 2.
    np.testing.assert_allclose(z, [[0.5, 0.0], [0.5, 2.0]])


@pytest.mark.parametrize("fit", [fit_standard_scaler, fit_minmax_scaler])
def test_scaler_fit_rejects_bad_training_data(fit):
    with pytest.raises(TypeError, match="train must be a floating"):
        fit(np.arange(6).reshape(3, 2))
    with pytest.raises(ValueError, match="train contains NaN"):
        fit(np.array([[1.0], [np.inf]]))
    with pytest.raises(TypeError, match="train must be a NumPy"):
        fit([[1.0, 2.0]])
    with pytest.raises(ValueError, match="axis 3 is out of range"):
        fit(np.zeros((3, 2)), axis=3)


@pytest.mark.parametrize("fit", [fit_standard_scaler, fit_minmax_scaler])
def test_scaler_transform_rejects_wrong_feature_count_naming_x(fit):
    scaler = fit(np.arange(6.0).reshape(3, 2))
    with pytest.raises(ValueError, match=r"x has shape \(4, 3\)"):
        scaler.transform(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"z has shape \(4, 3\)"):
        scaler.inverse_transform(np.zeros((4, 3)))
    with pytest.raises(TypeError, match="x must be a floating"):
        scaler.transform(np.zeros((4, 2), dtype=int))


def test_minmax_scaler_rejects_empty_feature_range():
    with pytest.raises(ValueError, match="feature_range"):
        fit_minmax_scaler(np.zeros((2, 1)), feature_range=(1.0, 1.0))
    with pytest.raises(TypeError, match="feature_range"):
        fit_minmax_scaler(np.zeros((2, 1)), feature_range=1.0)


# ---------------------------------------------------------------------------
# pad_sequences / lengths_from_mask
# ---------------------------------------------------------------------------


def _ragged(dtype=np.float64):
    return [
        np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=dtype),
        np.array([[7.0, 8.0]], dtype=dtype),
        np.zeros((0, 2), dtype=dtype),
    ]


def test_pad_sequences_post_padding_by_hand():
    x, mask = pad_sequences(_ragged(), value=-9.0)
    assert x.shape == (3, 3, 2)
    assert mask.dtype == np.bool_
    expected = np.array(
        [
            [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
            [[7.0, 8.0], [-9.0, -9.0], [-9.0, -9.0]],
            [[-9.0, -9.0], [-9.0, -9.0], [-9.0, -9.0]],
        ]
    )
    np.testing.assert_array_equal(x, expected)
    np.testing.assert_array_equal(
        mask, [[True, True, True], [True, False, False], [False, False, False]]
    )


def test_pad_sequences_pre_padding_puts_real_steps_at_the_end():
    x, mask = pad_sequences(_ragged(), padding="pre")
    np.testing.assert_array_equal(x[1], [[0.0, 0.0], [0.0, 0.0], [7.0, 8.0]])
    np.testing.assert_array_equal(mask[1], [False, False, True])


def test_pad_sequences_truncating_pre_keeps_the_last_steps():
    seqs = [np.array([1.0, 2.0, 3.0, 4.0]), np.array([5.0])]
    x_post, _ = pad_sequences(seqs, maxlen=2)
    x_pre, _ = pad_sequences(seqs, maxlen=2, truncating="pre")
    np.testing.assert_array_equal(x_post[0, :, 0], [1.0, 2.0])  # Keras "post"
    np.testing.assert_array_equal(x_pre[0, :, 0], [3.0, 4.0])  # Keras "pre"
    assert x_pre.shape == (2, 2, 1)


def test_pad_sequences_mask_round_trip_recovers_every_sequence():
    rng = np.random.default_rng(2)
    seqs = [rng.normal(size=(int(n), 3)) for n in rng.integers(0, 9, size=12)]
    before = [s.copy() for s in seqs]
    for padding in ("pre", "post"):
        x, mask = pad_sequences(seqs, padding=padding, maxlen=10)
        for n, seq in enumerate(seqs):
            np.testing.assert_array_equal(x[n][mask[n]], seq)
            np.testing.assert_array_equal(x[n][~mask[n]], 0.0)
        np.testing.assert_array_equal(lengths_from_mask(mask), [len(s) for s in seqs])
    for seq, copy in zip(seqs, before, strict=True):
        np.testing.assert_array_equal(seq, copy)


def test_pad_sequences_one_dimensional_sequences_get_one_feature():
    x, mask = pad_sequences([np.array([1.0, 2.0]), np.array([3.0])])
    assert x.shape == (2, 2, 1)
    assert lengths_from_mask(mask).tolist() == [2, 1]


def test_pad_sequences_keeps_float32_and_promotes_mixed_dtypes():
    x32, _ = pad_sequences(_ragged(np.float32))
    assert x32.dtype == np.float32
    mixed = [np.zeros((2, 1), dtype=np.float32), np.zeros((1, 1))]
    assert pad_sequences(mixed)[0].dtype == np.float64


def test_lengths_from_mask_counts_true_steps_as_int64():
    mask = np.array([[True, True, False], [False, False, False]])
    lengths = lengths_from_mask(mask)
    assert lengths.dtype == np.int64
    assert lengths.tolist() == [2, 0]


@pytest.mark.parametrize(
    ("sequences", "kwargs", "error", "pattern"),
    [
        (np.zeros((2, 3)), {}, TypeError, "sequences must be a list"),
        ([], {}, ValueError, "at least one sequence"),
        ([np.zeros(3), np.arange(2)], {}, TypeError, r"sequences\[1\] must be a float"),
        ([np.zeros((2, 3)), np.zeros((2, 4))], {}, ValueError, r"sequences\[1\]"),
        ([np.zeros((2, 3)), np.zeros(2)], {}, ValueError, r"sequences\[1\]"),
        ([np.array([np.nan])], {}, ValueError, r"sequences\[0\] contains NaN"),
        ([np.zeros(2)], {"maxlen": 0}, ValueError, "maxlen"),
        ([np.zeros(2)], {"padding": "left"}, ValueError, "padding must be"),
        ([np.zeros(2)], {"truncating": "end"}, ValueError, "truncating must be"),
        ([np.zeros(2)], {"value": np.inf}, ValueError, "value must be finite"),
        ([np.zeros(2)], {"value": "0"}, TypeError, "value must be a number"),
    ],
)
def test_pad_sequences_bad_input_names_the_argument(sequences, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        pad_sequences(sequences, **kwargs)


def test_lengths_from_mask_bad_input_names_mask():
    with pytest.raises(TypeError, match="mask must be a boolean"):
        lengths_from_mask(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"mask must have shape \(N, T\)"):
        lengths_from_mask(np.ones(3, dtype=bool))
    with pytest.raises(TypeError, match="mask must be a boolean"):
        lengths_from_mask([[True]])


# ---------------------------------------------------------------------------
# Boundaries (each test below failed on a mutant of lstm_ref.data that every
# other test let through)
# ---------------------------------------------------------------------------


def test_temporal_split_accepts_the_closed_ends_of_its_intervals():
    assert temporal_split(10, train=1.0, val=0.0) == TemporalSplit(
        slice(0, 10), slice(10, 10), slice(10, 10)
    )
    # train + val = 1 exactly: no test part, and none is expected.
    assert temporal_split(10, train=0.5, val=0.5) == TemporalSplit(
        slice(0, 5), slice(5, 10), slice(10, 10)
    )
    assert temporal_split(10, train=0.6, val=0.4).test == slice(10, 10)


def test_temporal_split_rejects_the_open_ends_naming_the_interval():
    with pytest.raises(ValueError, match=r"val must lie in \[0, 1\)"):
        temporal_split(10, train=0.5, val=1.0)
    with pytest.raises(ValueError, match=r"train must lie in \(0, 1\]"):
        temporal_split(10, train=1.5, val=0.0)


def test_temporal_split_rejects_a_test_fraction_too_small_for_one_step():
    # The test part asked for (1e-11 of 10 steps) rounds to no step at all.
    with pytest.raises(ValueError, match="the test part is empty"):
        temporal_split(10, train=0.5, val=0.5 - 1e-11)


@pytest.mark.parametrize("axis", [(), True, (True,), (0.0,), "0", [0]])
def test_scaler_axis_of_the_wrong_type_is_a_type_error(axis):
    with pytest.raises(TypeError, match="axis must"):
        fit_standard_scaler(np.arange(6.0).reshape(3, 2), axis=axis)


def test_scaler_axis_range_is_minus_ndim_to_ndim_minus_one():
    train = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]])
    by_first = fit_standard_scaler(train, axis=-2)
    np.testing.assert_allclose(by_first.mean, [3.0, 6.0], rtol=1e-15)
    by_last = fit_standard_scaler(train, axis=1)
    np.testing.assert_allclose(by_last.mean, [[1.5], [4.5], [7.5]], rtol=1e-15)
    for axis in (2, -3):
        with pytest.raises(ValueError, match=f"axis {axis} is out of range"):
            fit_standard_scaler(train, axis=axis)


def test_pad_sequences_of_one_multifeature_sequence_and_pre_truncation():
    seq = np.arange(10.0).reshape(5, 2)
    padded, mask = pad_sequences([seq], maxlen=3, truncating="pre")
    np.testing.assert_array_equal(padded, [seq[-3:]])
    np.testing.assert_array_equal(mask, [[True, True, True]])
    padded, _ = pad_sequences([seq], maxlen=3)  # post: the first three steps
    np.testing.assert_array_equal(padded, [seq[:3]])
    padded, _ = pad_sequences([np.arange(4.0)], maxlen=2, truncating="pre")
    np.testing.assert_array_equal(padded, [[[2.0], [3.0]]])


def test_pad_sequences_rejects_a_list_of_lists():
    with pytest.raises(TypeError, match="sequences"):
        pad_sequences([[1.0, 2.0], [3.0]])


def test_standard_scaler_keeps_float32_and_treats_one_ulp_apart_as_constant():
    train32 = np.array([[1.0, 2.0], [3.0, 5.0]], dtype=np.float32)
    assert fit_standard_scaler(train32).scale.dtype == np.float32
    # A feature whose values differ by one unit in the last place of 1e6 is
    # constant up to rounding: its scale is 1, not 6e-11.
    big = np.array([[1e6, 0.0], [np.nextafter(1e6, 2e6), 1.0]])
    scaler = fit_standard_scaler(big)
    assert scaler.scale[0] == 1.0
    assert scaler.scale[1] == pytest.approx(0.5, rel=1e-15)
