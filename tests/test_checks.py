"""Tests of the input-validation helpers in ``lstm_ref._checks``."""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pytest

from lstm_ref._checks import (
    LSTM_KEYS,
    RNN_KEYS,
    check_array,
    check_cache,
    check_grads_dict,
    check_params,
    result_dtype,
)

# --------------------------------------------------------------------------
# check_array
# --------------------------------------------------------------------------


def test_check_array_returns_the_same_object_and_binds_dimensions():
    x = np.zeros((3, 5, 4))
    dims: dict[str, int] = {}
    assert check_array("x", x, ("N", "T", "D"), dims) is x
    assert dims == {"N": 3, "T": 5, "D": 4}


def test_check_array_accepts_a_matching_bound_shape_and_an_expression():
    dims = {"N": 3, "D": 4}
    check_array("h0", np.zeros((3, 6)), ("N", "H"), dims)
    assert dims["H"] == 6
    check_array("W", np.zeros((6, 10)), ("H", "H + D"), dims)
    check_array("b", np.zeros(6), ("H",), dims)
    check_array("fixed", np.zeros((2, 7)), (2, 7), dims)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_check_array_accepts_every_floating_dtype(dtype):
    check_array("x", np.zeros((2, 2), dtype=dtype), ("N", "D"))


def test_check_array_works_without_a_dims_dict():
    check_array("x", np.ones((2, 3)), ("N", "D"))


@pytest.mark.parametrize(
    "value", [[[1.0, 2.0]], 3.0, None, (1.0,)], ids=["list", "float", "None", "tuple"]
)
def test_non_arrays_raise_type_error_naming_argument_and_shape(value):
    with pytest.raises(
        TypeError, match=re.escape("x must be a NumPy array of shape (N, D), got ")
    ):
        check_array("x", value, ("N", "D"))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, bool, np.complex128])
def test_non_floating_dtypes_raise_type_error_with_a_fix(dtype):
    message = (
        "h0 must be a floating-point array (float32 or float64) of shape "
        "(N, H) = (3, 4), got dtype"
    )
    with pytest.raises(TypeError, match=re.escape(message)) as info:
        check_array("h0", np.zeros((3, 4), dtype=dtype), ("N", "H"), {"N": 3, "H": 4})
    assert "h0.astype(np.float64)" in str(info.value)


def test_wrong_number_of_dimensions_names_argument_shape_and_dimension_count():
    with pytest.raises(
        ValueError,
        match=re.escape("x must have shape (N, T, D) (3 dimensions), got shape (3, 5)"),
    ):
        check_array("x", np.zeros((3, 5)), ("N", "T", "D"))


def test_disagreeing_dimension_names_the_axis_and_the_expected_size():
    message = (
        "c0 must have shape (N, H) = (3, 6), got shape (3, 5) (axis 1 is 5, expected 6)"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        check_array("c0", np.zeros((3, 5)), ("N", "H"), {"N": 3, "H": 6})


def test_a_wrong_expression_dimension_names_the_expected_size():
    with pytest.raises(ValueError, match=re.escape("(axis 1 is 9, expected 10)")):
        check_array("W", np.zeros((6, 9)), ("H", "H + D"), {"H": 6, "D": 4})


def test_a_wrong_fixed_dimension_is_reported():
    with pytest.raises(ValueError, match=re.escape("axis 0 is 3, expected 2")):
        check_array("m", np.zeros((3, 7)), (2, 7))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_raise_value_error_naming_the_argument(bad):
    x = np.zeros((2, 3))
    x[1, 2] = bad
    with pytest.raises(ValueError, match=re.escape("x contains NaN or infinity")):
        check_array("x", x, ("N", "D"))


def test_check_array_does_not_mutate_the_array():
    x = np.linspace(0.0, 1.0, 6).reshape(2, 3)
    saved = x.copy()
    check_array("x", x, ("N", "D"))
    np.testing.assert_array_equal(x, saved)


# --------------------------------------------------------------------------
# check_params
# --------------------------------------------------------------------------


def lstm_params(hidden=4, d=3):
    params = {}
    for gate in "fico":
        params[f"W_{gate}"] = np.zeros((hidden, hidden + d))
        params[f"b_{gate}"] = np.zeros(hidden)
    return params


def test_check_params_accepts_valid_parameters_and_binds_h():
    dims = {"D": 3}
    params = lstm_params()
    assert check_params("params", params, LSTM_KEYS, dims) is params
    assert dims["H"] == 4


def test_check_params_allows_extra_keys():
    params = {**lstm_params(), "note": "extra"}
    check_params("params", params, LSTM_KEYS, {"D": 3})


def test_check_params_rejects_a_non_mapping():
    with pytest.raises(
        TypeError, match="params must be a dict with keys W, b, got list"
    ):
        check_params("params", [np.zeros((2, 3))], RNN_KEYS, {"D": 1})


def test_check_params_lists_every_missing_key():
    params = lstm_params()
    del params["W_i"], params["b_o"]
    with pytest.raises(KeyError, match=r"params is missing key\(s\) W_i, b_o"):
        check_params("params", params, LSTM_KEYS, {"D": 3})


def test_check_params_names_the_parameter_with_the_wrong_shape():
    params = lstm_params()
    params["W_c"] = np.zeros((4, 8))
    with pytest.raises(
        ValueError, match=re.escape("params['W_c'] must have shape (H, H + D)")
    ):
        check_params("params", params, LSTM_KEYS, {"D": 3, "H": 4})


def test_check_params_rejects_integer_weights():
    params = {"W": np.zeros((2, 3), dtype=int), "b": np.zeros(2)}
    with pytest.raises(TypeError, match=re.escape("params['W'] must be a floating")):
        check_params("params", params, RNN_KEYS, {"D": 1})


# --------------------------------------------------------------------------
# check_grads_dict, check_cache, result_dtype
# --------------------------------------------------------------------------


def test_check_grads_dict():
    check_grads_dict("grads", {"W": 0, "b": 0}, RNN_KEYS)
    with pytest.raises(KeyError, match=r"grads is missing key\(s\) b"):
        check_grads_dict("grads", {"W": 0}, RNN_KEYS)
    with pytest.raises(TypeError, match="grads must be a dict, got tuple"):
        check_grads_dict("grads", (0, 0), RNN_KEYS)


class DemoCache(NamedTuple):
    a: int
    b: int


def test_check_cache_accepts_its_class_and_rejects_others_by_name():
    check_cache("cache", DemoCache(1, 2), DemoCache)
    message = (
        "cache must be the DemoCache returned by the matching forward function, "
        "got tuple"
    )
    with pytest.raises(TypeError, match=re.escape(message)):
        check_cache("cache", (1, 2), DemoCache)


def test_result_dtype_promotes_like_numpy():
    f32 = np.zeros(1, dtype=np.float32)
    f64 = np.zeros(1)
    assert result_dtype(f32, f32) == np.float32
    assert result_dtype(f32, f64) == np.float64
